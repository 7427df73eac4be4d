"""``aicensus scan aws --org`` against a seeded moto estate: the exact inventory, the failed
assume-role, the denied region turning ``unknown`` in the next diff, and secrets never stored.

Real boto3 against moto's server on 127.0.0.1 (see conftest.py and moto_stack.py); the scanner
runs in process through Typer's CliRunner.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from estate import (
    CLAUDE,
    HAIKU,
    HF_TOKEN_VALUE,
    LLAMA,
    MGMT,
    OPENAI_VALUE,
    REGIONS,
    TITAN_EMBED,
    seed,
)
from typer.testing import CliRunner

from examples.standins.aws_moto import MotoStack
from scanner.cli import app

FAST = ["--aws-retry-mode", "standard", "--aws-max-attempts", "2"]


def scan(db: str, *extra: str) -> Any:
    return CliRunner().invoke(
        app, ["scan", "aws", "--org", "--regions", ",".join(REGIONS), "--db", db, *FAST, *extra]
    )


def inventory(db: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, ["inventory", "list", "--format", "json", "--db", db])
    assert result.exit_code == 0, result.output
    systems: list[dict[str, Any]] = json.loads(result.stdout)["systems"]
    return systems


def show(db: str, system_id: int) -> dict[str, Any]:
    result = CliRunner().invoke(
        app, ["inventory", "show", str(system_id), "--format", "json", "--db", db]
    )
    assert result.exit_code == 0, result.output
    system: dict[str, Any] = json.loads(result.stdout)
    return system


def test_org_scan_finds_the_exact_inventory(aws: MotoStack, tmp_path: Path) -> None:
    # Arrange
    estate = seed(aws)
    db = f"sqlite:///{tmp_path / 'inv.db'}"
    wl = estate.workloads

    # Act
    result = scan(db)
    systems = inventory(db)

    # Assert: partial (the sandbox role cannot be assumed), everything else read
    assert result.exit_code == 3, result.output
    got = {s["identity_key"]: sorted(s["models"]) for s in systems}
    kendra = f"arn:aws:kendra:eu-west-1:{wl}:index/0a1b2c3d-kendra"
    lex_bot = next(s["resource"]["id"] for s in systems if s["product"] == "aws-lex")
    assert got == {
        # management account: on-demand Bedrock seen only in CloudTrail, IAM and spend
        f"aws:{MGMT}:aws-bedrock": [HAIKU],
        f"aws:{MGMT}:openai": [],
        f"aws:{MGMT}:aws-sagemaker:{estate.endpoint_tgi}": [LLAMA],
        f"aws:{MGMT}:aws-sagemaker:{estate.endpoint_sklearn}": [],
        f"aws:{MGMT}:huggingface-tgi": [],
        f"aws:{MGMT}:huggingface-hub": [],
        f"aws:{MGMT}:huggingface-transformers": [LLAMA],
        # workloads member, through sts.assume_role
        f"aws:{wl}:aws-bedrock:{estate.agent_arn}": [CLAUDE],
        f"aws:{wl}:aws-bedrock:{estate.kb_arn}": [TITAN_EMBED],
        f"aws:{wl}:aws-bedrock": [],
        f"aws:{wl}:anthropic": [],
        f"aws:{wl}:aws-kendra:{kendra}": [],
        f"aws:{wl}:aws-lex:{lex_bot}": [],
        f"aws:{wl}:aws-ec2-accelerated": [],
    }
    assert lex_bot.startswith(f"arn:aws:lex:eu-west-1:{wl}:bot/")
    by_key = {s["identity_key"]: s for s in systems}
    scopes = {(s["scope"]["id"], s["scope"]["name"]) for s in systems}
    assert scopes == {(MGMT, "master"), (wl, "workloads")}

    bedrock = by_key[f"aws:{MGMT}:aws-bedrock"]
    evidence = {(e["location"], e["signal"]) for e in bedrock["evidence"]}
    assert evidence == {
        (
            f"arn:aws:cloudtrail:us-east-1:{MGMT}:event-source/bedrock.amazonaws.com/principal/"
            f"{estate.app_role}",
            "cloud_resource",
        ),
        (estate.app_role, "cloud_resource"),
        (f"arn:aws:ce::{MGMT}:service-cost/Amazon Bedrock", "cloud_resource"),
    }
    trail = next(e for e in bedrock["evidence"] if "cloudtrail" in e["location"])
    # two InvokeModel and one Converse; the ListCustomModels read is not use
    assert trail["attributes"]["events"] == "3"
    assert trail["attributes"]["event_names"] == "Converse,InvokeModel"
    assert trail["attributes"]["region"] == "us-east-1"
    assert trail["attributes"]["principals"] == estate.app_role

    openai = by_key[f"aws:{MGMT}:openai"]
    assert [
        (e["location"], e["signal"], e["attributes"]["matched"]) for e in openai["evidence"]
    ] == [(estate.lambda_arn, "env_var", "OPENAI_API_KEY")]

    agent = by_key[f"aws:{wl}:aws-bedrock:{estate.agent_arn}"]
    assert agent["resource"] == {"id": estate.agent_arn, "name": "support-agent"}
    attrs = agent["evidence"][0]["attributes"]
    assert attrs["action_groups"] == "lookup-order"
    assert attrs["invocation_logging"] == "off"
    assert attrs["region"] == "us-east-1"
    assert attrs.get("tag:owner") == "support-team@example.com", attrs
    assert [h["owner"] for h in show(db, agent["id"])["suggested_owners"]] == [
        "support-team@example.com"
    ]
    kb = by_key[f"aws:{wl}:aws-bedrock:{estate.kb_arn}"]
    assert kb["evidence"][0]["attributes"]["vector_store"] == "PINECONE"

    tgi = by_key[f"aws:{MGMT}:aws-sagemaker:{estate.endpoint_tgi}"]
    tgi_attrs = tgi["evidence"][0]["attributes"]
    assert "huggingface-pytorch-tgi-inference" in tgi_attrs["images"]
    assert tgi_attrs["region"] == "eu-west-1"
    assert [h["owner"] for h in show(db, tgi["id"])["suggested_owners"]] == [
        "ml-platform@example.com"
    ]
    secret = by_key[f"aws:{wl}:anthropic"]
    assert [(e["signal"], e["confidence"]) for e in secret["evidence"]] == [("env_var", "medium")]
    gpu = by_key[f"aws:{wl}:aws-ec2-accelerated"]
    assert [e["attributes"]["instance_type"] for e in gpu["evidence"]] == ["p4d.24xlarge"]

    # coverage: the sandbox is recorded as denied, every area of the others as read
    rows = coverage(tmp_path / "inv.db")
    assert [r for r in rows if r[2] != "ok"] == [(estate.sandbox, "*", "denied")]
    read = {(scope, area) for scope, area, outcome in rows if outcome == "ok"}
    assert (MGMT, "organizations") in read
    assert {(MGMT, "iam:global"), (wl, "iam:global"), (MGMT, "cost:global")} <= read
    assert {(acct, f"bedrock:{r}") for acct in (MGMT, wl) for r in REGIONS} <= read


def test_no_secret_value_is_stored_or_shown(aws: MotoStack, tmp_path: Path) -> None:
    seed(aws)
    db_path = tmp_path / "inv.db"
    db = f"sqlite:///{db_path}"

    result = scan(db, "--all", "--services", "lambda,sagemaker,secrets")
    dump = json.dumps(inventory(db))
    raw = (
        db_path.read_bytes() + Path(f"{db_path}-wal").read_bytes()
        if Path(f"{db_path}-wal").exists()
        else db_path.read_bytes()
    )

    for value in (OPENAI_VALUE, HF_TOKEN_VALUE, "sk-ant-api03-"):
        assert value not in result.output
        assert value not in dump
        assert value.encode() not in raw
    assert "OPENAI_API_KEY" in dump  # the name is the evidence


def test_a_denied_region_is_unknown_in_the_next_diff_not_removed(
    aws: MotoStack, tmp_path: Path
) -> None:
    # Arrange: a full scan, then SageMaker is refused in eu-west-1 of the management account
    estate = seed(aws)
    db = f"sqlite:///{tmp_path / 'inv.db'}"
    services = ("--services", "sagemaker,bedrock,cloudtrail,iam")
    assert scan(db, *services).exit_code == 3
    aws.state.denied.append((MGMT, "eu-west-1", "sagemaker"))

    # Act
    second = scan(db, *services)
    diff = CliRunner().invoke(app, ["diff", "--format", "json", "--db", db])

    # Assert
    assert second.exit_code == 3
    assert diff.exit_code == 0, diff.output
    changes = json.loads(diff.stdout)
    flat = json.dumps(changes)
    for arn in (estate.endpoint_tgi, estate.endpoint_sklearn):
        key = f"aws:{MGMT}:aws-sagemaker:{arn}"
        assert _kind(changes, key) == "unknown", flat
    assert _kind(changes, f"aws:{MGMT}:aws-bedrock") is None  # still seen: unchanged
    denied = {
        (scope, area)
        for scope, area, outcome in coverage(tmp_path / "inv.db")
        if outcome == "denied"
    }
    assert denied == {(estate.sandbox, "*"), (MGMT, "sagemaker:eu-west-1")}


def coverage(path: Path) -> list[tuple[str, str, str]]:
    """(scope, area, outcome) of the latest scan, read from the database file."""
    with sqlite3.connect(path) as conn:
        (latest,) = conn.execute("SELECT max(id) FROM scans").fetchone()
        rows = conn.execute(
            "SELECT scope_id, area, outcome FROM scan_coverage WHERE scan_id = ? ORDER BY id",
            (latest,),
        ).fetchall()
    return [(str(a), str(b), str(c)) for a, b, c in rows]


def _kind(diff: dict[str, Any], identity_key: str) -> str | None:
    for change in diff.get("changes", []):
        system = change.get("system", change)
        if system.get("identity_key") == identity_key:
            return str(change.get("kind"))
    return None
