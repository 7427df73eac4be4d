"""Google Workspace against a local stand-in of Google's token endpoint, Admin SDK and Licensing.

The token endpoint checks a real google-auth JWT-bearer exchange: the assertion's signature
(with the key file's public key), the service account, the impersonated admin and the requested
scope, which must be one the tenant delegated. The APIs page two items at a time with
``nextPageToken`` and answer one 429 on the way.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import jwt
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from connectors.base import Coverage, NullProgress, Outcome
from connectors.saas.google_workspace import (
    GoogleWorkspaceConnector,
    WorkspaceConfigError,
    WorkspaceOptions,
)
from connectors.saas.http import RetryPolicy
from inventory_db.store import Store
from scanner.cli import app
from scanner.run import ScanRequest, run_scan

SA_EMAIL = "aicensus-reader@acme-security.iam.gserviceaccount.com"
ADMIN = "it-admin@acme.example"
CUSTOMER = "C03az79cb"
AUTH = "https://www.googleapis.com/auth/"
REPORTS = AUTH + "admin.reports.audit.readonly"
LICENSING = AUTH + "apps.licensing"
DIRECTORY = (AUTH + "admin.directory.user.readonly", AUTH + "admin.directory.user.security")
CHATGPT = "1054127866212-chatgpt.apps.googleusercontent.com"
OTTER = "826301582419-otter.apps.googleusercontent.com"
LUCID = "301947722851-lucid.apps.googleusercontent.com"
PAGE = 2


def activity(
    user: str, name: str, client_id: str, app_name: str, *scopes: str, ago: int = 1
) -> dict[str, Any]:
    """One Reports API token activity, in the API's shape."""
    when = datetime.now(UTC) - timedelta(days=ago)
    params: list[dict[str, Any]] = [
        {"name": "client_id", "value": client_id},
        {"name": "app_name", "value": app_name},
        {"name": "client_type", "value": "WEB"},
    ]
    if scopes:
        params.append({"name": "scope", "multiValue": [AUTH + s for s in scopes]})
    return {
        "kind": "admin#reports#activity",
        "id": {
            "time": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "uniqueQualifier": str(uuid.uuid4().int)[:18],
            "applicationName": "token",
            "customerId": CUSTOMER,
        },
        "actor": {"email": user, "profileId": str(abs(hash(user)))[:18]},
        "events": [{"type": "auth", "name": name, "parameters": params}],
    }


@dataclass
class FakeGoogle:
    server: HTTPServer
    public_pem: str
    delegated: set[str] = field(default_factory=lambda: {REPORTS, LICENSING, *DIRECTORY})
    activities: list[dict[str, Any]] = field(default_factory=list)
    licences: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    users: list[str] = field(default_factory=list)
    tokens: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    denied_apis: set[str] = field(default_factory=set)
    throttle: set[str] = field(default_factory=lambda: {"reports"})
    issued: dict[str, set[str]] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)
    """(path with query, Authorization header) of every API request."""

    def url(self, path: str = "") -> str:
        return self.server.url_for(path).rstrip("/")

    def handle(self, request: Request) -> Response:
        if request.path == "/token":
            return self.token(request)
        self.log.append((request.full_path, request.headers.get("Authorization", "")))
        granted = self.issued.get(request.headers.get("Authorization", "").removeprefix("Bearer "))
        if granted is None:
            return error(401, "UNAUTHENTICATED")
        if request.path == "/admin/reports/v1/activity/users/all/applications/token":
            return self.page("reports", REPORTS, granted, request, self.activities, "items")
        if request.path == "/admin/directory/v1/users":
            users = [{"primaryEmail": u} for u in self.users]
            return self.page("directory", DIRECTORY[0], granted, request, users, "users")
        m = re.fullmatch(r"/admin/directory/v1/users/([^/]+)/tokens", request.path)
        if m:
            if DIRECTORY[1] not in granted:
                return error(403, "PERMISSION_DENIED")
            return json_response({"items": self.tokens.get(m.group(1), [])})
        m = re.fullmatch(r"/apps/licensing/v1/product/(\d+)/users", request.path)
        if m:
            if request.args.get("customerId") != CUSTOMER:
                return error(400, "INVALID_ARGUMENT")
            rows = self.licences.get(m.group(1), [])
            return self.page("licensing", LICENSING, granted, request, rows, "items")
        return error(404, "NOT_FOUND")

    def page(
        self, api: str, needs: str, granted: set[str], request: Request, rows: list[Any], key: str
    ) -> Response:
        if api in self.denied_apis or needs not in granted:
            return error(403, "PERMISSION_DENIED")
        start = int(request.args.get("pageToken", "0"))
        if start and api in self.throttle:
            self.throttle.discard(api)
            return Response("{}", 429, {"Retry-After": "0"})
        body: dict[str, Any] = {key: rows[start : start + PAGE]}
        if start + PAGE < len(rows):
            body["nextPageToken"] = str(start + PAGE)
        return json_response(body)

    def token(self, request: Request) -> Response:
        form = parse_qs(request.get_data(as_text=True))
        assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
        claims = jwt.decode(  # type: ignore[no-untyped-call]
            form["assertion"][0],
            certs=self.public_pem,
            audience="https://oauth2.googleapis.com/token",
        )
        assert (claims["iss"], claims["sub"]) == (SA_EMAIL, ADMIN)
        scopes = set(claims["scope"].split())
        if not scopes <= self.delegated:
            return Response(
                json.dumps(
                    {
                        "error": "unauthorized_client",
                        "error_description": "Client is unauthorized to retrieve access tokens "
                        "using this method, or client not authorized for any of the scopes "
                        "requested.",
                    }
                ),
                401,
                {"Content-Type": "application/json"},
            )
        token = f"ya29.{uuid.uuid4().hex}"
        self.issued[token] = scopes
        return json_response({"access_token": token, "expires_in": 3600, "token_type": "Bearer"})


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status, {"Content-Type": "application/json"})


def error(status: int, reason: str) -> Response:
    message = "Not Authorized to access this resource/api" if status == 403 else reason
    return json_response({"error": {"code": status, "message": message, "status": reason}}, status)


@pytest.fixture(scope="module")
def key_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    path = tmp_path_factory.mktemp("workspace-key") / "sa.json"
    info = {
        "type": "service_account",
        "project_id": "acme-security",
        "private_key_id": "0123456789abcdef",
        "private_key": pem,
        "client_email": SA_EMAIL,
        "client_id": "1234567890",
        "token_uri": "http://127.0.0.1:9/token",
    }
    path.write_text(json.dumps(info))
    return path, public


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    srv = HTTPServer(host="127.0.0.1", port=0)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def google(server: HTTPServer, key_pair: tuple[Path, str]) -> FakeGoogle:
    server.clear()
    fake = FakeGoogle(server, key_pair[1])
    server.expect_request(re.compile(".*")).respond_with_handler(fake.handle)
    return fake


@pytest.fixture
def tenant(google: FakeGoogle) -> FakeGoogle:
    """acme.example: ChatGPT authorised by ann, bob and cara with Drive scopes (eve authorised
    and then revoked it), Otter.ai authorised by dan with calendar scopes, Lucidchart (not AI),
    and two Gemini Business seats."""
    google.activities = [
        activity("eve@acme.example", "revoke", CHATGPT, "ChatGPT", ago=1),
        activity("ann@acme.example", "authorize", CHATGPT, "ChatGPT", "drive.readonly", ago=2),
        activity("dan@acme.example", "authorize", OTTER, "Otter.ai", "calendar.readonly", ago=3),
        activity("bob@acme.example", "authorize", CHATGPT, "ChatGPT", "drive", ago=4),
        activity("eve@acme.example", "authorize", CHATGPT, "ChatGPT", "drive.file", ago=5),
        activity("fay@acme.example", "authorize", LUCID, "Lucidchart", "drive.file", ago=6),
        activity("cara@acme.example", "authorize", CHATGPT, "ChatGPT", "drive.readonly", ago=9),
    ]
    google.licences = {
        "101047": [
            {
                "kind": "licensing#licenseAssignment",
                "productId": "101047",
                "skuId": "1010470003",
                "skuName": "Gemini Business",
                "productName": "Gemini",
                "userId": user,
            }
            for user in ("ann@acme.example", "bob@acme.example")
        ],
        "101068": [],
    }
    return google


def options(google: FakeGoogle, key: Path, **extra: Any) -> WorkspaceOptions:
    values: dict[str, Any] = {
        "key_file": key,
        "subject": ADMIN,
        "customer_id": CUSTOMER,
        "domain": "acme.example",
        "licence_products": ("101047", "101068"),
        "admin_api": google.url(),
        "licensing_api": google.url(),
        "token_uri": google.url("/token"),
        "retry": RetryPolicy(sleep=lambda _: None),
    }
    values.update(extra)
    return WorkspaceOptions(**values)


def inventory(store: Store) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """identity key -> (evidence location, chosen attributes) for every system."""
    keep = ("users", "risky_scopes", "scopes", "seats", "revoked_by", "matched", "principals")
    result = {}
    for s in store.systems():
        full = store.system(s.id)
        assert full is not None
        result[s.identity_key] = [
            (e.location, {k: v for k, v in e.attributes.items() if k in keep})
            for e in full.evidence
        ]
    return result


EXPECTED = {
    f"google-workspace:{CUSTOMER}:chatgpt": [
        (
            CHATGPT,
            {
                "matched": "name: ChatGPT",
                "users": "3",
                "scopes": "drive drive.file drive.readonly",
                "risky_scopes": "drive drive.file drive.readonly",
                "revoked_by": "1",
            },
        )
    ],
    f"google-workspace:{CUSTOMER}:otter-ai": [
        (
            OTTER,
            {
                "matched": "name: Otter.ai",
                "users": "1",
                "scopes": "calendar.readonly",
                "risky_scopes": "calendar.readonly",
            },
        )
    ],
    f"google-workspace:{CUSTOMER}:gemini-workspace": [
        ("101047/1010470003", {"matched": "id: 1010470003", "seats": "2"})
    ],
}


def test_the_seeded_tenant_gives_the_exact_inventory(
    tenant: FakeGoogle, key_pair: tuple[Path, str], tmp_path: Path
) -> None:
    # Arrange
    store = Store(f"sqlite:///{tmp_path / 'inv.db'}")
    connector = GoogleWorkspaceConnector(options(tenant, key_pair[0]))

    # Act
    result = run_scan(store, ScanRequest(targets=(), clouds=(connector,)))

    # Assert
    assert result.scan.status == "succeeded"
    assert inventory(store) == EXPECTED
    areas = {(a.scope.key, a.area, a.outcome) for a in result.coverage.areas}
    assert areas == {
        (f"google-workspace:{CUSTOMER}", "token-activity", Outcome.OK),
        (f"google-workspace:{CUSTOMER}", "licenses:101047", Outcome.OK),
        (f"google-workspace:{CUSTOMER}", "licenses:101068", Outcome.OK),
    }
    # every page was read, the 429 included: 7 activities over 4 pages + 1 retry
    reports = [p for p, _ in tenant.log if "/applications/token" in p]
    assert len(reports) == 5
    # each API got a token for its own scope only
    used = {tenant.log[i][1].removeprefix("Bearer ") for i in range(len(tenant.log))}
    assert sorted(sorted(tenant.issued[t]) for t in used) == [[REPORTS], [LICENSING]]


def test_principals_are_kept_only_when_asked(
    tenant: FakeGoogle, key_pair: tuple[Path, str]
) -> None:
    def principals(include: bool) -> dict[str, tuple[str, ...]]:
        connector = GoogleWorkspaceConnector(
            options(tenant, key_pair[0], include_principals=include)
        )
        return {
            o.locator: o.resource.principals
            for o in connector.observe(Coverage(), NullProgress())
            if o.resource is not None
        }

    assert principals(False) == {CHATGPT: (), OTTER: (), LUCID: (), "101047/1010470003": ()}
    assert principals(True)[CHATGPT] == (
        "ann@acme.example",
        "bob@acme.example",
        "cara@acme.example",
    )
    assert principals(True)["101047/1010470003"] == ("ann@acme.example", "bob@acme.example")


def test_a_denied_api_is_recorded_naming_the_scope_and_its_systems_turn_unknown(
    tenant: FakeGoogle, key_pair: tuple[Path, str], tmp_path: Path
) -> None:
    # Arrange: a full first scan; then the Licensing API answers 403
    store = Store(f"sqlite:///{tmp_path / 'inv.db'}")
    run_scan(
        store,
        ScanRequest(targets=(), clouds=(GoogleWorkspaceConnector(options(tenant, key_pair[0])),)),
    )
    tenant.denied_apis.add("licensing")

    # Act
    second = run_scan(
        store,
        ScanRequest(targets=(), clouds=(GoogleWorkspaceConnector(options(tenant, key_pair[0])),)),
    )

    # Assert
    assert second.scan.status == "partial"
    failed = {(a.area, a.outcome) for a in second.coverage.failed}
    assert failed == {("licenses:101047", Outcome.DENIED), ("licenses:101068", Outcome.DENIED)}
    message = second.coverage.failed[0].message
    assert "needs https://www.googleapis.com/auth/apps.licensing" in message
    assert "PERMISSION_DENIED" in message
    changes = {(c.kind, c.system.product) for c in store.diff(to_scan=second.scan.id).changes}
    assert changes == {("unknown", "gemini-workspace")}


def test_a_scope_not_delegated_denies_only_its_area(
    tenant: FakeGoogle, key_pair: tuple[Path, str]
) -> None:
    tenant.delegated = {LICENSING}
    coverage = Coverage()

    found = list(
        GoogleWorkspaceConnector(options(tenant, key_pair[0])).observe(coverage, NullProgress())
    )

    assert [o.locator for o in found] == ["101047/1010470003"]
    [denied] = coverage.failed
    assert (denied.area, denied.outcome) == ("token-activity", Outcome.DENIED)
    assert denied.message == (
        "POST token: access denied, needs domain-wide delegation of "
        f"{REPORTS} (unauthorized_client)"
    )


def test_directory_tokens_add_current_holders(
    tenant: FakeGoogle, key_pair: tuple[Path, str]
) -> None:
    # Arrange: gus still holds an Otter.ai token granted before the Reports window
    tenant.users = ["dan@acme.example", "gus@acme.example", "hal@acme.example"]
    tenant.tokens = {
        "gus@acme.example": [
            {
                "kind": "admin#directory#token",
                "clientId": OTTER,
                "displayText": "Otter.ai",
                "scopes": [AUTH + "calendar.events", AUTH + "userinfo.email"],
                "nativeApp": False,
                "anonymous": False,
                "userKey": "1001",
            }
        ]
    }
    coverage = Coverage()

    # Act
    found = {
        o.locator: o.resource
        for o in GoogleWorkspaceConnector(options(tenant, key_pair[0], user_tokens=True)).observe(
            coverage, NullProgress()
        )
    }

    # Assert
    otter = found[OTTER]
    assert otter is not None
    assert otter.properties["users"] == "2"
    assert otter.properties["risky_scopes"] == "calendar.events calendar.readonly"
    assert ("user-tokens", Outcome.OK) in {(a.area, a.outcome) for a in coverage.areas}


def test_bad_options_and_key_files_are_refused_without_echoing_the_key(
    tmp_path: Path, key_pair: tuple[Path, str]
) -> None:
    with pytest.raises(WorkspaceConfigError, match="customer id or the primary domain"):
        WorkspaceOptions(key_file=key_pair[0], subject=ADMIN)
    bad = tmp_path / "user.json"
    bad.write_text(json.dumps({"type": "authorized_user", "refresh_token": "1//secret-refresh"}))
    with pytest.raises(WorkspaceConfigError) as info:
        GoogleWorkspaceConnector(
            WorkspaceOptions(key_file=bad, subject=ADMIN, domain="acme.example")
        )
    assert "not a service-account key file" in str(info.value)
    assert "secret-refresh" not in str(info.value)


def test_cli_scan_google_workspace(
    tenant: FakeGoogle,
    key_pair: tuple[Path, str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Arrange
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    caplog.set_level("DEBUG")

    # Act
    result = CliRunner().invoke(
        app,
        [
            "scan",
            "google-workspace",
            "--db",
            db,
            "--workspace-key-file",
            str(key_pair[0]),
            "--workspace-admin",
            ADMIN,
            "--workspace-customer-id",
            CUSTOMER,
            "--workspace-domain",
            "acme.example",
            "--workspace-api-url",
            tenant.url(),
            "--workspace-licensing-url",
            tenant.url(),
            "--workspace-token-uri",
            tenant.url("/token"),
        ],
    )

    # Assert
    assert result.exit_code == 0, result.output
    assert inventory(Store(db)) == EXPECTED
    assert tenant.issued  # tokens were issued, and none of them shows anywhere
    for token in tenant.issued:
        assert token not in result.output + caplog.text
        assert token.encode() not in (tmp_path / "cli.db").read_bytes()
