"""Okta: application integrations (SSO into AI products) with their assignment counts.

Reads the Okta Management API of one org (``https://acme.okta.com``) with an API token
(``Authorization: SSWS ...``) or an OAuth service-app access token (``Bearer``), GETs only:

- ``okta:apps`` (``okta.apps.read``): ``/api/v1/apps`` (OIN name, label, status, sign-on
  mode, sign-on URLs) and, per app, ``/api/v1/apps/{id}/users`` and ``/groups`` for counts of
  the people and groups assigned (their logins only when principals are asked for).

An integration is evidence of the org-wide system of the product it signs into
(``standalone=False``): ChatGPT Enterprise is one AI system of the org however many tiles it has.
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
    ProgressSink,
    Scope,
)
from connectors.saas.http import (
    RetryPolicy,
    SaasClient,
    TokenProvider,
    failures_of,
    host_of,
    iter_link_header,
    read_area,
)

logger = logging.getLogger(__name__)

PERMISSIONS = {"okta:apps": "okta.apps.read"}
"""OAuth scope for a service app; an API token needs a read-only administrator's role."""
AUTH_SCHEMES = {"ssws": "SSWS", "bearer": "Bearer"}


@dataclass(frozen=True)
class OktaOptions:
    """Which Okta org to read and how to authenticate."""

    org_url: str
    """``https://acme.okta.com`` (or a custom domain)."""
    token: TokenProvider = field(repr=False)
    auth: str = "ssws"
    """``ssws`` for an API token, ``bearer`` for an OAuth 2.0 service-app access token."""
    include_principals: bool = False
    """List the logins assigned to each app; counts only when False."""
    count_assignments: bool = True
    """Count each app's assigned users and groups (2 paged calls per app)."""
    page_size: int = 200
    retry: RetryPolicy | None = None
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.auth not in AUTH_SCHEMES:
            choices = ", ".join(AUTH_SCHEMES)
            raise ValueError(f"okta auth must be one of {choices}, not {self.auth!r}")
        if not host_of(self.org_url):
            raise ValueError(f"okta org URL {self.org_url!r} has no host")


class OktaConnector:
    """Reads one Okta org's application integrations."""

    name = "okta"

    def __init__(
        self,
        options: OktaOptions,
        *,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.options = options
        host = host_of(options.org_url)
        self.scope = Scope("okta", host, host)
        self._client = client
        self._transport = transport

    def observe(self, coverage: Coverage, progress: ProgressSink) -> Iterator[Observation]:
        """Yield one observation per application integration."""
        opts = self.options
        task = f"okta {self.scope.id}"
        progress.started(task, None)
        with SaasClient(
            opts.org_url,
            token=opts.token,
            auth_scheme=AUTH_SCHEMES[opts.auth],
            headers={"Accept": "application/json"},
            client=self._client,
            transport=self._transport,
            timeout=opts.timeout,
            retry=opts.retry,
        ) as api:

            def read_apps() -> list[tuple[dict[str, Any], _Assigned | None]]:
                apps = list(
                    iter_link_header(
                        api,
                        "api/v1/apps",
                        params={"limit": opts.page_size},
                        permission=PERMISSIONS["okta:apps"],
                    )
                )
                rows: list[tuple[dict[str, Any], _Assigned | None]] = []
                for app in apps:
                    assigned = None
                    if opts.count_assignments:
                        assigned = self._assigned(api, str(app.get("id", "")))
                    rows.append((app, assigned))
                    progress.advanced(task)
                return rows

            rows = read_area(coverage, self.scope, "okta:apps", read_apps)
        for app, assigned in rows or ():
            yield self._observation(app, assigned)
        progress.finished(task, failures_of(coverage, self.scope))

    def _assigned(self, api: SaasClient, app_id: str) -> _Assigned:
        users = list(
            iter_link_header(
                api,
                f"api/v1/apps/{app_id}/users",
                params={"limit": self.options.page_size},
                permission=PERMISSIONS["okta:apps"],
            )
        )
        groups = list(
            iter_link_header(
                api,
                f"api/v1/apps/{app_id}/groups",
                params={"limit": self.options.page_size},
                permission=PERMISSIONS["okta:apps"],
            )
        )
        logins = tuple(
            sorted(
                str((u.get("credentials") or {}).get("userName") or u.get("id", "")) for u in users
            )
        )
        return _Assigned(len(users), len(groups), logins)

    def _observation(self, app: dict[str, Any], assigned: _Assigned | None) -> Observation:
        app_id = str(app.get("id", ""))
        oin_name = str(app.get("name") or "")
        props: dict[str, str] = {
            "oin_name": oin_name,
            "status": str(app.get("status") or ""),
            "sign_on_mode": str(app.get("signOnMode") or ""),
        }
        if assigned is not None:
            props["users_assigned"] = str(assigned.users)
            props["groups_assigned"] = str(assigned.groups)
        locator = f"api/v1/apps/{app_id}"
        resource = CloudResource(
            type="okta:app",
            id=locator,
            name=str(app.get("label") or oin_name),
            area="okta:apps",
            standalone=False,
            properties=props,
            hosts=_hosts(app),
            principals=assigned.logins if assigned and self.options.include_principals else (),
            app_id=oin_name,
        )
        return Observation(self.scope, ObservationKind.RESOURCE, locator, None, resource)


@dataclass(frozen=True)
class _Assigned:
    users: int
    groups: int
    logins: tuple[str, ...]


def _hosts(app: dict[str, Any]) -> tuple[str, ...]:
    """Domains the integration signs into: SAML ACS/audience, OIDC redirects, bookmark URLs."""
    settings = app.get("settings") or {}
    urls: list[str] = []
    sign_on = settings.get("signOn") or {}
    if isinstance(sign_on, dict):
        keys = ("ssoAcsUrl", "audience", "recipient", "destination")
        urls += [str(sign_on.get(k) or "") for k in keys]
    client = settings.get("oauthClient") or {}
    if isinstance(client, dict):
        urls += [str(u) for u in client.get("redirect_uris") or ()]
        urls.append(str(client.get("initiate_login_uri") or ""))
    inner = settings.get("app") or {}
    if isinstance(inner, dict):
        urls += [str(inner.get(k) or "") for k in ("url", "baseUrl", "loginUrl", "acsUrl")]
    hosts = (host_of(u) for u in urls if u.startswith(("http://", "https://")))
    return tuple(dict.fromkeys(h for h in hosts if h))
