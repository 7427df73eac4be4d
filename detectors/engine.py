"""The detection engine: cheap checks first, then the precise detector for the file's kind.

Per file: classify by name -> size cap -> read -> binary sniff -> keyword prefilter -> parse
(tree-sitter for source, a parser for manifests, line matching for configuration). After the
prefilter, a YAML/JSON configuration file whose bytes have an infrastructure shape
(CloudFormation, ARM, Kubernetes, an ``image`` key) is read as infrastructure instead
(``detectors.iac``). A file with no catalog keyword never reaches a parser. Files too large to
parse safely get the line pass only.

Three passes are chosen otherwise. Model files (``detectors.model_files``) are recognised by name
and magic bytes before the size cap and the binary sniff, and only a bounded header of one is
read. MCP configuration files (``detectors.mcp``) are chosen by name, so they are read even
without a keyword. After the kind's detector, the key pass (``detectors.secrets``) looks for
committed API keys in every text file read, including the ``TEXT`` files only it reads, and
scrubs any key from the other findings' snippets.
"""

from __future__ import annotations

import logging
import os
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Protocol

from connectors.base import FileRef, Scope
from detectors.base import Confidence, Finding, Signal
from detectors.code.detector import detect_code
from detectors.code.extract import extract
from detectors.code.notebook import NotebookError, detect_notebook
from detectors.code.parser import language_for
from detectors.config import detect_lines
from detectors.iac import detect_iac, iac_kind, sniff_iac
from detectors.manifests import LOCK_KINDS, ManifestError, manifest_kind, parse_manifest
from detectors.manifests.detector import detect_manifest
from detectors.mcp import detect_mcp_config
from detectors.model_files import detect_model_file, model_kind
from detectors.noise import noise_reason
from detectors.secrets import is_key_text, scan_keys
from detectors.textscan import hit_lines
from fingerprints.catalog import Catalog

logger = logging.getLogger(__name__)

MB = 1024 * 1024


class FileKind(StrEnum):
    """How a file is read."""

    SOURCE = "source"
    NOTEBOOK = "notebook"
    MANIFEST = "manifest"
    CONFIG = "config"
    IAC = "iac"
    """Infrastructure and deployment files (Terraform, Bicep, Dockerfiles; YAML/JSON whose
    content has an infrastructure shape is promoted from CONFIG after the prefilter)."""
    DOC = "doc"
    MODEL = "model"
    """Model files (GGUF, safetensors, ONNX, ...): a bounded header is read, whatever the size."""
    TEXT = "text"
    """Text files only the key pass reads (``.txt``, shell scripts, ...: ``detectors.secrets``)."""


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
LOCK_FILES = frozenset({"go.sum"})
"""Lock files that are not read at all: go.sum lists checksums of every module the build ever
considered, not what it uses. The other lock files are manifests (``LOCK_KINDS``)."""


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """Limits and switches for reading files."""

    max_file_size: int = 5 * MB
    """Files above this are skipped (recorded) without being read."""
    max_lock_file_size: int = 64 * MB
    """The same cap for lock files (``package-lock.json``, ``poetry.lock``, ...): a big
    project's lock is legitimately tens of megabytes, and it is parsed as a stream."""
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


class ResultMemo(Protocol):
    """Remembers what scanning a file's content produced, so unchanged content is not rescanned.

    The engine hands over the bytes it read; how they are keyed and stored is the caller's.
    """

    def get(self, relpath: str, data: bytes) -> FileResult | None:
        """The result for this path and content when known."""
        ...

    def put(self, relpath: str, data: bytes, result: FileResult) -> None:
        """Remember the result for this path and content."""
        ...

    def put_unhashed(self, relpath: str, result: FileResult) -> None:
        """Remember a result that was cheaper to compute than hashing the content would be."""
        ...


def classify(
    relpath: str, include_docs: bool = False, head: bytes = b""
) -> tuple[FileKind, str] | None:
    """The kind of a file and its sub-kind (language or manifest kind), or None to ignore it.

    ``head`` is the start of the file when the caller has read it (the first line is enough).
    An extension-less file whose first line is a Python or Node.js shebang
    (``#!/usr/bin/env python3``, ``#!/usr/bin/node``) is source of that language: installed
    command-line scripts (``bin/gpt4``) carry no suffix. Nothing else in ``head`` is looked at:
    a file with a suffix, or a name of its own (``Dockerfile``, ``Makefile``), is never
    classified by its content.
    """
    name = posixpath.basename(relpath).lower()
    if name in LOCK_FILES:
        return None
    model = model_kind(relpath)
    if model is not None:
        return FileKind.MODEL, model
    kind = manifest_kind(relpath)
    if kind is not None:
        return FileKind.MANIFEST, kind
    language = language_for(relpath)
    if language is not None:
        return FileKind.SOURCE, language
    if name.endswith(".ipynb"):
        return FileKind.NOTEBOOK, "ipynb"
    iac = iac_kind(relpath)
    if iac is not None:
        return FileKind.IAC, iac
    suffix = posixpath.splitext(name)[1]
    if suffix in CONFIG_SUFFIXES or name in CONFIG_NAMES or name.startswith(".env"):
        return FileKind.CONFIG, suffix or name
    if name.endswith(".env") or name.startswith("dockerfile"):
        return FileKind.CONFIG, name
    if include_docs and suffix in DOC_SUFFIXES:
        return FileKind.DOC, suffix
    if is_key_text(relpath):
        return FileKind.TEXT, suffix or name
    if head.startswith(b"#!") and not suffix:
        # "#!/usr/bin/env -S node --no-warnings", "#!/usr/bin/python3.11": the program is the
        # first word, or with env the first word that is not an option or a VAR=value.
        words = head[2:].split(b"\n", 1)[0].decode("ascii", errors="replace").split()
        if words and posixpath.basename(words[0]) == "env":
            words = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
        program = posixpath.basename(words[0]) if words else ""
        if program.rstrip("0123456789.") in ("python", "pythonw"):
            return FileKind.SOURCE, "python"
        if program in ("node", "nodejs"):
            return FileKind.SOURCE, "javascript"
    return None


def _decode_lines(data: bytes) -> list[str]:
    # Split on "\n" only: line numbers of hits count "\n", and str.splitlines would also split
    # on \x1c-\x1e, \x85 and \u2028, shifting every line after one of them.
    return data.decode("utf-8", errors="replace").split("\n")


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
    if kind[0] is FileKind.MODEL:
        return _model_result(catalog, scope, relpath, lambda n: data[:n], len(data))
    if b"\x00" in data[: options.sniff_bytes]:
        return FileResult(relpath, skip_reason="binary content", bytes_read=len(data))
    offsets = catalog.keyword_offsets(data)
    mcp = detect_mcp_config(catalog, scope, relpath, data) if kind[0] is FileKind.CONFIG else None
    if not offsets and mcp is None:
        return FileResult(relpath, bytes_read=len(data))
    hits = hit_lines(data, offsets)

    file_kind, sub = kind
    if file_kind is FileKind.CONFIG and (shape := sniff_iac(relpath, data)) is not None:
        file_kind, sub = FileKind.IAC, shape
    findings: list[Finding] = []
    parsed = False
    notes: list[str] = []
    skip_reason: str | None = None
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
    elif file_kind is FileKind.NOTEBOOK:
        try:
            notebook = detect_notebook(catalog, scope, relpath, data, options.max_parse_size)
        except NotebookError as err:
            skip_reason = f"malformed notebook: {err}"
        else:
            parsed = True
            findings.extend(notebook.findings)
            notes.extend(notebook.notes)
    elif file_kind is FileKind.MANIFEST:
        try:
            manifest = parse_manifest(relpath, data)
        except ManifestError as err:
            skip_reason = f"malformed {sub}: {err}"
        else:
            parsed = True
            findings.extend(detect_manifest(catalog, scope, relpath, manifest, data))
    elif file_kind is FileKind.IAC:
        iac = detect_iac(catalog, scope, relpath, sub, data, hits, options.max_parse_size)
        parsed, skip_reason = iac.parsed, iac.skip_reason
        notes.extend(iac.notes)
        findings.extend(iac.findings)
    elif file_kind is not FileKind.TEXT:  # TEXT files are read for keys only
        confidence = Confidence.LOW if file_kind is FileKind.DOC else Confidence.MEDIUM
        findings.extend(
            detect_lines(catalog, scope, relpath, _decode_lines(data), hits, confidence)
        )
    if mcp is not None:
        findings.extend(mcp.findings)
        parsed = parsed or mcp.skip_reason is None
        skip_reason = skip_reason or mcp.skip_reason
    if offsets:
        # Keys in prose read only with --include-docs are low confidence, like the rest of it;
        # a text file the key pass always reads keeps its keys' confidence either way.
        low = file_kind is FileKind.DOC and not is_key_text(relpath)
        findings = scan_keys(catalog, scope, relpath, data, findings, low=low)

    reason = noise_reason(relpath)
    if reason is not None:
        findings = [_lowered(f, reason) for f in findings]
    return FileResult(
        relpath,
        tuple(findings),
        skip_reason=skip_reason,
        bytes_read=len(data),
        parsed=parsed,
        notes=tuple(notes),
    )


def _lowered(finding: Finding, reason: str) -> Finding:
    if finding.confidence is Confidence.LOW and "reason" in finding.attributes:
        return finding
    return replace(
        finding,
        confidence=Confidence.LOW,
        attributes={**finding.attributes, "reason": reason},
    )


def _model_result(
    catalog: Catalog, scope: Scope, relpath: str, read: Callable[[int], bytes], size: int
) -> FileResult:
    """A model file: its header sniffed (a bounded read), its finding lowered under noise."""
    findings = detect_model_file(catalog, scope, relpath, read, size)
    reason = noise_reason(relpath)
    if reason is not None:
        findings = [_lowered(f, reason) for f in findings]
    return FileResult(relpath, tuple(findings), parsed=bool(findings))


def scan_file(
    catalog: Catalog,
    scope: Scope,
    file: FileRef,
    options: ScanOptions = ScanOptions(),
    memo: ResultMemo | None = None,
) -> FileResult:
    """Scan one file on disk: size cap before reading, read errors recorded, never raised.

    Model files are exempt from the size cap: only a bounded header of one is read. With a
    ``memo``, a file whose content was scanned before returns the remembered result, and every
    other result (nothing to read, over the cap, a model header, no keyword) is handed to the
    memo unhashed, so that an unchanged file need not even be opened next time. A file that
    could not be read is never remembered.
    """
    result, remembered = _scan_file(catalog, scope, file, options, memo)
    if memo is not None and not remembered and not _unreadable(result):
        memo.put_unhashed(file.relpath, result)
    return result


def _unreadable(result: FileResult) -> bool:
    return result.skip_reason is not None and result.skip_reason.startswith("unreadable")


def _scan_file(
    catalog: Catalog,
    scope: Scope,
    file: FileRef,
    options: ScanOptions,
    memo: ResultMemo | None,
) -> tuple[FileResult, bool]:
    """The result, and whether the memo already has it (found or put by content hash)."""
    kind = classify(file.relpath, options.include_docs)
    if kind is None and may_be_script(file.relpath):
        try:
            kind = classify(file.relpath, options.include_docs, file.read(SHEBANG_HEAD))
        except OSError:
            kind = None  # not a script we can read; the walk did not promise anything more
    if kind is None:
        return FileResult(file.relpath), False
    if kind[0] is FileKind.MODEL:
        try:
            return _model_result(catalog, scope, file.relpath, file.read, file.size), False
        except OSError as err:
            return FileResult(
                file.relpath,
                skip_reason=f"unreadable: {os.strerror(err.errno or 0) if err.errno else err}",
            ), False
    is_lock = kind[0] is FileKind.MANIFEST and kind[1] in LOCK_KINDS
    cap = options.max_lock_file_size if is_lock else options.max_file_size
    if file.size > cap:
        return FileResult(
            file.relpath,
            skip_reason=f"larger than the size cap ({file.size} > {cap} bytes)",
        ), False
    try:
        data = file.read(cap + 1)
    except OSError as err:
        return FileResult(
            file.relpath,
            skip_reason=f"unreadable: {os.strerror(err.errno or 0) if err.errno else err}",
        ), False
    if len(data) > cap:
        return FileResult(
            file.relpath, skip_reason="grew beyond the size cap while being read"
        ), False
    if memo is None or not catalog.prefilter(data):
        # Nothing here needs parsing: scanning it again costs less than hashing it would.
        return scan_data(catalog, scope, file.relpath, data, options, kind), False
    known = memo.get(file.relpath, data)
    if known is not None:
        return known, True
    result = scan_data(catalog, scope, file.relpath, data, options, kind)
    memo.put(file.relpath, data, result)
    return result, True


INSTALLED_METADATA_DIRS = (".dist-info", ".egg-info")
SHEBANG_HEAD = 128
"""Bytes read from an extension-less file to see whether its shebang makes it a script."""


def may_be_script(relpath: str) -> bool:
    """An extension-less file name: only its first line can say whether it is source."""
    return "." not in posixpath.basename(relpath)


def provider_trees(findings: Iterable[Finding]) -> dict[str, str]:
    """Directories whose manifest says the package *is* a catalog product -> that product.

    An installed package's metadata sits beside its code, not above it:
    ``langfuse-2.0.dist-info/METADATA`` (or ``langfuse.egg-info/PKG-INFO``) speaks for the
    sibling ``langfuse/`` package, named by the distribution with ``-`` as ``_``.
    """
    trees: dict[str, str] = {}
    for f in findings:
        if f.signal is not Signal.PROVIDES:
            continue
        directory = posixpath.dirname(f.location.locator)
        trees[directory] = f.product_name
        name = posixpath.basename(directory)
        if name.endswith(INSTALLED_METADATA_DIRS):
            dist = name.rsplit(".", 1)[0].split("-", 1)[0]
            package = dist.replace("-", "_").replace(".", "_").lower()
            trees[posixpath.join(posixpath.dirname(directory), package)] = f.product_name
    return trees


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
