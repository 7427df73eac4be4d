"""Scan history through the CLI: diffs that are exact, coverage-safe, and the vendors roll-up.

Every test runs on SQLite and on PostgreSQL (``db_url``); a PostgreSQL schema is created with
``aicensus db upgrade`` first, as an operator would.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from inventory_db.store import Store, StoreError
from scanner.cli import app

runner = CliRunner()

MakeTree = Callable[..., Path]
Git = Callable[..., str]

V1: dict[str, str | bytes] = {
    "app.py": (
        "from openai import OpenAI\n"
        "\n"
        "client = OpenAI()\n"
        'reply = client.chat.completions.create(model="gpt-4o", messages=[])\n'
    ),
    "llm.py": (
        "from langchain_mistralai import ChatMistralAI\n"
        "\n"
        'llm = ChatMistralAI(model="mistral-large-latest")\n'
    ),
}
# Every OpenAI signal is gone, Anthropic arrives, and the LangChain usage names a second model.
V2: dict[str, str | bytes] = {
    "app.py": "import anthropic\n\nclient = anthropic.Anthropic()\n",
    "llm.py": (
        "from langchain_mistralai import ChatMistralAI\n"
        "\n"
        'llm = ChatMistralAI(model="mistral-large-latest")\n'
        'small = ChatMistralAI(model="mistral-small-latest")\n'
    ),
}


def cli(*args: str) -> Result:
    return runner.invoke(app, list(args))


def ok(*args: str) -> Result:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result


def upgraded(db_url: str) -> str:
    ok("db", "upgrade", "--db", db_url)
    return db_url


def inventory(db_url: str) -> dict[str, dict[str, Any]]:
    """The inventory JSON, by product."""
    doc = json.loads(ok("inventory", "list", "--db", db_url, "--format", "json").stdout)
    assert doc["schema"] == "aicensus.inventory/1"
    return {s["identity_key"]: s for s in doc["systems"]}


def rewrite(root: Path, files: dict[str, str | bytes], make_tree: MakeTree) -> None:
    for old in root.iterdir():
        if old.is_file():
            old.unlink()
    make_tree(files, root)


def test_store_refuses_a_postgres_database_without_schema_and_sqlite_creates_it(
    db_url: str,
) -> None:
    if db_url.startswith("postgresql"):
        # Arrange / Act / Assert: a server database is upgraded by an operator, never implicitly
        with pytest.raises(StoreError) as refused:
            Store(db_url)
        assert str(refused.value).endswith(
            "holds no aicensus schema yet: run `aicensus db upgrade --db URL` first"
        )
        result = cli("inventory", "list", "--db", db_url)
        assert result.exit_code == 1
        assert "holds no aicensus schema yet" in result.stderr
        assert "schema at revision 0003" in ok("db", "upgrade", "--db", db_url).stdout
    store = Store(db_url)
    assert store.schema_revision() == "0003"
    assert "database at 0003, aicensus needs 0003" in ok("db", "current", "--db", db_url).stdout
    store.close()


def test_diff_reports_added_removed_and_model_change_exactly(
    db_url: str, make_tree: MakeTree
) -> None:
    # Arrange: two scans of one repository, before and after a change
    upgraded(db_url)
    root = make_tree(V1)
    scope = str(root.resolve())
    ok("scan", str(root), "--db", db_url)
    rewrite(root, V2, make_tree)
    ok("scan", str(root), "--db", db_url)
    ids = {s["product"]: s["id"] for s in inventory(db_url).values()}
    assert sorted(ids) == ["anthropic", "langchain", "mistral", "openai"]

    # Act
    doc = json.loads(ok("diff", "--db", db_url, "--format", "json").stdout)
    markdown = ok("diff", "--db", db_url, "--format", "markdown").stdout

    # Assert
    def change(kind: str, product: str, name: str, vendor: str, **extra: Any) -> dict[str, Any]:
        return {
            "kind": kind,
            "id": ids[product],
            "identity_key": f"code:{scope}:{product}",
            "vendor": vendor,
            "product": product,
            "product_name": name,
            "category": "llm-api",
            "scope": {"kind": "code", "id": scope, "name": "repo"},
            "resource": None,
            "status": "discovered",
            "shadow": kind == "added",
            **extra,
        }

    assert doc == {
        "schema": "aicensus.diff/1",
        "from_scan": 1,
        "to_scan": 2,
        "summary": {"added": 1, "removed": 1, "changed": 1, "unknown": 0, "new_shadow_ai": 1},
        "changes": [
            change("added", "anthropic", "Anthropic API", "anthropic"),
            change("removed", "openai", "OpenAI API", "openai"),
            change(
                "changed",
                "mistral",
                "Mistral AI API",
                "mistral",
                models_added=["mistral-small-latest"],
                models_removed=[],
                locations_added=[],
                locations_removed=[],
                category_from=None,
            ),
        ],
    }
    assert markdown.splitlines() == [
        "## AI inventory changes: scan 2 compared with scan 1",
        "",
        "1 added, 1 removed, 1 changed, 0 unknown; **1 new shadow AI**.",
        "",
        "| Change | System | Scope | Status | Detail |",
        "|---|---|---|---|---|",
        "| added | Anthropic API | repo | discovered | **shadow AI: not in the register** |",
        "| removed | OpenAI API | repo | discovered |  |",
        "| changed | Mistral AI API | repo | discovered | models + `mistral-small-latest` |",
    ]
    # the same comparison named explicitly, and the first scan against an empty inventory
    explicit = ok("diff", "--db", db_url, "--from", "1", "--to", "2", "--format", "json")
    assert json.loads(explicit.stdout) == doc
    first = json.loads(ok("diff", "--db", db_url, "--to", "1", "--format", "json").stdout)
    assert first["from_scan"] is None
    assert [(c["kind"], c["product"]) for c in first["changes"]] == [
        ("added", "langchain"),
        ("added", "mistral"),
        ("added", "openai"),
    ]
    table = ok("diff", "--db", db_url).stdout
    assert "Scan 2 compared with scan 1" in table
    assert "+mistral-small-latest" in table  # cells may fold at the console's width


def test_a_source_that_fails_makes_its_systems_unknown_not_removed(
    db_url: str, make_tree: MakeTree, git: Git, tmp_path: Path
) -> None:
    # Arrange: scan 1 covers a local directory and a git repository cloned over file://
    upgraded(db_url)
    local = make_tree({"a.py": "import anthropic\n", "b.py": "import openai\n"})
    remote = make_tree({"svc/main.py": "import cohere\n"}, tmp_path / "remote")
    git(remote, "init", "-q")
    git(remote, "add", ".")
    git(remote, "commit", "-qm", "init")
    url = f"file://{remote}"
    ok("scan", str(local), url, "--db", db_url)
    (local / "b.py").unlink()  # OpenAI really goes away from the local directory
    shutil.rmtree(remote)  # the repository can no longer be cloned

    # Act
    second = cli("scan", str(local), url, "--db", db_url)
    doc = json.loads(ok("diff", "--db", db_url, "--format", "json").stdout)

    # Assert
    assert second.exit_code == 3, second.output
    assert "clone failed" in second.stderr
    assert doc["summary"] == {
        "added": 0,
        "removed": 1,
        "changed": 0,
        "unknown": 1,
        "new_shadow_ai": 0,
    }
    assert [(c["kind"], c["identity_key"], c.get("reason")) for c in doc["changes"]] == [
        ("removed", f"code:{local.resolve()}:openai", None),
        (
            "unknown",
            f"code:{url}:cohere",
            f"code:{url} (code) was not covered successfully by the newer scan",
        ),
    ]
    # the unknown system keeps the evidence of the last scan that saw it
    cohere = inventory(db_url)[f"code:{url}:cohere"]
    assert [e["location"] for e in cohere["evidence"]] == ["svc/main.py:1"]
    scans = Store(db_url).scans()
    assert [(s.id, s.status) for s in scans] == [(2, "partial"), (1, "succeeded")]


def test_vendors_lists_each_product_with_scopes_and_evidence_counts(
    db_url: str, make_tree: MakeTree, tmp_path: Path
) -> None:
    # Arrange: OpenAI in two repositories (one of them also in a test), Anthropic in one
    upgraded(db_url)
    first = make_tree(
        {
            "one.py": "import openai\n",
            "two.py": "from openai import OpenAI\nclient = OpenAI()\n",
            "three.py": "import anthropic\n",
            "tests/test_chat.py": "import openai\n",  # low confidence: not counted by default
        },
        tmp_path / "alpha",
    )
    second = make_tree({"main.py": "import openai\n"}, tmp_path / "beta")
    ok("scan", str(first), str(second), "--db", db_url)
    alpha, beta = f"code:{first.resolve()}", f"code:{second.resolve()}"

    # Act
    doc = json.loads(ok("inventory", "vendors", "--db", db_url, "--format", "json").stdout)
    table = ok("inventory", "vendors", "--db", db_url).stdout

    # Assert
    assert doc == {
        "schema": "aicensus.vendors/1",
        "vendors": [
            {
                "vendor": "anthropic",
                "vendor_name": "Anthropic",
                "product": "anthropic",
                "product_name": "Anthropic API",
                "category": "llm-api",
                "evidence_count": 1,
                "scopes": [{"scope": alpha, "name": "alpha", "evidence_count": 1}],
            },
            {
                "vendor": "openai",
                "vendor_name": "OpenAI",
                "product": "openai",
                "product_name": "OpenAI API",
                "category": "llm-api",
                "evidence_count": 4,
                "scopes": [
                    {"scope": alpha, "name": "alpha", "evidence_count": 3},
                    {"scope": beta, "name": "beta", "evidence_count": 1},
                ],
            },
        ],
    }
    # the counts agree with what `inventory list` shows for each system
    shown = {key: len(s["evidence"]) for key, s in inventory(db_url).items()}
    assert shown == {f"{alpha}:anthropic": 1, f"{alpha}:openai": 3, f"{beta}:openai": 1}
    rows = [line.split("│")[1:-1] for line in table.splitlines() if line.startswith("│")]
    assert [[cell.strip() for cell in row] for row in rows] == [
        ["Anthropic", "Anthropic API", "llm-api", "1", "1", "alpha"],
        ["OpenAI", "OpenAI API", "llm-api", "2", "4", "alpha, beta"],
    ]
    assert cli("inventory", "vendors", "--db", db_url, "--format", "xml").exit_code == 2
