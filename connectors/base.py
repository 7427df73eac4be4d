"""Types every connector produces: scopes, observations, file references and coverage.

Exceptions::

    ConnectorError          a source could not be read at all (clone failed, path missing)
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
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
    RESOURCE = "resource"
    """A cloud or SaaS resource, or a trace of use (an audit event, a grant)."""


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file inside a scanned tree, read lazily so that cheap checks can run first."""

    root: Path
    """The scanned root; never left (symlinks are resolved against it)."""
    relpath: str
    """POSIX path relative to ``root``; what findings and reports show."""
    size: int
    mtime_ns: int = 0
    ctime_ns: int = 0
    inode: int = 0
    """With ``size``, the file's stat signature: an unchanged signature lets a rescan reuse the
    previous result without reading the file (0 when unknown: never trusted)."""

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
class CloudResource:
    """What a cloud or SaaS connector read about one resource, as plain facts.

    Only names and identifiers travel here, never secret values: a connector that reads a
    function's environment passes the variable *names*, a secrets store the entry *names*.
    """

    type: str
    """The provider's own type name: ``AWS::SageMaker::Endpoint`` (CloudFormation names),
    ``Microsoft.CognitiveServices/accounts`` (ARM), ``aiplatform.googleapis.com/Endpoint``
    (Cloud Asset). Fingerprints match it (``signals.resources``)."""
    id: str
    """ARN, ARM id or asset name: unique within the scope, stable across scans."""
    name: str = ""
    area: str = ""
    """Coverage area the resource was read in (``sagemaker:eu-west-1``); a diff calls a system
    removed only when a newer scan read that area successfully."""
    region: str = ""
    kind: str | None = None
    """Sub-kind for types shared by many products (``OpenAI`` for a Cognitive Services account)."""
    standalone: bool = True
    """A managed resource is an AI system of its own (one per resource). False for a trace of
    use (an audit event, an IAM grant, a function's environment variable names): its findings
    are evidence of the scope-wide system of the product it names."""
    properties: Mapping[str, str] = field(default_factory=dict)
    """Flat facts worth showing (status, instance type, foundation model, vector store)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    created: datetime | None = None
    model_ids: tuple[str, ...] = ()
    """Model ids the resource names (deployed, invoked, granted)."""
    images: tuple[str, ...] = ()
    """Container images the resource runs."""
    env_var_names: tuple[str, ...] = ()
    """Names (never values) of environment variables, parameters or secrets it holds."""
    hosts: tuple[str, ...] = ()
    """Hostnames it is configured to call."""
    principals: tuple[str, ...] = ()
    """Who created, invoked or was granted it (ARNs, user names): owner and usage evidence."""
    publisher: str = ""
    """For a SaaS application: its publisher or developer as the tenant shows it."""
    app_id: str = ""
    """For a SaaS application: its public id (OAuth client id, app id, slug, SKU)."""


@dataclass(frozen=True, slots=True)
class Observation:
    """One thing a connector saw, with provenance."""

    scope: Scope
    kind: ObservationKind
    locator: str
    """Path, ARN, resource id: where a person finds the thing."""
    file: FileRef | None = None
    resource: CloudResource | None = None


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


class ProgressSink(Protocol):
    """Where a long-running connector reports progress (the CLI draws bars; tests ignore it).

    ``task`` names one unit of work, e.g. ``aws 123456789012 eu-west-1``.
    """

    def started(self, task: str, total: int | None) -> None:
        """A unit of work started, with its number of steps when known."""
        ...

    def advanced(self, task: str, steps: int = 1) -> None:
        """``steps`` more steps of ``task`` are done."""
        ...

    def finished(self, task: str, message: str = "") -> None:
        """``task`` ended; ``message`` says how when it did not end well."""
        ...


class NullProgress:
    """A progress sink that shows nothing."""

    def started(self, task: str, total: int | None) -> None:
        """Ignore."""

    def advanced(self, task: str, steps: int = 1) -> None:
        """Ignore."""

    def finished(self, task: str, message: str = "") -> None:
        """Ignore."""


class CloudConnector(Protocol):
    """A connector over many scopes (accounts, subscriptions, projects, tenants).

    Each observation carries its own scope; every (scope, area) the connector tried is recorded
    in ``coverage`` with its outcome, so that absence means something only where it read.
    """

    name: str
    """Source kind shown to people: ``aws``, ``azure``, ``gcp``."""

    def observe(self, coverage: Coverage, progress: ProgressSink) -> Iterator[Observation]:
        """Yield resource observations; never raise for one failing area."""
        ...
