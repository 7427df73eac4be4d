"""`aicensus scan` end to end: the foundation's acceptance scenario and its bad-input paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inventory_db.store import Store
from scanner.cli import app

runner = CliRunner()

APP_FILES: dict[str, str | bytes] = {
    "bot/app.py": (
        "from openai import OpenAI\n"
        "\n"
        "client = OpenAI()\n"
        "\n"
        "def ask(q):\n"
        "    return client.chat.completions.create(\n"
        '        model="gpt-4o-mini", messages=[{"role": "user", "content": q}]\n'
        "    )\n"
    ),
    "web/chat.ts": 'import Anthropic from "@anthropic-ai/sdk";\nconst c = new Anthropic();\n',
    "requirements.txt": "flask==3.0\nlangchain-openai==0.2.3\n",
    # bait: none of these is a use of AI
    "shop/models.py": (
        "from django.db import models\n\nclass Agent(models.Model):\n"
        "    token = models.CharField(max_length=64)\n"
    ),
    "shop/pricing.py": 'llm = 3\nmodel = "standard"\n',
    "README.md": "# Shop\nWe looked at OpenAI and gpt-4o-mini but did not use them.\n",
}


def scan(root: Path | str, db: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["scan", str(root), "--db", f"sqlite:///{db}", *extra])
    return result.exit_code, result.output


def inventory(db: Path, *extra: str) -> dict:
    result = runner.invoke(
        app, ["inventory", "list", "--db", f"sqlite:///{db}", "--format", "json", *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_acceptance_three_separate_systems_with_file_line_evidence(
    make_tree, tmp_path: Path
) -> None:
    root = make_tree(APP_FILES)
    db = tmp_path / "inv.db"

    code, output = scan(root, db)

    assert code == 0, output
    doc = inventory(db)
    assert doc["schema"] == "aicensus.inventory/1"
    systems = {s["product"]: s for s in doc["systems"]}
    assert set(systems) == {"openai", "anthropic", "langchain"}
    openai = systems["openai"]
    assert openai["vendor"] == "openai" and openai["category"] == "llm-api"
    assert openai["models"] == ["gpt-4o-mini"]
    assert openai["scope"] == {"kind": "code", "id": str(root.resolve()), "name": "repo"}
    locations = {(e["location"], e["signal"]) for e in openai["evidence"]}
    assert ("bot/app.py:1", "code_import") in locations
    assert ("bot/app.py:3", "code_call") in locations
    assert ("bot/app.py:7", "model_id") in locations
    assert ("requirements.txt:2", "package") in locations  # langchain-openai uses OpenAI
    assert {e["location"] for e in systems["anthropic"]["evidence"]} == {
        "web/chat.ts:1",
        "web/chat.ts:2",
    }
    assert [(e["location"], e["signal"]) for e in systems["langchain"]["evidence"]] == [
        ("requirements.txt:2", "package")
    ]
    every_location = {e["location"].split(":")[0] for s in doc["systems"] for e in s["evidence"]}
    assert not every_location & {"shop/models.py", "shop/pricing.py", "README.md"}
    for system in doc["systems"]:
        assert {
            "id",
            "vendor",
            "product",
            "category",
            "scope",
            "models",
            "first_seen",
            "last_seen",
            "status",
            "evidence",
        } <= set(system)
        assert system["status"] == "discovered"


def test_rescan_keeps_the_systems_and_advances_last_seen(make_tree, tmp_path: Path) -> None:
    root = make_tree(APP_FILES)
    db = tmp_path / "inv.db"
    scan(root, db)
    first = {s["identity_key"]: s for s in inventory(db)["systems"]}
    code, _ = scan(root, db)
    second = {s["identity_key"]: s for s in inventory(db)["systems"]}
    assert code == 0
    assert set(first) == set(second)
    for key in first:
        assert second[key]["id"] == first[key]["id"]
        assert second[key]["first_seen"] == first[key]["first_seen"]
        assert second[key]["last_seen"] > first[key]["last_seen"]


def test_tests_docs_and_vendored_code_are_low_confidence_and_hidden_by_default(
    make_tree, tmp_path: Path
) -> None:
    root = make_tree(
        {
            "tests/test_llm.py": "import cohere\n",
            "docs/conf.py": "import mistralai\n",
            "third_party/lib/x.py": "import ollama\n",
            "examples/demo.py": "import anthropic\n",
        }
    )
    db = tmp_path / "inv.db"
    scan(root, db)
    assert [s["product"] for s in inventory(db)["systems"]] == ["anthropic"]
    everything = {s["product"]: s for s in inventory(db, "--all")["systems"]}
    assert set(everything) == {"anthropic", "cohere", "mistral", "ollama"}
    assert everything["cohere"]["confidence"] == "low"


def test_an_ai_sdk_package_provides_its_integration(make_tree, tmp_path: Path) -> None:
    root = make_tree(
        {
            "pyproject.toml": '[project]\nname = "langchain-openai"\n'
            'dependencies = ["openai>=1"]\n',
            "langchain_openai/chat.py": "import openai\nfrom anthropic import Anthropic\n",
        }
    )
    db = tmp_path / "inv.db"
    scan(root, db)
    systems = {s["product"]: s for s in inventory(db)["systems"]}
    # the package *is* LangChain's OpenAI integration: reported as provided, not as a user
    assert set(systems) >= {"langchain"}
    assert [e["signal"] for e in systems["langchain"]["evidence"]] == ["provides"]
    assert "anthropic" not in systems
    # its own files are not read by default, and the scan says so
    assert "anthropic" not in {s["product"] for s in inventory(db, "--all")["systems"]}
    skips = {path: reason for _, path, reason in Store(f"sqlite:///{db}").skips(1)}
    assert skips["."].startswith("package that provides LangChain")
    # --deep reads them, as low confidence
    deep_db = tmp_path / "deep.db"
    scan(root, deep_db, "--deep")
    low = {s["product"]: s for s in inventory(deep_db, "--all")["systems"]}
    assert low["anthropic"]["confidence"] == "low"
    assert "anthropic" not in {s["product"] for s in inventory(deep_db)["systems"]}


def test_bad_input_is_recorded_and_the_scan_goes_on(make_tree, tmp_path: Path) -> None:
    root = make_tree(
        {
            "ok.py": "import anthropic\n",
            "bad_utf8.py": b"import openai\nname = '\xff\xfe'\n",
            "binary.py": b"import openai\x00\x01\x02",
            "package.json": '{"dependencies": {"openai": }',
            "pyproject.toml": '[project\ndependencies = ["anthropic"',
            "big.py": "import cohere\n" + "#" * (2 * 1024 * 1024),
            "broken.ts": "import { Mistral } from '@mistralai/mistralai';\nfunction (\n",
        }
    )
    (root / "loop").symlink_to(root / "loop")
    db = tmp_path / "inv.db"

    code, output = scan(root, db, "--max-file-size", "1")

    assert code == 0, output
    products = {s["product"] for s in inventory(db)["systems"]}
    assert products == {"anthropic", "openai", "mistral"}
    skipped = {path: reason for _, path, reason in Store(f"sqlite:///{db}").skips(1)}
    for path, reason in [
        ("binary.py", "binary content"),
        ("package.json", "malformed package.json"),
        ("pyproject.toml", "malformed pyproject"),
        ("big.py", "larger than the size cap"),
        ("loop", "symlink loop"),
        ("broken.ts", "syntax errors"),
    ]:
        assert reason in skipped.get(path, ""), (path, reason, skipped)


def test_missing_directory_fails_the_scan_with_a_clear_message(tmp_path: Path) -> None:
    code, output = scan(tmp_path / "nope", tmp_path / "inv.db")
    assert code == 1
    assert "no such directory" in output


def test_one_bad_target_makes_a_partial_scan(make_tree, tmp_path: Path) -> None:
    root = make_tree({"a.py": "import anthropic\n"})
    db = tmp_path / "inv.db"
    result = runner.invoke(
        app, ["scan", str(root), f"file://{tmp_path}/missing.git", "--db", f"sqlite:///{db}"]
    )
    assert result.exit_code == 3, result.output
    assert "clone failed" in result.output
    assert [s["product"] for s in inventory(db)["systems"]] == ["anthropic"]


def test_git_url_target_is_cloned_and_scoped_by_its_url(make_tree, tmp_path: Path, git) -> None:
    origin = make_tree({"svc/main.py": "import boto3\nc = boto3.client('bedrock-runtime')\n"})
    git(origin, "init", "-q")
    git(origin, "add", ".")
    git(origin, "commit", "-qm", "init")
    db = tmp_path / "inv.db"
    code, output = scan(f"file://{origin}", db)
    assert code == 0, output
    [system] = inventory(db)["systems"]
    assert system["product"] == "aws-bedrock"
    assert system["scope"]["id"] == f"file://{origin}"


def test_database_errors_are_one_clear_line(make_tree, tmp_path: Path) -> None:
    root = make_tree({"a.py": "import anthropic\n"})
    result = runner.invoke(
        app, ["scan", str(root), "--db", "postgresql+psycopg://x@127.0.0.1:1/db"]
    )
    assert result.exit_code == 1
    assert "error:" in result.output and "Traceback" not in result.output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["inventory", "list", "--format", "xml", "--db", f"sqlite:///{tmp_path}/x.db"]
    )
    assert result.exit_code == 2
    assert runner.invoke(app, ["scan"]).exit_code == 2


def test_parallel_scan_matches_in_process_scan(make_tree, tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {f"pkg{i}/m{i}.py": "import json\n" for i in range(450)}
    files["pkg7/ai.py"] = "import anthropic\n"
    files["pkg400/ai.ts"] = "import OpenAI from 'openai';\n"
    root = make_tree(files)
    db_par, db_one = tmp_path / "par.db", tmp_path / "one.db"
    scan(root, db_par, "--jobs", "2")
    scan(root, db_one, "--jobs", "1")
    strip = lambda doc: sorted(  # noqa: E731
        (s["product"], tuple(e["location"] for e in s["evidence"])) for s in doc["systems"]
    )
    assert (
        strip(inventory(db_par))
        == strip(inventory(db_one))
        == [("anthropic", ("pkg7/ai.py:1",)), ("openai", ("pkg400/ai.ts:1",))]
    )


def test_the_installed_command_runs(make_tree, tmp_path: Path) -> None:
    root = make_tree({"a.py": "import anthropic\n"})
    exe = Path(sys.executable).parent / "aicensus"
    env = {**os.environ, "AICENSUS_DB": f"sqlite:///{tmp_path}/env.db"}
    proc = subprocess.run([str(exe), "scan", str(root)], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Anthropic API" in proc.stdout
    assert (tmp_path / "env.db").exists()
    assert (
        "Exit codes" in subprocess.run([str(exe), "--help"], capture_output=True, text=True).stdout
    )


@pytest.mark.parametrize("command", [["fingerprints", "check"], ["fingerprints", "list"]])
def test_fingerprint_commands(command: list[str]) -> None:
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output


def test_owner_suggestions_come_from_codeowners_and_committers(
    make_tree, tmp_path: Path, git
) -> None:
    root = make_tree({"CODEOWNERS": "/bot/ @acme/ml\n", "bot/app.py": "import anthropic\n"})
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "-c", "user.name=Ann", "-c", "user.email=ann@x.example", "commit", "-qm", "a")
    db = tmp_path / "inv.db"
    scan(root, db)
    [system] = inventory(db)["systems"]
    shown = runner.invoke(
        app, ["inventory", "show", str(system["id"]), "--db", f"sqlite:///{db}", "-f", "json"]
    )
    hints = json.loads(shown.stdout)["suggested_owners"]
    assert [(h["owner"], h["source"]) for h in hints] == [
        ("@acme/ml", "codeowners"),
        ("Ann <ann@x.example>", "committer"),
    ]
    assert json.loads(shown.stdout)["owner"] == {"name": "", "email": "", "team": ""}
