"""Dependency manifests -> findings: a declared dependency on an AI package, or a package that
declares itself to be one (it *provides* that integration)."""

from __future__ import annotations

from collections.abc import Iterator

from connectors.base import Scope
from detectors.base import Confidence, Finding, Signal
from detectors.config import make_finding
from detectors.manifests import Manifest
from fingerprints.catalog import Catalog

_LOOKUP_ECOSYSTEM = {"conda": "pypi"}
"""Conda packages of AI SDKs carry their PyPI names."""


def detect_manifest(
    catalog: Catalog, scope: Scope, relpath: str, manifest: Manifest, lines: list[str]
) -> Iterator[Finding]:
    """Findings for each catalog package the manifest depends on, and for what it provides."""

    def line_text(number: int) -> str:
        return lines[number - 1] if 0 < number <= len(lines) else ""

    if manifest.own_name and manifest.own_ecosystem:
        eco = _LOOKUP_ECOSYSTEM.get(manifest.own_ecosystem, manifest.own_ecosystem)
        for pid in catalog.match_package(eco, manifest.own_name):
            line = next(
                (i for i, text in enumerate(lines, 1) if manifest.own_name in text.lower()), 1
            )
            yield make_finding(
                catalog.products[pid],
                scope,
                relpath,
                line,
                Signal.PROVIDES,
                Confidence.HIGH,
                manifest.own_name,
                line_text(line),
            )
    for ref in manifest.packages:
        eco = _LOOKUP_ECOSYSTEM.get(ref.ecosystem, ref.ecosystem)
        for pid in catalog.match_package(eco, ref.name):
            yield make_finding(
                catalog.products[pid],
                scope,
                relpath,
                ref.line,
                Signal.PACKAGE,
                Confidence.MEDIUM if ref.direct else Confidence.LOW,
                ref.name,
                line_text(ref.line),
            )
