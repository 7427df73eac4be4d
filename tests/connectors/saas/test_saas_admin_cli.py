"""``aicensus scan m365|okta|slack|github`` end to end: the CLI, the connectors over real HTTP
to the local stand-ins (paging, a 429 in the path), the real detectors and a real SQLite
inventory. The asserted inventories are exact, and no token appears anywhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner, Result

from examples.standins.saas_admin import (
    COPILOT_SKU,
    ORG,
    SP,
    TENANT,
    FakeSaas,
    graph_denied,
    json_response,
    seed_github,
    seed_graph,
    seed_okta,
    seed_slack,
)
from scanner.cli import app

runner = CliRunner()
GRAPH_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.cli-graph-token-4f1e"
GITHUB_TOKEN = "ghp_CLI0123456789abcdefABCDEF0123456789ab"
OKTA_TOKEN = "00CLIoktaTokenAbCdEfGhIjKlMnOpQrStUvWxYz"
SLACK_TOKEN = "xoxp-9999999999-8888888888-7777777777-cli0123456789abcdef"


def scan(db: str, *args: str) -> Result:
    return runner.invoke(app, ["scan", *args, "--db", db])


def inventory(db: str) -> dict[str, dict[str, Any]]:
    result = runner.invoke(app, ["inventory", "list", "--db", db, "--format", "json", "--all"])
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return {s["identity_key"]: s for s in doc["systems"]}


def summary(systems: dict[str, dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    """identity key -> (product, category, scope name, resource, evidence locations)."""
    return {
        key: (
            s["product"],
            s["category"],
            s["scope"]["name"],
            s["resource"],
            sorted(e["location"] for e in s["evidence"]),
        )
        for key, s in systems.items()
    }


def attributes(system: dict[str, Any]) -> dict[str, str]:
    (evidence,) = system["evidence"]
    return dict(evidence["attributes"])


def no_secret(token: str, db_path: Path, *outputs: str) -> None:
    assert all(token not in text for text in outputs)
    assert token.encode() not in db_path.read_bytes()


@pytest.fixture
def fake_graph(httpserver: HTTPServer) -> FakeSaas:
    fake = FakeSaas(httpserver, f"Bearer {GRAPH_TOKEN}", retry_after="0")
    seed_graph(fake)
    return fake


def m365_args(fake: FakeSaas) -> list[str]:
    return [
        "m365",
        "--m365-tenant",
        TENANT,
        "--m365-token-env",
        "AICENSUS_TEST_GRAPH_TOKEN",
        "--graph-url",
        fake.base,
    ]


def test_scan_m365_gives_the_exact_inventory(
    fake_graph: FakeSaas,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Arrange: the tenant's second page of apps is throttled once
    monkeypatch.setenv("AICENSUS_TEST_GRAPH_TOKEN", GRAPH_TOKEN)
    fake_graph.throttle("/v1.0/servicePrincipals", "skiptoken=2")
    db_path = tmp_path / "m365.db"
    db = f"sqlite:///{db_path}"
    caplog.set_level("DEBUG")

    # Act
    result = scan(db, *m365_args(fake_graph))
    systems = inventory(db)

    # Assert
    assert result.exit_code == 0, result.output
    assert summary(systems) == {
        f"m365:{TENANT}:chatgpt": (
            "chatgpt",
            "saas-ai-feature",
            "Contoso Ltd",
            None,
            [f"servicePrincipals/{SP['chatgpt']}"],
        ),
        f"m365:{TENANT}:otter-ai": (
            "otter-ai",
            "saas-ai-feature",
            "Contoso Ltd",
            None,
            [f"servicePrincipals/{SP['otter']}"],
        ),
        f"m365:{TENANT}:microsoft-365-copilot": (
            "microsoft-365-copilot",
            "saas-ai-feature",
            "Contoso Ltd",
            None,
            [f"subscribedSkus/{COPILOT_SKU}"],
        ),
    }
    chatgpt = attributes(systems[f"m365:{TENANT}:chatgpt"])
    assert (chatgpt["consent"], chatgpt["matched"]) == ("all users", "name: ChatGPT")
    otter = attributes(systems[f"m365:{TENANT}:otter-ai"])
    assert otter["users_consented"] == "3"
    assert otter["risky_scopes"] == "Calendars.Read OnlineMeetings.Read offline_access"
    assert "principals" not in otter  # counts only, unless --include-principals
    copilot = attributes(systems[f"m365:{TENANT}:microsoft-365-copilot"])
    assert (copilot["seats_assigned"], copilot["seats_purchased"]) == ("45", "50")
    assert {m for m, _, _ in fake_graph.log} == {"GET"}
    assert sum(1 for p in fake_graph.paths() if p == "/v1.0/servicePrincipals") == 4
    no_secret(GRAPH_TOKEN, db_path, result.output, caplog.text)


def test_a_denied_graph_api_is_named_and_its_systems_become_unknown(
    fake_graph: FakeSaas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrange: a full scan, then one without Application.Read.All
    monkeypatch.setenv("AICENSUS_TEST_GRAPH_TOKEN", GRAPH_TOKEN)
    db = f"sqlite:///{tmp_path / 'm365.db'}"
    assert scan(db, *m365_args(fake_graph)).exit_code == 0
    fake_graph.deny("/v1.0/servicePrincipals", graph_denied())

    # Act
    second = scan(db, *m365_args(fake_graph))
    diff = runner.invoke(app, ["diff", "--db", db, "--format", "json"])

    # Assert: partial, the permission named; the apps are unknown, the licence unchanged
    assert second.exit_code == 3, second.output
    assert "needs Application.Read.All" in second.output
    changes = {
        c["product"]: (c["kind"], c.get("reason", "")) for c in json.loads(diff.stdout)["changes"]
    }
    assert changes == {
        "chatgpt": (
            "unknown",
            f"m365:{TENANT} (graph:servicePrincipals) was not covered successfully by the "
            "newer scan",
        ),
        "otter-ai": (
            "unknown",
            f"m365:{TENANT} (graph:servicePrincipals) was not covered successfully by the "
            "newer scan",
        ),
    }


def test_scan_m365_names_consenting_users_only_when_asked(
    fake_graph: FakeSaas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AICENSUS_TEST_GRAPH_TOKEN", GRAPH_TOKEN)
    db = f"sqlite:///{tmp_path / 'm365.db'}"
    result = scan(db, *m365_args(fake_graph), "--include-principals")
    assert result.exit_code == 0, result.output
    otter = attributes(inventory(db)[f"m365:{TENANT}:otter-ai"])
    assert otter["principals"] == "ana@contoso.example, ben@contoso.example, chloe@contoso.example"


def test_scan_github_reads_copilot_and_installed_apps(
    httpserver: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Arrange: a GitHub Enterprise Server with the org; no repositories to scan
    fake = FakeSaas(httpserver, f"Bearer {GITHUB_TOKEN}", retry_after="0")
    seed_github(fake, prefix="/api/v3")
    fake.route(f"/api/v3/orgs/{ORG}/repos", lambda r: json_response([]))
    fake.throttle(f"/api/v3/orgs/{ORG}/installations", "page=2")
    monkeypatch.setenv("AICENSUS_TEST_GH_TOKEN", GITHUB_TOKEN)
    db_path = tmp_path / "gh.db"
    caplog.set_level("DEBUG")

    # Act
    result = scan(
        f"sqlite:///{db_path}",
        "github",
        "--org",
        ORG,
        "--github-url",
        f"{fake.base}/api/v3",
        "--github-token-env",
        "AICENSUS_TEST_GH_TOKEN",
    )
    systems = inventory(f"sqlite:///{db_path}")

    # Assert
    assert result.exit_code == 0, result.output
    host = fake.base.split("//", 1)[1].split(":", 1)[0]
    assert summary(systems) == {
        f"github:{host}/{ORG}:github-copilot": (
            "github-copilot",
            "saas-ai-feature",
            ORG,
            None,
            [f"orgs/{ORG}/copilot"],
        ),
        f"github:{host}/{ORG}:coderabbit": (
            "coderabbit",
            "saas-ai-feature",
            ORG,
            None,
            [f"orgs/{ORG}/installations/1001"],
        ),
    }
    copilot = attributes(systems[f"github:{host}/{ORG}:github-copilot"])
    assert (copilot["seats_total"], copilot["seats_active_30d"] != "") == ("5", True)
    assert {m for m, _, _ in fake.log} == {"GET"}
    no_secret(GITHUB_TOKEN, db_path, result.output, caplog.text)


def test_scan_okta_gives_chatgpt_enterprise_and_perplexity(
    httpserver: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Arrange
    fake = FakeSaas(httpserver, f"SSWS {OKTA_TOKEN}", retry_after="0")
    seed_okta(fake)
    fake.throttle("/api/v1/apps", "after=0oa2slack")
    monkeypatch.setenv("OKTA_API_TOKEN", OKTA_TOKEN)
    db_path = tmp_path / "okta.db"
    caplog.set_level("DEBUG")

    # Act
    result = scan(f"sqlite:///{db_path}", "okta", "--okta-url", fake.base)
    systems = inventory(f"sqlite:///{db_path}")

    # Assert
    assert result.exit_code == 0, result.output
    host = fake.base.split("//", 1)[1].split(":", 1)[0]
    assert summary(systems) == {
        f"okta:{host}:chatgpt": (
            "chatgpt",
            "saas-ai-feature",
            host,
            None,
            ["api/v1/apps/0oa1chatgpt"],
        ),
        f"okta:{host}:perplexity": ("perplexity", "llm-api", host, None, ["api/v1/apps/0oa3pplx"]),
    }
    chatgpt = attributes(systems[f"okta:{host}:chatgpt"])
    assert (chatgpt["users_assigned"], chatgpt["groups_assigned"]) == ("3", "1")
    assert {m for m, _, _ in fake.log} == {"GET"}
    no_secret(OKTA_TOKEN, db_path, result.output, caplog.text)


def test_scan_slack_gives_the_ai_app(
    httpserver: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Arrange
    fake = FakeSaas(httpserver, f"Bearer {SLACK_TOKEN}", retry_after="0")
    seed_slack(fake)
    fake.throttle("/api/admin.apps.approved.list", "cursor=c-2")
    monkeypatch.setenv("SLACK_TOKEN", SLACK_TOKEN)
    db_path = tmp_path / "slack.db"
    caplog.set_level("DEBUG")

    # Act
    result = scan(f"sqlite:///{db_path}", "slack", "--slack-url", f"{fake.base}/api")
    systems = inventory(f"sqlite:///{db_path}")

    # Assert
    assert result.exit_code == 0, result.output
    assert summary(systems) == {
        "slack:E0ACME:claude": ("claude", "saas-ai-feature", "Acme", None, ["apps/A04CLAUDE01"]),
    }
    claude = attributes(systems["slack:E0ACME:claude"])
    assert (claude["ai_assistant"], claude["sensitive_scopes"]) == ("yes", "channels:history")
    assert {m for m, _, _ in fake.log} == {"GET"}
    no_secret(SLACK_TOKEN, db_path, result.output, caplog.text)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["m365", "--m365-token-env", "X"], "--m365-tenant"),
        (
            [
                "m365",
                "--m365-tenant",
                TENANT,
                "--m365-client-id",
                "c1",
                "--m365-secret-env",
                "NOPE_UNSET",
            ],
            "NOPE_UNSET",
        ),
        (["okta"], "--okta-url"),
        (
            ["okta", "--okta-url", "https://acme.okta.com", "--okta-token-env", "NOPE_UNSET"],
            "NOPE_UNSET",
        ),
        (["slack", "--slack-token-env", "NOPE_UNSET"], "NOPE_UNSET"),
        (["github"], "--org"),
        (["okta", "--okta-url", "https://acme.okta.com", "--okta-auth", "basic"], "ssws, bearer"),
    ],
)
def test_missing_saas_settings_are_usage_errors_naming_what_is_missing(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOPE_UNSET", raising=False)
    monkeypatch.setenv("OKTA_API_TOKEN", OKTA_TOKEN)
    result = scan(f"sqlite:///{tmp_path / 'x.db'}", *args)
    assert result.exit_code == 2
    assert message in result.output
