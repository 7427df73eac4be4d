"""Google Workspace: the third-party apps users granted access to, and Gemini licences.

Read with a service account key that has domain-wide delegation, impersonating an admin
(``subject``); every API gets a token for its own OAuth scope only, so one scope missing from
the delegation denies that area, not the scan. GETs only:

- ``token-activity`` (``admin.reports.audit.readonly``): the Reports API token activity
  (``/admin/reports/v1/activity/users/all/applications/token``, ``nextPageToken`` paging) over
  the last ``days`` (Google keeps six months): ``authorize`` and ``revoke`` events with
  ``client_id``, ``app_name`` and ``scope``. An app's users are those whose latest event is an
  authorisation.
- ``user-tokens`` (``admin.directory.user.readonly`` + ``admin.directory.user.security``,
  only when asked: one call per user): the Directory API's current per-user tokens.
- ``licenses:<productId>`` (``apps.licensing``): the Licensing API's assignments of the given
  products (Gemini add-ons), counted per SKU.

Each app and each licensed SKU is one ``CloudResource`` (``standalone=False``: evidence of the
tenant-wide system of the product the catalogue matches), with user or seat counts; the users'
addresses travel only when ``include_principals`` is set.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

import google.auth.exceptions
import google.auth.transport
import httpx
from google.oauth2 import service_account

from connectors.base import (
    CloudResource,
    Coverage,
    Observation,
    ObservationKind,
    ProgressSink,
    Scope,
)
from connectors.saas.http import (
    RetryPolicy,
    SaasAccessDenied,
    SaasClient,
    SaasRequestError,
    TokenProvider,
    iter_page_token,
    read_area,
)

logger = logging.getLogger(__name__)

ADMIN_API = "https://admin.googleapis.com"
LICENSING_API = "https://licensing.googleapis.com"
_AUTH = "https://www.googleapis.com/auth/"
REPORTS_SCOPES = (_AUTH + "admin.reports.audit.readonly",)
DIRECTORY_SCOPES = (
    _AUTH + "admin.directory.user.readonly",
    _AUTH + "admin.directory.user.security",
)
LICENSING_SCOPES = (_AUTH + "apps.licensing",)
SOURCE = "google-workspace"
OAUTH_APP_TYPE = "google:oauthToken"
LICENSE_TYPE = "google:license"
MAX_DAYS = 180
"""The Reports API keeps token activity for six months."""

RISKY_SCOPE_PREFIXES = (
    "gmail",
    "drive",
    "calendar",
    "documents",
    "spreadsheets",
    "presentations",
    "contacts",
    "directory",
    "chat",
    "admin.",
    "cloud-platform",
)
"""Scope names that open mail, calendars, files, contacts, chats or admin data to an app."""
_FULL_MAIL = "https://mail.google.com/"


class WorkspaceConfigError(ValueError):
    """The key file or the options cannot work; the message names what (never a key)."""


@dataclass(frozen=True)
class WorkspaceOptions:
    """Which tenant to read, as whom, and where."""

    key_file: Path
    """Service-account key (JSON) with domain-wide delegation of the scopes below."""
    subject: str
    """The admin the service account acts as (Reports and, if asked, user-security privileges)."""
    customer_id: str = ""
    """The Workspace customer id (``C03az79cb``); else the primary ``domain`` names the tenant."""
    domain: str = ""
    days: int = MAX_DAYS
    user_tokens: bool = False
    """Also read every user's current tokens from the Directory API (one call per user)."""
    licence_products: tuple[str, ...] = ()
    """Licensing API product ids to count (Gemini: ``101047``, ``101068``)."""
    include_principals: bool = False
    """Keep who granted or holds what (e-mail addresses); counts only by default."""
    admin_api: str = ADMIN_API
    licensing_api: str = LICENSING_API
    token_uri: str | None = None
    """Override of the key file's token endpoint (a proxy, or a local stand-in in tests)."""
    transport: httpx.BaseTransport | None = field(default=None, compare=False)
    retry: RetryPolicy | None = None

    def __post_init__(self) -> None:
        if not (self.customer_id or self.domain):
            raise WorkspaceConfigError("a customer id or the primary domain is needed")
        if not self.subject or "@" not in self.subject:
            raise WorkspaceConfigError("the admin to impersonate must be an e-mail address")
        if not 1 <= self.days <= MAX_DAYS:
            raise WorkspaceConfigError(f"days must be between 1 and {MAX_DAYS}")

    @property
    def scope(self) -> Scope:
        """The tenant: ``google-workspace:<customer id or primary domain>``."""
        return Scope(
            SOURCE, self.customer_id or self.domain.lower(), self.domain or self.customer_id
        )


@dataclass
class AppGrants:
    """What the tenant's records say about one OAuth client."""

    client_id: str
    name: str = ""
    client_type: str = ""
    scopes: set[str] = field(default_factory=set)
    latest: dict[str, tuple[datetime, bool]] = field(default_factory=dict)
    """user -> (time of the latest event, whether it authorised)."""
    holders: set[str] = field(default_factory=set)
    """Users holding a token now (Directory API)."""
    first_seen: datetime | None = None
    area: str = ""

    @property
    def users(self) -> set[str]:
        """Users who hold a grant: a current token, or an authorisation not revoked since."""
        return self.holders | {u for u, (_, granted) in self.latest.items() if granted}

    def event(self, user: str, when: datetime, authorised: bool) -> None:
        """Fold one ``authorize``/``revoke`` event in (events arrive newest first, or any order)."""
        seen = self.latest.get(user)
        if seen is None or when >= seen[0]:
            self.latest[user] = (when, authorised)
        if authorised and (self.first_seen is None or when < self.first_seen):
            self.first_seen = when


def scope_name(scope: str) -> str:
    """``https://www.googleapis.com/auth/drive.readonly`` is ``drive.readonly``."""
    return "gmail (full access)" if scope == _FULL_MAIL else scope.removeprefix(_AUTH)


def risky_scopes(scopes: set[str]) -> list[str]:
    """The scopes that open mail, calendars, files, contacts, chats or admin data."""
    names = sorted(scope_name(s) for s in scopes)
    return [n for n in names if n.startswith(RISKY_SCOPE_PREFIXES)]


def fold_token_activity(items: Iterator[Mapping[str, Any]], apps: dict[str, AppGrants]) -> None:
    """Fold Reports API token activities (``items[].events[].parameters[]``) into ``apps``."""
    for item in items:
        user = str((item.get("actor") or {}).get("email") or "")
        when = _parse_time(str((item.get("id") or {}).get("time") or ""))
        for event in item.get("events") or ():
            name = event.get("name")
            if name not in ("authorize", "revoke"):
                continue
            params = _parameters(event.get("parameters") or ())
            client_id = str(params.get("client_id") or "")
            if not client_id or not user or when is None:
                continue
            app = apps.setdefault(client_id, AppGrants(client_id, area="token-activity"))
            app.name = app.name or str(params.get("app_name") or "")
            app.client_type = app.client_type or str(params.get("client_type") or "")
            if name == "authorize":
                scopes = params.get("scope") or ()
                app.scopes.update(
                    str(s) for s in (scopes if isinstance(scopes, list) else [scopes])
                )
            app.event(user, when, name == "authorize")


def fold_user_tokens(
    user: str, tokens: Sequence[Mapping[str, Any]], apps: dict[str, AppGrants]
) -> None:
    """Fold one user's Directory API tokens (``clientId``, ``displayText``, ``scopes``) in."""
    for token in tokens:
        client_id = str(token.get("clientId") or "")
        if not client_id:
            continue
        app = apps.setdefault(client_id, AppGrants(client_id, area="user-tokens"))
        app.name = app.name or str(token.get("displayText") or "")
        app.client_type = app.client_type or ("native" if token.get("nativeApp") else "")
        app.scopes.update(str(s) for s in token.get("scopes") or ())
        app.holders.add(user)


def app_resource(app: AppGrants, include_principals: bool) -> CloudResource:
    """One OAuth client as the catalogue matches it, with counts and the risky scopes."""
    users = app.users
    properties = {
        "users": str(len(users)),
        "scopes": " ".join(sorted(scope_name(s) for s in app.scopes)),
    }
    if risky := risky_scopes(app.scopes):
        properties["risky_scopes"] = " ".join(risky)
    if app.client_type:
        properties["client_type"] = app.client_type
    revoked = sum(1 for _, granted in app.latest.values() if not granted)
    if revoked:
        properties["revoked_by"] = str(revoked)
    return CloudResource(
        type=OAUTH_APP_TYPE,
        id=app.client_id,
        name=app.name,
        area=app.area,
        standalone=False,
        properties=properties,
        created=app.first_seen,
        principals=tuple(sorted(users)) if include_principals else (),
        app_id=app.client_id,
    )


def licence_resources(
    product: str, assignments: Sequence[Mapping[str, Any]], include_principals: bool
) -> list[CloudResource]:
    """Licensing API assignments of one product, one resource per SKU with its seat count."""
    by_sku: dict[str, list[Mapping[str, Any]]] = {}
    for a in assignments:
        by_sku.setdefault(str(a.get("skuId") or ""), []).append(a)
    resources = []
    for sku, rows in sorted(by_sku.items()):
        if not sku:
            continue
        users = sorted({str(r.get("userId") or "") for r in rows} - {""})
        resources.append(
            CloudResource(
                type=LICENSE_TYPE,
                id=f"{product}/{sku}",
                name=str(rows[0].get("skuName") or sku),
                area=f"licenses:{product}",
                standalone=False,
                properties={
                    "seats": str(len(users)),
                    "product_id": product,
                    "product_name": str(rows[0].get("productName") or ""),
                },
                principals=tuple(users) if include_principals else (),
                publisher="Google",
                app_id=sku,
            )
        )
    return resources


class GoogleWorkspaceConnector:
    """One Workspace tenant's OAuth grants and AI licences, as resource observations."""

    name = SOURCE

    def __init__(self, options: WorkspaceOptions) -> None:
        self.options = options
        self.scope = options.scope
        self._info = _load_key(options.key_file, options.token_uri)

    def __repr__(self) -> str:
        return f"GoogleWorkspaceConnector({self.scope.id!r})"

    def observe(self, coverage: Coverage, progress: ProgressSink) -> Iterator[Observation]:
        """Read each area; a denied or failing area is recorded and the others still read."""
        opts = self.options
        task = f"google-workspace {self.scope.name}"
        progress.started(task, 2 + len(opts.licence_products))
        with httpx.Client(transport=opts.transport, timeout=60.0) as http:
            apps: dict[str, AppGrants] = {}
            with self._client(opts.admin_api, REPORTS_SCOPES, http) as reports:
                read_area(
                    coverage, self.scope, "token-activity", lambda: self._activity(reports, apps)
                )
            progress.advanced(task)
            if opts.user_tokens:
                with self._client(opts.admin_api, DIRECTORY_SCOPES, http) as directory:
                    read_area(
                        coverage, self.scope, "user-tokens", lambda: self._tokens(directory, apps)
                    )
            progress.advanced(task)
            for app in sorted(apps.values(), key=lambda a: a.client_id):
                if app.users or app.latest:
                    res = app_resource(app, opts.include_principals)
                    yield Observation(
                        self.scope, ObservationKind.RESOURCE, app.client_id, None, res
                    )
            licensing = self._client(opts.licensing_api, LICENSING_SCOPES, http)
            for product in opts.licence_products:
                found = read_area(
                    coverage,
                    self.scope,
                    f"licenses:{product}",
                    partial(self._licences, licensing, product),
                )
                for res in found or ():
                    yield Observation(self.scope, ObservationKind.RESOURCE, res.id, None, res)
                progress.advanced(task)
        progress.finished(task)

    def _client(self, base: str, scopes: tuple[str, ...], http: httpx.Client) -> SaasClient:
        return SaasClient(
            base, token=self._token_provider(scopes, http), client=http, retry=self.options.retry
        )

    def _token_provider(self, scopes: tuple[str, ...], http: httpx.Client) -> TokenProvider:
        """A token for ``scopes`` as the admin, refreshed when it expires.

        A refused exchange (the scope is not delegated to the service account, the admin does
        not exist) is a denial of the area naming the scopes to delegate.
        """
        creds = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
            self._info, scopes=list(scopes), subject=self.options.subject
        )
        request = _HttpxAuthRequest(http)
        needs = "domain-wide delegation of " + ", ".join(scopes)

        def provide() -> str:
            if not creds.valid:
                try:
                    creds.refresh(request)
                except google.auth.exceptions.RefreshError as err:
                    raise SaasAccessDenied("POST token", 0, needs, _refresh_detail(err)) from None
                except google.auth.exceptions.TransportError as err:
                    raise SaasRequestError("POST token", 0, str(err)[:200]) from None
            return str(creds.token)

        return provide

    def _activity(self, client: SaasClient, apps: dict[str, AppGrants]) -> None:
        start = datetime.now(UTC) - timedelta(days=self.options.days)
        params: dict[str, str | int] = {
            "maxResults": 1000,
            "startTime": start.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        }
        if self.options.customer_id:
            params["customerId"] = self.options.customer_id
        items = iter_page_token(
            client,
            "admin/reports/v1/activity/users/all/applications/token",
            items_key="items",
            params=params,
            permission=", ".join(REPORTS_SCOPES) + " (admin with the Reports privilege)",
        )
        fold_token_activity(items, apps)

    def _tokens(self, client: SaasClient, apps: dict[str, AppGrants]) -> None:
        permission = ", ".join(DIRECTORY_SCOPES) + " (admin with the Users read privilege)"
        users = iter_page_token(
            client,
            "admin/directory/v1/users",
            items_key="users",
            params={"customer": self.options.customer_id or "my_customer", "maxResults": 500},
            permission=permission,
        )
        for user in users:
            email = str(user.get("primaryEmail") or "")
            if not email:
                continue
            body = client.get_json(
                f"admin/directory/v1/users/{quote(email, safe='@')}/tokens", permission=permission
            )
            items = body.get("items") if isinstance(body, dict) else None
            fold_user_tokens(email, [t for t in items or () if isinstance(t, dict)], apps)

    def _licences(self, client: SaasClient, product: str) -> list[CloudResource]:
        customer = self.options.customer_id or self.options.domain
        rows = list(
            iter_page_token(
                client,
                f"apps/licensing/v1/product/{quote(product, safe='')}/users",
                items_key="items",
                params={"customerId": customer, "maxResults": 1000},
                permission=", ".join(LICENSING_SCOPES) + " (admin with licence management)",
            )
        )
        return licence_resources(product, rows, self.options.include_principals)


class _HttpxAuthResponse(google.auth.transport.Response):
    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def status(self) -> int:
        return self._response.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        return dict(self._response.headers)

    @property
    def data(self) -> bytes:
        return self._response.content


class _HttpxAuthRequest(google.auth.transport.Request):
    """google-auth's token exchange over httpx, so one client (and transport) carries it all."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> google.auth.transport.Response:
        try:
            response = self._client.request(
                method, url, content=body, headers=headers, timeout=timeout or 60.0
            )
        except httpx.HTTPError as err:
            raise google.auth.exceptions.TransportError(  # type: ignore[no-untyped-call]
                type(err).__name__
            ) from None
        return _HttpxAuthResponse(response)


def _load_key(path: Path, token_uri: str | None) -> dict[str, Any]:
    """The key file's fields (with the token endpoint overridden); never echoes its content."""
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise WorkspaceConfigError(f"{path}: cannot read the key file ({err.strerror})") from err
    except ValueError as err:
        raise WorkspaceConfigError(f"{path}: the key file is not JSON") from err
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise WorkspaceConfigError(f"{path}: not a service-account key file")
    missing = [k for k in ("client_email", "private_key", "token_uri") if not info.get(k)]
    if missing and not (missing == ["token_uri"] and token_uri):
        raise WorkspaceConfigError(f"{path}: the key file lacks {', '.join(missing)}")
    if token_uri:
        info["token_uri"] = token_uri
    return info


def _refresh_detail(err: google.auth.exceptions.RefreshError) -> str:
    """The OAuth error code of a refused exchange (``unauthorized_client``), nothing more."""
    text = str(err.args[0]) if err.args else str(err)
    return text.split(":", 1)[0].strip("('\" ")[:100]


def _parameters(params: Any) -> dict[str, Any]:
    """Reports API event parameters (``value``, ``multiValue``, ``intValue``...) as a dict."""
    result: dict[str, Any] = {}
    for p in params:
        if not isinstance(p, dict) or "name" not in p:
            continue
        for key in ("value", "multiValue", "intValue", "boolValue"):
            if key in p:
                result[str(p["name"])] = p[key]
                break
    return result


def _parse_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
