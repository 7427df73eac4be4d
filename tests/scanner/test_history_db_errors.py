"""A database that cannot be reached or written: one clear error line, exit 1, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from scanner.cli import app

runner = CliRunner()
MakeTree = Callable[..., Path]
ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = "postgresql+psycopg://aicensus@127.0.0.1:1/inventory"


def cli(*args: str) -> Result:
    return runner.invoke(app, list(args))


def one_error_line(result: Result, *, starts: str) -> str:
    """The command failed with exit 1 and said why on exactly one line of stderr."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a crash
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(starts), lines[0]
    return lines[0]


def read_only(db_url: str) -> str:
    """The same database, opened so that no write can succeed (even for root)."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///file:{url.database}?mode=ro&uri=true"
    options = f"{url.query['options']} -cdefault_transaction_read_only=on"
    return url.update_query_dict({"options": options}).render_as_string(hide_password=False)


@pytest.mark.parametrize(
    "command",
    [
        ["scan", "."],
        ["inventory", "list"],
        ["inventory", "show", "1"],
        ["inventory", "vendors"],
        ["inventory", "history", "1"],
        ["inventory", "set-status", "1", "approved"],
        ["diff"],
        ["scans"],
        ["register", "export", "-"],
        ["db", "upgrade"],
        ["db", "current"],
    ],
)
def test_an_unreachable_database_is_one_clear_error_line(command: list[str]) -> None:
    result = cli(*command, "--db", UNREACHABLE)
    line = one_error_line(result, starts=f"error: cannot open {UNREACHABLE}: ")
    assert "Connection refused" in line


def test_the_installed_command_reports_an_unreachable_database_without_a_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "scanner.cli", "inventory", "list", "--db", UNREACHABLE],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"error: cannot open {UNREACHABLE}: connection failed")
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_a_read_only_database_refuses_writes_clearly_and_still_answers_reads(
    db_url: str, make_tree: MakeTree, tmp_path: Path
) -> None:
    # Arrange: an inventory with one scan, then the same database opened read-only
    assert cli("db", "upgrade", "--db", db_url).exit_code == 0
    root = make_tree({"a.py": "import anthropic\n"})
    assert cli("scan", str(root), "--db", db_url).exit_code == 0
    before = cli("inventory", "list", "--db", db_url, "--format", "json").stdout
    ro = read_only(db_url)
    register = tmp_path / "register.yaml"
    assert cli("register", "export", str(register), "--db", ro).exit_code == 0
    register.write_text(register.read_text().replace("discovered", "approved"))

    # Act
    writes = [
        cli("scan", str(root), "--db", ro),
        cli("inventory", "set-status", "1", "approved", "--db", ro),
        cli("inventory", "assign-owner", "1", "Ada", "--db", ro),
        cli("register", "import", str(register), "--db", ro),
        cli("scan", str(root), "--db", ro, "--lock"),
    ]

    # Assert: each write is one line naming the database and the reason
    reason = "attempt to write a readonly database" if "sqlite" in ro else "read-only transaction"
    for result in writes:
        line = one_error_line(result, starts="error: cannot write to ")
        assert reason in line, line
    assert cli("inventory", "list", "--db", ro, "--format", "json").stdout == before
    assert json.loads(cli("diff", "--db", ro, "--format", "json").stdout)["to_scan"] == 1
    assert cli("inventory", "list", "--db", db_url, "--format", "json").stdout == before
