"""moto's server on 127.0.0.1, plus a thin WSGI layer for what moto lacks or cannot fail at.

The layer answers the few list operations moto has no backend for (Bedrock guardrails, Kendra,
CloudTrail ``LookupEvents``, ...) with the JSON shapes of botocore's own service models, per
account and region, and can refuse chosen requests (AccessDenied for a region or an assumed role,
throttling for an operation) the way AWS does. Everything else goes to moto unchanged. Used by
``aicensus demo`` (examples/demo.py), the tests in tests/connectors/aws and ``bench/aws_scan.py``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any
from urllib.parse import parse_qs

import botocore.session
import requests
from moto.iam.models import get_account_id_from
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

StartResponse = Callable[..., Any]

GAPS: dict[tuple[str, str], str] = {
    ("bedrock", "ListProvisionedModelThroughputs"): "provisionedModelSummaries",
    ("bedrock", "ListGuardrails"): "guardrails",
    ("bedrock", "ListInferenceProfiles"): "inferenceProfileSummaries",
    ("bedrock", "ListImportedModels"): "modelSummaries",
    ("bedrock", "ListFoundationModels"): "modelSummaries",
    ("bedrock-agent", "ListAgentActionGroups"): "actionGroupSummaries",
    ("sagemaker", "ListUserProfiles"): "UserProfiles",
    ("transcribe", "ListLanguageModels"): "Models",
    ("kendra", "ListIndices"): "IndexConfigurationSummaryItems",
    ("translate", "ListTerminologies"): "TerminologyPropertiesList",
    ("translate", "ListParallelData"): "ParallelDataPropertiesList",
    ("qbusiness", "ListApplications"): "applications",
    ("personalize", "ListCampaigns"): "campaigns",
    ("textract", "ListAdapters"): "Adapters",
    ("rekognition", "ListCollections"): "CollectionIds",
    ("rekognition", "DescribeProjects"): "ProjectDescriptions",
    ("cloudtrail", "LookupEvents"): "Events",
}
"""Operations moto 5.2 does not implement, and the list member each answer fills."""

_CREDENTIAL = re.compile(r"Credential=([^/]+)/[^/]+/([^/]+)/([^/]+)/")


@dataclass(frozen=True)
class _Route:
    service: str
    operation: str
    member: str
    target: str | None
    method: str
    path: re.Pattern[str] | None
    content_type: str


def _routes() -> list[_Route]:
    session = botocore.session.get_session()
    routes = []
    for (service, operation), member in GAPS.items():
        model = session.get_service_model(service)
        op = model.operation_model(operation)
        if model.resolved_protocol == "json":
            version = model.metadata.get("jsonVersion", "1.1")
            target = f"{model.metadata['targetPrefix']}.{operation}"
            routes.append(
                _Route(
                    service,
                    operation,
                    member,
                    target,
                    "POST",
                    None,
                    f"application/x-amz-json-{version}",
                )
            )
        else:
            uri = op.http["requestUri"].split("?")[0]
            pattern = re.sub(r"\{[^}]+\}", "[^/]+", uri.rstrip("/"))
            routes.append(
                _Route(
                    service,
                    operation,
                    member,
                    None,
                    op.http["method"],
                    re.compile(f"^{pattern}/?$"),
                    "application/json",
                )
            )
    return routes


@dataclass
class GapState:
    """What the layer answers and refuses; cleared before each test."""

    items: dict[tuple[str, str, str, str], list[Any]] = field(default_factory=dict)
    """(account, region, service, operation) -> list items answered."""
    denied: list[tuple[str | None, str | None, str | None]] = field(default_factory=list)
    """(account, region, signing service): None matches any; AccessDenied for a match."""
    denied_roles: set[str] = field(default_factory=set)
    """Role ARNs whose AssumeRole is refused."""
    throttled: dict[str, int] = field(default_factory=dict)
    """Operation name -> how many more requests get ThrottlingException (-1: all)."""
    calls: list[tuple[str, str, str]] = field(default_factory=list)
    """(account, region, service) of every signed request that reached the layer."""
    latency: float = 0.0
    """Seconds each signed request waits before it is answered (the benchmark's stand-in for
    the network and AWS's own service time; moto alone answers in milliseconds)."""

    def clear(self) -> None:
        self.items.clear()
        self.denied.clear()
        self.denied_roles.clear()
        self.throttled.clear()
        self.calls.clear()

    def add(self, account: str, region: str, service: str, operation: str, *items: Any) -> None:
        """Answer ``operation`` in ``account``/``region`` with these list items too."""
        if (service, operation) not in GAPS:
            raise KeyError(f"{service}.{operation} is served by moto itself")
        self.items.setdefault((account, region, service, operation), []).extend(items)


class GapFill:
    """The WSGI wrapper around moto's dispatcher."""

    def __init__(self, moto_app: Any, state: GapState) -> None:
        self.moto: Callable[[dict[str, Any], StartResponse], Iterable[bytes]] = moto_app
        self.state = state
        self.routes = _routes()
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        auth = environ.get("HTTP_AUTHORIZATION", "")
        found = _CREDENTIAL.search(auth)
        if found is None:
            return self.moto(environ, start_response)
        key, region, signing = found.groups()
        if self.state.latency:
            time.sleep(self.state.latency)
        account = get_account_id_from(key)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = BytesIO(body)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        ctype = environ.get("CONTENT_TYPE", "")
        with self.lock:
            self.state.calls.append((account, region, signing))
        if signing == "sts" and b"Action=AssumeRole" in body:
            role = parse_qs(body.decode()).get("RoleArn", [""])[0]
            if role in self.state.denied_roles:
                return _error(
                    start_response,
                    ctype,
                    signing,
                    "AccessDenied",
                    f"not authorized to assume {role}",
                )
        for acct, reg, svc in self.state.denied:
            if acct in (None, account) and reg in (None, region) and svc in (None, signing):
                code = "UnauthorizedOperation" if signing == "ec2" else "AccessDeniedException"
                return _error(start_response, ctype, signing, code, f"denied in {region}")
        operation = target.rsplit(".", 1)[-1] if target else ""
        with self.lock:
            left = self.state.throttled.get(operation, 0)
            if left:
                self.state.throttled[operation] = left - 1 if left > 0 else left
        if left:
            return _error(
                start_response, ctype, signing, "ThrottlingException", "Rate exceeded", 400
            )
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        for route in self.routes:
            if route.target is not None:
                if target != route.target:
                    continue
            elif route.method != method or route.path is None or not route.path.match(path):
                continue
            items = self.state.items.get((account, region, route.service, route.operation), [])
            payload = json.dumps({route.member: items}, default=str).encode()
            start_response(
                "200 OK",
                [("Content-Type", route.content_type), ("Content-Length", str(len(payload)))],
            )
            return [payload]
        return self.moto(environ, start_response)


def _error(
    start_response: StartResponse,
    ctype: str,
    service: str,
    code: str,
    message: str,
    status: int = 403,
) -> list[bytes]:
    line = f"{status} {'Forbidden' if status == 403 else 'Bad Request'}"
    if "x-www-form-urlencoded" in ctype or service in ("sts", "iam", "ec2"):
        error = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        if service == "ec2":
            xml = f"<Response><Errors>{error}</Errors><RequestID>1</RequestID></Response>"
        else:
            xml = f"<ErrorResponse>{error}<RequestId>1</RequestId></ErrorResponse>"
        data = xml.encode()
        start_response(line, [("Content-Type", "text/xml"), ("Content-Length", str(len(data)))])
        return [data]
    data = json.dumps({"__type": code, "message": message}).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("x-amzn-ErrorType", code),
        ("Content-Length", str(len(data))),
    ]
    start_response(line, headers)
    return [data]


class MotoStack:
    """moto behind the gap-filling layer, served on 127.0.0.1 from a thread."""

    def __init__(self) -> None:
        self.state = GapState()
        app = GapFill(DomainDispatcherApplication(create_backend_app), self.state)
        self.server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler
        )
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> MotoStack:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

    def reset(self) -> None:
        """Wipe moto's state and the layer's (15 ms)."""
        requests.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()
        self.state.clear()


def running() -> Iterator[MotoStack]:
    """Start a stack, yield it, stop it."""
    stack = MotoStack().start()
    try:
        yield stack
    finally:
        stack.stop()
