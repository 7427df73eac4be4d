"""The one way SaaS connectors talk HTTP: read-only GETs, paging, throttling, denials.

Every SaaS admin API (Microsoft Graph, GitHub, Okta, Slack, Google Admin SDK) is read through
``SaasClient``: it adds the token per request (so refreshing providers work), retries 429/503
with ``Retry-After`` inside a bounded total wait, refuses to follow a paging link to another
origin (the token would go with it), and turns 401/403 into ``SaasAccessDenied`` naming the
permission the *caller* says the call needs, so coverage can say ``denied: needs X``.

Tokens never appear in logs, reprs or exception messages: they live only inside a
``TokenProvider`` closure and in the ``Authorization`` header of the request being sent, and
every message built from a response body is scrubbed of the current token.

Exceptions::

    SaasError                   root of everything raised here
     ├── SaasConfigError        a credential is missing (names the variable, never its value)
     ├── SaasAccessDenied       401/403 (or Slack ``missing_scope``...): carries ``permission``
     └── SaasRequestError       any other failure: status, transport error, bad JSON, paging loop
          └── SaasRateLimited   throttled beyond the bounded total wait
"""

from __future__ import annotations

import email.utils
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from connectors.base import Coverage, Outcome, Scope

__all__ = [
    "PagingLoop",
    "RetryPolicy",
    "SaasAccessDenied",
    "SaasClient",
    "SaasConfigError",
    "SaasError",
    "SaasRateLimited",
    "SaasRequestError",
    "TokenProvider",
    "coverage_outcome",
    "env_token",
    "failures_of",
    "host_of",
    "iter_cursor",
    "iter_link_header",
    "iter_odata",
    "iter_page_token",
    "read_area",
    "static_token",
]

logger = logging.getLogger(__name__)

TokenProvider = Callable[[], str]
"""Returns the current access token; called for every request so that expiring tokens refresh."""

DEFAULT_TIMEOUT = 30.0
RETRY_STATUSES = frozenset({429, 503})
DENIED_STATUSES = frozenset({401, 403})
_REDACTED = "[redacted]"


class SaasError(Exception):
    """Root of every error the SaaS HTTP layer raises."""


class SaasConfigError(SaasError):
    """A credential or setting is missing; the message names it, never a secret value."""


class SaasAccessDenied(SaasError):
    """The API refused the caller (401/403, Slack ``missing_scope``): record coverage ``denied``."""

    def __init__(self, api: str, status: int, permission: str, detail: str = "") -> None:
        self.api = api
        """``GET /v1.0/servicePrincipals``-style description of the refused call (no query)."""
        self.status = status
        """HTTP status (0 when the API reports errors in a 200 body, as Slack does)."""
        self.permission = permission
        """The permission, scope or role needed, as the caller named it (or the API did)."""
        self.detail = detail
        """The API's own short error code/message, scrubbed of the token."""
        needs = f"needs {permission}" if permission else "permission not named"
        tail = f" ({detail})" if detail else ""
        super().__init__(f"{api}: access denied, {needs}{tail}")


class SaasRequestError(SaasError):
    """A call failed for another reason than a denial; ``status`` is 0 without a response."""

    def __init__(self, api: str, status: int, detail: str) -> None:
        self.api = api
        self.status = status
        self.detail = detail
        code = f"HTTP {status}" if status else "request failed"
        super().__init__(f"{api}: {code}: {detail}" if detail else f"{api}: {code}")


class SaasRateLimited(SaasRequestError):
    """Still throttled when the bounded total wait ran out."""


class PagingLoop(SaasRequestError):
    """A paging link or cursor repeated, or pointed at another origin: stopped, not followed."""


def static_token(value: str) -> TokenProvider:
    """Wrap a token already at hand (read from where the user said) in a provider."""

    def provide() -> str:
        return value

    return provide


def env_token(variable: str) -> TokenProvider:
    """Read a token from the environment variable ``variable`` at request time.

    Tokens are passed by variable *name* on the command line, never by value, so they stay out
    of shell history and process listings; a missing variable is a ``SaasConfigError``.
    """

    def provide() -> str:
        value = os.environ.get(variable, "").strip()
        if not value:
            raise SaasConfigError(f"environment variable {variable} is not set or empty")
        return value

    return provide


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long throttling is waited out: per wait, per call, and in total for the client."""

    max_attempts: int = 5
    """Tries per request (the first included)."""
    max_wait: float = 60.0
    """Longest single wait; a larger ``Retry-After`` is not honoured but fails the call."""
    max_total_wait: float = 180.0
    """Seconds the client may spend waiting on throttling over its whole life (all calls)."""
    default_wait: float = 1.0
    """Wait when a 429/503 carries no ``Retry-After`` (doubled on each further try)."""
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    """Injected in tests to record waits instead of sleeping."""


def _retry_after(response: httpx.Response, attempt: int, policy: RetryPolicy) -> float:
    """Seconds to wait from ``Retry-After`` (delta or HTTP date) or GitHub/Okta reset headers."""
    header = response.headers.get("retry-after", "").strip()
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            try:
                parsed = email.utils.parsedate_to_datetime(header)
            except (TypeError, ValueError):
                parsed = None
            if parsed is not None:
                if parsed.tzinfo is None:
                    parsed = parsed.replace(tzinfo=UTC)
                return max(0.0, (parsed - datetime.now(UTC)).total_seconds())
    for reset_header in ("x-ratelimit-reset", "x-rate-limit-reset"):  # GitHub, Okta: epoch secs
        reset = response.headers.get(reset_header, "").strip()
        if reset.isdigit():
            return max(0.0, int(reset) - time.time())
    return float(policy.default_wait * (2**attempt))


def _is_throttled(response: httpx.Response) -> bool:
    """429/503, or GitHub's 403 with an exhausted primary limit or a secondary-limit Retry-After."""
    if response.status_code in RETRY_STATUSES:
        return True
    if response.status_code == 403:
        if "retry-after" in response.headers:
            return True
        return str(response.headers.get("x-ratelimit-remaining", "")).strip() == "0"
    return False


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


def _describe(method: str, url: httpx.URL) -> str:
    """``GET /path`` without the query string: queries may carry cursors, filters, e-mails."""
    return f"{method} {url.path}"


class SaasClient:
    """A read-only client for one SaaS API: base URL, auth, retries, denial mapping.

    ``client``/``transport`` are injection points (tests, proxies, custom TLS); when neither is
    given an ``httpx.Client`` is created and closed by ``close()``. The token is never a client
    default header, so a caller-supplied client never holds it after a request.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: TokenProvider | None = None,
        auth_scheme: str = "Bearer",
        headers: Mapping[str, str] | None = None,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.base_url = httpx.URL(base_url.rstrip("/") + "/")
        self._token = token
        self._auth_scheme = auth_scheme
        self._headers = dict(headers or {})
        self._owns_client = client is None
        self._client = client or httpx.Client(
            transport=transport, timeout=httpx.Timeout(timeout), follow_redirects=False
        )
        self._timeout = timeout
        self.retry = retry or RetryPolicy()
        self.waited = 0.0
        """Seconds spent waiting on throttling so far (bounded by ``retry.max_total_wait``)."""

    def __repr__(self) -> str:
        return f"SaasClient({str(self.base_url)!r})"

    def __enter__(self) -> SaasClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the underlying client if this object created it."""
        if self._owns_client:
            self._client.close()

    def url(self, path_or_url: str) -> httpx.URL:
        """Resolve a path against the base URL; an absolute URL must share the base's origin."""
        if path_or_url.startswith(("http://", "https://")):
            url = httpx.URL(path_or_url)
            if _origin(url) != _origin(self.base_url):
                raise PagingLoop(
                    _describe("GET", url), 0, f"refusing to follow a link to host {url.host}"
                )
            return url
        return self.base_url.join(path_or_url.lstrip("/"))

    def _current_token(self) -> str:
        return self._token() if self._token is not None else ""

    def _scrub(self, text: str, token: str) -> str:
        text = text.replace(token, _REDACTED) if token else text
        return text[:300]

    def get(
        self,
        path_or_url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        permission: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """GET one resource, waiting out throttling; raise on denial or any other failure.

        ``permission`` is what a 401/403 means for this call (``Application.Read.All``); it
        becomes ``SaasAccessDenied.permission`` so coverage names what to grant.
        """
        url = self.url(path_or_url)
        api = _describe("GET", url)
        attempt = 0
        while True:
            token = self._current_token()
            send_headers = {**self._headers, **(headers or {})}
            if token:
                send_headers["Authorization"] = f"{self._auth_scheme} {token}".strip()
            try:
                response = self._client.get(
                    url, params=dict(params or {}) or None, headers=send_headers
                )
            except httpx.HTTPError as err:
                detail = self._scrub(type(err).__name__ + ": " + str(err), token)
                raise SaasRequestError(api, 0, detail) from None
            logger.debug("%s -> %s", api, response.status_code)
            if _is_throttled(response):
                wait = _retry_after(response, attempt, self.retry)
                attempt += 1
                if (
                    attempt >= self.retry.max_attempts
                    or wait > self.retry.max_wait
                    or self.waited + wait > self.retry.max_total_wait
                ):
                    raise SaasRateLimited(
                        api,
                        response.status_code,
                        f"still throttled after {attempt} tries and {self.waited:.0f}s waiting",
                    )
                logger.info("%s throttled (%s); waiting %.1fs", api, response.status_code, wait)
                self.waited += wait
                self.retry.sleep(wait)
                continue
            if response.status_code in DENIED_STATUSES:
                detail = self._scrub(_error_detail(response), token)
                raise SaasAccessDenied(api, response.status_code, permission, detail)
            if response.status_code >= 400:
                raise SaasRequestError(
                    api, response.status_code, self._scrub(_error_detail(response), token)
                )
            return response

    def get_json(
        self,
        path_or_url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        permission: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """GET and decode JSON; a non-JSON body is a ``SaasRequestError``."""
        response = self.get(path_or_url, params=params, permission=permission, headers=headers)
        try:
            return response.json()
        except ValueError:
            raise SaasRequestError(
                _describe("GET", response.request.url), response.status_code, "response is not JSON"
            ) from None


def _error_detail(response: httpx.Response) -> str:
    """The API's own error code/message in its own shape (Graph, GitHub, Okta, Slack, Google)."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    if not isinstance(body, dict):
        return response.reason_phrase
    error = body.get("error")
    if isinstance(error, dict):  # Graph {"error": {"code", "message"}}, Google {"error": {...}}
        parts = [str(error.get(k, "")) for k in ("code", "message", "status") if error.get(k)]
        return ": ".join(parts) or response.reason_phrase
    if isinstance(error, str):  # Slack {"ok": false, "error": "missing_scope"}
        return error
    if "errorCode" in body:  # Okta {"errorCode": "E0000006", "errorSummary": "..."}
        return f"{body.get('errorCode')}: {body.get('errorSummary', '')}".strip(": ")
    if "message" in body:  # GitHub {"message": "...", "documentation_url": "..."}
        return str(body["message"])
    return response.reason_phrase


def _items(body: Any, key: str | None, api: str) -> list[Any]:
    if key is None:
        if isinstance(body, list):
            return body
        raise SaasRequestError(api, 200, "expected a JSON list")
    if not isinstance(body, dict):
        raise SaasRequestError(api, 200, f"expected an object with {key!r}")
    value = body.get(key, [])
    if not isinstance(value, list):
        raise SaasRequestError(api, 200, f"{key!r} is not a list")
    return value


def iter_odata(
    client: SaasClient,
    path: str,
    *,
    params: Mapping[str, str | int] | None = None,
    permission: str = "",
    headers: Mapping[str, str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Microsoft Graph paging: ``value`` items, follow ``@odata.nextLink`` (absolute, same host).

    The next link already carries every query parameter, so ``params`` go on the first page only.
    """
    yield from _follow(client, path, params, permission, headers, "value", _odata_next)


def _odata_next(response: httpx.Response, body: Any) -> str | None:
    link = body.get("@odata.nextLink") if isinstance(body, dict) else None
    return str(link) if link else None


def _link_next(response: httpx.Response, body: Any) -> str | None:
    link = response.links.get("next", {}).get("url")
    return str(link) if link else None


def iter_link_header(
    client: SaasClient,
    path: str,
    *,
    items_key: str | None = None,
    params: Mapping[str, str | int] | None = None,
    permission: str = "",
    headers: Mapping[str, str] | None = None,
) -> Iterator[dict[str, Any]]:
    """GitHub and Okta paging: follow ``Link: <...>; rel="next"``.

    The body is a JSON list (Okta, most GitHub lists) or an object holding the list under
    ``items_key`` (GitHub ``installations``, ``seats``).
    """
    yield from _follow(client, path, params, permission, headers, items_key, _link_next)


def _follow(
    client: SaasClient,
    path: str,
    params: Mapping[str, str | int] | None,
    permission: str,
    headers: Mapping[str, str] | None,
    items_key: str | None,
    next_of: Callable[[httpx.Response, Any], str | None],
) -> Iterator[dict[str, Any]]:
    seen: set[str] = set()
    target: str | None = path
    first = True
    while target is not None:
        response = client.get(
            target, params=params if first else None, permission=permission, headers=headers
        )
        first = False
        api = _describe("GET", response.request.url)
        try:
            body = response.json()
        except ValueError:
            raise SaasRequestError(api, response.status_code, "response is not JSON") from None
        for item in _items(body, items_key, api):
            if isinstance(item, dict):
                yield item
        target = next_of(response, body)
        if target is not None:
            resolved = str(response.request.url.join(target))
            if resolved in seen:
                raise PagingLoop(api, response.status_code, "next link repeated a page")
            seen.add(resolved)
            target = resolved


def iter_cursor(
    client: SaasClient,
    method: str,
    *,
    items_key: str,
    params: Mapping[str, str | int] | None = None,
    permission: str = "",
) -> Iterator[dict[str, Any]]:
    """Slack Web API paging: GET ``method`` with ``cursor`` from ``response_metadata.next_cursor``.

    Slack answers errors with HTTP 200 and ``{"ok": false, "error": ...}``: ``missing_scope``,
    ``not_allowed_token_type``, ``not_authed``, ``invalid_auth``, ``access_denied``,
    ``no_permission``, ``ekm_access_denied``, ``team_access_not_granted`` and
    ``not_an_enterprise`` become ``SaasAccessDenied`` (Slack's ``needed`` scope when it says
    one); other errors are ``SaasRequestError``. Read methods accept GET with query arguments.
    """
    cursor = ""
    seen: set[str] = set()
    while True:
        query: dict[str, str | int] = dict(params or {})
        if cursor:
            query["cursor"] = cursor
        body = client.get_json(method, params=query, permission=permission)
        api = f"GET /{method.lstrip('/')}"
        if not isinstance(body, dict):
            raise SaasRequestError(api, 200, "expected a JSON object")
        if not body.get("ok", False):
            error = str(body.get("error", "unknown_error"))
            if error in _SLACK_DENIED:
                needed = str(body.get("needed") or "") or permission
                raise SaasAccessDenied(api, 0, needed, error)
            raise SaasRequestError(api, 200, error)
        yield from (item for item in _items(body, items_key, api) if isinstance(item, dict))
        meta = body.get("response_metadata")
        cursor = str(meta.get("next_cursor") or "") if isinstance(meta, dict) else ""
        if not cursor:
            return
        if cursor in seen:
            raise PagingLoop(api, 200, "next_cursor repeated a page")
        seen.add(cursor)


_SLACK_DENIED = frozenset(
    {
        "missing_scope",
        "not_allowed_token_type",
        "not_authed",
        "invalid_auth",
        "access_denied",
        "no_permission",
        "ekm_access_denied",
        "team_access_not_granted",
        "not_an_enterprise",
        "feature_not_enabled",
        "paid_only",
    }
)


def iter_page_token(
    client: SaasClient,
    path: str,
    *,
    items_key: str,
    params: Mapping[str, str | int] | None = None,
    permission: str = "",
    headers: Mapping[str, str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Google API paging: pass ``pageToken`` from the previous body's ``nextPageToken``."""
    token = ""
    seen: set[str] = set()
    while True:
        query: dict[str, str | int] = dict(params or {})
        if token:
            query["pageToken"] = token
        body = client.get_json(path, params=query, permission=permission, headers=headers)
        api = f"GET /{path.lstrip('/')}" if not path.startswith("http") else path
        yield from (item for item in _items(body, items_key, api) if isinstance(item, dict))
        token = str(body.get("nextPageToken") or "") if isinstance(body, dict) else ""
        if not token:
            return
        if token in seen:
            raise PagingLoop(api, 200, "nextPageToken repeated a page")
        seen.add(token)


def coverage_outcome(err: SaasError) -> tuple[Outcome, str]:
    """Map an error to the coverage outcome and message a connector records for its area."""
    if isinstance(err, SaasAccessDenied):
        return Outcome.DENIED, str(err)
    return Outcome.ERROR, str(err)


T = TypeVar("T")


def read_area(coverage: Coverage, scope: Scope, area: str, read: Callable[[], T]) -> T | None:
    """Run one area's reads and record its outcome: OK, or DENIED/ERROR with the reason.

    Returns None when the area failed, so a caller cannot mistake "not read" for "empty".
    Only ``SaasError`` is caught: anything else is a bug and should surface.
    """
    try:
        result = read()
    except SaasError as err:
        outcome, message = coverage_outcome(err)
        coverage.record(scope, area, outcome, message)
        return None
    coverage.record(scope, area, Outcome.OK)
    return result


def failures_of(coverage: Coverage, scope: Scope) -> str:
    """What a scope's failed areas were, for a progress line: ``area denied: ... needs X``."""
    return "; ".join(
        f"{a.area} {a.outcome.value}: {a.message}"
        for a in coverage.failed
        if a.scope.key == scope.key
    )


def host_of(url: str) -> str:
    """Lower-case host of a URL (reply URLs, homepages); empty when it has none."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.lower().rstrip(".")
