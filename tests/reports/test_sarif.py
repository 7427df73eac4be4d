"""SARIF 2.1.0: valid against the official OASIS schema, and within GitHub code scanning's rules."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from report_estate import Estate
from typer.testing import CliRunner

from reports.sarif import split_location
from scanner.cli import app

runner = CliRunner()
SCHEMA_FILE = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    raw = SCHEMA_FILE.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256  # the vendored copy, unchanged
    schema = json.loads(raw)
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    return jsonschema.Draft4Validator(schema)


def sarif(estate: Estate, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["report", "--db", estate.url, "--format", "sarif", *args])
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_sarif_is_valid_against_the_official_schema(
    estate: Estate, validator: jsonschema.Draft4Validator
) -> None:
    doc = sarif(estate)
    assert [e.message for e in validator.iter_errors(doc)] == []
    # ... and the validator has teeth: a level outside the enum is refused.
    doc["runs"][0]["results"][0]["level"] = "critical"
    assert list(validator.iter_errors(doc))


def test_rules_per_product_and_results_with_repository_relative_locations(
    estate: Estate,
) -> None:
    run = sarif(estate)["runs"][0]
    assert run["tool"]["driver"]["name"] == "aicensus"
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    # Code products only: cloud and SaaS evidence has no file to point at.
    assert set(ids) == {
        "aicensus/openai",
        "aicensus/anthropic",
        "aicensus/langchain",
        "aicensus/openai-api-key",
        "aicensus/gguf-model-file",
    }
    results = run["results"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "://" not in uri
        assert (estate.repo / uri).is_file()
    located = {
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"].get("region", {}).get("startLine"),
            r["level"],
        )
        for r in results
    }
    assert ("aicensus/anthropic", "app/summarise.py", 1, "warning") in located  # high
    assert ("aicensus/openai", "app/bot.py", 4, "note") in located  # a model id: medium
    assert ("aicensus/openai-api-key", ".env", 1, "error") in located  # a committed key
    assert ("aicensus/gguf-model-file", "models/tiny.gguf", None, "warning") in located
    key = next(r for r in results if r["ruleId"] == "aicensus/openai-api-key")
    assert estate.key not in json.dumps(key)
    assert "masked" in key["message"]["text"]


def test_github_code_scanning_requirements(estate: Estate) -> None:
    """What GitHub's SARIF upload needs beyond the schema (its documented supported subset)."""
    doc = sarif(estate, "--all")
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].endswith("sarif-2.1.0.json")
    assert len(doc["runs"]) == 1
    run = doc["runs"][0]
    assert len(run["results"]) <= 25_000
    assert len(run["tool"]["driver"]["rules"]) <= 25_000
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("none", "note", "warning", "error")
        assert len(rule["properties"]["tags"]) <= 20
    fingerprints = set()
    for result in run["results"]:
        assert result["message"]["text"]
        assert result["level"] in ("none", "note", "warning", "error")
        assert 1 <= len(result["locations"]) <= 1000
        region = result["locations"][0]["physicalLocation"].get("region")
        if region is not None:
            assert region["startLine"] >= 1
        fingerprint = result["partialFingerprints"]["aicensusEvidence/v1"]
        fingerprints.add(fingerprint)
    assert len(fingerprints) == len(run["results"])  # one alert per piece of evidence
    low = [r for r in run["results"] if r["properties"]["confidence"] == "low"]
    assert low and {r["level"] for r in low} == {"none"}  # --all: tests/test_fake.py


def test_fingerprints_survive_code_moving_down_the_file(estate: Estate) -> None:
    from report_estate import code_scan

    before = {
        (r["ruleId"], r["message"]["text"]): r["partialFingerprints"]
        for r in sarif(estate)["runs"][0]["results"]
    }
    summarise = estate.repo / "app" / "summarise.py"
    summarise.write_text("# moved down\n\n" + summarise.read_text())
    code_scan(estate.store, estate.repo)
    after_results = sarif(estate)["runs"][0]["results"]
    after = {(r["ruleId"], r["message"]["text"]): r["partialFingerprints"] for r in after_results}
    moved = [r for r in after_results if r["ruleId"] == "aicensus/anthropic"]
    assert {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in moved} == {
        3,
        5,
        6,
    }
    assert after == before


def test_locations_split_into_file_and_line() -> None:
    assert split_location("app/bot.py:5") == ("app/bot.py", 5)
    assert split_location("models/tiny.gguf") == ("models/tiny.gguf", None)
    assert split_location("nb/explore.ipynb#cell-3:2") == ("nb/explore.ipynb", None)
