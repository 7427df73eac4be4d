"""Types every connector produces: scopes, observations, file references and coverage.

Exceptions::

    ConnectorError          a source could not be read at all (clone failed, path missing)
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol

logger = logging.getLogger(__name__)


class ConnectorError(Exception):
    """A source could not be read at all; the message names the source and the reason."""


@dataclass(frozen=True, slots=True)
class Scope:
    """Where an AI system lives: a repository, a cloud account, a SaaS tenant."""

    kind: str
    """Source kind, e.g. ``code``, ``aws``, ``m365``."""
    id: str
    """Stable, normalised identifier within the kind (repository URL, account id, tenant id)."""
    name: str = ""
    """Human-friendly name for display; never part of an identity."""

    @property
    def key(self) -> str:
        """The ``kind:id`` string used in identity keys and coverage areas."""
        return f"{self.kind}:{self.id}"


class ObservationKind(StrEnum):
    """What a connector saw; detectors dispatch on it."""

    FILE = "file"


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file inside a scanned tree, read lazily so that cheap checks can run first."""

    root: Path
    """The scanned root; never left (symlinks are resolved against it)."""
    relpath: str
    """POSIX path relative to ``root``; what findings and reports show."""
    size: int

    @property
    def path(self) -> Path:
        """Absolute path on disk."""
        return self.root / self.relpath

    def read(self, limit: int | None = None) -> bytes:
        """Read the file (at most ``limit`` bytes). Raises ``OSError`` on failure."""
        with open(self.path, "rb") as handle:
            return handle.read() if limit is None else handle.read(limit)


@dataclass(frozen=True, slots=True)
class OwnerHint:
    """An owner a source suggests for what it observed; kept as a suggestion until confirmed."""

    owner: str
    source: str
    """``codeowners``, ``committer``, ``tag``, ``creator``, ``grantor``."""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Observation:
    """One thing a connector saw, with provenance."""

    scope: Scope
    kind: ObservationKind
    locator: str
    """Path, ARN, resource id: where a person finds the thing."""
    file: FileRef | None = None


@dataclass(frozen=True, slots=True)
class Skip:
    """Something deliberately not read, and why: skipping is a result, not a log line."""

    scope: Scope
    locator: str
    reason: str


class Outcome(StrEnum):
    """How reading one area of a source ended."""

    OK = "ok"
    DENIED = "denied"
    ERROR = "error"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class AreaResult:
    """The outcome of one (scope, area): absence of findings only means something when OK."""

    scope: Scope
    area: str
    outcome: Outcome
    message: str = ""


@dataclass
class Coverage:
    """What a scan covered, skipped and failed on; travels beside the observation stream."""

    areas: list[AreaResult] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)

    def record(self, scope: Scope, area: str, outcome: Outcome, message: str = "") -> None:
        """Record the outcome of reading one area of a scope."""
        self.areas.append(AreaResult(scope, area, outcome, message))

    def skip(self, scope: Scope, locator: str, reason: str) -> None:
        """Record a file or resource that was deliberately not read."""
        logger.debug("skip %s %s: %s", scope.key, locator, reason)
        self.skips.append(Skip(scope, locator, reason))

    @property
    def failed(self) -> list[AreaResult]:
        """Areas that were not read successfully."""
        return [a for a in self.areas if a.outcome in (Outcome.DENIED, Outcome.ERROR)]


class Connector(Protocol):
    """A source of observations."""

    scope: Scope

    def observe(self, coverage: Coverage) -> Iterator[Observation]:
        """Yield observations; report coverage, skips and failures into ``coverage``."""
        ...
