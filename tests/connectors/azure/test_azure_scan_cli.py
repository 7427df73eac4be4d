"""``aicensus scan azure`` against the HTTPS stand-in: the exact inventory, read-only access,
a denied subscription turning its systems unknown, and a client secret that never shows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from azure_estate import (
    AOAI,
    BOT,
    CLIENT_ID,
    CLIENT_SECRET,
    ENDPOINT,
    FOUNDRY,
    FOUNDRY_PROJECT,
    LANGUAGE,
    NAMES,
    SANDBOX,
    SEARCH,
    SUB_A,
    SUB_B,
    SUB_C,
    TENANT,
    WORKSPACE,
)
from typer.testing import CliRunner

from examples.standins.azure_arm import FakeArm
from scanner.cli import app

EXPECTED = {
    # (identity key, product, models, resource name)
    (
        f"azure:{SUB_A}:azure-openai:{AOAI['id']}",
        "azure-openai",
        ("gpt-4o:2024-08-06", "text-embedding-3-large:1"),
        "contoso-aoai",
    ),
    (
        f"azure:{SUB_A}:azure-openai:{FOUNDRY['id']}",
        "azure-openai",
        ("Phi-4:7",),
        "contoso-foundry",
    ),
    (f"azure:{SUB_A}:azure-openai:{FOUNDRY_PROJECT['id']}", "azure-openai", (), "support-agent"),
    (f"azure:{SUB_A}:azure-ai-search:{SEARCH['id']}", "azure-ai-search", (), "contoso-search"),
    (f"azure:{SUB_A}:openai", "openai", (), None),
    (
        f"azure:{SUB_B}:azure-machine-learning:{WORKSPACE['id']}",
        "azure-machine-learning",
        (),
        "research-ml",
    ),
    (
        f"azure:{SUB_B}:azure-machine-learning:{ENDPOINT['id']}",
        "azure-machine-learning",
        ("churn-model:3",),
        "churn-scorer",
    ),
    (f"azure:{SUB_B}:azure-bot-service:{BOT['id']}", "azure-bot-service", (), "helpdesk-bot"),
    (
        f"azure:{SUB_B}:azure-ai-language:{LANGUAGE['id']}",
        "azure-ai-language",
        (),
        "research-language",
    ),
    (
        f"azure:{SUB_C}:azure-openai:{SANDBOX['id']}",
        "azure-openai",
        ("gpt-4o-mini:2024-07-18",),
        "sandbox-aoai",
    ),
}


def scan(arm: FakeArm, db: str, secret: str = CLIENT_SECRET, *extra: str) -> Any:
    return CliRunner().invoke(
        app,
        [
            "scan",
            "azure",
            "--db",
            db,
            "--azure-credential",
            "secret",
            "--tenant",
            TENANT,
            "--client-id",
            CLIENT_ID,
            "--arm-endpoint",
            arm.base_url,
            "--authority-host",
            arm.base_url,
            "--azure-retries",
            "0",
            *extra,
        ],
        env={"AZURE_CLIENT_SECRET": secret, "REQUESTS_CA_BUNDLE": arm.ca_path},
    )


def inventory(db: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, ["inventory", "list", "--format", "json", "--db", db])
    assert result.exit_code == 0, result.output
    systems: list[dict[str, Any]] = json.loads(result.stdout)["systems"]
    return systems


def summary(systems: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {
        (
            s["identity_key"],
            s["product"],
            tuple(s["models"]),
            s["resource"]["name"] if s["resource"] else None,
        )
        for s in systems
    }


def test_scan_gives_the_exact_inventory_through_get_requests_only(
    arm: FakeArm, tmp_path: Path
) -> None:
    # Arrange
    db = f"sqlite:///{tmp_path / 'inv.db'}"

    # Act
    result = scan(arm, db)
    systems = inventory(db)

    # Assert: every AI resource is one system, with its models as name:version
    assert result.exit_code == 0, result.output
    assert summary(systems) == EXPECTED
    by_name = {s["resource"]["name"]: s for s in systems if s["resource"]}
    assert {s["scope"]["name"] for s in systems} == set(NAMES.values())
    aoai = by_name["contoso-aoai"]["evidence"][0]["attributes"]
    assert aoai["deployment:chat"] == "gpt-4o:2024-08-06 GlobalStandard x50 rai=strict-filter"
    assert (
        aoai["deployment:embed"] == "text-embedding-3-large:1 Standard x120 rai=Microsoft.DefaultV2"
    )
    assert (
        aoai["raiPolicies"] == "Microsoft.DefaultV2 (Blocking), strict-filter (Asynchronous_filter)"
    )
    assert (aoai["logging"], aoai["publicNetworkAccess"], aoai["kind"]) == (
        "on",
        "Enabled",
        "OpenAI",
    )
    assert aoai["tag:owner"] == "ai-team@contoso.example"  # an owner suggestion
    foundry = by_name["contoso-foundry"]["evidence"][0]["attributes"]
    assert (foundry["logging"], foundry["publicNetworkAccess"]) == ("off", "Disabled")
    assert by_name["churn-scorer"]["evidence"][0]["attributes"]["deployment:blue"] == (
        "churn-model:3 Standard_DS3_v2 x2"
    )
    openai = next(s for s in systems if s["product"] == "openai")
    assert [(e["location"], e["attributes"]["matched"]) for e in openai["evidence"]] == [
        (f"{arm.state.resources[3]['id']}", "OPENAI_API_KEY")
    ]

    # Assert: read-only. Besides GETs only the token request and the Resource Graph query
    log = arm.requests()
    writes = {(r.method, r.path.split("?")[0]) for r in log if r.method != "GET"}
    assert writes == {
        ("POST", f"/{TENANT}/oauth2/v2.0/token"),
        ("POST", "/providers/Microsoft.ResourceGraph/resources"),
    }
    # paging was followed: several Resource Graph pages and ARM nextLinks (page size 2)
    assert sum(r.path.startswith("/providers/Microsoft.ResourceGraph") for r in log) == 6
    assert any("$skiptoken=2" in r.path for r in log if r.method == "GET")
    # the secret went to the token endpoint and nowhere else, and is stored nowhere
    assert [r.path for r in log if CLIENT_SECRET.encode() in r.body] == [
        f"/{TENANT}/oauth2/v2.0/token"
    ]
    assert CLIENT_SECRET not in result.output
    assert CLIENT_SECRET.encode() not in (tmp_path / "inv.db").read_bytes()


def test_a_denied_subscription_is_partial_and_its_systems_unknown_in_the_diff(
    arm: FakeArm, tmp_path: Path
) -> None:
    # Arrange: a first scan reads all three subscriptions; then the sandbox one is denied
    db = f"sqlite:///{tmp_path / 'inv.db'}"
    assert scan(arm, db).exit_code == 0
    arm.state.denied = {SUB_C}

    # Act
    second = scan(arm, db)
    diff = CliRunner().invoke(app, ["diff", "--format", "json", "--db", db])

    # Assert: exit 3 (partial), the inventory keeps the sandbox account, the diff calls it unknown
    assert second.exit_code == 3, second.output
    assert "AuthorizationFailed" in second.output
    assert summary(inventory(db)) == EXPECTED
    changes = json.loads(diff.stdout)["changes"]
    assert [(c["kind"], c["identity_key"]) for c in changes] == [
        ("unknown", f"azure:{SUB_C}:azure-openai:{SANDBOX['id']}")
    ]
    assert "azure Contoso Sandbox: denied: AuthorizationFailed" in " ".join(second.output.split())


def test_a_wrong_secret_fails_the_scan_and_is_never_shown(arm: FakeArm, tmp_path: Path) -> None:
    # Arrange
    wrong = "Wr0ng~client.secret-value_0000000000"
    db = f"sqlite:///{tmp_path / 'inv.db'}"

    # Act
    result = scan(arm, db, wrong)
    scans = CliRunner().invoke(app, ["scans", "--db", db])

    # Assert
    assert result.exit_code == 1
    assert "AADSTS7000215" in result.output
    assert wrong not in result.output and wrong not in scans.output
    assert wrong.encode() not in (tmp_path / "inv.db").read_bytes()
    assert not [r for r in arm.requests() if r.path.startswith("/subscriptions")]


def test_the_secret_credential_without_a_tenant_is_a_usage_error(
    arm: FakeArm, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app,
        [
            "scan",
            "azure",
            "--db",
            f"sqlite:///{tmp_path / 'inv.db'}",
            "--azure-credential",
            "secret",
            "--client-id",
            CLIENT_ID,
        ],
        env={"AZURE_CLIENT_SECRET": CLIENT_SECRET},
    )
    assert result.exit_code == 2
    assert "tenant" in result.output
    assert arm.requests() == []


def test_given_subscriptions_limit_the_scan(arm: FakeArm, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'inv.db'}"

    result = scan(arm, db, CLIENT_SECRET, "--subscriptions", f"{SUB_B},{SUB_C}")

    assert result.exit_code == 0, result.output
    assert {s["scope"]["id"] for s in inventory(db)} == {SUB_B, SUB_C}
    assert not [r for r in arm.requests() if r.path.startswith(f"/subscriptions/{SUB_A}")]
