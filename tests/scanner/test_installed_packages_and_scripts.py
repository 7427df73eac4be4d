"""Installed packages speak through their metadata; extension-less scripts are read as source."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from detectors.base import Confidence
from inventory_db.store import Store
from scanner.run import ScanRequest, run_scan

MakeTree = Callable[..., Path]


def scan(tmp_path: Path, root: Path) -> tuple[Store, list[str]]:
    store = Store(f"sqlite:///{tmp_path / 'inv.db'}")
    result = run_scan(store, ScanRequest(targets=(str(root),), jobs=1))
    return store, [f"{s.locator}: {s.reason}" for s in result.coverage.skips]


def test_a_dist_info_speaks_for_its_sibling_package(tmp_path: Path, make_tree: MakeTree) -> None:
    # Arrange: an installed Langfuse SDK (it wraps OpenAI) next to an app that uses Anthropic
    root = make_tree(
        {
            "lib/langfuse-2.60.3.dist-info/METADATA": (
                "Metadata-Version: 2.1\nName: langfuse\nVersion: 2.60.3\n"
                "Requires-Dist: httpx (>=0.15.4,<1.0)\n"
            ),
            "lib/langfuse/openai.py": "import openai\n\nclient = openai.OpenAI()\n",
            "lib/langfuse/__init__.py": "from .client import Langfuse\n",
            "app/main.py": "import anthropic\n",
        }
    )

    # Act
    store, skips = scan(tmp_path, root)

    # Assert: the SDK's own OpenAI wrapper is what it provides, not what the estate uses
    products = {s.product for s in store.systems(Confidence.MEDIUM)}
    assert "openai" not in products
    assert {"anthropic", "langfuse"} <= products
    assert any(s.startswith("lib/langfuse-2.60.3.dist-info: package that provides") for s in skips)


def test_an_extension_less_script_with_a_shebang_is_source(
    tmp_path: Path, make_tree: MakeTree
) -> None:
    root = make_tree(
        {
            "bin/gpt": "#!/usr/bin/env python3\nimport openai\nMODEL = 'gpt-3.5-turbo'\n",
            "bin/notes": "openai is mentioned here but this is not a script\n",
            "bin/run": "#!/bin/sh\nexec openai api chat.completions.create\n",
        }
    )

    store, _ = scan(tmp_path, root)

    (system,) = store.systems()
    record = store.system(system.id)
    assert record is not None
    assert system.product == "openai" and system.models == ("gpt-3.5-turbo",)
    assert {e.location for e in record.evidence} == {"bin/gpt:2", "bin/gpt:3"}
