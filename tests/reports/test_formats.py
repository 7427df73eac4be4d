"""`aicensus report` as JSON, CSV, XLSX and Markdown, from a seeded inventory, through the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from report_estate import ENDPOINT_ARN, HOSTILE, Estate
from typer.testing import CliRunner, Result

from reports import tabular
from scanner.cli import app

runner = CliRunner()


def report(estate: Estate, *args: str) -> Result:
    result = runner.invoke(app, ["report", "--db", estate.url, *args])
    assert result.exit_code == 0, result.output
    return result


def test_json_is_the_inventory_schema_with_the_scan_it_describes(estate: Estate) -> None:
    doc = json.loads(report(estate, "--format", "json").stdout)
    listed = json.loads(
        runner.invoke(app, ["inventory", "list", "--db", estate.url, "--format", "json"]).stdout
    )
    assert doc["schema"] == listed["schema"] == "aicensus.inventory/1"
    assert doc["systems"] == listed["systems"]  # one shape, one function (system_json)
    assert doc["scan"]["id"] == estate.scans[2]
    assert doc["scan"]["status"] == "succeeded"
    by_product = {s["product"]: s for s in doc["systems"]}
    assert by_product["aws-sagemaker"]["resource"] == {"id": ENDPOINT_ARN, "name": "recruiting-llm"}
    assert by_product["openai"]["models"] == ["gpt-4o", "text-embedding-3-small"]
    assert by_product["openai"]["owner"] == {"name": "Ann", "email": "", "team": "support"}


def test_json_of_an_older_scan_shows_what_that_scan_saw(estate: Estate) -> None:
    doc = json.loads(report(estate, "--format", "json", "--scan", str(estate.scans[1])).stdout)
    assert doc["scan"]["id"] == estate.scans[1]
    by_product = {s["product"]: s for s in doc["systems"]}
    # Scan 2 saw the first version of the repository only: no cloud, no Anthropic, one model.
    assert set(by_product) == {"openai", "langchain"}
    assert by_product["openai"]["models"] == ["gpt-4o"]
    locations = {e["location"] for e in by_product["openai"]["evidence"]}
    assert "app/bot.py:5" not in locations  # the embeddings line arrived in scan 3
    assert "app/bot.py:4" in locations


def test_csv_parses_back_with_one_row_per_system_and_formulas_defused(estate: Estate) -> None:
    rows = list(csv.DictReader(io.StringIO(report(estate, "--format", "csv").stdout)))
    assert list(rows[0]) == list(tabular.SYSTEM_COLUMNS)
    by_product = {r["product"]: r for r in rows}
    assert set(by_product) == {s.product for s in estate.store.systems()}
    openai = by_product["openai"]
    assert openai["status"] == "approved"
    assert openai["shadow_ai"] == "no"
    assert openai["models"] == "gpt-4o; text-embedding-3-small"
    assert openai["owner"] == "Ann"
    assert by_product["anthropic"]["shadow_ai"] == "yes"

    evidence = list(
        csv.DictReader(io.StringIO(report(estate, "--format", "csv", "--table", "evidence").stdout))
    )
    sagemaker = [e for e in evidence if e["product"] == "aws-sagemaker"]
    assert [e["location"] for e in sagemaker] == [ENDPOINT_ARN]
    assert sagemaker[0]["snippet"] == HOSTILE  # starts with "<": kept as it is
    assert sagemaker[0]["attributes"] == (
        "instance_type=ml.g5.2xlarge; matched=AWS::SageMaker::Endpoint"
    )


def test_csv_cells_that_would_run_as_formulas_are_prefixed() -> None:
    assert tabular._csv_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert tabular._csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert tabular._csv_cell("openai") == "openai"
    assert tabular._csv_cell(3) == 3


def test_xlsx_has_three_sheets_checked_cell_by_cell(estate: Estate, tmp_path: Path) -> None:
    target = tmp_path / "inventory.xlsx"
    report(estate, "--format", "xlsx", "--output", str(target))
    book = load_workbook(target)
    assert book.sheetnames == ["systems", "evidence", "vendors"]

    systems = book["systems"]
    header = [c.value for c in systems[1]]
    assert header == list(tabular.SYSTEM_COLUMNS)
    rows = {r[2]: dict(zip(header, r, strict=True)) for r in systems.iter_rows(2, values_only=True)}
    openai = estate.by_product("openai")
    assert rows["openai"]["id"] == openai.id
    assert rows["openai"]["identity_key"] == openai.identity_key
    assert rows["openai"]["status"] == "approved"
    assert rows["openai"]["evidence_count"] == openai.evidence_count
    assert rows["aws-sagemaker"]["resource_id"] == ENDPOINT_ARN
    assert rows["aws-sagemaker"]["scope_name"] == "prod-account"
    assert systems.freeze_panes == "A2"

    evidence = book["evidence"]
    hostile = [r for r in evidence.iter_rows(2) if r[1].value == "aws-sagemaker"]
    snippet = hostile[0][tabular.EVIDENCE_COLUMNS.index("snippet")]
    assert snippet.value == HOSTILE
    assert snippet.data_type == "s"  # text, never a formula
    assert [c.value for c in evidence[1]] == list(tabular.EVIDENCE_COLUMNS)

    vendors = {r[2]: r for r in book["vendors"].iter_rows(2, values_only=True)}
    assert vendors["aws-bedrock"][:3] == ("aws", "Amazon Web Services", "aws-bedrock")
    assert vendors["openai"][tabular.VENDOR_COLUMNS.index("scopes")] == "support-bot"


def test_xlsx_formula_text_and_control_characters_stay_text(estate: Estate, tmp_path: Path) -> None:
    from reports.inventory import load_report

    data = load_report(estate.store)
    sagemaker = next(s for s in data.systems if s.product == "aws-sagemaker")
    evidence = sagemaker.evidence[0]
    tampered = type(evidence)(
        location=evidence.location,
        fingerprint=evidence.fingerprint,
        signal=evidence.signal,
        confidence=evidence.confidence,
        snippet="=1+1\x07 bell",
        models=evidence.models,
        attributes=evidence.attributes,
    )
    from dataclasses import replace

    systems = tuple(
        replace(s, evidence=(tampered,)) if s.id == sagemaker.id else s for s in data.systems
    )
    target = tmp_path / "t.xlsx"
    target.write_bytes(tabular.to_xlsx(replace(data, systems=systems)))
    sheet = load_workbook(target)["evidence"]
    cell = next(
        r[tabular.EVIDENCE_COLUMNS.index("snippet")]
        for r in sheet.iter_rows(2)
        if r[1].value == "aws-sagemaker"
    )
    assert cell.value == "=1+1 bell"
    assert cell.data_type == "s"


def test_markdown_is_the_latest_diff(estate: Estate) -> None:
    text = report(estate, "--format", "markdown").stdout
    assert text.startswith(
        f"## AI inventory changes: scan {estate.scans[2]} compared with scan {estate.scans[1]}"
    )
    assert "3 added, 0 removed, 1 changed, 0 unknown; **3 new shadow AI**." in text
    assert "| added | Anthropic API | support-bot | discovered |" in text
    older = report(estate, "--format", "markdown", "--scan", str(estate.scans[1])).stdout
    assert "compared with scan 1" in older


def test_output_file_and_usage_errors(estate: Estate, tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.json"
    target.parent.mkdir()
    result = report(estate, "--format", "json", "--output", str(target))
    assert json.loads(target.read_text())["schema"] == "aicensus.inventory/1"
    assert result.stdout == ""
    for args, message in [
        (["--format", "pdf"], "unknown format 'pdf'"),
        (["--format", "xlsx"], "give --output FILE.xlsx"),
        (["--format", "csv", "--table", "owners"], "unknown table 'owners'"),
        (["--format", "json", "--scan", "99"], "scan 99 cannot be reported"),
    ]:
        bad = runner.invoke(app, ["report", "--db", estate.url, *args])
        assert bad.exit_code == 2, bad.output
        assert message in bad.output


def test_all_includes_low_confidence_systems(estate: Estate) -> None:
    default = {s["product"] for s in json.loads(report(estate, "-f", "json").stdout)["systems"]}
    everything = json.loads(report(estate, "-f", "json", "--all").stdout)["systems"]
    by_product = {s["product"]: s for s in everything}
    # tests/test_fake.py imports mistralai: noise control keeps it, at low confidence.
    assert "mistral" not in default
    assert by_product["mistral"]["confidence"] == "low"
    assert set(by_product) == default | {"mistral"}


@pytest.mark.parametrize("fmt", ["json", "csv", "cyclonedx", "sarif", "html", "markdown"])
def test_no_report_holds_the_committed_key_in_clear(estate: Estate, fmt: str) -> None:
    text = report(estate, "--format", fmt).stdout
    assert estate.key not in text
    assert estate.key[8:40] not in text
