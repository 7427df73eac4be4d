"""`aicensus scan gcp` end to end: the real Google SDK clients, a service-account key file and
the REST transport against the local stand-in, into a real SQLite inventory.

The seeded estate (conftest ``estate``) is organisation 4242 with three projects. The asserted
inventories are exact: every system, its identity, its models and its evidence.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from examples.standins.gcp_assets import FakeGcp
from scanner.cli import app

runner = CliRunner()

ENDPOINT = "//aiplatform.googleapis.com/projects/1002/locations/us-central1/endpoints/4711"
MODEL = "//aiplatform.googleapis.com/projects/1002/locations/us-central1/models/5551"
AGENT = "//dialogflow.googleapis.com/projects/gamma-bots/locations/global/agent"
LLAMA = "publishers/meta/models/llama3_1@llama-3.1-8b-instruct"
SA_EMAIL = "aicensus-reader@acme-security.iam.gserviceaccount.com"

EXPECTED = {
    # identity key: (product, category, resource name or None, models, evidence locations)
    "gcp:alpha-gemini:google-gemini": (
        "google-gemini",
        "llm-api",
        None,
        [],
        [
            "//apikeys.googleapis.com/projects/1001/locations/global/keys/k1",
            "//serviceusage.googleapis.com/projects/1001/services/generativelanguage.googleapis.com",
        ],
    ),
    f"gcp:beta-vertex:google-vertex-ai:{ENDPOINT}": (
        "google-vertex-ai",
        "cloud-ai-service",
        "llama-chat",
        [LLAMA],
        [ENDPOINT],
    ),
    f"gcp:beta-vertex:google-vertex-ai:{MODEL}": (
        "google-vertex-ai",
        "cloud-ai-service",
        "llama-3.1-8b-instruct",
        [LLAMA],
        [MODEL],
    ),
    "gcp:beta-vertex:google-vertex-ai": (
        "google-vertex-ai",
        "cloud-ai-service",
        None,
        [],
        [
            "//aiplatform.googleapis.com/projects/1002/locations/us-central1/customJobs/31",
            "//serviceusage.googleapis.com/projects/1002/services/aiplatform.googleapis.com",
        ],
    ),
    f"gcp:gamma-bots:gcp-dialogflow:{AGENT}": (
        "gcp-dialogflow",
        "cloud-ai-service",
        "support-bot",
        [],
        [AGENT],
    ),
    "gcp:gamma-bots:gcp-dialogflow": (
        "gcp-dialogflow",
        "cloud-ai-service",
        None,
        [],
        ["//serviceusage.googleapis.com/projects/1003/services/dialogflow.googleapis.com"],
    ),
}
READ_ONLY = re.compile(
    r"/v1/(organizations|folders|projects)/[^/:]+:searchAllResources"
    r"|/v3/(projects|folders)"
    r"|/v1/projects/[^/]+/services"
)


def scan(fake: FakeGcp, key: Path, db: str, *scope: str) -> Result:
    return runner.invoke(
        app,
        [
            "scan",
            "gcp",
            *scope,
            "--api-endpoint",
            fake.url,
            "--gcp-transport",
            "rest",
            "--credentials-file",
            str(key),
            "--db",
            db,
        ],
    )


def inventory(db: str) -> dict[str, Any]:
    result = runner.invoke(app, ["inventory", "list", "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return {s["identity_key"]: s for s in doc["systems"]}


def test_organisation_scan_gives_the_exact_inventory(
    estate: FakeGcp, sa_key_file: Path, tmp_path: Path
) -> None:
    # Arrange
    db = f"sqlite:///{tmp_path / 'inv.db'}"

    # Act
    result = scan(estate, sa_key_file, db, "--organization", "4242")
    systems = inventory(db)

    # Assert
    assert result.exit_code == 0, result.output
    assert set(systems) == set(EXPECTED)
    for key, (product, category, resource, models, locations) in EXPECTED.items():
        got = systems[key]
        assert (got["product"], got["category"], got["vendor"]) == (product, category, "google")
        assert (got["resource"] or {}).get("name") == resource, key
        assert got["models"] == models, key
        assert got["scope"]["kind"] == "gcp"
        assert sorted(e["location"] for e in got["evidence"]) == locations, key
    assert systems["gcp:beta-vertex:google-vertex-ai"]["scope"]["name"] == "Beta Vertex"


def test_a_denied_project_is_unknown_in_the_next_diff_and_the_rest_unchanged(
    estate: FakeGcp, sa_key_file: Path, tmp_path: Path
) -> None:
    # Arrange: the first scan reads the organisation at once
    db = f"sqlite:///{tmp_path / 'inv.db'}"
    first = scan(estate, sa_key_file, db, "--organization", "4242")
    assert first.exit_code == 0, first.output
    # the organisation-level search is then denied, and so is everything in gamma-bots
    estate.denied.add("asset:organizations/4242")
    estate.deny_project("gamma-bots")
    estate.requests.clear()

    # Act
    second = scan(estate, sa_key_file, db, "--organization", "4242")
    diff = runner.invoke(app, ["diff", "--db", db, "--format", "json"])

    # Assert: partial, found per project through Resource Manager (folder 77 included)
    assert second.exit_code == 3, second.output
    searched = sorted(
        r.path for r in estate.api_requests() if r.path.endswith(":searchAllResources")
    )
    assert set(searched) == {
        "/v1/organizations/4242:searchAllResources",
        "/v1/projects/alpha-gemini:searchAllResources",
        "/v1/projects/beta-vertex:searchAllResources",
        "/v1/projects/gamma-bots:searchAllResources",
    }
    assert any(r.path == "/v1/projects/gamma-bots/services" for r in estate.api_requests())
    assert diff.exit_code == 0, diff.output
    changes = {(c["kind"], c["identity_key"]) for c in json.loads(diff.stdout)["changes"]}
    assert changes == {
        ("unknown", f"gcp:gamma-bots:gcp-dialogflow:{AGENT}"),
        ("unknown", "gcp:gamma-bots:gcp-dialogflow"),
    }
    assert set(inventory(db)) == set(EXPECTED)


def test_the_request_log_proves_read_only_paged_and_authenticated_access(
    estate: FakeGcp, sa_key_file: Path, tmp_path: Path
) -> None:
    # Arrange: the fallback path too, so that every API the connector can call is exercised
    estate.denied.add("asset:organizations/4242")
    estate.denied.add("asset:projects/gamma-bots")
    db = f"sqlite:///{tmp_path / 'inv.db'}"

    # Act
    result = scan(estate, sa_key_file, db, "--organization", "4242")

    # Assert
    assert result.exit_code == 3, result.output
    api = estate.api_requests()
    assert {r.method for r in api} == {"GET"}
    assert [r.path for r in api if not READ_ONLY.fullmatch(r.path)] == []
    assert {r.caller for r in api} == {SA_EMAIL}
    # page size 2: beta-vertex's 6 results (project, 2 services, endpoint, model, job)
    beta = [r for r in api if r.path == "/v1/projects/beta-vertex:searchAllResources"]
    assert [r.query.get("pageToken", [""])[0] for r in beta] == ["", "2", "4"]
    assert "gamma-bots" in result.output  # the fallback is reported on the progress stream
    systems = inventory(db)
    assert "gcp:gamma-bots:gcp-dialogflow" in systems  # enabled services read instead
    assert f"gcp:gamma-bots:gcp-dialogflow:{AGENT}" not in systems


def test_scan_gcp_without_a_scope_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scan", "gcp", "--db", f"sqlite:///{tmp_path / 'inv.db'}"])

    assert result.exit_code == 2
    assert "--organization" in result.output
