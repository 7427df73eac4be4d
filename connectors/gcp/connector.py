"""Google Cloud: managed AI resources, enabled AI APIs and Gemini-restricted API keys.

One Cloud Asset Inventory search over the organisation or folder (paged, 500 per page) finds
every AI resource, enabled service, API key and project at once: O(pages) requests, whatever
the number of projects. Where that search is denied, projects are enumerated through Resource
Manager and searched one by one; where a project's search is denied too, its enabled services
are listed through Service Usage. Each project's outcome is recorded per area (``asset``,
``serviceusage``), so a denied project's systems become *unknown* in a diff, never *removed*.

Read-only: ``searchAllResources``, ``projects.list``, ``folders.list``, ``services.list``.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence

from google.api_core import exceptions as gexc
from google.auth.exceptions import GoogleAuthError
from google.cloud import asset_v1, resourcemanager_v3, service_usage_v1

from connectors.base import (
    ConnectorError,
    Coverage,
    Observation,
    ObservationKind,
    Outcome,
    ProgressSink,
    Scope,
)
from connectors.gcp.access import GcpAccess, GcpClients, make_clients
from connectors.gcp.transform import (
    ASSET_AREA,
    KEY_TYPE,
    PROJECT_TYPE,
    SERVICES_AREA,
    ProjectInfo,
    model_ids,
    project_info,
    project_number,
    service_resource,
    to_resource,
)

logger = logging.getLogger(__name__)

SOURCE = "gcp"
PAGE_SIZE = 500
"""The largest page Cloud Asset search serves."""
READ_MASK = (
    "name",
    "asset_type",
    "project",
    "display_name",
    "description",
    "location",
    "labels",
    "state",
    "create_time",
    "additional_attributes",
    "versioned_resources",
)
"""Result fields asked for; ``versioned_resources`` carries an endpoint's deployed models and
a key's API restrictions."""
DENIED = (gexc.Forbidden, gexc.Unauthorized)
"""403 (PermissionDenied, API disabled) and 401: the principal may not read this scope."""
FAILURES = (gexc.GoogleAPIError, GoogleAuthError, OSError)
"""Everything a call can raise short of a bug: API errors, exhausted retries, token fetch
failures, connection errors (``requests`` errors are ``OSError``s)."""


_REQUEST_LINE = re.compile(r"^[A-Z]+ https?://\S+: ")


def _normalise(value: str, prefix: str) -> str:
    value = value.strip()
    return value if value.startswith(f"{prefix}/") else f"{prefix}/{value}"


def _why(err: BaseException) -> tuple[Outcome, str]:
    """The outcome and a short, credential-free message for a failed call."""
    outcome = Outcome.DENIED if isinstance(err, DENIED) else Outcome.ERROR
    if isinstance(err, gexc.GoogleAPICallError):
        status = f"{err.code} " if err.code else ""
        # REST errors start with the whole request line; the service's own words are enough.
        text = _REQUEST_LINE.sub("", str(err.message))
        return outcome, f"{status}{type(err).__name__}: {text}"[:500]
    return outcome, f"{type(err).__name__}: {err}"[:500]


class GcpConnector:
    """Reads one organisation, one folder, or a list of projects.

    ``asset_types`` are the Cloud Asset types worth searching (exact names, or regular
    expressions such as ``aiplatform.googleapis.com/.*``); the scanner derives them from the
    fingerprint catalog, so that a new AI asset type is one line of YAML. Projects, enabled
    services and API keys are always searched: they are how projects, enabled APIs and
    Gemini-restricted keys are seen.
    """

    name = SOURCE

    def __init__(
        self,
        asset_types: Sequence[str],
        *,
        organization: str | None = None,
        folder: str | None = None,
        projects: Sequence[str] = (),
        access: GcpAccess | None = None,
        clients: GcpClients | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        chosen = [bool(organization), bool(folder), bool(projects)]
        if sum(chosen) != 1:
            raise ValueError("give exactly one of an organization, a folder or projects")
        self.parent = (
            _normalise(organization, "organizations")
            if organization
            else _normalise(folder, "folders")
            if folder
            else None
        )
        self.projects = tuple(p.strip().removeprefix("projects/") for p in projects if p.strip())
        self.access = access or GcpAccess()
        self.asset_types = tuple(
            dict.fromkeys([PROJECT_TYPE, "serviceusage.googleapis.com/Service", KEY_TYPE])
        ) + tuple(t for t in dict.fromkeys(asset_types) if t)
        self._clients = clients
        self.page_size = page_size

    # -- the stream --------------------------------------------------------------------------

    def observe(self, coverage: Coverage, progress: ProgressSink) -> Iterator[Observation]:
        """Yield AI resources and traces of use; record every project's outcome."""
        try:
            clients = self._clients or make_clients(self.access)
        except (GoogleAuthError, ConnectorError, OSError, ValueError) as err:
            # No credentials at all: nothing of the scope can be read.
            outcome, message = _why(err)
            for scope in self._configured_scopes():
                coverage.record(scope, ASSET_AREA, Outcome.ERROR, f"credentials: {message}")
            return
        if self.parent is None:
            for project_id in self.projects:
                yield from self._observe_project(clients, coverage, progress, project_id, "")
            return
        yield from self._observe_parent(clients, coverage, progress, self.parent)

    def _configured_scopes(self) -> list[Scope]:
        if self.parent is not None:
            return [Scope(SOURCE, self.parent, self.parent)]
        return [Scope(SOURCE, p, p) for p in self.projects]

    # -- calls -------------------------------------------------------------------------------

    def _search(
        self, clients: GcpClients, scope: str, progress: ProgressSink, task: str
    ) -> list[asset_v1.ResourceSearchResult]:
        """Every matching result in ``scope``, page by page; raises the call's error."""
        request = asset_v1.SearchAllResourcesRequest(
            scope=scope,
            asset_types=list(self.asset_types),
            page_size=self.page_size,
            read_mask={"paths": list(READ_MASK)},
        )
        pager = clients.assets.search_all_resources(
            request=request, retry=self.access.retry(), timeout=self.access.timeout
        )
        results: list[asset_v1.ResourceSearchResult] = []
        for page in pager.pages:
            results.extend(page.results)
            progress.advanced(task)
        return results

    def _list_projects(self, clients: GcpClients, parent: str) -> list[ProjectInfo]:
        """Active projects under ``parent``, through its folders; raises the call's error."""
        found: list[ProjectInfo] = []
        pending = [parent]
        while pending:
            current = pending.pop(0)
            projects = clients.projects.list_projects(
                request=resourcemanager_v3.ListProjectsRequest(parent=current),
                retry=self.access.retry(),
                timeout=self.access.timeout,
            )
            found.extend(
                ProjectInfo(
                    p.name.removeprefix("projects/"), p.project_id, p.display_name or p.project_id
                )
                for p in projects
                if p.state == resourcemanager_v3.Project.State.ACTIVE
            )
            folders = clients.folders.list_folders(
                request=resourcemanager_v3.ListFoldersRequest(parent=current),
                retry=self.access.retry(),
                timeout=self.access.timeout,
            )
            pending.extend(
                f.name for f in folders if f.state == resourcemanager_v3.Folder.State.ACTIVE
            )
        return found

    # -- organisation or folder --------------------------------------------------------------

    def _observe_parent(
        self, clients: GcpClients, coverage: Coverage, progress: ProgressSink, parent: str
    ) -> Iterator[Observation]:
        task = f"gcp {parent}"
        parent_scope = Scope(SOURCE, parent, parent)
        progress.started(task, None)
        try:
            results = self._search(clients, parent, progress, task)
        except FAILURES as err:
            outcome, message = _why(err)
            coverage.record(parent_scope, ASSET_AREA, outcome, message)
            progress.finished(task, f"{message}; searching project by project")
            yield from self._observe_projects_of(clients, coverage, progress, parent)
            return
        coverage.record(parent_scope, ASSET_AREA, Outcome.OK)
        progress.finished(task)

        projects: dict[str, ProjectInfo] = {}
        grouped: dict[str, list[asset_v1.ResourceSearchResult]] = defaultdict(list)
        for result in results:
            if result.asset_type == PROJECT_TYPE:
                info = project_info(result)
                projects[info.number] = info
            else:
                grouped[project_number(result)].append(result)
        for number in sorted(set(projects) | set(grouped)):
            info = projects.get(number) or ProjectInfo(number, number, number)
            scope = Scope(SOURCE, info.project_id, info.display_name)
            yield from self._emit(scope, grouped.get(number, []), coverage, progress)

    def _observe_projects_of(
        self, clients: GcpClients, coverage: Coverage, progress: ProgressSink, parent: str
    ) -> Iterator[Observation]:
        """The fallback: enumerate the parent's projects, then search each on its own."""
        try:
            projects = self._list_projects(clients, parent)
        except FAILURES as err:
            outcome, message = _why(err)
            coverage.record(Scope(SOURCE, parent, parent), "projects", outcome, message)
            return
        for info in projects:
            yield from self._observe_project(
                clients, coverage, progress, info.project_id, info.display_name
            )

    # -- one project -------------------------------------------------------------------------

    def _observe_project(
        self,
        clients: GcpClients,
        coverage: Coverage,
        progress: ProgressSink,
        project_id: str,
        display_name: str,
    ) -> Iterator[Observation]:
        task = f"gcp projects/{project_id}"
        progress.started(task, None)
        try:
            results = self._search(clients, f"projects/{project_id}", progress, task)
        except FAILURES as err:
            outcome, message = _why(err)
            scope = Scope(SOURCE, project_id, display_name or project_id)
            coverage.record(scope, ASSET_AREA, outcome, message)
            yield from self._observe_services(clients, coverage, progress, scope, task, message)
            return
        for result in results:
            if result.asset_type == PROJECT_TYPE and not display_name:
                display_name = project_info(result).display_name
        scope = Scope(SOURCE, project_id, display_name or project_id)
        yield from self._emit(scope, results, coverage, progress, started=True)

    def _observe_services(
        self,
        clients: GcpClients,
        coverage: Coverage,
        progress: ProgressSink,
        scope: Scope,
        task: str,
        asset_message: str,
    ) -> Iterator[Observation]:
        """Enabled services through Service Usage, for a project whose asset search failed."""
        try:
            services = list(
                clients.services.list_services(
                    request=service_usage_v1.ListServicesRequest(
                        parent=f"projects/{scope.id}", filter="state:ENABLED", page_size=200
                    ),
                    retry=self.access.retry(),
                    timeout=self.access.timeout,
                )
            )
        except FAILURES as err:
            outcome, message = _why(err)
            coverage.record(scope, SERVICES_AREA, outcome, message)
            progress.finished(task, asset_message)
            return
        coverage.record(scope, SERVICES_AREA, Outcome.OK)
        progress.finished(task, f"{asset_message}; enabled services read instead")
        for service in services:
            res = service_resource(service)
            yield Observation(scope, ObservationKind.RESOURCE, res.id, None, res)

    def _emit(
        self,
        scope: Scope,
        results: list[asset_v1.ResourceSearchResult],
        coverage: Coverage,
        progress: ProgressSink,
        *,
        started: bool = False,
    ) -> Iterator[Observation]:
        """One project's results as observations; its asset area is recorded as read."""
        task = f"gcp projects/{scope.id}"
        if not started:
            progress.started(task, len(results))
        coverage.record(scope, ASSET_AREA, Outcome.OK)
        models = model_ids(results)
        for result in results:
            res = to_resource(result, ASSET_AREA, models)
            progress.advanced(task)
            if res is not None:
                yield Observation(scope, ObservationKind.RESOURCE, res.id, None, res)
        progress.finished(task)
