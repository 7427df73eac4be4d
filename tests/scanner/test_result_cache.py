"""The per-file result cache: reused only when path, content and configuration are unchanged."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from connectors.base import FileRef, Scope
from detectors.base import Finding
from detectors.engine import FileResult, ScanOptions
from fingerprints.catalog import Catalog
from inventory_db.store import Store
from scanner.cache import FILE_NAME, RACY_NS, ResultCache, config_key
from scanner.run import ScanRequest, ScanResult, run_scan

MakeTree = Callable[..., Path]

REPO = {
    "bot/app.py": "from openai import OpenAI\n\nclient = OpenAI()\nMODEL = 'gpt-4o-mini'\n",
    "web/chat.ts": "import Anthropic from '@anthropic-ai/sdk';\nconst c = new Anthropic();\n",
    "requirements.txt": "langchain==0.3.0\n",
    "README.md": "Calls https://api.openai.com/v1/chat/completions\n",
    "util/strings.py": "def slug(s):\n    return s.lower()\n",
}


def scan(tmp: Path, root: Path, cache: Path, **options: bool) -> ScanResult:
    store = Store(f"sqlite:///{tmp / 'inventory.db'}")
    request = ScanRequest(
        targets=(str(root),), options=ScanOptions(**options), jobs=1, cache_dir=cache
    )
    return run_scan(store, request)


def facts(findings: list[Finding]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    return sorted((f.product_id, str(f.location), f.signal.value, f.models) for f in findings)


def backdate(root: Path) -> None:
    """Make every file look written well before the scan (stat signatures are then trusted)."""
    old = time.time_ns() - 60_000_000_000
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(old, old))


def test_an_unchanged_tree_is_not_read_again(tmp_path: Path, make_tree: MakeTree) -> None:
    # Arrange
    root = make_tree(REPO)
    backdate(root)
    cache = tmp_path / "cache"
    first = scan(tmp_path, root, cache)

    # Act
    second = scan(tmp_path, root, cache)

    # Assert
    assert first.reused == 0
    # README.md too: no detector reads it by default, and its unchanged name says so again
    assert second.reused == second.reused_unread == 5
    assert facts(second.findings) == facts(first.findings)
    assert not second.coverage.skips


def test_a_fresh_copy_reuses_results_by_content(tmp_path: Path, make_tree: MakeTree) -> None:
    # Arrange: a new clone has new mtimes and inodes but the same content at the same paths
    root = make_tree(REPO)
    cache = tmp_path / "cache"
    first = scan(tmp_path, root, cache)
    copy = tmp_path / "clone"
    shutil.copytree(root, copy)

    # Act
    second = scan(tmp_path, copy, cache)

    # Assert: the three files with a keyword are not parsed again; util/strings.py has none, so
    # scanning it again is cheaper than hashing it would be
    assert second.reused == 3
    assert second.reused_unread == 0  # every file was read
    assert [(p, loc, s, m) for p, loc, s, m in facts(second.findings)] == facts(first.findings)
    assert {f.scope.id for f in second.findings} == {str(copy.resolve())}


def test_changed_content_moved_files_and_new_options_are_scanned_afresh(
    tmp_path: Path, make_tree: MakeTree
) -> None:
    # Arrange
    root = make_tree(REPO)
    cache = tmp_path / "cache"
    scan(tmp_path, root, cache)
    (root / "bot/app.py").write_text("import anthropic\n")
    (root / "web/chat.ts").rename(root / "web/assistant.ts")

    # Act
    changed = scan(tmp_path, root, cache)
    with_docs = scan(tmp_path, root, cache, include_docs=True)

    # Assert: the edited and the moved file are scanned again; requirements.txt is reused
    assert changed.reused == 1
    found = {(f.product_id, f.location.locator) for f in changed.findings}
    assert ("anthropic", "bot/app.py") in found
    assert ("openai", "bot/app.py") not in found
    assert ("anthropic", "web/assistant.ts") in found
    # another configuration remembers nothing of the first
    assert with_docs.reused == 0
    assert "README.md" in {f.location.locator for f in with_docs.findings}


def test_a_stat_signature_recorded_in_the_racy_window_is_not_trusted(
    tmp_path: Path, catalog: Catalog
) -> None:
    # Arrange: two files with identical stat signatures apart from their age; an edit within
    # the clock's resolution would leave a just-written file's signature unchanged
    cache = ResultCache(tmp_path / "cache", config_key(catalog, ScanOptions()))
    scope = Scope("code", "/repo", "repo")
    now = time.time_ns()
    fresh = FileRef(tmp_path, "fresh.py", 14, now, now, 1)
    settled = FileRef(tmp_path, "settled.py", 14, now - 10 * RACY_NS, now, 2)
    cache.begin(scope)
    for ref in (fresh, settled):
        memo = cache.memo(scope)
        memo.put(ref.relpath, b"import openai\n", FileResult(ref.relpath))
        cache.learn([ref], memo)
    cache.commit(scope)

    # Act
    cache.begin(scope)

    # Assert
    assert cache.by_stat(fresh, scope) is None
    assert cache.by_stat(settled, scope) == (FileResult("settled.py"), False)
    cache.close()


def test_a_damaged_cache_is_replaced_and_the_scan_goes_on(
    tmp_path: Path, make_tree: MakeTree, caplog: pytest.LogCaptureFixture
) -> None:
    # Arrange
    root = make_tree(REPO)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / FILE_NAME).write_bytes(b"\x00garbage, not a database" * 100)

    # Act
    with caplog.at_level(logging.WARNING):
        first = scan(tmp_path, root, cache)
    second = scan(tmp_path, root, cache)

    # Assert
    assert "damaged" in caplog.text
    assert first.scan.status == "succeeded"
    assert {f.product_id for f in first.findings} >= {"openai", "anthropic", "langchain"}
    assert second.reused == 3


def test_an_unwritable_cache_directory_only_costs_the_reuse(
    tmp_path: Path, make_tree: MakeTree, caplog: pytest.LogCaptureFixture
) -> None:
    root = make_tree(REPO)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")

    with caplog.at_level(logging.WARNING):
        result = scan(tmp_path, root, blocker / "cache")

    assert result.scan.status == "succeeded"
    assert result.reused == 0
    assert "unusable" in caplog.text
    assert {f.product_id for f in result.findings} >= {"openai", "anthropic"}


def test_an_unchanged_package_tree_is_still_recognised_without_being_read(
    tmp_path: Path, make_tree: MakeTree
) -> None:
    # Arrange: an installed SDK whose metadata says it provides Langfuse (its own OpenAI
    # wrapper is not the estate's use of OpenAI), next to an app; all settled on disk
    root = make_tree(
        {
            "lib/langfuse-2.60.3.dist-info/METADATA": "Metadata-Version: 2.1\nName: langfuse\n",
            "lib/langfuse/openai.py": "import openai\n",
            "app/main.py": "import anthropic\n",
            "tools/gpt": "#!/usr/bin/env python3\nimport cohere\n",
            "tools/LICENSE": "MIT\n",
        }
    )
    backdate(root)
    cache = tmp_path / "cache"
    first = scan(tmp_path, root, cache)

    # Act
    second = scan(tmp_path, root, cache)

    # Assert: the manifest comes back from the cache as a manifest, so the package tree is
    # still skipped; the script and the extension-less licence are not even opened again
    assert facts(second.findings) == facts(first.findings)
    assert {f.product_id for f in second.findings} == {"langfuse", "anthropic", "cohere"}
    assert second.reused_unread == second.reused == 4
    skipped = {s.locator for s in second.coverage.skips}
    assert skipped == {s.locator for s in first.coverage.skips} and skipped


def test_an_unchanged_rescan_writes_nothing_and_a_deleted_file_is_forgotten(
    tmp_path: Path, make_tree: MakeTree
) -> None:
    # Arrange
    root = make_tree(REPO)
    backdate(root)
    cache = tmp_path / "cache"
    scan(tmp_path, root, cache)
    scan(tmp_path, root, cache)  # the first rescan settles every row (nothing racy any more)

    def cache_files() -> dict[str, tuple[int, int]]:
        return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in cache.iterdir()}

    before = cache_files()

    # Act / Assert: nothing changed on disk, so nothing is written
    unchanged = scan(tmp_path, root, cache)
    assert unchanged.reused_unread == 5
    assert cache_files() == before

    # a deleted file is dropped from the recorded list
    (root / "web/chat.ts").unlink()
    scan(tmp_path, root, cache)
    with sqlite3.connect(cache / FILE_NAME) as db:
        paths = {r[0] for r in db.execute("SELECT relpath FROM files")}
    assert "web/chat.ts" not in paths and "bot/app.py" in paths
