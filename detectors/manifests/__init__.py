"""Dependency manifests (requirements files, pyproject.toml, setup.cfg, setup.py, Python core
metadata (PKG-INFO, *.dist-info/METADATA), Pipfile, conda environments, package.json, go.mod,
pom.xml, Gradle, MSBuild/NuGet, Gemfile/gemspec, Cargo.toml, composer.json) and lock files
(package-lock.json, pnpm-lock.yaml, yarn.lock, poetry.lock, uv.lock, Pipfile.lock, Cargo.lock,
Gemfile.lock, composer.lock, packages.lock.json, gradle.lockfile) parsed into normalised package
references.

Generic by design: the catalog lookup, not this package, decides which packages are AI products.
"""

from __future__ import annotations

from detectors.manifests.model import Manifest, ManifestError, PackageRef, normalise_name
from detectors.manifests.parse import LOCK_KINDS, manifest_kind, parse_manifest

__all__ = [
    "LOCK_KINDS",
    "Manifest",
    "ManifestError",
    "PackageRef",
    "manifest_kind",
    "normalise_name",
    "parse_manifest",
]
