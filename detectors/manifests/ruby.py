"""Ruby: ``Gemfile`` (Bundler's DSL), ``*.gemspec`` and ``Gemfile.lock``.

Gemfiles and gemspecs are Ruby code; they are read line by line for the calls that declare a
gem with a literal name (``gem "x"``, ``spec.add_dependency "x"``), which is how they are
written in practice. Gem names are compared exactly as written.
"""

from __future__ import annotations

import re

from detectors.manifests.model import RUBYGEMS, Manifest, PackageRef, normalise_name
from detectors.manifests.source import TextLocator, decode_lenient

_GEM_NAME = r"[A-Za-z0-9_][A-Za-z0-9._-]*"
_STRING = r"(?P<q>[\"'])(?P<name>" + _GEM_NAME + r")(?P=q)"
_VERSION = r"(?:\s*,\s*(?P<q2>[\"'])(?P<version>[^\"'\n]*)(?P=q2))?"
_GEM = re.compile(r"^[ \t]*gem[ \t]*(?:\(|[ \t])[ \t]*" + _STRING + _VERSION, re.M)
_ADD_DEPENDENCY = re.compile(
    r"^[ \t]*\w+\.add_(?:runtime_|development_)?dependency[ \t]*(?:\(|[ \t])[ \t]*"
    + _STRING
    + _VERSION,
    re.M,
)
_SPEC_NAME = re.compile(r"^[ \t]*\w+\.name[ \t]*=[ \t]*" + _STRING, re.M)
# =begin ... =end at the start of a line is a Ruby block comment.
_BLOCK_COMMENT = re.compile(r"^=begin\b.*?(?:^=end\b[^\n]*|\Z)", re.M | re.S)


def _code(data: bytes) -> str:
    """The text with ``=begin``/``=end`` comments blanked (lines kept); ``#`` lines never match."""
    text = decode_lenient(data)
    return _BLOCK_COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


def _refs(pattern: re.Pattern[str], text: str) -> tuple[PackageRef, ...]:
    loc = TextLocator(text)
    return tuple(
        PackageRef(
            RUBYGEMS,
            normalise_name(RUBYGEMS, m.group("name")),
            loc.line_at(m.start("name")),
            m.group("version") or "",
        )
        for m in pattern.finditer(text)
    )


def parse_gemfile(data: bytes) -> Manifest:
    """``gem "name"[, "version"]`` calls, in any group; ``gemspec`` lines add nothing."""
    return Manifest("gemfile", RUBYGEMS, _refs(_GEM, _code(data)), None, None)


def parse_gemspec(data: bytes) -> Manifest:
    """``add_dependency`` (runtime and development) calls and the gem's own ``name``."""
    text = _code(data)
    own = _SPEC_NAME.search(text)
    own_name = normalise_name(RUBYGEMS, own.group("name")) if own else None
    own_line = TextLocator(text).line_at(own.start("name")) if own else 0
    refs = _refs(_ADD_DEPENDENCY, text)
    return Manifest("gemspec", RUBYGEMS, refs, own_name, RUBYGEMS if own_name else None, own_line)


# Gemfile.lock: section headers at column 0, installed gems at four spaces ("    name (1.2)"),
# their own dependencies at six, and in DEPENDENCIES the project's gems at two ("  name!").
_LOCK = re.compile(
    r"^(?P<section>[A-Z][A-Z ]*)\r?$"
    r"|^    (?P<spec>[^\s(!]+)(?: \((?P<version>[^)\n]*)\))?\r?$"
    r"|^  (?P<dep>[^\s(!:]+)!?(?: \([^)\n]*\))?\r?$",
    re.M,
)


def parse_gemfile_lock(data: bytes) -> Manifest:
    """Every installed gem; those the DEPENDENCIES section lists are direct. Gems of PATH
    sections are the project's own (or local) gems, not installed packages."""
    text = decode_lenient(data)
    loc = TextLocator(text)
    section = ""
    specs: dict[str, tuple[int, str]] = {}
    local: set[str] = set()
    direct: dict[str, int] = {}
    for match in _LOCK.finditer(text):
        if match.group("section") is not None:
            section = match.group("section").strip()
        elif match.group("spec") is not None and section in ("GEM", "GIT", "PATH"):
            name = normalise_name(RUBYGEMS, match.group("spec"))
            if section == "PATH":
                local.add(name)
            elif name not in specs:
                specs[name] = (loc.line_at(match.start("spec")), match.group("version") or "")
        elif match.group("dep") is not None and section == "DEPENDENCIES":
            name = normalise_name(RUBYGEMS, match.group("dep"))
            direct.setdefault(name, loc.line_at(match.start("dep")))
    refs = [
        PackageRef(RUBYGEMS, name, line, version, direct=name in direct)
        for name, (line, version) in specs.items()
    ]
    refs += [
        PackageRef(RUBYGEMS, name, line)
        for name, line in direct.items()
        if name not in specs and name not in local
    ]
    refs.sort(key=lambda ref: ref.line)
    return Manifest("gemfile.lock", RUBYGEMS, tuple(refs), None, None)
