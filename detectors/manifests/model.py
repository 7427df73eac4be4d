"""What a parsed dependency manifest yields: package references the catalog lookup can match."""

from __future__ import annotations

import re
from dataclasses import dataclass

PYPI = "pypi"
NPM = "npm"
CONDA = "conda"

_PEP503_SEPARATORS = re.compile(r"[-_.]+")


class ManifestError(Exception):
    """The manifest cannot be read at all; the message says why (and where, when known)."""


@dataclass(frozen=True, slots=True)
class PackageRef:
    """One dependency a manifest declares, normalised so it can be looked up in the catalog."""

    ecosystem: str
    """``pypi``, ``npm`` or ``conda``."""
    name: str
    """Normalised name: PEP 503 for pypi/conda, lowercased for npm."""
    line: int
    """1-based line where the name appears in the file (1 when it cannot be located)."""
    spec: str = ""
    """The version constraint as written (``>=1.2``, ``^4``, ``@ https://...``); may be empty."""
    direct: bool = True
    """Declared by the project itself (manifests only hold direct dependencies)."""


@dataclass(frozen=True, slots=True)
class Manifest:
    """Everything one manifest declares: its dependencies and, if any, its own package name."""

    kind: str
    """``requirements``, ``pyproject``, ``setup.cfg``, ``pipfile``, ``conda``, ``package.json``."""
    ecosystem: str
    """The main ecosystem of the file (individual refs may differ, e.g. pip entries in conda)."""
    packages: tuple[PackageRef, ...]
    own_name: str | None
    """The package this manifest declares itself to be (normalised), if it declares one."""
    own_ecosystem: str | None


def normalise_name(ecosystem: str, name: str) -> str:
    """Canonical form used for catalog lookups, so ``Foo_Bar`` and ``foo-bar`` compare equal."""
    name = name.strip()
    if ecosystem == NPM:
        return name.lower()
    return _PEP503_SEPARATORS.sub("-", name).lower()
