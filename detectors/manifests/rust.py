"""Rust: ``Cargo.toml`` and ``Cargo.lock``.

A dependency renamed in Cargo.toml (``oai = { package = "async-openai" }``) is the crate named
by ``package``. Crate names are compared case-insensitively with ``_`` equal to ``-``.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from detectors.manifests.model import CARGO, Manifest, ManifestError, PackageRef, normalise_name
from detectors.manifests.source import (
    LineCounter,
    TomlLocator,
    decode_lenient,
    decode_strict,
    toml_header,
)

_SECTIONS = ("dependencies", "dev-dependencies", "build-dependencies")
_LEGACY_SECTIONS = ("dev_dependencies", "build_dependencies")
_CRATE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")


def _dependency_table(loc: TomlLocator, table: object, path: tuple[str, ...]) -> list[PackageRef]:
    if not isinstance(table, dict):
        return []
    cursor = loc.section(path)
    refs: list[PackageRef] = []
    for key, value in table.items():
        crate, spec = key, value if isinstance(value, str) else ""
        if isinstance(value, dict):
            renamed = value.get("package")
            crate = renamed if isinstance(renamed, str) else key
            version = value.get("version")
            spec = version if isinstance(version, str) else ""
        if _CRATE.fullmatch(crate):
            line = loc.find_key(cursor, key)
            refs.append(PackageRef(CARGO, normalise_name(CARGO, crate), line, spec))
    return refs


def parse_cargo_toml(data: bytes) -> Manifest:
    """Dependencies of every kind, per-target ones and ``[workspace.dependencies]``; the
    ``[package]`` name is the own name."""
    text = decode_strict(data, "TOML")
    try:
        doc: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"invalid TOML: {exc}") from exc
    loc = TomlLocator(text)
    refs: list[PackageRef] = []
    for section in _SECTIONS + _LEGACY_SECTIONS:
        refs += _dependency_table(loc, doc.get(section), (section,))
    targets = doc.get("target")
    for cfg, body in (targets if isinstance(targets, dict) else {}).items():
        for section in _SECTIONS:
            table = body.get(section) if isinstance(body, dict) else None
            refs += _dependency_table(loc, table, ("target", cfg, section))
    workspace = doc.get("workspace")
    if isinstance(workspace, dict):
        refs += _dependency_table(loc, workspace.get("dependencies"), ("workspace", "dependencies"))
    package = doc.get("package")
    name = package.get("name") if isinstance(package, dict) else None
    own_name = normalise_name(CARGO, name) if isinstance(name, str) and name.strip() else None
    own_line = loc.find_key(loc.section(("package",)), "name") if own_name else 0
    refs.sort(key=lambda ref: ref.line)
    return Manifest("cargo", CARGO, tuple(refs), own_name, CARGO if own_name else None, own_line)


# Cargo.lock is generated TOML, one ``[[package]]`` table per crate: read line by line with one
# regex instead of a TOML parser (a big workspace's lock is megabytes).
_LOCK = re.compile(
    r"^(?P<header>\[\[?[^\n]*)"
    r'|^name[ \t]*=[ \t]*"(?P<name>[^"\n]*)"'
    r'|^version[ \t]*=[ \t]*"(?P<version>[^"\n]*)"'
    r"|^(?P<source>source)[ \t]*="
    r"|^dependencies[ \t]*=[ \t]*\[(?P<deps>[^\]]*)\]",
    re.M,
)
_LOCK_DEP = re.compile(r'"([^"\s]+)[^"]*"')


def parse_cargo_lock(data: bytes) -> Manifest:
    """Every locked crate; those the workspace's own crates (packages without a ``source``)
    depend on are direct. The workspace crates themselves are not dependencies."""
    text = decode_lenient(data)
    lines = LineCounter(text)
    # name, line, version, has source, dependency names
    packages: list[tuple[str, int, str, bool, list[str]]] = []
    in_package = False
    for match in _LOCK.finditer(text):
        header = match.group("header")
        if header is not None:
            parsed = toml_header(header)
            if parsed is None:
                line = lines.line_at(match.start())
                raise ManifestError(f"invalid Cargo.lock: line {line}: malformed table header")
            in_package = parsed == (True, "package")
            if in_package:
                packages.append(("", 0, "", False, []))
            continue
        if not in_package:
            continue
        name, line, version, has_source, deps = packages[-1]
        if match.group("name") is not None and not name:
            name, line = match.group("name"), lines.line_at(match.start())
        elif match.group("version") is not None:
            version = match.group("version")
        elif match.group("source") is not None:
            has_source = True
        elif match.group("deps") is not None:
            deps = _LOCK_DEP.findall(match.group("deps"))
        packages[-1] = (name, line, version, has_source, deps)
    direct = {
        normalise_name(CARGO, dep)
        for _, _, _, has_source, deps in packages
        if not has_source
        for dep in deps
    }
    found: dict[str, PackageRef] = {}
    for name, line, version, has_source, _ in packages:
        if not has_source or not _CRATE.fullmatch(name):
            continue
        key = normalise_name(CARGO, name)
        found.setdefault(key, PackageRef(CARGO, key, line, version, direct=key in direct))
    return Manifest("cargo.lock", CARGO, tuple(found.values()), None, None)
