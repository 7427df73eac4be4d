"""A small HTTPS stand-in for Azure Resource Manager, Resource Graph and the AAD token endpoint.

The real SDK clients (azure-identity, azure-mgmt-*) talk to it over TLS on 127.0.0.1 with a
trustme certificate (bearer tokens are refused over plain http). It answers with the JSON shapes
the real services return, pages every list with ``nextLink`` on its own address (ARM) or
``$skipToken`` (Resource Graph), records every request it gets, and can deny a subscription
(403 AuthorizationFailed), deny Resource Graph, or throttle (429) on demand.

Used by the demo (examples/demo.py), the tests in tests/connectors/azure and
``bench/azure_scan.py``.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import trustme

TOKEN = "fake-token-1"
Json = dict[str, Any]


@dataclass
class Logged:
    """One request the fake received."""

    method: str
    path: str
    """Path and query string, as sent."""
    body: bytes = b""


@dataclass
class ArmState:
    """What the fake serves; the demo, tests and the benchmark seed it, then scan it."""

    tenant: str = "72f988bf-0000-0000-0000-000000000001"
    client_id: str = ""
    client_secret: str = ""
    """The secret the token endpoint accepts (empty: any)."""
    subscriptions: dict[str, str] = field(default_factory=dict)
    """Subscription id -> display name."""
    management_groups: dict[str, list[str]] = field(default_factory=dict)
    resources: list[Json] = field(default_factory=list)
    """Tracked resources as ARM returns them (canonical ``type`` casing)."""
    children: dict[tuple[str, str], list[Json]] = field(default_factory=dict)
    """(lower-case parent ARM id, collection name) -> items: deployments, raiPolicies, projects."""
    diagnostics: dict[str, list[Json]] = field(default_factory=dict)
    """Lower-case resource id -> its diagnostic settings."""
    slot_config_names: dict[str, list[str]] = field(default_factory=dict)
    """Lower-case site id -> app setting names marked slot-sticky."""
    denied: set[str] = field(default_factory=set)
    """Subscriptions whose every ARM call answers 403 AuthorizationFailed."""
    denied_paths: set[str] = field(default_factory=set)
    """Lower-case path fragments that answer 403 (a single account's diagnostic settings)."""
    graph_denied: bool = False
    throttle_graph: int = 0
    """The next N Resource Graph queries answer 429 (Retry-After: 0)."""
    page_size: int = 2


class FakeArm:
    """The server and its state; ``base_url`` and ``ca_path`` are what clients need."""

    def __init__(self, workdir: Path, state: ArmState | None = None) -> None:
        self.state = state or ArmState()
        self.log: list[Logged] = []
        self._lock = threading.Lock()
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        self.ca_path = str(workdir / "fake-arm-ca.pem")
        ca.cert_pem.write_to_path(self.ca_path)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the request log is kept in ``fake.log``."""

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def do_PUT(self) -> None:
                fake._handle(self, "PUT")

            def do_PATCH(self) -> None:
                fake._handle(self, "PATCH")

            def do_DELETE(self) -> None:
                fake._handle(self, "DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.base_url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    def reset(self, state: ArmState) -> None:
        """Serve a new estate and forget the request log."""
        with self._lock:
            self.state = state
            self.log.clear()

    def requests(self) -> list[Logged]:
        """A copy of the request log."""
        with self._lock:
            return list(self.log)

    # -- dispatch -------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        with self._lock:
            self.log.append(Logged(method, h.path, body))
        split = urlsplit(h.path)
        path, query = split.path, parse_qs(split.query)
        low = path.lower().rstrip("/")
        st = self.state
        if low.endswith("/v2.0/.well-known/openid-configuration") and method == "GET":
            return self._send(h, 200, self._openid(path.split("/")[1]))
        if low.endswith("/oauth2/v2.0/token") and method == "POST":
            return self._token(h, body)
        if h.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._error(h, 401, "InvalidAuthenticationToken", "The access token is invalid.")
        if method == "POST" and low == "/providers/microsoft.resourcegraph/resources":
            return self._graph(h, json.loads(body or b"{}"))
        if method != "GET":
            return self._error(h, 405, "MethodNotAllowed", f"{method} is not served here")
        m = re.match(r"^/subscriptions/([^/]+)", low)
        if m and m.group(1) in {s.lower() for s in st.denied}:
            return self._denied(h, path)
        if any(fragment in low for fragment in st.denied_paths):
            return self._denied(h, path)
        for pattern, route in self._routes():
            match = re.match(pattern, low)
            if match:
                return route(h, path, query, match)
        for resource in st.resources:  # GET of one tracked resource by its id
            if resource["id"].lower() == low:
                return self._send(h, 200, resource)
        return self._error(h, 404, "NotFound", f"no route for {path}")

    def _routes(self) -> list[tuple[str, Callable[..., None]]]:
        return [
            (r"^/subscriptions$", self._subscriptions),
            (r"^/subscriptions/([^/]+)/resourcegroups$", self._resource_groups),
            (r"^/subscriptions/([^/]+)/resources$", self._resources),
            (
                r"^/subscriptions/([^/]+)/providers/microsoft.cognitiveservices/accounts$",
                self._accounts,
            ),
            (
                r"^(/subscriptions/[^/]+/resourcegroups/[^/]+/providers/"
                r"microsoft.cognitiveservices/accounts/[^/]+)/(deployments|raipolicies|projects)$",
                self._children,
            ),
            (r"^(.+)/providers/microsoft.insights/diagnosticsettings$", self._diagnostics),
            (
                r"^(/subscriptions/.+/providers/microsoft.web/sites/[^/]+)/config/slotconfignames$",
                self._slot_config_names,
            ),
        ]

    # -- AAD ------------------------------------------------------------------------------

    def _openid(self, tenant: str) -> Json:
        base = f"{self.base_url}/{tenant}"
        return {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "issuer": f"{base}/v2.0",
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
        }

    def _token(self, h: BaseHTTPRequestHandler, body: bytes) -> None:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        st = self.state
        if st.client_secret and form.get("client_secret") != st.client_secret:
            return self._send(
                h,
                401,
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided. Ensure "
                    "the secret being sent in the request is the client secret value.",
                    "error_codes": [7000215],
                },
            )
        self._send(
            h,
            200,
            {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": TOKEN,
            },
        )

    # -- ARM lists ------------------------------------------------------------------------

    def _subscriptions(self, h: BaseHTTPRequestHandler, path: str, query: Any, m: Any) -> None:
        items = [
            {
                "id": f"/subscriptions/{sid}",
                "subscriptionId": sid,
                "tenantId": self.state.tenant,
                "displayName": name,
                "state": "Enabled",
                "subscriptionPolicies": {
                    "locationPlacementId": "Public_2014-09-01",
                    "quotaId": "EnterpriseAgreement_2014-09-01",
                    "spendingLimit": "Off",
                },
                "authorizationSource": "RoleBased",
            }
            for sid, name in self.state.subscriptions.items()
        ]
        self._page(h, items, path, query)

    def _resource_groups(self, h: BaseHTTPRequestHandler, path: str, query: Any, m: Any) -> None:
        sub = m.group(1)
        groups = sorted({r["id"].split("/")[4] for r in self._in_sub(sub)})
        items = [
            {
                "id": f"/subscriptions/{sub}/resourceGroups/{g}",
                "name": g,
                "type": "Microsoft.Resources/resourceGroups",
                "location": "westeurope",
                "properties": {"provisioningState": "Succeeded"},
            }
            for g in groups
        ]
        top = int(query.get("$top", ["0"])[0])
        self._page(h, items[:top] if top else items, path, query)

    def _resources(self, h: BaseHTTPRequestHandler, path: str, query: Any, m: Any) -> None:
        wanted = {t.lower() for t in re.findall(r"'([^']+)'", query.get("$filter", [""])[0])}
        items = []
        for r in self._in_sub(m.group(1)):
            if wanted and r["type"].lower() not in wanted:
                continue
            # resources.list leaves out ``properties``: only the envelope is listed.
            item = {k: v for k, v in r.items() if k != "properties"}
            if "createdtime" in query.get("$expand", [""])[0].lower():
                item["createdTime"] = "2026-01-15T09:30:00Z"
            items.append(item)
        self._page(h, items, path, query)

    def _accounts(self, h: BaseHTTPRequestHandler, path: str, query: Any, m: Any) -> None:
        items = [
            r
            for r in self._in_sub(m.group(1))
            if r["type"].lower() == "microsoft.cognitiveservices/accounts"
        ]
        self._page(h, items, path, query)

    def _children(self, h: BaseHTTPRequestHandler, path: str, query: Any, m: Any) -> None:
        collection = {"raipolicies": "raiPolicies"}.get(m.group(2), m.group(2))
        self._page(h, self.state.children.get((m.group(1), collection), []), path, query)

    def _diagnostics(self, h: BaseHTTPRequestHandler, path: str, query: Any, m: Any) -> None:
        self._send(h, 200, {"value": self.state.diagnostics.get(m.group(1), [])})

    def _slot_config_names(self, h: BaseHTTPRequestHandler, path: str, query: Any, m: Any) -> None:
        site_id = path[: -len("/config/slotConfigNames")]
        self._send(
            h,
            200,
            {
                "id": f"{site_id}/config/slotConfigNames",
                "name": "slotConfigNames",
                "type": "Microsoft.Web/sites/config",
                "properties": {
                    "connectionStringNames": None,
                    "appSettingNames": self.state.slot_config_names.get(m.group(1)),
                    "azureStorageConfigNames": None,
                },
            },
        )

    def _in_sub(self, sub: str) -> list[Json]:
        prefix = f"/subscriptions/{sub.lower()}/"
        return [r for r in self.state.resources if r["id"].lower().startswith(prefix)]

    # -- Resource Graph -------------------------------------------------------------------

    def _graph(self, h: BaseHTTPRequestHandler, request: Json) -> None:
        st = self.state
        if st.throttle_graph > 0:
            st.throttle_graph -= 1
            return self._error(
                h,
                429,
                "RateLimiting",
                "Please provide below info when asking for support",
                headers={"Retry-After": "0"},
            )
        if st.graph_denied:
            return self._error(
                h,
                403,
                "AuthorizationFailed",
                "The client does not have authorization to perform action "
                "'Microsoft.ResourceGraph/resources/read'.",
            )
        query: str = request.get("query", "")
        options = request.get("options") or {}
        if "resourcecontainers" in query.lower():
            subs = [
                s
                for mg in request.get("managementGroups", [])
                for s in st.management_groups.get(mg, [])
            ]
            rows: list[Json] = [
                {"subscriptionId": s, "name": st.subscriptions.get(s, s)} for s in subs
            ]
        else:
            scope = {s.lower() for s in request.get("subscriptions", [])}
            for mg in request.get("managementGroups", []):
                scope.update(s.lower() for s in st.management_groups.get(mg, []))
            denied = {s.lower() for s in st.denied}
            types = {t.lower() for t in re.findall(r"'([^']+)'", query.split("|", 2)[1])}
            rows = [
                self._graph_row(r)
                for r in sorted(st.resources, key=lambda r: r["id"].lower())
                if r["type"].lower() in types
                and r["id"].split("/")[2].lower() in scope - denied  # unreadable: left out
            ]
            projected = re.search(r"\|\s*project\s+([^|]+)", query)
            if projected:
                keep = [c.strip() for c in projected.group(1).split(",")]
                rows = [{k: r.get(k) for k in keep} for r in rows]
        skip = int(options.get("$skipToken") or 0)
        top = min(int(options.get("$top") or 1000), st.page_size)
        page = rows[skip : skip + top]
        body: Json = {
            "totalRecords": len(rows),
            "count": len(page),
            "data": page,
            "facets": [],
            "resultTruncated": "false",
        }
        if skip + top < len(rows):
            body["$skipToken"] = str(skip + top)
        self._send(h, 200, body)

    @staticmethod
    def _graph_row(r: Json) -> Json:
        """A Resources-table row: ARG lower-cases ``type`` and adds the scope columns."""
        parts = r["id"].split("/")
        return {
            "id": r["id"],
            "name": r["name"],
            "type": r["type"].lower(),
            "tenantId": "72f988bf-0000-0000-0000-000000000001",
            "kind": r.get("kind", ""),
            "location": r.get("location", ""),
            "resourceGroup": parts[4].lower(),
            "subscriptionId": parts[2],
            "managedBy": "",
            "sku": r.get("sku"),
            "plan": None,
            "properties": r.get("properties"),
            "tags": r.get("tags"),
            "identity": r.get("identity"),
            "zones": None,
            "extendedLocation": None,
        }

    # -- responses ------------------------------------------------------------------------

    def _page(self, h: BaseHTTPRequestHandler, items: list[Json], path: str, query: Any) -> None:
        skip = int(query.get("$skiptoken", ["0"])[0])
        size = self.state.page_size
        body: Json = {"value": items[skip : skip + size]}
        if skip + size < len(items):
            rest = {k: v[0] for k, v in query.items() if k != "$skiptoken"}
            rest["$skiptoken"] = str(skip + size)
            body["nextLink"] = f"{self.base_url}{path}?{urlencode(rest)}"
        self._send(h, 200, body)

    def _denied(self, h: BaseHTTPRequestHandler, path: str) -> None:
        scope = "/".join(path.split("/")[:3])
        self._error(
            h,
            403,
            "AuthorizationFailed",
            "The client 'scanner@contoso.example' with object id "
            "'0a0a0a0a-1111-2222-3333-444444444444' does not have authorization to perform "
            f"action 'read' over scope '{scope}' or the scope is invalid. If access was "
            "recently granted, please refresh your credentials.",
        )

    def _error(
        self,
        h: BaseHTTPRequestHandler,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self._send(h, status, {"error": {"code": code, "message": message}}, headers)

    @staticmethod
    def _send(
        h: BaseHTTPRequestHandler, status: int, body: Json, headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        h.send_header("x-ms-request-id", "00000000-0000-0000-0000-000000000000")
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        h.end_headers()
        h.wfile.write(data)


# -- builders: ARM JSON as the real API returns it ------------------------------------------


def arm_id(sub: str, group: str, provider_type: str, *names: str) -> str:
    """``/subscriptions/s/resourceGroups/g/providers/Microsoft.X/a/n1/b/n2``."""
    namespace, *types = provider_type.split("/")
    path = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=True))
    return f"/subscriptions/{sub}/resourceGroups/{group}/providers/{namespace}/{path}"


def account(
    sub: str,
    group: str,
    name: str,
    kind: str,
    *,
    location: str = "westeurope",
    public: str | None = "Enabled",
    tags: dict[str, str] | None = None,
) -> Json:
    """A Cognitive Services account (``Microsoft.CognitiveServices/accounts``)."""
    host = "openai.azure.com" if kind == "OpenAI" else "cognitiveservices.azure.com"
    props: Json = {
        "endpoint": f"https://{name}.{host}/",
        "customSubDomainName": name,
        "provisioningState": "Succeeded",
        "dateCreated": "2026-01-15T09:30:00.0000000Z",
        "networkAcls": {"defaultAction": "Allow", "virtualNetworkRules": [], "ipRules": []},
        "disableLocalAuth": False,
        "capabilities": [{"name": "VirtualNetworks"}],
    }
    if public is not None:
        props["publicNetworkAccess"] = public
    return {
        "id": arm_id(sub, group, "Microsoft.CognitiveServices/accounts", name),
        "name": name,
        "type": "Microsoft.CognitiveServices/accounts",
        "kind": kind,
        "location": location,
        "sku": {"name": "S0"},
        "tags": tags or {},
        "etag": '"0100a1b2-0000-0d00-0000-65a4f0d20000"',
        "properties": props,
    }


def deployment(
    account_id: str,
    name: str,
    model: str,
    version: str,
    *,
    sku: str = "Standard",
    capacity: int = 10,
    rai: str | None = "Microsoft.DefaultV2",
    fmt: str = "OpenAI",
) -> Json:
    """A model deployment of an account (``.../accounts/{a}/deployments/{d}``)."""
    props: Json = {
        "model": {"format": fmt, "name": model, "version": version},
        "versionUpgradeOption": "OnceNewDefaultVersionAvailable",
        "currentCapacity": capacity,
        "capabilities": {"chatCompletion": "true"},
        "provisioningState": "Succeeded",
    }
    if rai:
        props["raiPolicyName"] = rai
    return {
        "id": f"{account_id}/deployments/{name}",
        "name": name,
        "type": "Microsoft.CognitiveServices/accounts/deployments",
        "sku": {"name": sku, "capacity": capacity},
        "systemData": {
            "createdBy": "ml-ops@contoso.example",
            "createdByType": "User",
            "createdAt": "2026-02-01T10:00:00.0000000Z",
        },
        "etag": '"2a3b4c5d-0000-0000-0000-000000000000"',
        "properties": props,
    }


def rai_policy(account_id: str, name: str, mode: str = "Blocking", managed: bool = False) -> Json:
    """A content-filter policy of an account (``.../raiPolicies/{p}``)."""
    return {
        "id": f"{account_id}/raiPolicies/{name}",
        "name": name,
        "type": "Microsoft.CognitiveServices/accounts/raiPolicies",
        "properties": {
            "type": "SystemManaged" if managed else "UserManaged",
            "mode": mode,
            "basePolicyName": "Microsoft.DefaultV2",
            "contentFilters": [
                {
                    "name": "Hate",
                    "severityThreshold": "Medium",
                    "blocking": True,
                    "enabled": True,
                    "source": "Prompt",
                },
                {"name": "Jailbreak", "blocking": True, "enabled": True, "source": "Prompt"},
            ],
        },
    }


def project(account_id: str, name: str, location: str = "westeurope") -> Json:
    """A Foundry project of an AIServices account (``.../accounts/{a}/projects/{p}``)."""
    return {
        "id": f"{account_id}/projects/{name}",
        "name": f"{account_id.rsplit('/', 1)[-1]}/{name}",
        "type": "Microsoft.CognitiveServices/accounts/projects",
        "location": location,
        "tags": {},
        "identity": {"type": "SystemAssigned"},
        "properties": {
            "displayName": name,
            "description": "",
            "isDefault": False,
            "endpoints": {"AI Foundry API": f"https://x.services.ai.azure.com/api/projects/{name}"},
            "provisioningState": "Succeeded",
        },
    }


def diagnostic(resource_id: str, name: str, logs_enabled: bool) -> Json:
    """A diagnostic setting on a resource (``.../providers/Microsoft.Insights/...``)."""
    return {
        "id": f"{resource_id}/providers/microsoft.insights/diagnosticSettings/{name}",
        "name": name,
        "type": "Microsoft.Insights/diagnosticSettings",
        "properties": {
            "workspaceId": "/subscriptions/x/resourceGroups/logs/providers/"
            "Microsoft.OperationalInsights/workspaces/central",
            "logs": [
                {
                    "category": "Audit",
                    "categoryGroup": None,
                    "enabled": logs_enabled,
                    "retentionPolicy": {"enabled": False, "days": 0},
                },
                {
                    "category": "RequestResponse",
                    "categoryGroup": None,
                    "enabled": False,
                    "retentionPolicy": {"enabled": False, "days": 0},
                },
            ],
            "metrics": [{"category": "AllMetrics", "enabled": True}],
        },
    }


def tracked(
    sub: str,
    group: str,
    provider_type: str,
    names: tuple[str, ...],
    *,
    kind: str | None = None,
    sku: Json | None = None,
    properties: Json | None = None,
    tags: dict[str, str] | None = None,
    location: str = "westeurope",
) -> Json:
    """Any other tracked resource (workspace, endpoint, search service, bot, site, ...)."""
    body: Json = {
        "id": arm_id(sub, group, provider_type, *names),
        "name": "/".join(names) if len(names) > 1 else names[0],
        "type": provider_type,
        "location": location,
        "tags": tags or {},
        "properties": properties or {},
    }
    if kind is not None:
        body["kind"] = kind
    if sku is not None:
        body["sku"] = sku
    return body
