"""Notifications: tell a chat channel or an endpoint that a scan found new shadow AI.

Webhook URLs are secrets (a Slack or Teams webhook URL is its own credential): they are passed by
the *name* of an environment variable, and neither logs nor messages ever show more of one than
its scheme and host. Delivery retries transient failures (connection errors, timeouts, 408, 429,
5xx) a bounded number of times with exponential back-off, and never raises: every outcome is
returned as a :class:`Delivery`, so a dead webhook cannot fail the scan that found something.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from inventory_db.diff import Change
from reports.diff import is_shadow, system_label

logger = logging.getLogger(__name__)

FORMATS = ("slack", "teams", "json")
NOTIFICATION_SCHEMA = "aicensus.notification/1"
RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_BACKOFF = 30.0
MAX_LISTED = 20
"""Systems listed in one chat message; the rest are counted."""
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class Webhook:
    """One destination: the URL (secret), where it came from, and the payload dialect."""

    name: str
    """The environment variable that holds the URL: what messages call this webhook."""
    url: str
    format: str

    def __repr__(self) -> str:
        return f"Webhook(name={self.name!r}, url={mask_url(self.url)!r}, format={self.format!r})"


@dataclass(frozen=True, slots=True)
class Delivery:
    """How sending to one webhook ended."""

    webhook: str
    """The environment variable name (never the URL)."""
    ok: bool
    attempts: int
    status: int | None = None
    error: str = ""


@dataclass(frozen=True, slots=True)
class Notice:
    """What to say: the event, the scan, and the systems it is about."""

    event: str
    """``new-shadow-ai`` (or another fail-on condition)."""
    scan_id: int
    from_scan: int | None
    systems: tuple[Change, ...]

    @property
    def title(self) -> str:
        """One line for chat titles and fallbacks."""
        n = len(self.systems)
        noun = "system" if n == 1 else "systems"
        return f"aicensus scan {self.scan_id}: {n} new shadow AI {noun}"


def shadow_notice(changes: Sequence[Change], scan_id: int, from_scan: int | None) -> Notice | None:
    """A notice about the shadow AI among a diff's changes, or None when there is none."""
    shadow = tuple(c for c in changes if is_shadow(c))
    return Notice("new-shadow-ai", scan_id, from_scan, shadow) if shadow else None


def mask_url(url: str) -> str:
    """A webhook URL as it may be shown: scheme and host only (the path is the secret)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "***"
    if not parts.scheme or not parts.hostname:
        return "***"
    return f"{parts.scheme}://{parts.hostname}/***"


def redact(text: str, url: str) -> str:
    """``text`` with every trace of ``url`` (and of its path and query) masked."""
    masked = text.replace(url, mask_url(url))
    parts = urlsplit(url)
    for secret in (parts.path, parts.query):
        if len(secret) > 1:
            masked = masked.replace(secret, "/***")
    return masked


def webhooks_from_env(
    names: Sequence[str], fmt: str, environ: Mapping[str, str] | None = None
) -> tuple[list[Webhook], list[Delivery]]:
    """Resolve environment variable names to webhooks; unusable ones come back as failures."""
    env = os.environ if environ is None else environ
    hooks: list[Webhook] = []
    problems: list[Delivery] = []
    for name in names:
        if not _ENV_NAME.match(name):
            problems.append(Delivery(name, False, 0, error="not an environment variable name"))
            continue
        url = env.get(name, "").strip()
        if not url:
            problems.append(Delivery(name, False, 0, error=f"environment variable {name} is unset"))
        elif urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            problems.append(Delivery(name, False, 0, error=f"{name} does not hold an http(s) URL"))
        else:
            hooks.append(Webhook(name, url, fmt))
    return hooks, problems


def _slack_escape(text: str) -> str:
    """Slack mrkdwn control characters (names come from scanned code and accounts)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _line(change: Change) -> str:
    s = change.system
    return f"#{s.id} {system_label(s)} ({s.category}) in {s.scope_name or s.scope_id}"


def slack_payload(notice: Notice) -> dict[str, Any]:
    """A Slack incoming-webhook message: ``text`` (fallback) and Block Kit ``blocks``."""
    listed = [f"• {_slack_escape(_line(c))}" for c in notice.systems[:MAX_LISTED]]
    more = len(notice.systems) - MAX_LISTED
    if more > 0:
        listed.append(f"… and {more} more")
    body = "\n".join(listed)
    return {
        "text": _slack_escape(notice.title),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": notice.title[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": body[:3000]}},
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "Not in the register. Review with `aicensus diff` and record a "
                        "decision with `aicensus inventory set-status`.",
                    }
                ],
            },
        ],
    }


def teams_payload(notice: Notice) -> dict[str, Any]:
    """A Teams (Workflows) webhook message: an Adaptive Card 1.4 attachment."""
    facts = [
        {"title": f"#{c.system.id}", "value": _line(c).split(" ", 1)[1]}
        for c in notice.systems[:MAX_LISTED]
    ]
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "size": "Medium", "weight": "Bolder", "text": notice.title},
        {"type": "TextBlock", "wrap": True, "text": "New AI systems not in the register:"},
        {"type": "FactSet", "facts": facts},
    ]
    more = len(notice.systems) - MAX_LISTED
    if more > 0:
        body.append({"type": "TextBlock", "text": f"… and {more} more", "wrap": True})
    return {
        "type": "message",
        "summary": notice.title,
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": body,
                },
            }
        ],
    }


def json_payload(notice: Notice) -> dict[str, Any]:
    """The generic payload (``aicensus.notification/1``) for any endpoint."""
    return {
        "schema": NOTIFICATION_SCHEMA,
        "event": notice.event,
        "scan": notice.scan_id,
        "from_scan": notice.from_scan,
        "summary": notice.title,
        "systems": [
            {
                "id": c.system.id,
                "identity_key": c.system.identity_key,
                "vendor": c.system.vendor,
                "product": c.system.product,
                "product_name": c.system.product_name,
                "category": c.system.category,
                "scope": {
                    "kind": c.system.scope_kind,
                    "id": c.system.scope_id,
                    "name": c.system.scope_name,
                },
                "status": c.system.status,
            }
            for c in notice.systems
        ],
    }


PAYLOADS: dict[str, Callable[[Notice], dict[str, Any]]] = {
    "slack": slack_payload,
    "teams": teams_payload,
    "json": json_payload,
}


@contextmanager
def _quiet_http_logs() -> Iterator[None]:
    """httpx logs every request URL at INFO/DEBUG: keep webhook URLs out of ``-v`` output."""
    loggers = [logging.getLogger(n) for n in ("httpx", "httpcore")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _retry_after(response: httpx.Response, default: float) -> float:
    value = response.headers.get("retry-after", "")
    try:
        return min(max(float(value), 0.0), MAX_BACKOFF)
    except ValueError:
        return default


def send(
    client: httpx.Client,
    hook: Webhook,
    notice: Notice,
    *,
    retries: int = 3,
    backoff: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """POST the notice to one webhook; retry transient failures; never raise."""
    payload = PAYLOADS[hook.format](notice)
    status: int | None = None
    error = ""
    attempts = 0
    for attempt in range(retries + 1):
        attempts = attempt + 1
        wait = min(backoff * 2**attempt, MAX_BACKOFF)
        try:
            response = client.post(hook.url, json=payload)
        except httpx.HTTPError as exc:
            status, error = None, redact(f"{type(exc).__name__}: {exc}", hook.url)
        else:
            status = response.status_code
            if 200 <= status < 300:
                return Delivery(hook.name, True, attempts, status)
            error = f"HTTP {status}"
            if status not in RETRYABLE:
                break
            wait = _retry_after(response, wait)
        if attempt < retries:
            logger.info("webhook %s: %s; retrying in %.1fs", hook.name, error, wait)
            sleep(wait)
    logger.warning("webhook %s failed after %d attempt(s): %s", hook.name, attempts, error)
    return Delivery(hook.name, False, attempts, status, error)


def notify(
    hooks: Sequence[Webhook],
    notice: Notice,
    *,
    retries: int = 3,
    backoff: float = 0.5,
    timeout: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Delivery]:
    """Send the notice to every webhook, one outcome each, in order."""
    if not hooks:
        return []
    with (
        _quiet_http_logs(),
        httpx.Client(timeout=timeout, follow_redirects=False) as client,
    ):
        return [
            send(client, hook, notice, retries=retries, backoff=backoff, sleep=sleep)
            for hook in hooks
        ]
