"""The local directory walk: excludes, .gitignore, symlinks, unreadable paths, scope identity."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.base import ConnectorError, Coverage
from connectors.code.local import LocalDirectory, WalkOptions, scope_for_directory


def walk(root: Path, options: WalkOptions | None = None) -> tuple[list[str], Coverage]:
    coverage = Coverage()
    files = sorted(
        ref.relpath for ref in LocalDirectory(root, options or WalkOptions()).files(coverage)
    )
    return files, coverage


def test_default_excludes_skip_dependency_and_build_directories(make_tree) -> None:
    root = make_tree(
        {
            "app.py": "x",
            "node_modules/openai/index.js": "x",
            ".venv/lib/site.py": "x",
            "src/__pycache__/a.pyc": "x",
            "build/out.js": "x",
            ".git/config": "x",
            "src/ok.ts": "x",
        }
    )
    files, _ = walk(root)
    assert files == ["app.py", "src/ok.ts"]


def test_excludes_can_be_overridden_and_extended(make_tree) -> None:
    root = make_tree({"build/gen.py": "x", "keep.py": "x", "generated/a.py": "x"})
    files, _ = walk(root, WalkOptions(excludes=(), exclude_patterns=("generated/",)))
    assert files == ["build/gen.py", "keep.py"]


def test_gitignore_is_respected_only_when_asked(make_tree) -> None:
    root = make_tree(
        {
            ".gitignore": "*.log\nsecret/\n",
            "a.py": "x",
            "debug.log": "x",
            "secret/k.py": "x",
            "sub/.gitignore": "local.py\n",
            "sub/local.py": "x",
            "sub/other.py": "x",
        }
    )
    files, _ = walk(root, WalkOptions(respect_gitignore=True))
    assert files == [".gitignore", "a.py", "sub/.gitignore", "sub/other.py"]
    files, _ = walk(root)
    assert "debug.log" in files and "secret/k.py" in files and "sub/local.py" in files


def test_symlinks_are_recorded_never_followed(make_tree, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "leak.py").write_text("import openai")
    root = make_tree({"real.py": "x", "dir/inner.py": "x"})
    (root / "out_link.py").symlink_to(outside / "leak.py")
    (root / "out_dir").symlink_to(outside)
    (root / "in_link.py").symlink_to(root / "real.py")
    (root / "loop").symlink_to(root / "loop")
    (root / "dir" / "up").symlink_to(root)
    (root / "dangling.py").symlink_to(root / "missing.py")

    files, coverage = walk(root)

    assert files == ["dir/inner.py", "real.py"]
    reasons = {s.locator: s.reason for s in coverage.skips}
    assert reasons["out_link.py"] == "symlink points outside the scanned root"
    assert reasons["out_dir"] == "symlink points outside the scanned root"
    assert reasons["in_link.py"].startswith("symlink into the scanned root")
    assert reasons["dir/up"].startswith("symlink into the scanned root")
    assert reasons["loop"] == "symlink loop"
    assert reasons["dangling.py"] == "broken symlink"


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError, match="no such directory"):
        LocalDirectory(tmp_path / "nope")


def test_a_file_is_not_a_directory(tmp_path: Path) -> None:
    (tmp_path / "f.py").write_text("x")
    with pytest.raises(ConnectorError, match="not a directory"):
        LocalDirectory(tmp_path / "f.py")


def test_scope_of_a_checkout_is_its_normalised_remote(make_tree, git) -> None:
    root = make_tree({"a.py": "x"})
    git(root, "init", "-q")
    git(root, "remote", "add", "origin", "https://user:tok3n@GitHub.com/Acme/support-bot.git")
    scope = scope_for_directory(root)
    assert scope.kind == "code"
    assert scope.id == "github.com/Acme/support-bot"
    assert "tok3n" not in scope.id


def test_scope_of_a_plain_directory_is_its_path(make_tree) -> None:
    root = make_tree({"a.py": "x"})
    assert scope_for_directory(root.resolve()).id == str(root.resolve())
