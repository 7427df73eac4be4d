"""Owner hints for code: CODEOWNERS rules and the most frequent recent committers of a path.

These are *suggestions*: the inventory keeps them with their source until a person confirms an
owner. Only git metadata already on disk is read; nothing is fetched.
"""

from __future__ import annotations

import logging
import subprocess
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from connectors.base import OwnerHint

logger = logging.getLogger(__name__)

CODEOWNERS_PATHS = ("CODEOWNERS", ".github/CODEOWNERS", ".gitlab/CODEOWNERS", "docs/CODEOWNERS")
"""Where GitHub and GitLab look for the file, in their order of precedence."""
HISTORY_COMMITS = 500
"""How many recent commits the committer statistics look at."""
TOP_COMMITTERS = 3


@dataclass
class CodeOwnerHints:
    """Owner hints of one checkout, computed once and asked per AI system."""

    rules: list[tuple[pathspec.GitIgnoreSpec, tuple[str, ...], str]] = field(default_factory=list)
    """(pattern, owners, the rule's text) in file order; the last matching rule wins."""
    commits_by_path: dict[str, Counter[str]] = field(default_factory=dict)

    def owners_for(self, paths: Iterable[str]) -> list[OwnerHint]:
        """Suggestions for a system whose evidence sits at ``paths``, most likely first."""
        paths = sorted(set(paths))
        hints: list[OwnerHint] = []
        seen: set[tuple[str, str]] = set()
        codeowners: Counter[tuple[str, str]] = Counter()
        for path in paths:
            for spec, owners, text in reversed(self.rules):
                if spec.match_file(path):
                    for owner in owners:
                        codeowners[(owner, text)] += 1
                    break
        for (owner, text), _ in codeowners.most_common():
            if (owner, "codeowners") not in seen:
                seen.add((owner, "codeowners"))
                hints.append(OwnerHint(owner, "codeowners", f"CODEOWNERS: {text}"))
        authors: Counter[str] = Counter()
        for path in paths:
            authors.update(self.commits_by_path.get(path, Counter()))
        for author, count in authors.most_common(TOP_COMMITTERS):
            hints.append(
                OwnerHint(author, "committer", f"{count} of the last {HISTORY_COMMITS} commits")
            )
        return hints


def _parse_codeowners(text: str) -> list[tuple[pathspec.GitIgnoreSpec, tuple[str, ...], str]]:
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("["):
            continue  # comments and GitLab section headers
        parts = line.split()
        pattern, owners = parts[0], tuple(p for p in parts[1:] if not p.startswith("#"))
        if not owners:
            continue
        try:
            spec = pathspec.GitIgnoreSpec.from_lines([pattern])
        except (ValueError, TypeError):
            logger.debug("CODEOWNERS: unusable pattern %r", pattern)
            continue
        rules.append((spec, owners, line))
    return rules


def _commit_counts(root: Path) -> dict[str, Counter[str]]:
    """Path -> author counts over the recent history, from one ``git log`` call."""
    try:
        proc = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "log",
                f"-n{HISTORY_COMMITS}",
                "--no-merges",
                "--name-only",
                "--format=\x1e%aN <%aE>",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            encoding="utf-8",
            errors="replace",
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        logger.debug("git log failed in %s: %s", root, err)
        return {}
    if proc.returncode != 0:
        return {}
    counts: dict[str, Counter[str]] = {}
    for record in proc.stdout.split("\x1e")[1:]:
        lines = [ln for ln in record.splitlines() if ln.strip()]
        if not lines:
            continue
        author = lines[0].strip()
        for path in lines[1:]:
            counts.setdefault(path.strip(), Counter())[author] += 1
    return counts


def load_owner_hints(root: Path) -> CodeOwnerHints:
    """Read CODEOWNERS and recent history of the checkout at ``root`` (either may be absent)."""
    hints = CodeOwnerHints()
    for rel in CODEOWNERS_PATHS:
        path = root / rel
        if path.is_file() and not path.is_symlink():
            try:
                hints.rules = _parse_codeowners(path.read_text(encoding="utf-8", errors="replace"))
            except OSError as err:
                logger.debug("cannot read %s: %s", path, err)
            break
    if (root / ".git").exists():
        hints.commits_by_path = _commit_counts(root)
    return hints
