"""The AI register through the CLI: --fail-on, export/import round trips, validation, audit trail.

Every test runs on SQLite and on PostgreSQL (``db_url``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner, Result

from inventory_db.store import Store
from scanner.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
MakeTree = Callable[..., Path]


def cli(*args: str) -> Result:
    return runner.invoke(app, list(args))


def ok(*args: str) -> Result:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result


def scanned(db_url: str, files: dict[str, str | bytes], make_tree: MakeTree) -> Path:
    """Upgrade the schema and scan one repository; returns its root."""
    ok("db", "upgrade", "--db", db_url)
    root = make_tree(files)
    ok("scan", str(root), "--db", db_url)
    return root


def system_ids(db_url: str) -> dict[str, int]:
    doc = json.loads(ok("inventory", "list", "--db", db_url, "--format", "json").stdout)
    return {s["product"]: s["id"] for s in doc["systems"]}


def export(db_url: str, fmt: str) -> str:
    return ok("register", "export", "-", "--db", db_url, "--format", fmt).stdout


def table_rows(output: str) -> list[list[str]]:
    """The cells of a Rich table's body rows."""
    return [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in output.splitlines()
        if line.startswith("│")
    ]


def test_fail_on_new_shadow_ai_exits_4_until_the_system_is_approved_in_the_register(
    db_url: str, make_tree: MakeTree, tmp_path: Path
) -> None:
    # Arrange: a known baseline, then OpenAI appears unregistered
    root = scanned(db_url, {"a.py": "import anthropic\n"}, make_tree)
    make_tree({"b.py": "from openai import OpenAI\n"}, root)
    register = tmp_path / "register.yaml"

    # Act / Assert: the policy fails on the new, unregistered system only
    shadow = cli("scan", str(root), "--db", db_url, "--fail-on", "new-shadow-ai")
    assert shadow.exit_code == 4, shadow.output
    assert "new shadow AI (1): OpenAI API in repo" in shadow.stderr

    # Act: approve it through an edited register export
    ok("register", "export", str(register), "--db", db_url)
    doc = yaml.safe_load(register.read_text(encoding="utf-8"))
    assert doc["schema"] == "aicensus.register/1"
    for row in doc["systems"]:
        if row["identity_key"].endswith(":openai"):
            row.update(status="approved", owner="Ada", owner_email="ada@example.com")
    register.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    imported = ok("register", "import", str(register), "--db", db_url, "--actor", "ada")

    # Assert
    assert "2 rows applied, 3 field changes recorded" in imported.stdout
    ok("scan", str(root), "--db", db_url, "--fail-on", "new-shadow-ai")
    # Approval is what passes the policy: OpenAI goes away and comes back, approved.
    (root / "b.py").unlink()
    ok("scan", str(root), "--db", db_url, "--fail-on", "new-shadow-ai")
    make_tree({"b.py": "from openai import OpenAI\n"}, root)
    back = ok("scan", str(root), "--db", db_url, "--fail-on", "new-shadow-ai")
    assert "new shadow AI" not in back.stderr
    diff = json.loads(ok("diff", "--db", db_url, "--format", "json").stdout)
    assert [(c["kind"], c["product"], c["status"], c["shadow"]) for c in diff["changes"]] == [
        ("added", "openai", "approved", False)
    ]
    assert diff["summary"]["new_shadow_ai"] == 0


def test_register_round_trips_through_yaml_and_csv(
    db_url: str, make_tree: MakeTree, tmp_path: Path
) -> None:
    # Arrange
    scanned(db_url, {"a.py": "import anthropic\n", "b.py": "import openai\n"}, make_tree)
    pristine_yaml, pristine_csv = export(db_url, "yaml"), export(db_url, "csv")
    as_yaml, as_csv = tmp_path / "register.yaml", tmp_path / "register.csv"
    as_yaml.write_text(pristine_yaml, encoding="utf-8")
    as_csv.write_text(pristine_csv, encoding="utf-8")

    # Act / Assert: an unedited export imports cleanly and changes nothing
    for path in (as_yaml, as_csv):
        unchanged = ok("register", "import", str(path), "--db", db_url, "--actor", "t")
        assert "2 rows applied, 0 field changes recorded" in unchanged.stdout
    assert export(db_url, "yaml") == pristine_yaml

    # Act: edit the CSV as a spreadsheet would, and import it
    rows = list(csv.DictReader(io.StringIO(pristine_csv)))
    assert [r["status"] for r in rows] == ["discovered", "discovered"]
    rows[0].update(status="registered", team="support", business_purpose="answer tickets")
    rows[1].update(status="rejected", notes="use the approved vendor")
    edited = io.StringIO()
    writer = csv.DictWriter(edited, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    as_csv.write_text(edited.getvalue(), encoding="utf-8")
    applied = ok("register", "import", str(as_csv), "--db", db_url, "--actor", "t")

    # Assert: the export now is exactly the edited file, in both formats
    assert "2 rows applied, 5 field changes recorded" in applied.stdout
    assert export(db_url, "csv") == edited.getvalue()
    exported = yaml.safe_load(export(db_url, "yaml"))["systems"]
    assert [(r["status"], r["team"], r["business_purpose"], r["notes"]) for r in exported] == [
        ("registered", "support", "answer tickets", ""),
        ("rejected", "", "", "use the approved vendor"),
    ]
    # An emptied cell clears the field, as in YAML.
    rows[0]["business_purpose"] = ""
    cleared = io.StringIO()
    writer = csv.DictWriter(cleared, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    as_csv.write_text(cleared.getvalue(), encoding="utf-8")
    applied = ok("register", "import", str(as_csv), "--db", db_url, "--actor", "t")
    assert "2 rows applied, 1 field changes recorded" in applied.stdout
    assert export(db_url, "csv") == cleared.getvalue()
    # A system can never be imported back to `discovered` once a person decided on it.
    as_yaml.write_text(pristine_yaml, encoding="utf-8")
    back = cli("register", "import", str(as_yaml), "--db", db_url)
    assert back.exit_code == 2
    assert "row 1: status cannot go back to 'discovered' (it is 'registered')" in back.stderr
    assert "row 2: status cannot go back to 'discovered' (it is 'rejected')" in back.stderr
    assert export(db_url, "csv") == cleared.getvalue()


def test_register_import_reports_every_bad_row_and_changes_nothing(
    db_url: str, make_tree: MakeTree, tmp_path: Path
) -> None:
    # Arrange
    files: dict[str, str | bytes] = {
        "a.py": "import anthropic\n",
        "b.py": "import openai\n",
        "c.py": "import cohere\n",
    }
    root = scanned(db_url, files, make_tree)
    anthropic, openai, cohere = (
        f"code:{root.resolve()}:{p}" for p in ("anthropic", "openai", "cohere")
    )
    before = export(db_url, "yaml")
    rows: list[dict[str, Any]] = [
        {"identity_key": anthropic, "status": "approved", "owner": "Ada"},  # fine on its own
        {"identity_key": openai, "status": "maybe"},
        {"identity_key": cohere, "owner_email": "not-an-email"},
        {"identity_key": anthropic, "team": "x"},
        {"identity_key": "code:/nowhere:openai", "colour": "red"},
        {"owner": "nobody"},
    ]
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text(yaml.safe_dump({"systems": rows}), encoding="utf-8")
    bad_csv = tmp_path / "bad.csv"
    columns = ["identity_key", "status", "owner", "owner_email", "team", "colour"]
    with bad_csv.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    # Act
    from_yaml = cli("register", "import", str(bad_yaml), "--db", db_url)
    from_csv = cli("register", "import", str(bad_csv), "--db", db_url)

    # Assert: every problem, with its row number (CSV rows count the header as row 1)
    assert from_yaml.exit_code == 2, from_yaml.output
    assert from_yaml.stderr.splitlines() == [
        f"{bad_yaml}: row 2: status 'maybe' is not one of approved, registered, rejected, retired",
        f"{bad_yaml}: row 3: owner_email 'not-an-email' is not an email address",
        f"{bad_yaml}: row 4: {anthropic} already appears in row 1",
        f"{bad_yaml}: row 5: unknown field(s) colour",
        f"{bad_yaml}: row 5: no system with identity_key code:/nowhere:openai",
        f"{bad_yaml}: row 6: identity_key is missing",
        "error: 6 error(s); nothing was changed",
    ]
    assert from_csv.exit_code == 2, from_csv.output
    csv_errors = from_csv.stderr.splitlines()
    assert [line.split(": ")[1] for line in csv_errors[:-1]] == [
        "row 1",
        "row 3",
        "row 4",
        "row 5",
        "row 6",
        "row 7",
    ]
    assert csv_errors[0] == f"{bad_csv}: row 1: unknown column(s) colour"
    assert csv_errors[-1] == "error: 6 error(s); nothing was changed"
    assert export(db_url, "yaml") == before
    for system_id in system_ids(db_url).values():
        assert Store(db_url).events(system_id) == []


def test_set_status_and_assign_owner_are_audited_and_shown(
    db_url: str, make_tree: MakeTree
) -> None:
    # Arrange
    scanned(db_url, {"a.py": "import anthropic\n"}, make_tree)
    system_id = str(system_ids(db_url)["anthropic"])

    # Act
    ok(
        "inventory", "set-status", system_id, "approved", "--db", db_url,
        "--owner", "Ada", "--owner-email", "ada@example.com", "--team", "support",
        "--purpose", "answer tickets", "--note", "security review 42", "--actor", "alice",
    )  # fmt: skip
    ok(
        "inventory", "assign-owner", system_id, "Grace", "--db", db_url,
        "--owner-email", "grace@example.com", "--actor", "bob",
    )  # fmt: skip
    rejected = [
        cli("inventory", "set-status", system_id, "discovered", "--db", db_url),
        cli("inventory", "set-status", system_id, "maybe", "--db", db_url),
        cli("inventory", "assign-owner", system_id, "Eve", "--owner-email", "eve", "--db", db_url),
        cli("inventory", "set-status", "999", "approved", "--db", db_url),
    ]
    # the real command, on a terminal wide enough that no cell folds
    history = subprocess.run(
        [sys.executable, "-m", "scanner.cli", "inventory", "history", system_id, "--db", db_url],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "250"},
        timeout=60,
        check=True,
    ).stdout
    shown = json.loads(ok("inventory", "show", system_id, "--db", db_url, "-f", "json").stdout)

    # Assert
    assert [r.exit_code for r in rejected] == [2, 2, 2, 2]
    assert "no AI system with id 999" in rejected[3].stderr
    assert Store(db_url).events(int(system_id))[0][1:] == (
        "alice",
        "status",
        "discovered",
        "approved",
        "security review 42",
    )
    assert [row[1:] for row in table_rows(history)] == [
        ["alice", "status", "discovered", "approved", "security review 42"],
        ["alice", "owner", "", "Ada", "security review 42"],
        ["alice", "owner_email", "", "ada@example.com", "security review 42"],
        ["alice", "team", "", "support", "security review 42"],
        ["alice", "business_purpose", "", "answer tickets", "security review 42"],
        ["bob", "owner", "Ada", "Grace", ""],
        ["bob", "owner_email", "ada@example.com", "grace@example.com", ""],
    ]
    assert shown["status"] == "approved"
    assert shown["owner"] == {"name": "Grace", "email": "grace@example.com", "team": "support"}
    assert shown["business_purpose"] == "answer tickets"
    [registered] = yaml.safe_load(export(db_url, "yaml"))["systems"]
    assert registered["owner"] == "Grace" and registered["status"] == "approved"
