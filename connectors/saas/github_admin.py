"""GitHub organisation administration: Copilot seats and installed GitHub Apps.

Reads the REST API of github.com or a GitHub Enterprise Server (``https://HOST/api/v3``) with
a token from the environment, GETs only:

- ``github:copilot`` (``manage_billing:copilot`` or ``read:org``; fine-grained "GitHub Copilot
  Business: read"): ``/orgs/{org}/copilot/billing`` (plan, seat breakdown, policies) and its
  ``/seats`` list (seat counts; the assignees' logins only when principals are asked for).
  A 422 means the organisation has no Copilot subscription: read, nothing found.
- ``github:installations`` (``admin:read``; fine-grained "Administration: read"):
  ``/orgs/{org}/installations`` (app slug, permissions, repository selection), each app
  described once by ``/apps/{slug}`` (its name, owner and homepage) when it is public.

The repositories of the organisation as a code source live elsewhere (``github_repos``);
this module only reads what the organisation *bought or installed*.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from connectors.base import (
    CloudResource,
    Coverage,
    Observation,
    ObservationKind,
    Outcome,
    ProgressSink,
    Scope,
)
from connectors.saas.http import (
    RetryPolicy,
    SaasClient,
    SaasError,
    SaasRequestError,
    TokenProvider,
    coverage_outcome,
    failures_of,
    host_of,
    iter_link_header,
    read_area,
)

logger = logging.getLogger(__name__)

GITHUB_API = "https://api.github.com"
API_VERSION = "2022-11-28"
PERMISSIONS = {
    "github:copilot": "manage_billing:copilot (or read:org)",
    "github:installations": "admin:read",
}
"""Classic token scopes each area needs; fine-grained tokens: see the module docstring."""
ACTIVE_DAYS = 30
"""A seat used within this many days counts as active."""
WRITE_LEVELS = frozenset({"write", "admin"})


def github_host(api_url: str) -> str:
    """``github.com`` for the public API, the server's host for GitHub Enterprise Server."""
    host = host_of(api_url)
    return "github.com" if host in ("api.github.com", "") else host


def github_scope(api_url: str, org: str) -> Scope:
    """The scope of an organisation: ``github:github.com/acme`` (shared with repository scans)."""
    return Scope("github", f"{github_host(api_url)}/{org}", org)


@dataclass(frozen=True)
class GitHubAdminOptions:
    """Which organisation to read, where, and with which token."""

    org: str
    token: TokenProvider = field(repr=False)
    api_url: str = GITHUB_API
    """``https://api.github.com``, or ``https://HOST/api/v3`` for GitHub Enterprise Server."""
    include_principals: bool = False
    """List the logins holding Copilot seats; counts only when False."""
    page_size: int = 100
    retry: RetryPolicy | None = None
    timeout: float = 30.0
    now: datetime | None = None
    """The clock for "active in the last 30 days" (tests pin it)."""


class GitHubAdminConnector:
    """Reads one organisation's Copilot subscription and GitHub App installations."""

    name = "github"

    def __init__(
        self,
        options: GitHubAdminOptions,
        *,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.options = options
        self.scope = github_scope(options.api_url, options.org)
        self._client = client
        self._transport = transport

    def observe(self, coverage: Coverage, progress: ProgressSink) -> Iterator[Observation]:
        """Yield the Copilot subscription (if any) and one observation per installed app."""
        task = f"github {self.scope.id}"
        progress.started(task, 2)
        with SaasClient(
            self.options.api_url,
            token=self.options.token,
            headers={"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION},
            client=self._client,
            transport=self._transport,
            timeout=self.options.timeout,
            retry=self.options.retry,
        ) as api:
            copilot = self._copilot(api, coverage)
            if copilot is not None:
                yield copilot
            progress.advanced(task)
            installations = read_area(
                coverage, self.scope, "github:installations", lambda: self._installations(api)
            )
            for installation in installations or ():
                yield self._installation(api, coverage, installation)
            progress.advanced(task)
        progress.finished(task, failures_of(coverage, self.scope))

    def _copilot(self, api: SaasClient, coverage: Coverage) -> Observation | None:
        """The organisation's Copilot subscription with seat counts; None without one."""
        org = self.options.org
        area = "github:copilot"
        try:
            billing = api.get_json(f"orgs/{org}/copilot/billing", permission=PERMISSIONS[area])
            seats = list(
                iter_link_header(
                    api,
                    f"orgs/{org}/copilot/billing/seats",
                    items_key="seats",
                    params={"per_page": self.options.page_size},
                    permission=PERMISSIONS[area],
                )
            )
        except SaasRequestError as err:
            if err.status == 422:  # "There is a problem with your Copilot subscription": none
                coverage.record(self.scope, area, Outcome.OK, "no Copilot subscription")
                return None
            outcome, message = coverage_outcome(err)
            coverage.record(self.scope, area, outcome, message)
            return None
        except SaasError as err:
            outcome, message = coverage_outcome(err)
            coverage.record(self.scope, area, outcome, message)
            return None
        coverage.record(self.scope, area, Outcome.OK)
        billing = billing if isinstance(billing, dict) else {}
        plan = str(billing.get("plan_type") or "business")
        breakdown = billing.get("seat_breakdown") or {}
        now = self.options.now or datetime.now(UTC)
        active = sum(1 for s in seats if _active(s.get("last_activity_at"), now))
        used = (str(s.get("last_activity_editor") or "") for s in seats)
        editors = sorted({e.split("/")[0] for e in used if e})
        props: dict[str, str] = {
            "plan": plan,
            "seats_total": str(breakdown.get("total", len(seats))),
            "seats_listed": str(len(seats)),
            f"seats_active_{ACTIVE_DAYS}d": str(active),
            "seats_pending_invitation": str(breakdown.get("pending_invitation", 0)),
            "seats_pending_cancellation": str(breakdown.get("pending_cancellation", 0)),
        }
        for key in ("seat_management_setting", "ide_chat", "platform_chat", "cli"):
            if billing.get(key):
                props[key] = str(billing[key])
        if billing.get("public_code_suggestions"):
            props["public_code_suggestions"] = str(billing["public_code_suggestions"])
        if editors:
            props["editors"] = " ".join(editors)
        principals: tuple[str, ...] = ()
        if self.options.include_principals:
            principals = tuple(
                sorted(
                    str((s.get("assignee") or {}).get("login", ""))
                    for s in seats
                    if (s.get("assignee") or {}).get("login")
                )
            )
        locator = f"orgs/{org}/copilot"
        resource = CloudResource(
            type="github:copilot",
            id=locator,
            name=f"GitHub Copilot {plan.title()}",
            area=area,
            standalone=False,
            properties=props,
            principals=principals,
            publisher="GitHub",
            app_id=f"copilot_{plan}",
        )
        return Observation(self.scope, ObservationKind.RESOURCE, locator, None, resource)

    def _installations(self, api: SaasClient) -> list[dict[str, Any]]:
        return list(
            iter_link_header(
                api,
                f"orgs/{self.options.org}/installations",
                items_key="installations",
                params={"per_page": self.options.page_size},
                permission=PERMISSIONS["github:installations"],
            )
        )

    def _installation(
        self, api: SaasClient, coverage: Coverage, inst: dict[str, Any]
    ) -> Observation:
        """One installed app, described by its public app page when GitHub shows one."""
        slug = str(inst.get("app_slug") or "")
        locator = f"orgs/{self.options.org}/installations/{inst.get('id', slug)}"
        app: dict[str, Any] = {}
        if slug:
            try:
                found = api.get_json(f"apps/{slug}")
                app = found if isinstance(found, dict) else {}
            except SaasError as err:  # private apps of other owners are not readable: a result
                coverage.skip(self.scope, locator, f"app {slug} not described: {err}")
        granted = inst.get("permissions")
        permissions: dict[str, Any] = granted if isinstance(granted, dict) else {}
        perms = sorted(f"{k}:{v}" for k, v in permissions.items())
        writes = sorted(k for k, v in permissions.items() if v in WRITE_LEVELS)
        props: dict[str, str] = {
            "app_slug": slug,
            "app_id": str(inst.get("app_id", "")),
            "repository_selection": str(inst.get("repository_selection") or ""),
            "permissions": " ".join(perms),
            "write_permissions": " ".join(writes) or "none",
            "events": str(len(inst.get("events") or ())),
            "suspended": "yes" if inst.get("suspended_at") else "no",
        }
        if inst.get("created_at"):
            props["installed_at"] = str(inst["created_at"])
        owner = app.get("owner") or {}
        publisher = str(owner.get("login") or "") if isinstance(owner, dict) else ""
        hosts = tuple(h for h in (host_of(str(app.get("external_url") or "")),) if h)
        resource = CloudResource(
            type="github:installation",
            id=locator,
            name=str(app.get("name") or slug),
            area="github:installations",
            standalone=False,
            properties=props,
            hosts=hosts,
            publisher=publisher,
            app_id=slug,
        )
        return Observation(self.scope, ObservationKind.RESOURCE, locator, None, resource)


def _active(last_activity: object, now: datetime) -> bool:
    if not isinstance(last_activity, str) or not last_activity:
        return False
    try:
        when = datetime.fromisoformat(last_activity.replace("Z", "+00:00"))
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return now - when <= timedelta(days=ACTIVE_DAYS)
