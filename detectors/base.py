"""Findings: what a detector concluded from an observation, with where and how sure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from connectors.base import Scope


class Confidence(IntEnum):
    """How sure a finding is. LOW findings are kept but left out of default views."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        """Lowercase name, as stored and printed."""
        return self.name.lower()


class Signal(StrEnum):
    """The kind of evidence behind a finding; part of the public JSON contract."""

    CODE_IMPORT = "code_import"
    CODE_CALL = "code_call"
    PACKAGE = "package"
    HOST = "host"
    ENV_VAR = "env_var"
    MODEL_ID = "model_id"
    PROVIDES = "provides"
    PACKAGE_TRANSITIVE = "package-transitive"
    """A dependency that only a lock file lists (pulled in by another package)."""
    KEY = "key"
    IMAGE = "image"
    IAC = "iac"
    FILE = "file"
    CLOUD_RESOURCE = "cloud_resource"
    """A managed AI resource read from a cloud or SaaS API."""
    SAAS_APP = "saas_app"
    """A SaaS application or licence a tenant's admin API lists."""


@dataclass(frozen=True, slots=True)
class Location:
    """Where the evidence is: a path (or resource id) and, for files, a 1-based line."""

    locator: str
    line: int | None = None

    def __str__(self) -> str:
        return self.locator if self.line is None else f"{self.locator}:{self.line}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of evidence that a scope uses (or provides) a fingerprinted product."""

    fingerprint_id: str
    """Id of the fingerprint file that matched; stable across releases (stored in the inventory)."""
    product_id: str
    """Stable product slug, e.g. ``openai``; with the scope it forms the AI system's identity."""
    product_name: str
    vendor: str
    """Stable vendor slug, e.g. ``openai``, ``aws``."""
    vendor_name: str
    category: str
    scope: Scope
    location: Location
    signal: Signal
    confidence: Confidence
    attributes: Mapping[str, str] = field(default_factory=dict)
    """Extra facts: ``matched`` (what matched), ``reason`` (why confidence was lowered)."""
    models: tuple[str, ...] = ()
    """Model ids this evidence names."""
    snippet: str = ""
    """A short excerpt of the evidence line (never a secret in clear)."""
    area: str = "code"
    """The coverage area of the scope this evidence belongs to (``code``, ``bedrock:eu-west-1``):
    a diff calls a system removed only when a newer scan covered its area successfully."""
    instance: str = ""
    """For a managed resource that is an AI system of its own (a SageMaker endpoint, an Azure
    OpenAI account): its stable id (ARN, ARM id), part of the identity. Empty for everything
    that is evidence of the scope-wide use of a product."""
    instance_name: str = ""
    """The resource's display name; never part of an identity."""
