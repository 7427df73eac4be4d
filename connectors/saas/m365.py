"""Microsoft 365 / Entra ID: enterprise apps, their consents and permissions, licensed AI SKUs.

Reads Microsoft Graph v1.0 with application permissions (all read-only):

- ``graph:servicePrincipals`` (``Application.Read.All``): every enterprise app with its app id,
  publisher, verified publisher and reply-URL domains: what the catalogue matches.
- ``graph:oauth2PermissionGrants`` (``DelegatedPermissionGrant.Read.All``): delegated consents,
  folded into each app as consent type (all users / individual users), scopes, user counts
  and a risky-scope flag (mail, calendar, files, chat, directory, offline access...).
- ``graph:appRoleAssignments`` (``Application.Read.All``): application permissions granted to
  third-party apps (app-only ``Mail.Read`` on every mailbox is the riskiest grant there is) and
  how many users or groups are assigned to them.
- ``graph:subscribedSkus`` (``LicenseAssignment.Read.All``): licences, with consumed and
  prepaid seat counts; the catalogue knows which SKU part numbers are AI features.

An app is evidence of the tenant-wide system of the product it is, not a system of its own
(``standalone=False``): one ChatGPT per tenant, however many registrations it has. Who
consented is reduced to counts unless ``include_principals`` is set.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

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
    SaasConfigError,
    SaasError,
    TokenProvider,
    coverage_outcome,
    failures_of,
    host_of,
    iter_odata,
    read_area,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

GRAPH_URL = "https://graph.microsoft.com"
"""Global Graph; national clouds: ``https://graph.microsoft.us``, ``https://dod-graph.microsoft.us``,
``https://microsoftgraph.chinacloudapi.cn``."""
MICROSOFT_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
"""``appOwnerOrganizationId`` of Microsoft's first-party apps: their permissions are not read
one by one (there are hundreds, and none is a third party's AI app)."""

PERMISSIONS = {
    "graph:organization": "Organization.Read.All",
    "graph:servicePrincipals": "Application.Read.All",
    "graph:oauth2PermissionGrants": "DelegatedPermissionGrant.Read.All",
    "graph:appRoleAssignments": "Application.Read.All",
    "graph:subscribedSkus": "LicenseAssignment.Read.All",
    "graph:users": "User.ReadBasic.All",
}
"""The least-privileged Graph application permission each area needs (the README lists them)."""

RISKY_SCOPE_PREFIXES = (
    "Mail.",
    "MailboxSettings.",
    "Calendars.",
    "Files.",
    "Sites.",
    "Notes.",
    "Chat.",
    "ChannelMessage.",
    "Contacts.",
    "OnlineMeetings.",
    "OnlineMeetingTranscript.",
    "OnlineMeetingRecording.",
    "OnlineMeetingArtifact.",
    "CallRecords.",
    "Directory.",
    "Tasks.",
    "EWS.",
    "EAS.",
    "IMAP.",
    "POP.",
    "SMTP.",
)
"""Graph permission families that read or write people's content (mail, calendar, files,
chats, meetings) or the whole directory: what an AI app should not hold unnoticed."""
RISKY_SCOPES = frozenset(
    {
        "offline_access",
        "full_access_as_app",
        "full_access_as_user",
        "User.Read.All",
        "User.ReadWrite.All",
        "Group.Read.All",
        "Group.ReadWrite.All",
        "People.Read.All",
    }
)


def is_risky_scope(scope: str) -> bool:
    """Whether a Graph permission reaches people's content, the directory or lasting access."""
    return (
        scope in RISKY_SCOPES
        or scope.startswith(RISKY_SCOPE_PREFIXES)
        or scope.endswith(".ReadWrite.All")
    )


class TokenCredential(Protocol):
    """The part of azure-identity's credential interface used here."""

    def get_token(self, *scopes: str) -> Any:  # azure.core.credentials.AccessToken
        """A token for the scopes (``.token`` holds it)."""
        ...


def graph_token(credential: TokenCredential, graph_url: str = GRAPH_URL) -> TokenProvider:
    """A provider asking an azure-identity credential for ``{graph_url}/.default`` per request.

    azure-identity caches and refreshes the token; a failure to get one becomes a
    ``SaasConfigError`` naming the credential type and the AAD error code, never the secret.
    """
    scope = f"{graph_url.rstrip('/')}/.default"

    def provide() -> str:
        from azure.core.exceptions import AzureError
        from azure.identity import CredentialUnavailableError

        try:
            return str(credential.get_token(scope).token)
        except (AzureError, CredentialUnavailableError, ValueError) as err:
            first = str(err).strip().splitlines()[0][:200] if str(err).strip() else ""
            raise SaasConfigError(
                f"could not get a Graph token from {type(credential).__name__}: "
                f"{type(err).__name__} {first}".strip()
            ) from None

    return provide


@dataclass(frozen=True)
class M365Options:
    """What to read and how to reach Graph."""

    tenant_id: str
    """Entra ID tenant id (GUID) or primary domain: the scope of every system found."""
    token: TokenProvider = field(repr=False)
    graph_url: str = GRAPH_URL
    include_principals: bool = False
    """Name the users who consented (user principal names); counts only when False."""
    read_assignments: bool = True
    """Read application permissions and user assignments of each third-party app (2 calls
    per app); False reads only the tenant-wide lists."""
    page_size: int = 999
    """Graph ``$top``; Graph's own maximum for these lists."""
    retry: RetryPolicy | None = None
    timeout: float = 30.0


@dataclass
class _Grants:
    """Delegated consents of one client app, summed over resources and users."""

    all_principals: bool = False
    scopes: set[str] = field(default_factory=set)
    users: set[str] = field(default_factory=set)


@dataclass
class _Assignments:
    """Application permissions held by one app, and who is assigned to it."""

    app_permissions: set[str] = field(default_factory=set)
    assigned_users: int = 0
    assigned_groups: int = 0
    read: bool = False


class M365Connector:
    """Reads one Entra ID tenant through Graph; see the module docstring for the areas."""

    name = "m365"

    def __init__(
        self,
        options: M365Options,
        *,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.options = options
        self._client = client
        self._transport = transport

    def observe(self, coverage: Coverage, progress: ProgressSink) -> Iterator[Observation]:
        """Yield one observation per enterprise app and per subscribed SKU of the tenant."""
        opts = self.options
        task = f"m365 {opts.tenant_id}"
        progress.started(task, 5)
        with SaasClient(
            opts.graph_url.rstrip("/") + "/v1.0/",
            token=opts.token,
            headers={"Accept": "application/json"},
            client=self._client,
            transport=self._transport,
            timeout=opts.timeout,
            retry=opts.retry,
        ) as graph:
            read = _Reader(graph, opts, coverage, Scope("m365", opts.tenant_id, opts.tenant_id))
            read.tenant_name()
            progress.advanced(task)
            grants = read.grants()
            progress.advanced(task)
            principals = read.service_principals()
            progress.advanced(task)
            if principals is not None:
                assignments = read.assignments(principals) if opts.read_assignments else {}
                names = read.user_names(grants) if opts.include_principals else {}
                for sp in principals:
                    yield read.app_observation(sp, grants, assignments, names)
            progress.advanced(task)
            yield from read.skus()
            progress.advanced(task)
        progress.finished(task, failures_of(coverage, read.scope))


class _Reader:
    """One scan of one tenant: the Graph client, the coverage and the scope, shared by areas."""

    def __init__(
        self, graph: SaasClient, options: M365Options, coverage: Coverage, scope: Scope
    ) -> None:
        self.graph = graph
        self.options = options
        self.coverage = coverage
        self.scope = scope
        self._resource_roles: dict[str, dict[str, str]] = {}

    def _area(self, area: str, read: Callable[[], T]) -> T | None:
        return read_area(self.coverage, self.scope, area, read)

    def _list(self, path: str, area: str, select: str) -> list[dict[str, Any]]:
        params: dict[str, str | int] = {"$top": self.options.page_size}
        if select:
            params["$select"] = select
        return list(iter_odata(self.graph, path, params=params, permission=PERMISSIONS[area]))

    def tenant_name(self) -> str:
        """The tenant's display name, for people; its id when the organization is not readable.

        The scope's name changes with the answer, so the area is recorded after it is known.
        """
        try:
            orgs = self._list("organization", "graph:organization", "id,displayName")
        except SaasError as err:
            outcome, message = coverage_outcome(err)
            self.coverage.record(self.scope, "graph:organization", outcome, message)
            return self.options.tenant_id
        name = next((str(o["displayName"]) for o in orgs if o.get("displayName")), "")
        self.scope = Scope("m365", self.options.tenant_id, name or self.options.tenant_id)
        self.coverage.record(self.scope, "graph:organization", Outcome.OK)
        return self.scope.name

    def service_principals(self) -> list[dict[str, Any]] | None:
        """Every enterprise app; None when the list could not be read (coverage says why)."""
        select = (
            "id,appId,displayName,publisherName,verifiedPublisher,appOwnerOrganizationId,"
            "servicePrincipalType,replyUrls,homepage,accountEnabled,tags"
        )
        result: list[dict[str, Any]] | None = self._area(
            "graph:servicePrincipals",
            lambda: self._list("servicePrincipals", "graph:servicePrincipals", select),
        )
        return result

    def grants(self) -> dict[str, _Grants]:
        """Delegated consents per client app (service principal object id)."""
        rows = self._area(
            "graph:oauth2PermissionGrants",
            lambda: self._list("oauth2PermissionGrants", "graph:oauth2PermissionGrants", ""),
        )
        grants: dict[str, _Grants] = defaultdict(_Grants)
        for row in rows or ():
            client_id = str(row.get("clientId", ""))
            if not client_id:
                continue
            summary = grants[client_id]
            if row.get("consentType") == "AllPrincipals":
                summary.all_principals = True
            elif row.get("principalId"):
                summary.users.add(str(row["principalId"]))
            summary.scopes.update(s for s in str(row.get("scope") or "").split() if s)
        return grants

    def assignments(self, principals: list[dict[str, Any]]) -> dict[str, _Assignments]:
        """Application permissions of, and assignments to, each third-party app."""
        found: dict[str, _Assignments] = {}
        third_party = [sp for sp in principals if _is_third_party(sp, self.options.tenant_id)]

        def read_all() -> None:
            for sp in third_party:
                sp_id = str(sp.get("id", ""))
                if not sp_id:
                    continue
                held = _Assignments()
                for row in iter_odata(
                    self.graph,
                    f"servicePrincipals/{sp_id}/appRoleAssignments",
                    params={"$top": self.options.page_size},
                    permission=PERMISSIONS["graph:appRoleAssignments"],
                ):
                    held.app_permissions.add(self._role_name(row))
                for row in iter_odata(
                    self.graph,
                    f"servicePrincipals/{sp_id}/appRoleAssignedTo",
                    params={"$top": self.options.page_size},
                    permission=PERMISSIONS["graph:appRoleAssignments"],
                ):
                    if row.get("principalType") == "Group":
                        held.assigned_groups += 1
                    elif row.get("principalType") == "User":
                        held.assigned_users += 1
                held.read = True
                found[sp_id] = held

        self._area("graph:appRoleAssignments", read_all)
        return found

    def _role_name(self, row: dict[str, Any]) -> str:
        """``Mail.Read`` for an assignment's ``appRoleId`` on its resource (read once per API)."""
        resource = str(row.get("resourceId", ""))
        role = str(row.get("appRoleId", ""))
        if resource not in self._resource_roles:
            body = self.graph.get_json(
                f"servicePrincipals/{resource}",
                params={"$select": "id,appRoles"},
                permission=PERMISSIONS["graph:appRoleAssignments"],
            )
            roles = body.get("appRoles", []) if isinstance(body, dict) else []
            self._resource_roles[resource] = {
                str(r.get("id")): str(r.get("value") or r.get("displayName") or r.get("id"))
                for r in roles
                if isinstance(r, dict)
            }
        name = self._resource_roles[resource].get(role)
        if name:
            return name
        display = str(row.get("resourceDisplayName") or resource)
        return f"{display}/{role}"

    def user_names(self, grants: dict[str, _Grants]) -> dict[str, str]:
        """User principal names of the consenting users, only when principals were asked for."""
        ids = sorted({u for g in grants.values() for u in g.users})
        names: dict[str, str] = {}

        def read_all() -> None:
            for user_id in ids:
                body = self.graph.get_json(
                    f"users/{user_id}",
                    params={"$select": "id,userPrincipalName"},
                    permission=PERMISSIONS["graph:users"],
                )
                if isinstance(body, dict) and body.get("userPrincipalName"):
                    names[user_id] = str(body["userPrincipalName"])

        if ids:
            self._area("graph:users", read_all)
        return names

    def app_observation(
        self,
        sp: dict[str, Any],
        grants: dict[str, _Grants],
        assignments: dict[str, _Assignments],
        names: dict[str, str],
    ) -> Observation:
        """One enterprise app, with its consents and permissions folded into properties."""
        sp_id = str(sp.get("id", ""))
        verified = sp.get("verifiedPublisher") or {}
        verified_name = str(verified.get("displayName") or "") if isinstance(verified, dict) else ""
        publisher = verified_name or str(sp.get("publisherName") or "")
        urls = [*(sp.get("replyUrls") or ()), sp.get("homepage") or ""]
        hosts = tuple(dict.fromkeys(h for h in (host_of(str(u)) for u in urls if u) if h))
        props: dict[str, str] = {
            "app_id": str(sp.get("appId", "")),
            "service_principal_type": str(sp.get("servicePrincipalType") or ""),
            "enabled": _yes(sp.get("accountEnabled", True)),
            "verified_publisher": verified_name or "no",
        }
        if sp.get("publisherName"):
            props["publisher_name"] = str(sp["publisherName"])
        granted = grants.get(sp_id)
        principals: tuple[str, ...] = ()
        risky: set[str] = set()
        if granted is not None:
            props["consent"] = "all users" if granted.all_principals else "individual users"
            props["consent_type"] = "AllPrincipals" if granted.all_principals else "Principal"
            props["delegated_scopes"] = " ".join(sorted(granted.scopes))
            props["users_consented"] = str(len(granted.users))
            risky.update(s for s in granted.scopes if is_risky_scope(s))
            if self.options.include_principals:
                principals = tuple(sorted(names.get(u, u) for u in granted.users))
        held = assignments.get(sp_id)
        if held is not None and held.read:
            if held.app_permissions:
                props["application_permissions"] = " ".join(sorted(held.app_permissions))
                risky.update(p for p in held.app_permissions if is_risky_scope(p))
            props["assigned_users"] = str(held.assigned_users)
            props["assigned_groups"] = str(held.assigned_groups)
        if granted is not None or (held is not None and held.read):
            props["risky_scopes"] = " ".join(sorted(risky)) or "none"
        locator = f"servicePrincipals/{sp_id}"
        resource = CloudResource(
            type="m365:servicePrincipal",
            id=locator,
            name=str(sp.get("displayName") or ""),
            area="graph:servicePrincipals",
            standalone=False,
            properties=props,
            hosts=hosts,
            principals=principals,
            publisher=publisher,
            app_id=str(sp.get("appId", "")),
        )
        return Observation(self.scope, ObservationKind.RESOURCE, locator, None, resource)

    def skus(self) -> Iterator[Observation]:
        """One observation per licence the tenant subscribes to, with seat counts."""
        rows = self._area(
            "graph:subscribedSkus",
            lambda: list(
                iter_odata(
                    self.graph, "subscribedSkus", permission=PERMISSIONS["graph:subscribedSkus"]
                )
            ),
        )
        for sku in rows or ():
            part = str(sku.get("skuPartNumber") or "")
            sku_id = str(sku.get("skuId") or "")
            prepaid = sku.get("prepaidUnits") or {}
            props = {
                "sku_id": sku_id,
                "sku_part_number": part,
                "seats_assigned": str(sku.get("consumedUnits", 0)),
                "seats_purchased": str(prepaid.get("enabled", 0)),
                "capability_status": str(sku.get("capabilityStatus") or ""),
                "applies_to": str(sku.get("appliesTo") or ""),
            }
            for state in ("suspended", "warning", "lockedOut"):
                if prepaid.get(state):
                    props[f"seats_{state.lower()}"] = str(prepaid[state])
            locator = f"subscribedSkus/{sku_id or part}"
            resource = CloudResource(
                type="m365:subscribedSku",
                id=locator,
                name=part,
                area="graph:subscribedSkus",
                standalone=False,
                properties=props,
                publisher="Microsoft",
                app_id=part,
            )
            yield Observation(self.scope, ObservationKind.RESOURCE, locator, None, resource)


def _is_third_party(sp: dict[str, Any], tenant_id: str) -> bool:
    """Not a Microsoft first-party app, not one registered in the tenant itself."""
    owner = str(sp.get("appOwnerOrganizationId") or "").lower()
    if sp.get("servicePrincipalType") not in (None, "Application"):
        return False  # managed identities, legacy and social-IdP principals
    return owner not in (MICROSOFT_TENANT, tenant_id.lower())


def _yes(value: object) -> str:
    return "yes" if value else "no"
