"""Walk a local directory tree and yield its files, with excludes, .gitignore and symlink safety.

Never follows a symlink out of the scanned root, never loops, and records every file it
deliberately passes over (with the reason) instead of dropping it silently.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from connectors.base import ConnectorError, Coverage, FileRef, Observation, ObservationKind, Scope
from connectors.code.git import normalise_git_url

logger = logging.getLogger(__name__)

DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".venv",
    "venv",
    "site-packages",
    "__pycache__",
    "dist",
    "build",
    "vendor",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".idea",
    ".terraform",
)
"""Directory names skipped at any depth unless the user overrides the list."""


@dataclass(frozen=True, slots=True)
class WalkOptions:
    """What the walk reads."""

    excludes: tuple[str, ...] = DEFAULT_EXCLUDES
    """Directory names to skip at any depth."""
    exclude_patterns: tuple[str, ...] = ()
    """Extra gitignore-style patterns relative to the root."""
    respect_gitignore: bool = False


def scope_for_directory(root: Path) -> Scope:
    """The scope of a checkout: its normalised ``origin`` URL when it has one, else its path.

    Using the remote makes the same repository the same scope whichever directory it is checked
    out in, so the inventory does not grow a twin for every clone.
    """
    name = root.name or str(root)
    if (root / ".git").exists():
        try:
            proc = subprocess.run(
                ["git", "-C", str(root), "config", "--get", "remote.origin.url"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            proc = None
        url = proc.stdout.strip() if proc is not None and proc.returncode == 0 else ""
        if url:
            return Scope("code", normalise_git_url(url), name)
    return Scope("code", str(root), name)


METADATA_DIRS = (".dist-info", ".egg-info")
"""Directories of installed-package metadata, walked first among their siblings."""


class LocalDirectory:
    """A directory on disk as a code source."""

    def __init__(
        self, root: Path, options: WalkOptions = WalkOptions(), scope: Scope | None = None
    ):
        try:
            resolved = root.resolve(strict=True)
        except (OSError, RuntimeError) as err:
            raise ConnectorError(f"{root}: no such directory") from err
        if not resolved.is_dir():
            raise ConnectorError(f"{root}: not a directory")
        if not os.access(resolved, os.R_OK | os.X_OK):
            raise ConnectorError(f"{root}: permission denied")
        self.root = resolved
        self.options = options
        self.scope = scope or scope_for_directory(resolved)
        self._user_spec = (
            pathspec.GitIgnoreSpec.from_lines(options.exclude_patterns)
            if options.exclude_patterns
            else None
        )

    def observe(self, coverage: Coverage) -> Iterator[Observation]:
        """Yield one observation per file worth a look."""
        for ref in self.files(coverage):
            yield Observation(self.scope, ObservationKind.FILE, ref.relpath, ref)

    def files(self, coverage: Coverage) -> Iterator[FileRef]:
        """Walk the tree depth-first, in a stable (sorted) order."""
        excludes = frozenset(self.options.excludes)
        # Each stack entry: directory relpath ("" for root) and the .gitignore specs in force.
        stack: list[tuple[str, tuple[tuple[str, pathspec.GitIgnoreSpec], ...]]] = [("", ())]
        while stack:
            rel_dir, specs = stack.pop()
            abs_dir = self.root / rel_dir if rel_dir else self.root
            try:
                with os.scandir(abs_dir) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as err:
                coverage.skip(self.scope, rel_dir or ".", f"unreadable directory: {err.strerror}")
                continue
            if self.options.respect_gitignore:
                specs = specs + self._gitignore(abs_dir, rel_dir, coverage)
            subdirs: list[str] = []
            for entry in entries:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                try:
                    # The directory listing's entry type answers these without a stat call.
                    is_link = entry.is_symlink()
                    is_dir = not is_link and entry.is_dir(follow_symlinks=False)
                except OSError as err:
                    coverage.skip(self.scope, rel, f"cannot stat: {err.strerror}")
                    continue
                if is_dir and entry.name in excludes:
                    continue
                if self._ignored(rel, is_dir, specs):
                    continue
                if is_link:
                    self._record_symlink(entry.path, rel, coverage)
                    continue
                if is_dir:
                    subdirs.append(rel)
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError as err:
                    coverage.skip(self.scope, rel, f"cannot stat: {err.strerror}")
                    continue
                if stat.S_ISREG(st.st_mode):
                    yield FileRef(
                        self.root, rel, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino
                    )
                else:
                    coverage.skip(self.scope, rel, "not a regular file (device, socket or pipe)")
            # Installed-package metadata (``x-1.0.dist-info``) is walked before its sibling
            # package directories, so that what it declares is known before they are read.
            subdirs.sort(key=lambda d: not d.endswith(METADATA_DIRS))
            stack.extend((d, specs) for d in reversed(subdirs))

    def _ignored(
        self, rel: str, is_dir: bool, specs: Iterable[tuple[str, pathspec.GitIgnoreSpec]]
    ) -> bool:
        probe = rel + "/" if is_dir else rel
        if self._user_spec is not None and self._user_spec.match_file(probe):
            return True
        for base, spec in specs:
            sub = probe[len(base) + 1 :] if base else probe
            if spec.match_file(sub):
                return True
        return False

    def _gitignore(
        self, abs_dir: Path, rel_dir: str, coverage: Coverage
    ) -> tuple[tuple[str, pathspec.GitIgnoreSpec], ...]:
        path = abs_dir / ".gitignore"
        if not path.is_file():
            return ()
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as err:
            coverage.skip(self.scope, f"{rel_dir}/.gitignore".lstrip("/"), f"unreadable: {err}")
            return ()
        return ((rel_dir, pathspec.GitIgnoreSpec.from_lines(lines)),)

    def _record_symlink(self, path: str, rel: str, coverage: Coverage) -> None:
        """Symlinks are never followed, only recorded: a target inside the root is walked at its
        own path (reading it twice would double the evidence, and directory links could loop);
        a target outside the root is out of scope."""
        try:
            target = Path(path).resolve(strict=True)
        except RuntimeError:
            coverage.skip(self.scope, rel, "symlink loop")
            return
        except OSError as err:
            loop = err.errno == errno.ELOOP
            coverage.skip(self.scope, rel, "symlink loop" if loop else "broken symlink")
            return
        if target.is_relative_to(self.root):
            coverage.skip(
                self.scope, rel, "symlink into the scanned root (its target is read there)"
            )
        else:
            coverage.skip(self.scope, rel, "symlink points outside the scanned root")
