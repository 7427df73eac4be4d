"""Slack: installed apps and integrations of a workspace or Enterprise Grid organisation.

Reads the Slack Web API with a token from the environment, read methods only, as GET:

- ``auth.test`` names the workspace (team id and name: the scope) and the Grid organisation.
- ``slack:apps``: on Enterprise Grid, ``admin.apps.approved.list`` (user token of an org
  admin with ``admin.apps:read``): every approved app with its scopes. Elsewhere (or when that
  is refused) ``team.integrationLogs`` (``admin``, paid plans): the install/remove log, folded
  into the apps still installed and how many people added each.

An app asking for ``assistant:write`` is built as a Slack AI assistant: the scope is kept as
a property (``ai_assistant``) beside the catalogue's name/id/domain match.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
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
    SaasAccessDenied,
    SaasClient,
    SaasError,
    SaasRequestError,
    TokenProvider,
    coverage_outcome,
    failures_of,
    host_of,
    iter_cursor,
)

logger = logging.getLogger(__name__)

SLACK_API = "https://slack.com/api"
PERMISSIONS = {
    "admin.apps.approved.list": "admin.apps:read",
    "team.integrationLogs": "admin",
}
AI_ASSISTANT_SCOPE = "assistant:write"
"""Slack's scope for apps that act as an AI assistant in the assistant pane."""
REMOVED = frozenset({"removed", "disabled"})
LOG_DENIED = frozenset(
    {"missing_scope", "not_allowed_token_type", "not_authed", "invalid_auth", "paid_only"}
)
"""``team.integrationLogs`` errors that mean "this token may not read the log"."""
MAX_LOG_PAGES = 100
"""``team.integrationLogs`` pages read at most (100 entries each): the recent history."""


@dataclass(frozen=True)
class SlackOptions:
    """How to reach Slack."""

    token: TokenProvider = field(repr=False)
    api_url: str = SLACK_API
    include_principals: bool = False
    """List the users who added each app (integration log); counts only when False."""
    page_size: int = 100
    retry: RetryPolicy | None = None
    timeout: float = 30.0


@dataclass
class _App:
    """An installed app as the integration log tells it."""

    app_id: str
    name: str
    scopes: set[str] = field(default_factory=set)
    users: dict[str, str] = field(default_factory=dict)
    """User id -> user name of everyone who added or re-enabled it."""
    installed: bool = True
    kind: str = ""


class SlackConnector:
    """Reads the apps installed in one Slack workspace or Grid organisation."""

    name = "slack"

    def __init__(
        self,
        options: SlackOptions,
        *,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.options = options
        self._client = client
        self._transport = transport

    def observe(self, coverage: Coverage, progress: ProgressSink) -> Iterator[Observation]:
        """Yield one observation per installed app; coverage says which method was read."""
        task = "slack"
        progress.started(task, None)
        with SaasClient(
            self.options.api_url,
            token=self.options.token,
            client=self._client,
            transport=self._transport,
            timeout=self.options.timeout,
            retry=self.options.retry,
        ) as api:
            try:
                who = api.get_json("auth.test")
            except SaasError as err:
                outcome, message = coverage_outcome(err)
                coverage.record(Scope("slack", "unknown"), "slack:auth", outcome, message)
                progress.finished(task, message)
                return
            if not isinstance(who, dict) or not who.get("ok"):
                error = str(who.get("error", "unknown_error")) if isinstance(who, dict) else "?"
                coverage.record(Scope("slack", "unknown"), "slack:auth", Outcome.DENIED, error)
                progress.finished(task, f"auth.test: {error}")
                return
            team_id = str(who.get("enterprise_id") or who.get("team_id") or "unknown")
            team = str(who.get("team") or team_id)
            scope = Scope("slack", team_id, team)
            observations = self._apps(api, scope, coverage)
        yield from observations
        progress.finished(task, failures_of(coverage, scope))

    def _apps(self, api: SaasClient, scope: Scope, coverage: Coverage) -> list[Observation]:
        """Approved apps on Grid, else the integration log; one coverage record either way."""
        area = "slack:apps"
        try:
            approved = list(
                iter_cursor(
                    api,
                    "admin.apps.approved.list",
                    items_key="approved_apps",
                    params={"limit": self.options.page_size},
                    permission=PERMISSIONS["admin.apps.approved.list"],
                )
            )
        except SaasError as grid_err:
            try:
                apps = self._integration_log(api)
            except SaasError as log_err:
                outcome, message = coverage_outcome(log_err)
                message = f"{grid_err}; {log_err}"
                if isinstance(grid_err, SaasAccessDenied) and isinstance(log_err, SaasAccessDenied):
                    outcome = Outcome.DENIED
                    message = (
                        f"needs {grid_err.permission} (Enterprise Grid) or {log_err.permission} "
                        f"(team.integrationLogs): {grid_err.detail}; {log_err.detail}"
                    )
                coverage.record(scope, area, outcome, message)
                return []
            coverage.record(scope, area, Outcome.OK, f"via team.integrationLogs ({grid_err})")
            return [self._logged(scope, app) for app in apps if app.installed]
        coverage.record(scope, area, Outcome.OK, "via admin.apps.approved.list")
        return [self._approved(scope, row) for row in approved]

    def _approved(self, scope: Scope, row: dict[str, Any]) -> Observation:
        app = row.get("app") or {}
        app_id = str(app.get("id") or "")
        granted = [s for s in row.get("scopes") or () if isinstance(s, dict) and s.get("name")]
        scopes = sorted(str(s["name"]) for s in granted)
        sensitive = sorted(str(s["name"]) for s in granted if s.get("is_sensitive"))
        keys = ("app_homepage_url", "help_url", "privacy_policy_url")
        urls = [str(app.get(k) or "") for k in keys]
        props: dict[str, str] = {
            "scopes": " ".join(scopes),
            "sensitive_scopes": " ".join(sensitive) or "none",
            "ai_assistant": "yes" if AI_ASSISTANT_SCOPE in scopes else "no",
            "internal": "yes" if app.get("is_internal") else "no",
            "app_directory_approved": "yes" if app.get("is_app_directory_approved") else "no",
        }
        if row.get("date_updated"):
            props["approved_at"] = str(row["date_updated"])
        return self._observation(scope, app_id, str(app.get("name") or app_id), props, urls, ())

    def _logged(self, scope: Scope, app: _App) -> Observation:
        scopes = sorted(app.scopes)
        props: dict[str, str] = {
            "scopes": " ".join(scopes),
            "ai_assistant": "yes" if AI_ASSISTANT_SCOPE in scopes else "no",
            "users_added": str(len(app.users)),
        }
        if app.kind:
            props["integration_type"] = app.kind
        principals = tuple(sorted(app.users.values())) if self.options.include_principals else ()
        return self._observation(scope, app.app_id, app.name, props, [], principals)

    def _observation(
        self,
        scope: Scope,
        app_id: str,
        name: str,
        props: dict[str, str],
        urls: list[str],
        principals: tuple[str, ...],
    ) -> Observation:
        locator = f"apps/{app_id}"
        hosts = tuple(dict.fromkeys(h for h in (host_of(u) for u in urls if u) if h))
        resource = CloudResource(
            type="slack:app",
            id=locator,
            name=name,
            area="slack:apps",
            standalone=False,
            properties=props,
            hosts=hosts,
            principals=principals,
            app_id=app_id,
        )
        return Observation(scope, ObservationKind.RESOURCE, locator, None, resource)

    def _integration_log(self, api: SaasClient) -> list[_App]:
        """Apps still installed according to ``team.integrationLogs`` (newest entry first).

        The log pages by number (``page``/``paging.pages``), unlike Slack's cursor methods.
        """
        apps: dict[str, _App] = {}
        page = 1
        pages = 1
        method = "team.integrationLogs"
        while page <= min(pages, MAX_LOG_PAGES):
            body = api.get_json(
                method,
                params={"count": self.options.page_size, "page": page},
                permission=PERMISSIONS[method],
            )
            if not isinstance(body, dict):
                raise SaasRequestError(f"GET /{method}", 200, "expected a JSON object")
            if not body.get("ok", False):
                error = str(body.get("error", "unknown_error"))
                if error in LOG_DENIED:
                    needed = str(body.get("needed") or "") or PERMISSIONS[method]
                    raise SaasAccessDenied(f"GET /{method}", 0, needed, error)
                raise SaasRequestError(f"GET /{method}", 200, error)
            for entry in body.get("logs") or ():
                if isinstance(entry, dict):
                    _fold(apps, entry)
            paging = body.get("paging") or {}
            pages = int(paging.get("pages") or 1) if isinstance(paging, dict) else 1
            page += 1
        return sorted(apps.values(), key=lambda a: a.app_id)


def _fold(apps: dict[str, _App], entry: dict[str, Any]) -> None:
    """Fold one log entry (newest first) into the app it concerns."""
    app_id = str(entry.get("app_id") or entry.get("service_id") or "")
    if not app_id:
        return
    app = apps.get(app_id)
    if app is None:  # the newest entry decides whether the app is still installed
        app = _App(
            app_id=app_id,
            name=str(entry.get("app_type") or entry.get("service_type") or app_id),
            installed=str(entry.get("change_type") or "") not in REMOVED,
            kind="app" if entry.get("app_id") else "service",
        )
        apps[app_id] = app
    if str(entry.get("change_type") or "") not in REMOVED:
        app.scopes.update(s for s in str(entry.get("scope") or "").split(",") if s)
        if entry.get("user_id"):
            app.users[str(entry["user_id"])] = str(entry.get("user_name") or entry["user_id"])
