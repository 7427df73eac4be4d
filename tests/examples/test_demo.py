"""The demo end to end: stand-ins on 127.0.0.1, the real ``aicensus`` processes, two scans with
a change in between, and what the newcomer is promised on screen (inventory, diff, report)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from examples import demo_estate
from scanner.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _run_python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def _diff(db_url: str) -> dict[str, Any]:
    result = runner.invoke(app, ["diff", "--db", db_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_demo_scans_twice_and_shows_inventory_diff_and_report(tmp_path: Path) -> None:
    # Arrange: the demo runs from a directory of its own, like a fresh checkout's user
    workdir = tmp_path / "demo"

    # Act
    proc = _run_python("-m", "examples.demo", "--workdir", str(workdir), cwd=tmp_path)

    # Assert: it worked, and the screen ends with inventory, diff and report path
    screen = proc.stdout
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "left out" not in screen  # every stand-in ran (the dev extras are installed)
    inventory_at = screen.index("$ aicensus inventory list")
    diff_at = screen.index("$ aicensus diff")
    assert inventory_at < diff_at < screen.index(f"HTML report: {workdir / 'report.html'}")
    diff_screen = screen[diff_at:]
    for row in ("added", "Anthropic API", "billing-service", "removed", "+gpt-4o-mini:2024-07-18"):
        assert row in diff_screen, row
    # the diff itself, as the inventory records it: each change the demo made, and no other
    diff = _diff(f"sqlite:///{workdir / 'demo.db'}")
    changes = {(c["kind"], c["product"], c["scope"]["kind"]) for c in diff["changes"]}
    assert changes == {
        ("added", "anthropic", "code"),
        ("added", "aws-bedrock", "aws"),
        ("removed", "aws-sagemaker", "aws"),
        ("changed", "azure-openai", "azure"),
    }
    # every source kind reached the inventory
    listed = runner.invoke(
        app, ["inventory", "list", "--db", f"sqlite:///{workdir / 'demo.db'}", "--format", "json"]
    )
    kinds = {s["scope"]["kind"] for s in json.loads(listed.stdout)["systems"]}
    assert kinds >= {"code", "aws", "azure", "gcp", "m365", "github", "okta", "slack"}
    report = workdir / "report.html"
    html = report.read_text(encoding="utf-8")
    assert "invoice-helper" in html and "billing-service" in html
    # a value the stand-in held (the Lambda's key) is stored and shown nowhere
    secret = demo_estate.LAMBDA_KEY_VALUE
    assert secret not in screen + proc.stderr + html
    assert secret.encode() not in (workdir / "demo.db").read_bytes()
    # the change was made to the demo's copy of the estate, never to the source tree
    assert (workdir / "estate" / demo_estate.NEW_FILE).is_file()
    assert not (ROOT / "examples" / "estate" / demo_estate.NEW_FILE).exists()


def test_a_stand_in_without_its_package_is_left_out_with_the_package_named(
    tmp_path: Path,
) -> None:
    # Arrange: moto cannot be imported (as after a plain `pip install .`)
    code = (
        "import json, sys; sys.modules['moto'] = None\n"
        "from pathlib import Path\n"
        "from examples.demo import start_standins\n"
        "sources, missing = start_standins(Path(sys.argv[1]))\n"
        "for s in sources: s.stop()\n"
        "print(json.dumps({'sources': [s.name for s in sources], 'missing': missing}))\n"
    )

    # Act
    proc = _run_python("-c", code, str(tmp_path), cwd=tmp_path)

    # Assert
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.splitlines()[-1])
    assert [name.split()[0] for name in result["sources"]] == ["Azure", "Google", "SaaS"]
    (message,) = result["missing"]
    assert message.startswith("AWS stand-in left out")
    assert "moto[server]" in message and "pip install -e '.[dev]'" in message


def test_demo_command_outside_the_source_tree_says_where_the_demo_is(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Arrange: the examples package is absent, as in an installed wheel
    monkeypatch.setitem(sys.modules, "examples", None)  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "examples.demo", None)  # type: ignore[arg-type]

    # Act
    result = runner.invoke(app, ["demo", "--workdir", str(tmp_path / "d")])

    # Assert
    assert result.exit_code == 2
    assert "ships with the source tree" in result.output and "make demo" in result.output
    assert not (tmp_path / "d").exists()
