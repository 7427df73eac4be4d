"""Dependency manifests (requirements files, pyproject.toml, setup.cfg, Pipfile, conda
environments, package.json) parsed into normalised package references.

Generic by design: the catalog lookup, not this package, decides which packages are AI products.
"""

from __future__ import annotations

from detectors.manifests.model import Manifest, ManifestError, PackageRef, normalise_name
from detectors.manifests.parse import manifest_kind, parse_manifest

__all__ = [
    "Manifest",
    "ManifestError",
    "PackageRef",
    "manifest_kind",
    "normalise_name",
    "parse_manifest",
]
