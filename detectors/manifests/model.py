"""What a parsed dependency manifest yields: package references the catalog lookup can match."""

from __future__ import annotations

from dataclasses import dataclass

from fingerprints.schema import normalise_package

PYPI = "pypi"
NPM = "npm"
CONDA = "conda"
MAVEN = "maven"
GO = "go"
NUGET = "nuget"
RUBYGEMS = "rubygems"
CARGO = "cargo"
PACKAGIST = "packagist"


class ManifestError(Exception):
    """The manifest cannot be read at all; the message says why (and where, when known)."""


@dataclass(frozen=True, slots=True)
class PackageRef:
    """One dependency a manifest declares, normalised so it can be looked up in the catalog."""

    ecosystem: str
    """``pypi``, ``npm``, ``conda``, ``maven``, ``go``, ``nuget``, ``rubygems``, ``cargo`` or
    ``packagist``."""
    name: str
    """Normalised name (:func:`normalise_name`): PEP 503 for pypi/conda, ``group:artifact`` for
    maven, the module path for go, lowercased for npm, nuget and packagist."""
    line: int
    """1-based line where the name appears in the file (1 when it cannot be located)."""
    spec: str = ""
    """The version constraint as written (``>=1.2``, ``^4``, ``@ https://...``), or for a lock
    file the version installed; may be empty."""
    direct: bool = True
    """Declared by the project itself. False for what a lock file lists only because another
    package pulls it in (lock files that record the project's own dependencies mark those)."""


@dataclass(frozen=True, slots=True)
class Manifest:
    """Everything one manifest declares: its dependencies and, if any, its own package name."""

    kind: str
    """``requirements``, ``pyproject``, ``package.json``, ``go.mod``, ``pom``, ``cargo.lock``, ...
    (see :func:`detectors.manifests.manifest_kind`)."""
    ecosystem: str
    """The main ecosystem of the file (individual refs may differ, e.g. pip entries in conda)."""
    packages: tuple[PackageRef, ...]
    own_name: str | None
    """The package this manifest declares itself to be (normalised), if it declares one."""
    own_ecosystem: str | None
    own_line: int = 0
    """1-based line of the declaration of ``own_name``; 0 when the parser did not record it."""


def normalise_name(ecosystem: str, name: str) -> str:
    """Canonical form used for catalog lookups, so ``Foo_Bar`` and ``foo-bar`` compare equal.

    The rules are the catalog's (:func:`fingerprints.schema.normalise_package`); conda packages
    of AI SDKs carry their PyPI names, so they are normalised the PyPI way.
    """
    return normalise_package(PYPI if ecosystem == CONDA else ecosystem, name)
