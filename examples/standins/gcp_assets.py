"""A small stand-in for Cloud Asset, Resource Manager, Service Usage and Google's token APIs.

It serves the SDKs' own proto-plus messages over REST on 127.0.0.1 (``type(msg).to_json``),
pages with ``pageToken`` offsets, answers 403 PERMISSION_DENIED for denied scopes and 429 for
throttled ones, and logs every request (method, path, query, who called) so tests can prove
that the scanner only reads. Used by the demo (examples/demo.py), the tests (one server per
session) and bench/gcp_scan.py.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from google.cloud import asset_v1, resourcemanager_v3, service_usage_v1

PROJECT_TYPE = "cloudresourcemanager.googleapis.com/Project"
SERVICE_TYPE = "serviceusage.googleapis.com/Service"
SOURCE_TOKEN = "fake-source-token"
IMPERSONATED_TOKEN = "fake-impersonated-token"


@dataclass
class Project:
    """One seeded project: its place in the hierarchy, enabled services and AI resources."""

    number: str
    project_id: str
    display_name: str
    parent: str
    services: list[str] = field(default_factory=list)
    resources: list[asset_v1.ResourceSearchResult] = field(default_factory=list)

    def asset(self) -> asset_v1.ResourceSearchResult:
        return asset_v1.ResourceSearchResult(
            name=f"//cloudresourcemanager.googleapis.com/projects/{self.number}",
            asset_type=PROJECT_TYPE,
            project=f"projects/{self.number}",
            display_name=self.display_name,
            additional_attributes={"projectId": self.project_id},
            state="ACTIVE",
        )

    def service_assets(self) -> list[asset_v1.ResourceSearchResult]:
        return [
            asset_v1.ResourceSearchResult(
                name=f"//serviceusage.googleapis.com/projects/{self.number}/services/{svc}",
                asset_type=SERVICE_TYPE,
                project=f"projects/{self.number}",
                display_name=svc,
                state="ENABLED",
            )
            for svc in self.services
        ]

    def all_assets(self) -> list[asset_v1.ResourceSearchResult]:
        return [self.asset(), *self.service_assets(), *self.resources]


@dataclass(frozen=True)
class Request:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, list[str]]
    caller: str
    """Who the bearer token says called: a service account e-mail, ``impersonated:<sa>``,
    ``anonymous``; never the token itself."""


class FakeGcp:
    """The estate and the server; mutate the estate between scans (it is read per request)."""

    def __init__(self, page_size: int = 2) -> None:
        self.page_size = page_size
        self.projects: list[Project] = []
        self.folders: dict[str, str] = {}
        """Folder name → parent."""
        self.denied: set[str] = set()
        """``api:scope`` pairs answered with 403, e.g. ``asset:organizations/1``."""
        self.throttled: dict[str, int] = {}
        """``api:scope`` → how many more requests get 429 before answering."""
        self.requests: list[Request] = []
        self.impersonated = ""
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeGcp:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.projects, self.folders, self.requests = [], {}, []
            self.denied, self.throttled = set(), {}

    # -- estate helpers -----------------------------------------------------------------------

    def add_project(self, project: Project) -> Project:
        self.projects.append(project)
        return project

    def deny_project(self, project_id: str) -> None:
        for api in ("asset", "serviceusage"):
            self.denied.add(f"{api}:projects/{project_id}")

    def api_requests(self) -> list[Request]:
        """Requests to Google Cloud APIs (token requests left out)."""
        return [r for r in self.requests if r.path not in ("/token",) and "Token" not in r.path]

    # -- the estate as the APIs see it --------------------------------------------------------

    def _ancestors(self, parent: str) -> list[str]:
        chain = [parent]
        while chain[-1] in self.folders:
            chain.append(self.folders[chain[-1]])
        return chain

    def _in_scope(self, project: Project, scope: str) -> bool:
        if scope.startswith("projects/"):
            return scope.removeprefix("projects/") in (project.project_id, project.number)
        return scope in self._ancestors(project.parent)

    def _project(self, ref: str) -> Project | None:
        for p in self.projects:
            if ref in (p.project_id, p.number):
                return p
        return None

    def search(self, scope: str, types: Iterable[str]) -> list[asset_v1.ResourceSearchResult]:
        patterns = [re.compile(t) for t in types]
        return [
            asset
            for p in self.projects
            if self._in_scope(p, scope)
            for asset in p.all_assets()
            if not patterns or any(pat.fullmatch(asset.asset_type) for pat in patterns)
        ]

    # -- HTTP ---------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                fake._dispatch(self, "GET")

            def do_POST(self) -> None:
                fake._dispatch(self, "POST")

            def do_DELETE(self) -> None:
                fake._dispatch(self, "DELETE")

            def do_PATCH(self) -> None:
                fake._dispatch(self, "PATCH")

        return Handler

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, body: str | dict[str, Any]) -> None:
        data = (body if isinstance(body, str) else json.dumps(body)).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _caller(self, h: BaseHTTPRequestHandler) -> str:
        auth = h.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        if not token:
            return "anonymous"
        if token == IMPERSONATED_TOKEN:
            return f"impersonated:{self.impersonated}"
        if token == SOURCE_TOKEN:
            return "source"
        parts = token.split(".")
        if len(parts) == 3:  # a self-signed service-account JWT: who signed it
            try:
                claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * 4))
                return str(claims.get("iss", "jwt"))
            except ValueError:
                return "jwt"
        return "token"

    def _dispatch(self, h: BaseHTTPRequestHandler, method: str) -> None:
        split = urlsplit(h.path)
        path, query = unquote(split.path), parse_qs(split.query)
        with self._lock:
            self.requests.append(Request(method, path, query, self._caller(h)))
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        if method == "POST" and path == "/token":
            return self._send(
                h, 200, {"access_token": SOURCE_TOKEN, "expires_in": 3600, "token_type": "Bearer"}
            )
        match = re.fullmatch(r"/v1/projects/-/serviceAccounts/([^/:]+):generateAccessToken", path)
        if method == "POST" and match:
            self.impersonated = match.group(1)
            json.loads(body or b"{}")
            return self._send(
                h, 200, {"accessToken": IMPERSONATED_TOKEN, "expireTime": "2099-01-01T00:00:00Z"}
            )
        if method != "GET":
            return self._send(h, 405, _error(405, "read-only fake", "METHOD_NOT_ALLOWED"))
        routes = (
            (r"/v1/(.+):searchAllResources", "asset", self._search_all),
            (r"/v3/projects", "resourcemanager", self._list_projects),
            (r"/v3/folders", "resourcemanager", self._list_folders),
            (r"/v1/(projects/[^/]+)/services", "serviceusage", self._list_services),
        )
        for pattern, api, handler in routes:
            m = re.fullmatch(pattern, path)
            if not m:
                continue
            scope = m.group(1) if m.groups() else query.get("parent", [""])[0]
            key = f"{api}:{scope}"
            with self._lock:
                if self.throttled.get(key, 0) > 0:
                    self.throttled[key] -= 1
                    return self._send(h, 429, _error(429, "Quota exceeded", "RESOURCE_EXHAUSTED"))
            if key in self.denied:
                return self._send(
                    h,
                    403,
                    _error(
                        403, f"The caller does not have permission on {scope}", "PERMISSION_DENIED"
                    ),
                )
            return handler(h, scope, query)
        return self._send(h, 404, _error(404, f"no route {path}", "NOT_FOUND"))

    def _page(self, items: list[Any], query: dict[str, list[str]]) -> tuple[list[Any], str]:
        size = int(query.get("pageSize", [self.page_size])[0]) or self.page_size
        size = min(size, self.page_size)
        start = int(query.get("pageToken", ["0"])[0] or 0)
        nxt = start + size
        return items[start:nxt], str(nxt) if nxt < len(items) else ""

    def _search_all(
        self, h: BaseHTTPRequestHandler, scope: str, query: dict[str, list[str]]
    ) -> None:
        results, token = self._page(self.search(scope, query.get("assetTypes", [])), query)
        msg = asset_v1.SearchAllResourcesResponse(results=results, next_page_token=token)
        self._send(h, 200, asset_v1.SearchAllResourcesResponse.to_json(msg))

    def _list_projects(
        self, h: BaseHTTPRequestHandler, parent: str, query: dict[str, list[str]]
    ) -> None:
        projects = [
            resourcemanager_v3.Project(
                name=f"projects/{p.number}",
                project_id=p.project_id,
                display_name=p.display_name,
                parent=p.parent,
                state=resourcemanager_v3.Project.State.ACTIVE,
            )
            for p in self.projects
            if p.parent == parent
        ]
        page, token = self._page(projects, query)
        msg = resourcemanager_v3.ListProjectsResponse(projects=page, next_page_token=token)
        self._send(h, 200, resourcemanager_v3.ListProjectsResponse.to_json(msg))

    def _list_folders(
        self, h: BaseHTTPRequestHandler, parent: str, query: dict[str, list[str]]
    ) -> None:
        folders = [
            resourcemanager_v3.Folder(
                name=name,
                parent=par,
                display_name=name,
                state=resourcemanager_v3.Folder.State.ACTIVE,
            )
            for name, par in self.folders.items()
            if par == parent
        ]
        page, token = self._page(folders, query)
        msg = resourcemanager_v3.ListFoldersResponse(folders=page, next_page_token=token)
        self._send(h, 200, resourcemanager_v3.ListFoldersResponse.to_json(msg))

    def _list_services(
        self, h: BaseHTTPRequestHandler, parent: str, query: dict[str, list[str]]
    ) -> None:
        project = self._project(parent.removeprefix("projects/"))
        if project is None:
            return self._send(h, 404, _error(404, f"{parent} not found", "NOT_FOUND"))
        services = [
            service_usage_v1.Service(
                name=f"projects/{project.number}/services/{svc}",
                parent=f"projects/{project.number}",
                config={"name": svc, "title": svc},
                state=service_usage_v1.State.ENABLED,
            )
            for svc in project.services
        ]
        page, token = self._page(services, query)
        msg = service_usage_v1.ListServicesResponse(services=page, next_page_token=token)
        self._send(h, 200, service_usage_v1.ListServicesResponse.to_json(msg))


def _error(code: int, message: str, status: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status}}


def vertex_endpoint(
    number: str, location: str, endpoint: str, display: str, models: list[tuple[str, str]]
) -> asset_v1.ResourceSearchResult:
    """A Vertex AI endpoint asset serving ``models`` (model resource id, deployed display name)."""
    deployed = [
        {
            "id": str(i + 1),
            "model": f"projects/{number}/locations/{location}/models/{model}",
            "displayName": name,
        }
        for i, (model, name) in enumerate(models)
    ]
    return asset_v1.ResourceSearchResult(
        name=f"//aiplatform.googleapis.com/projects/{number}/locations/{location}/endpoints/{endpoint}",
        asset_type="aiplatform.googleapis.com/Endpoint",
        project=f"projects/{number}",
        display_name=display,
        location=location,
        labels={"team": "ml-platform"},
        create_time={"seconds": 1717200000},
        versioned_resources=[
            asset_v1.VersionedResource(
                version="v1", resource={"displayName": display, "deployedModels": deployed}
            )
        ],
    )


def vertex_model(
    number: str, location: str, model: str, display: str, public: str | None
) -> asset_v1.ResourceSearchResult:
    """A Vertex AI model asset, from Model Garden when ``public`` names the publisher model."""
    body: dict[str, Any] = {"displayName": display}
    if public:
        body["baseModelSource"] = {"modelGardenSource": {"publicModelName": public}}
    return asset_v1.ResourceSearchResult(
        name=f"//aiplatform.googleapis.com/projects/{number}/locations/{location}/models/{model}",
        asset_type="aiplatform.googleapis.com/Model",
        project=f"projects/{number}",
        display_name=display,
        location=location,
        versioned_resources=[asset_v1.VersionedResource(version="v1", resource=body)],
    )


def asset(
    number: str, asset_type: str, path: str, display: str, **extra: Any
) -> asset_v1.ResourceSearchResult:
    """Any other asset; ``path`` follows the host (``projects/1/locations/global/agent``)."""
    host = asset_type.split("/", 1)[0]
    return asset_v1.ResourceSearchResult(
        name=f"//{host}/{path}",
        asset_type=asset_type,
        project=f"projects/{number}",
        display_name=display,
        **extra,
    )


def api_key(
    number: str, key: str, display: str, targets: list[str]
) -> asset_v1.ResourceSearchResult:
    """An API key asset restricted to ``targets`` (service names)."""
    body: dict[str, Any] = {"displayName": display}
    if targets:
        body["restrictions"] = {"apiTargets": [{"service": t} for t in targets]}
    return asset_v1.ResourceSearchResult(
        name=f"//apikeys.googleapis.com/projects/{number}/locations/global/keys/{key}",
        asset_type="apikeys.googleapis.com/Key",
        project=f"projects/{number}",
        display_name=display,
        location="global",
        versioned_resources=[asset_v1.VersionedResource(version="v2", resource=body)],
    )
