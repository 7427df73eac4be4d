"""Google Workspace against the local stand-in of Google's token endpoint, Admin SDK and
Licensing (``examples.standins.workspace``).

The token endpoint checks a real google-auth JWT-bearer exchange: the assertion's signature
(with the key file's public key), the service account, the impersonated admin and the requested
scope, which must be one the tenant delegated. The APIs page two items at a time with
``nextPageToken`` and answer one 429 on the way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from connectors.base import Coverage, NullProgress, Outcome
from connectors.saas.google_workspace import (
    GoogleWorkspaceConnector,
    WorkspaceConfigError,
    WorkspaceOptions,
)
from connectors.saas.http import RetryPolicy
from examples.standins.workspace import (
    ADMIN,
    AUTH,
    CHATGPT,
    CUSTOMER,
    LICENSING,
    LUCID,
    OTTER,
    REPORTS,
    FakeGoogle,
    seed_tenant,
    write_service_account_key,
)
from inventory_db.store import Store
from scanner.cli import app
from scanner.run import ScanRequest, run_scan


@pytest.fixture(scope="module")
def key_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("workspace-key") / "sa.json"
    return path, write_service_account_key(path)


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    srv = HTTPServer(host="127.0.0.1", port=0)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def google(server: HTTPServer, key_pair: tuple[Path, str]) -> FakeGoogle:
    server.clear()
    return FakeGoogle(server, key_pair[1])


@pytest.fixture
def tenant(google: FakeGoogle) -> FakeGoogle:
    """acme.example as ``seed_tenant`` describes it: ChatGPT, Otter.ai, Lucidchart (not AI) and
    two Gemini Business seats."""
    return seed_tenant(google)


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
