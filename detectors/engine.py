"""The detection engine: cheap checks first, then the precise detector for the file's kind.

Per file: classify by name -> size cap -> read -> binary sniff -> keyword prefilter -> parse
(tree-sitter for source, a parser for manifests, line matching for configuration). A file with
no catalog keyword never reaches a parser. Files too large to parse safely get the line pass only.
"""

from __future__ import annotations

import logging
import os
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from connectors.base import FileRef, Scope
from detectors.base import Confidence, Finding, Signal
from detectors.code.detector import detect_code
from detectors.code.extract import extract
from detectors.code.parser import language_for
from detectors.config import detect_lines
from detectors.manifests import ManifestError, manifest_kind, parse_manifest
from detectors.manifests.detector import detect_manifest
from detectors.noise import noise_reason
from detectors.textscan import hit_lines
from fingerprints.catalog import Catalog

logger = logging.getLogger(__name__)

MB = 1024 * 1024


class FileKind(StrEnum):
    """How a file is read."""

    SOURCE = "source"
    MANIFEST = "manifest"
    CONFIG = "config"
    DOC = "doc"


CONFIG_SUFFIXES = frozenset(
    {
        ".env",
        ".yaml",
        ".yml",
        ".json",
        ".jsonc",
        ".toml",
        ".ini",
        ".cfg",
        ".conf",
        ".properties",
        ".tfvars",
        ".hcl",
    }
)
CONFIG_NAMES = frozenset({"dockerfile", "containerfile", ".envrc", "procfile"})
DOC_SUFFIXES = frozenset({".md", ".mdx", ".rst", ".txt", ".adoc"})
LOCK_FILES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "poetry.lock",
        "uv.lock",
        "pipfile.lock",
        "composer.lock",
        "cargo.lock",
        "gemfile.lock",
        "go.sum",
    }
)
"""Lock files list transitive dependencies; they are not read as configuration."""


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """Limits and switches for reading files."""

    max_file_size: int = 5 * MB
    """Files above this are skipped (recorded) without being read."""
    max_parse_size: int = 2 * MB
    """Source files above this get the line pass only: tree-sitter memory follows file size."""
    include_docs: bool = False
    """Read Markdown and other prose (as low-confidence evidence)."""
    sniff_bytes: int = 8192


@dataclass(frozen=True, slots=True)
class FileResult:
    """What scanning one file produced."""

    relpath: str
    findings: tuple[Finding, ...] = ()
    skip_reason: str | None = None
    bytes_read: int = 0
    parsed: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)


def classify(relpath: str, include_docs: bool = False) -> tuple[FileKind, str] | None:
    """The kind of a file and its sub-kind (language or manifest kind), or None to ignore it."""
    name = posixpath.basename(relpath).lower()
    if name in LOCK_FILES:
        return None
    kind = manifest_kind(relpath)
    if kind is not None:
        return FileKind.MANIFEST, kind
    language = language_for(relpath)
    if language is not None:
        return FileKind.SOURCE, language
    suffix = posixpath.splitext(name)[1]
    if suffix in CONFIG_SUFFIXES or name in CONFIG_NAMES or name.startswith(".env"):
        return FileKind.CONFIG, suffix or name
    if name.endswith(".env") or name.startswith("dockerfile"):
        return FileKind.CONFIG, name
    if include_docs and suffix in DOC_SUFFIXES:
        return FileKind.DOC, suffix
    return None


def _decode_lines(data: bytes) -> list[str]:
    return data.decode("utf-8", errors="replace").splitlines()


def scan_data(
    catalog: Catalog,
    scope: Scope,
    relpath: str,
    data: bytes,
    options: ScanOptions = ScanOptions(),
    kind: tuple[FileKind, str] | None = None,
) -> FileResult:
    """Scan bytes already read as the file ``relpath``; the entry point tests use too."""
    kind = kind or classify(relpath, options.include_docs)
    if kind is None:
        return FileResult(relpath, bytes_read=len(data))
    if b"\x00" in data[: options.sniff_bytes]:
        return FileResult(relpath, skip_reason="binary content", bytes_read=len(data))
    offsets = catalog.keyword_offsets(data)
    if not offsets:
        return FileResult(relpath, bytes_read=len(data))
    hits = hit_lines(data, offsets)

    file_kind, sub = kind
    findings: list[Finding] = []
    parsed = False
    notes: list[str] = []
    if file_kind is FileKind.SOURCE:
        lines = _decode_lines(data)
        if len(data) > options.max_parse_size:
            notes.append(f"not parsed: larger than {options.max_parse_size} bytes; line pass only")
            findings.extend(detect_lines(catalog, scope, relpath, lines, hits, Confidence.LOW))
        else:
            facts = extract(sub, data, hits=offsets)
            parsed = True
            if facts.has_errors:
                notes.append("syntax errors: partial parse used")
            findings.extend(detect_code(catalog, scope, relpath, facts, lines, hits))
    elif file_kind is FileKind.MANIFEST:
        try:
            manifest = parse_manifest(relpath, data)
        except ManifestError as err:
            return FileResult(relpath, skip_reason=f"malformed {sub}: {err}", bytes_read=len(data))
        parsed = True
        findings.extend(detect_manifest(catalog, scope, relpath, manifest, _decode_lines(data)))
    else:
        confidence = Confidence.LOW if file_kind is FileKind.DOC else Confidence.MEDIUM
        findings.extend(
            detect_lines(catalog, scope, relpath, _decode_lines(data), hits, confidence)
        )

    reason = noise_reason(relpath)
    if reason is not None:
        findings = [_lowered(f, reason) for f in findings]
    return FileResult(
        relpath, tuple(findings), bytes_read=len(data), parsed=parsed, notes=tuple(notes)
    )


def _lowered(finding: Finding, reason: str) -> Finding:
    if finding.confidence is Confidence.LOW and "reason" in finding.attributes:
        return finding
    return replace(
        finding,
        confidence=Confidence.LOW,
        attributes={**finding.attributes, "reason": reason},
    )


def scan_file(
    catalog: Catalog, scope: Scope, file: FileRef, options: ScanOptions = ScanOptions()
) -> FileResult:
    """Scan one file on disk: size cap before reading, read errors recorded, never raised."""
    kind = classify(file.relpath, options.include_docs)
    if kind is None:
        return FileResult(file.relpath)
    if file.size > options.max_file_size:
        return FileResult(
            file.relpath,
            skip_reason=f"larger than the size cap ({file.size} > {options.max_file_size} bytes)",
        )
    try:
        data = file.read(options.max_file_size + 1)
    except OSError as err:
        return FileResult(
            file.relpath,
            skip_reason=f"unreadable: {os.strerror(err.errno or 0) if err.errno else err}",
        )
    if len(data) > options.max_file_size:
        return FileResult(file.relpath, skip_reason="grew beyond the size cap while being read")
    return scan_data(catalog, scope, file.relpath, data, options, kind)


def provider_trees(findings: Iterable[Finding]) -> dict[str, str]:
    """Directories whose manifest says the package *is* a catalog product -> that product."""
    return {
        posixpath.dirname(f.location.locator): f.product_name
        for f in findings
        if f.signal is Signal.PROVIDES
    }


def provider_of(providers: dict[str, str], locator: str) -> str | None:
    """The product whose provider tree holds ``locator`` (the innermost), or None."""
    return provider_of_directory(providers, posixpath.dirname(locator))


def provider_of_directory(providers: dict[str, str], directory: str) -> str | None:
    """The product whose provider tree holds ``directory`` (itself included), or None."""
    while True:
        name = providers.get(directory)
        if name is not None:
            return name
        if not directory:
            return None
        directory = posixpath.dirname(directory)


def finalize_scope(findings: Iterable[Finding]) -> list[Finding]:
    """Scope-level rules applied once every file of a scope is scanned.

    A package that *is* an AI SDK or integration (its own manifest declares a catalog package)
    provides that integration: the vendors it mentions inside its own tree are what it wraps,
    not what it uses, so that evidence is lowered.
    """
    findings = list(findings)
    providers = provider_trees(findings)
    if not providers:
        return findings
    result = []
    for f in findings:
        provider = (
            None if f.signal is Signal.PROVIDES else provider_of(providers, f.location.locator)
        )
        if provider is not None:
            f = _lowered(f, f"inside the package that provides {provider}")
        result.append(f)
    return result
