"""The Azure connector: every AI resource in every subscription a credential can read.

One Resource Graph query (paged with ``$skipToken``) lists the AI resource types across all
subscriptions; when Resource Graph is denied or fails, each subscription is listed with
``resources.list`` instead. Then, per subscription, the details Resource Graph does not hold are
read with GET calls: Cognitive Services deployments (model name, version, SKU, capacity),
content-filter (RAI) policies, diagnostic settings (logging on/off) and Foundry projects, and
App Service / Functions app setting *names*. Nothing is ever written: the only non-GET requests
are the token request and the Resource Graph query (a read, sent as POST).

Coverage areas, per subscription (``Scope("azure", subscription id, display name)``):

``resources``        the AI resources were listed (Resource Graph or ``resources.list``);
                     a managed resource's system is removed in a diff only when this is OK
``resourcegraph``    SKIPPED when the fallback listing was used, with the reason
``deployments``, ``raipolicies``, ``diagnostics``, ``projects``
                     per-account detail reads (a failure leaves an account's models or
                     logging attribute incomplete, never the account itself)
``appsettings``      app setting names of web and function apps (their AI-use evidence)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.exceptions import AzureError, ClientAuthenticationError, HttpResponseError
from azure.core.rest import HttpRequest
from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient
from azure.mgmt.core.exceptions import ARMErrorFormat
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.subscriptions import SubscriptionClient
from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

from connectors.azure.credentials import AzureOptions, make_credential
from connectors.azure.rows import (
    AI_TYPES,
    COGNITIVE_ACCOUNT,
    COGNITIVE_PROJECT,
    DEPLOYMENT_KINDS,
    ML_ONLINE_DEPLOYMENT,
    PROJECT_KINDS,
    WEB_SITE,
    Details,
    Row,
    deployment_summary,
    from_arm,
    from_graph,
    model_from_asset,
    model_id,
    parent_id,
    resource_group,
    setting_names,
    to_resource,
)
from connectors.base import (
    ConnectorError,
    Coverage,
    Observation,
    ObservationKind,
    Outcome,
    ProgressSink,
    Scope,
)

logger = logging.getLogger(__name__)

DIAGNOSTICS_API = "2021-05-01-preview"
WEB_API = "2023-12-01"
ML_API = "2024-04-01"
GRAPH_SUBSCRIPTIONS_PER_QUERY = 1000
"""Subscriptions named in one Resource Graph request; larger estates send several queries."""
DETAIL_AREAS = ("deployments", "raipolicies", "diagnostics", "projects", "appsettings")
DENIED_STATUS = frozenset({401, 403})
MAX_MESSAGE = 400


@dataclass
class _AreaLog:
    """Outcomes of the detail reads of one area in one subscription, folded into one record."""

    failures: list[str] = field(default_factory=list)
    outcome: Outcome = Outcome.OK

    def fail(self, outcome: Outcome, message: str) -> None:
        if outcome is Outcome.ERROR or self.outcome is Outcome.OK:
            self.outcome = outcome
        self.failures.append(message)


class AzureConnector:
    """Reads Azure subscriptions through ARM and Resource Graph; see the module docstring."""

    name = "azure"

    def __init__(self, options: AzureOptions, credential: TokenCredential | None = None) -> None:
        self.options = options
        self._credential = credential
        self.types: tuple[str, ...] = tuple(dict.fromkeys((*AI_TYPES, *options.extra_types)))
        """ARM types listed in bulk: the built-in ones and the catalog's."""
        self._canonical = {t.lower(): t for t in self.types}

    # -- public ---------------------------------------------------------------------------

    def observe(self, coverage: Coverage, progress: ProgressSink) -> Iterator[Observation]:
        """Yield one observation per AI resource (and per web app); never raise for one
        subscription. Raises :class:`ConnectorError` only when no subscription can be listed
        (no token, no network)."""
        credential = self._credential or make_credential(self.options)
        try:
            scopes = self._subscriptions(credential, coverage)
            graph_rows, graph_failure = self._graph(credential, scopes)
            for scope in scopes:
                yield from self._subscription(
                    credential, scope, graph_rows, graph_failure, coverage, progress
                )
        finally:
            if self._credential is None:
                close = getattr(credential, "close", None)
                if callable(close):
                    close()

    # -- clients --------------------------------------------------------------------------

    def _client_args(self) -> dict[str, Any]:
        opts = self.options
        args: dict[str, Any] = {
            "base_url": opts.arm_base_url,
            "credential_scopes": opts.credential_scopes,
            "retry_total": opts.retries,
            "retry_backoff_factor": opts.retry_backoff,
            "retry_backoff_max": 30,
        }
        if opts.connection_verify is not True:
            args["connection_verify"] = opts.connection_verify
        return args

    def _message(self, err: BaseException) -> str:
        """A short, secret-free description of ``err`` for coverage and logs."""
        if isinstance(err, HttpResponseError):
            code = err.error.code if err.error is not None and err.error.code else ""
            text = err.error.message if err.error is not None and err.error.message else ""
            text = text or str(err.message or err)
            head = code or (f"HTTP {err.status_code}" if err.status_code else type(err).__name__)
            message = f"{head}: {text.splitlines()[0] if text else ''}"
        else:
            message = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
        return self.options.scrub(message)[:MAX_MESSAGE]

    def _outcome(self, err: BaseException) -> Outcome:
        if isinstance(err, HttpResponseError) and err.status_code in DENIED_STATUS:
            return Outcome.DENIED
        return Outcome.ERROR

    # -- subscriptions --------------------------------------------------------------------

    def _subscriptions(self, credential: TokenCredential, coverage: Coverage) -> list[Scope]:
        """The subscriptions to scan: the given ones, a management group's, or all visible."""
        opts = self.options
        try:
            if opts.management_group:
                return self._management_group(credential, opts.management_group)
            client = SubscriptionClient(credential, **self._client_args())
            listed = list(client.subscriptions.list())
        except ClientAuthenticationError as err:
            raise ConnectorError(f"azure: no access token: {self._message(err)}") from err
        except HttpResponseError as err:
            if opts.subscriptions:  # the given ids are scanned even when listing is denied
                logger.info("azure: cannot list subscriptions: %s", self._message(err))
                return [Scope("azure", s.lower(), s) for s in opts.subscriptions]
            raise ConnectorError(f"azure: cannot list subscriptions: {self._message(err)}") from err
        except AzureError as err:
            raise ConnectorError(f"azure: {self._message(err)}") from err
        names = {str(s.subscription_id).lower(): str(s.display_name or "") for s in listed}
        if opts.subscriptions:
            return [Scope("azure", s.lower(), names.get(s.lower(), s)) for s in opts.subscriptions]
        scopes = []
        for sub in listed:
            scope = Scope("azure", str(sub.subscription_id).lower(), str(sub.display_name or ""))
            state = str(getattr(sub.state, "value", sub.state) or "Enabled")
            if state.lower() in ("enabled", "pastdue", "warned"):
                scopes.append(scope)
            else:  # a disabled subscription's resources are read-only leftovers
                coverage.record(scope, "resources", Outcome.SKIPPED, f"subscription is {state}")
        return sorted(scopes, key=lambda s: s.id)

    def _management_group(self, credential: TokenCredential, group: str) -> list[Scope]:
        """The subscriptions under a management group, from Resource Graph's containers."""
        query = (
            "ResourceContainers | where type =~ 'microsoft.resources/subscriptions' "
            "| project subscriptionId, name | order by subscriptionId asc"
        )
        rows = self._graph_query(credential, query, management_groups=[group])
        return [
            Scope("azure", str(r["subscriptionId"]).lower(), str(r.get("name") or "")) for r in rows
        ]

    # -- bulk listing ---------------------------------------------------------------------

    def _graph_query(
        self,
        credential: TokenCredential,
        query: str,
        subscriptions: list[str] | None = None,
        management_groups: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Every row of one Resource Graph query, following ``$skipToken``."""
        client = ResourceGraphClient(credential, **self._client_args())
        rows: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            response = client.resources(
                QueryRequest(
                    subscriptions=subscriptions,
                    management_groups=management_groups,
                    query=query,
                    options=QueryRequestOptions(
                        top=self.options.graph_page_size,
                        skip_token=token,
                        result_format="objectArray",
                    ),
                )
            )
            data: Any = response.data
            if isinstance(data, list):
                rows.extend(r for r in data if isinstance(r, dict))
            token = response.skip_token
            if not token:
                return rows

    def _graph(
        self, credential: TokenCredential, scopes: list[Scope]
    ) -> tuple[dict[str, list[Row]], str]:
        """All AI resources of all ``scopes`` by subscription, or ``({}, reason)`` when
        Resource Graph could not be used (each subscription is then listed on its own)."""
        types = ", ".join(f"'{t.lower()}'" for t in self.types)
        query = (
            f"Resources | where type in~ ({types}) "
            "| project id, name, type, kind, location, resourceGroup, subscriptionId, sku, "
            "properties, tags | order by id asc"
        )
        ids = [s.id for s in scopes]
        by_sub: dict[str, list[Row]] = {}
        try:
            for start in range(0, len(ids), GRAPH_SUBSCRIPTIONS_PER_QUERY):
                chunk = ids[start : start + GRAPH_SUBSCRIPTIONS_PER_QUERY]
                for raw in self._graph_query(credential, query, subscriptions=chunk):
                    row = from_graph(raw, self._canonical)
                    by_sub.setdefault(str(row["subscriptionId"]).lower(), []).append(row)
        except AzureError as err:
            reason = self._message(err)
            logger.info("azure: Resource Graph unavailable, listing per subscription: %s", reason)
            return {}, reason or "Resource Graph failed"
        return by_sub, ""

    def _listed(
        self, rm: ResourceManagementClient, cs: CognitiveServicesManagementClient
    ) -> list[Row]:
        """One subscription's AI resources without Resource Graph: ``resources.list`` for the
        types, the Cognitive Services account listing for the accounts' properties, and one GET
        per online deployment for its model."""
        wanted = " or ".join(f"resourceType eq '{t}'" for t in self.types)
        listing = rm.resources.list(filter=wanted, expand="createdTime")
        rows = [from_arm(r.as_dict(), self._canonical) for r in listing]
        for row in rows:  # resources.list has no properties: an endpoint's model is in them
            if row["type"] == ML_ONLINE_DEPLOYMENT:
                row["properties"] = _arm_get(rm, str(row["id"]), ML_API).get("properties") or {}
        if any(r["type"] == COGNITIVE_ACCOUNT for r in rows):
            full = {
                str(a.id).lower(): from_arm(a.serialize(keep_readonly=True))
                for a in cs.accounts.list()
            }
            for row in rows:
                account = full.get(str(row["id"]).lower())
                if account is not None:
                    row["properties"] = account["properties"]
        return rows

    # -- one subscription -----------------------------------------------------------------

    def _subscription(
        self,
        credential: TokenCredential,
        scope: Scope,
        graph_rows: dict[str, list[Row]],
        graph_failure: str,
        coverage: Coverage,
        progress: ProgressSink,
    ) -> Iterator[Observation]:
        task = f"azure {scope.name or scope.id}"
        progress.started(task, None)
        args = self._client_args()
        rm = ResourceManagementClient(credential, scope.id, **args)
        cs = CognitiveServicesManagementClient(credential, scope.id, **args)
        try:
            if graph_failure:
                rows = self._listed(rm, cs)
            else:
                # Resource Graph leaves out what the caller cannot read without saying so: one
                # GET proves the subscription is readable before its absences mean anything.
                next(iter(rm.resource_groups.list(top=1).by_page()), None)
                rows = graph_rows.get(scope.id, [])
        except AzureError as err:
            outcome, message = self._outcome(err), self._message(err)
            for area in ("resources", *DETAIL_AREAS):
                coverage.record(scope, area, outcome, message)
            progress.finished(task, f"{outcome.value}: {message}")
            return
        how = "resources.list" if graph_failure else "Resource Graph"
        coverage.record(scope, "resources", Outcome.OK, f"{len(rows)} resources via {how}")
        if graph_failure:
            coverage.record(scope, "resourcegraph", Outcome.SKIPPED, graph_failure)
        areas = {area: _AreaLog() for area in DETAIL_AREAS}
        details, projects = self._details(rm, cs, rows, areas)
        known = {str(r["id"]).lower() for r in rows}
        rows = [r for r in rows if r["type"] != ML_ONLINE_DEPLOYMENT]  # folded into endpoints
        rows += [p for p in projects if str(p["id"]).lower() not in known]
        for row in sorted(rows, key=lambda r: str(r["id"]).lower()):
            res = to_resource(row, details.get(str(row["id"]).lower()))
            progress.advanced(task)
            yield Observation(scope, ObservationKind.RESOURCE, res.id, None, res)
        for area, log in areas.items():
            message = "; ".join(log.failures[:5])
            if len(log.failures) > 5:
                message += f"; and {len(log.failures) - 5} more"
            coverage.record(scope, area, log.outcome, message[:MAX_MESSAGE])
        failed = [a for a, log in areas.items() if log.outcome is not Outcome.OK]
        progress.finished(task, f"incomplete: {', '.join(failed)}" if failed else "")

    # -- detail reads ---------------------------------------------------------------------

    def _details(
        self,
        rm: ResourceManagementClient,
        cs: CognitiveServicesManagementClient,
        rows: list[Row],
        areas: dict[str, _AreaLog],
    ) -> tuple[dict[str, Details], list[Row]]:
        """Per-resource reads, run concurrently: deployments, policies, diagnostic settings and
        projects of model-hosting accounts; setting names of sites; endpoint deployments (already
        listed) folded into their endpoints. Failures go to ``areas``, never up."""
        details: dict[str, Details] = {}
        projects: list[Row] = []

        def of(arm_id: str) -> Details:
            return details.setdefault(arm_id.lower(), Details())

        for row in rows:
            if row["type"] == ML_ONLINE_DEPLOYMENT:
                self._fold_online_deployment(row, of(parent_id(str(row["id"]), "deployments")))
            elif row["type"] == WEB_SITE:
                of(str(row["id"])).env_var_names.extend(setting_names(row))

        jobs: list[tuple[str, Row, Callable[[Row], Any]]] = []
        for row in rows:
            kind = str(row.get("kind") or "").lower()
            if row["type"] == COGNITIVE_ACCOUNT and kind in DEPLOYMENT_KINDS:
                jobs.append(("deployments", row, lambda r: self._deployments(cs, r)))
                jobs.append(("raipolicies", row, lambda r: self._rai_policies(cs, r)))
                jobs.append(("diagnostics", row, lambda r: self._diagnostics(rm, r)))
                if kind in PROJECT_KINDS:
                    jobs.append(("projects", row, lambda r: self._projects(cs, r)))
            elif row["type"] == WEB_SITE and self.options.app_settings:
                jobs.append(("appsettings", row, lambda r: self._slot_setting_names(rm, r)))
        if not jobs:
            return details, projects

        def run(job: tuple[str, Row, Callable[[Row], Any]]) -> tuple[Any, BaseException | None]:
            try:
                return job[2](job[1]), None
            except AzureError as err:
                return None, err

        with ThreadPoolExecutor(max_workers=max(1, self.options.workers)) as pool:
            results = list(pool.map(run, jobs))
        for (area, row, _), (result, err) in zip(jobs, results, strict=True):
            target = of(str(row["id"]))
            if err is not None:
                message = f"{str(row['name']).rsplit('/', 1)[-1]}: {self._message(err)}"
                areas[area].fail(self._outcome(err), message)
                if area == "diagnostics":
                    target.properties["logging"] = "unknown"
                continue
            if area == "deployments":
                models, facts = result
                target.models.extend(models)
                target.properties.update(facts)
            elif area == "raipolicies" and result:
                target.properties["raiPolicies"] = result
            elif area == "diagnostics":
                target.properties.update(result)
            elif area == "projects":
                projects.extend(result)
            elif area == "appsettings":
                target.env_var_names.extend(result)
        return details, projects

    def _deployments(
        self, cs: CognitiveServicesManagementClient, row: Row
    ) -> tuple[list[str], dict[str, str]]:
        """The account's model deployments: ``name:version`` ids and one readable fact each."""
        models: list[str] = []
        facts: dict[str, str] = {}
        name = str(row["name"])
        for dep in cs.deployments.list(resource_group(str(row["id"])), name):
            props = dep.properties
            model = props.model if props is not None else None
            mid = model_id(model.name if model else None, model.version if model else None)
            if mid:
                models.append(mid)
            sku = dep.sku
            facts[f"deployment:{dep.name}"] = deployment_summary(
                mid,
                sku.name if sku else None,
                sku.capacity if sku else None,
                [f"rai={props.rai_policy_name}" if props and props.rai_policy_name else ""],
            )
        return models, facts

    def _rai_policies(self, cs: CognitiveServicesManagementClient, row: Row) -> str:
        """The account's content-filter policies as ``name (mode)``, comma-separated."""
        found = []
        for policy in cs.rai_policies.list(resource_group(str(row["id"])), str(row["name"])):
            props = policy.properties
            mode = str(props.mode) if props is not None and props.mode else ""
            found.append(f"{policy.name} ({mode})" if mode else str(policy.name))
        return ", ".join(sorted(found))

    def _diagnostics(self, rm: ResourceManagementClient, row: Row) -> dict[str, str]:
        """Whether the account sends any log category anywhere: ``logging`` on/off."""
        url = f"{row['id']}/providers/Microsoft.Insights/diagnosticSettings"
        settings = _arm_get(rm, url, DIAGNOSTICS_API).get("value") or []
        enabled = [
            str(s.get("name") or "")
            for s in settings
            if any(
                log.get("enabled")
                for log in ((s.get("properties") or {}).get("logs") or [])
                if isinstance(log, dict)
            )
        ]
        facts = {"logging": "on" if enabled else "off"}
        if enabled:
            facts["diagnosticSettings"] = ", ".join(sorted(enabled))
        return facts

    def _projects(self, cs: CognitiveServicesManagementClient, row: Row) -> list[Row]:
        """Foundry projects of an AIServices account (Resource Graph may not list them)."""
        found = []
        for project in cs.projects.list(resource_group(str(row["id"])), str(row["name"])):
            item = from_arm(project.serialize(keep_readonly=True))
            item["type"] = COGNITIVE_PROJECT
            item["properties"] = {"account": str(row["name"]), **(item["properties"] or {})}
            found.append(item)
        return found

    def _slot_setting_names(self, rm: ResourceManagementClient, row: Row) -> list[str]:
        """App setting names of a site, by GET only: ``config/slotConfigNames`` lists names and
        never values. (The full list needs POST ``config/appsettings/list``, an action beyond
        Reader that returns the values too: aicensus does not call it.)"""
        body = _arm_get(rm, f"{row['id']}/config/slotConfigNames", WEB_API)
        names = (body.get("properties") or {}).get("appSettingNames") or []
        return [str(n) for n in names if n]

    @staticmethod
    def _fold_online_deployment(row: Row, endpoint: Details) -> None:
        """An online endpoint's deployment becomes its model and a readable fact."""
        props = row.get("properties") or {}
        model = model_from_asset(props.get("model"))
        if model:
            endpoint.models.append(model)
        sku = row.get("sku") or {}
        name = str(row["name"]).rsplit("/", 1)[-1]
        endpoint.properties[f"deployment:{name}"] = deployment_summary(
            model,
            props.get("instanceType") or sku.get("name"),
            sku.get("capacity"),
        )


def _arm_get(client: ResourceManagementClient, path: str, api_version: str) -> dict[str, Any]:
    """GET one ARM document through the client's pipeline (auth, retries, TLS)."""
    request = HttpRequest("GET", path, params={"api-version": api_version})
    response = client.send_request(request)
    if response.status_code >= 400:
        raise HttpResponseError(response=response, error_format=ARMErrorFormat)
    body = response.json()
    return body if isinstance(body, dict) else {}
