"""Dependency manifests -> findings: a declared dependency on an AI package, or a package that
declares itself to be one (it *provides* that integration).

A package only a lock file lists (``direct=False``: pulled in by another package) is weaker
evidence: it is reported as ``package-transitive`` at low confidence.
"""

from __future__ import annotations

from collections.abc import Iterator

from connectors.base import Scope
from detectors.base import Confidence, Finding, Signal
from detectors.config import make_finding
from detectors.manifests import Manifest
from detectors.manifests.source import lines_at
from fingerprints.catalog import Catalog

_LOOKUP_ECOSYSTEM = {"conda": "pypi"}
"""Conda packages of AI SDKs carry their PyPI names."""


def _own_line(manifest: Manifest, data: bytes) -> int:
    """Where the manifest names itself: as recorded by the parser, else the first line holding
    the name (1 if none does)."""
    if manifest.own_line:
        return manifest.own_line
    offset = data.lower().find((manifest.own_name or "").encode()) if manifest.own_name else -1
    return data.count(b"\n", 0, offset) + 1 if offset >= 0 else 1


def detect_manifest(
    catalog: Catalog, scope: Scope, relpath: str, manifest: Manifest, data: bytes
) -> Iterator[Finding]:
    """Findings for each catalog package the manifest depends on, and for what it provides.

    ``data`` is the file as read; only the lines that hold evidence are decoded (a lock file
    can be tens of megabytes, nearly all of it irrelevant).
    """
    provided: list[tuple[str, int]] = []
    if manifest.own_name and manifest.own_ecosystem:
        eco = _LOOKUP_ECOSYSTEM.get(manifest.own_ecosystem, manifest.own_ecosystem)
        line = _own_line(manifest, data)
        provided = [(pid, line) for pid in catalog.match_package(eco, manifest.own_name)]
    used = [
        (pid, ref)
        for ref in manifest.packages
        for pid in catalog.match_package(
            _LOOKUP_ECOSYSTEM.get(ref.ecosystem, ref.ecosystem), ref.name
        )
    ]
    if not provided and not used:
        return
    text = lines_at(data, [line for _, line in provided] + [ref.line for _, ref in used])
    for pid, line in provided:
        yield make_finding(
            catalog.products[pid],
            scope,
            relpath,
            line,
            Signal.PROVIDES,
            Confidence.HIGH,
            manifest.own_name or "",
            text.get(line, ""),
        )
    for pid, ref in used:
        yield make_finding(
            catalog.products[pid],
            scope,
            relpath,
            ref.line,
            Signal.PACKAGE if ref.direct else Signal.PACKAGE_TRANSITIVE,
            Confidence.MEDIUM if ref.direct else Confidence.LOW,
            ref.name,
            text.get(ref.line, ""),
        )
