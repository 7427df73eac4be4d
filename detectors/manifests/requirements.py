"""PEP 508 requirement strings and pip requirement-file lines, reduced to a name and a spec.

Deliberately small and strict about names (PEP 508: alphanumeric at both ends, ``._-`` inside)
so that paths, URLs and prose are skipped rather than misreported as packages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
# What may follow a name in PEP 508: extras, a (parenthesised) version spec, a marker or a URL.
_AFTER_NAME = frozenset("[(;@<>=!~")
_OPERATOR_START = frozenset("<>=!~")
_ARCHIVE_SUFFIXES = (
    ".whl",
    ".zip",
    ".egg",
    ".tar",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz",
    ".tar.xz",
    ".txz",
)
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
# pip: a comment starts at "#" at the start of a line or after whitespace (URLs keep "#egg=").
_COMMENT = re.compile(r"(?:^|\s+)#.*$")
_COMMENT_LINE = re.compile(r"^\s*#")
# pip: everything from the first whitespace-preceded "-" on a requirement line is options.
_TRAILING_OPTIONS = re.compile(r"\s-")
_EDITABLE = re.compile(r"^(?:--editable(?:\s*=\s*|\s+)|-e\s*)(?P<target>\S.*)$")
# In a direct reference the marker needs whitespace before ";" (URLs may contain ";").
_URL_MARKER = re.compile(r"\s;")


@dataclass(frozen=True, slots=True)
class Requirement:
    """A requirement reduced to what the scanner needs: the name as written and its spec."""

    name: str
    spec: str


def parse_requirement(text: str) -> Requirement | None:
    """Parse one PEP 508 string; None if it is not a named requirement (path, URL, garbage)."""
    s = text.strip()
    match = _NAME.match(s)
    if match is None:
        return None
    name = match.group()
    rest = s[match.end() :].lstrip()
    if rest and rest[0] not in _AFTER_NAME:
        return None
    if not rest and name.lower().endswith(_ARCHIVE_SUFFIXES):
        return None  # a local archive such as ``pkg-1.0-py3-none-any.whl``
    if rest.startswith("["):
        close = rest.find("]")
        if close < 0:
            return None
        rest = rest[close + 1 :].lstrip()
    if rest.startswith("@"):
        url = _URL_MARKER.split(rest[1:], maxsplit=1)[0].strip()
        return Requirement(name, f"@ {url}") if url else None
    spec = rest.split(";", 1)[0].strip()
    if spec.startswith("("):
        if not spec.endswith(")"):
            return None
        spec = spec[1:-1].strip()
    if spec and spec[0] not in _OPERATOR_START:
        return None
    return Requirement(name, spec)


def strip_comment(line: str) -> str:
    """Drop a pip-style comment: ``#`` at line start or after whitespace."""
    return _COMMENT.sub("", line)


def parse_pip_line(line: str) -> Requirement | None:
    """Parse one logical, comment-free requirements-file line (also used for conda ``pip:``)."""
    s = line.strip()
    editable = False
    if s.startswith("-"):
        match = _EDITABLE.match(s)
        if match is None:
            return None  # -r, -c, --index-url, --hash=... and other pip options
        s = match.group("target").strip()
        editable = True
    cut = _TRAILING_OPTIONS.search(s)
    if cut is not None:
        s = s[: cut.start()].rstrip()
    if editable:
        s = s.strip("'\"")  # pip reads option values with shlex, so quotes are not part of them
    if not s:
        return None
    req = parse_requirement(s)
    # An editable target is a path or URL; a bare word there is a directory, not a package.
    if req is not None and (not editable or req.spec.startswith("@")):
        return req
    egg = _EGG.search(s)
    if egg is not None:
        return Requirement(egg.group(1), f"@ {s}")
    return None


def iter_logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield (first physical line, text) per logical line: ``\\`` joined, comments removed.

    Mirrors pip: a comment line never continues and ends a pending continuation.
    """
    parts: list[str] = []
    first = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r")
        is_comment = _COMMENT_LINE.match(line) is not None
        if line.endswith("\\") and not is_comment:
            if not parts:
                first = number
            parts.append(line[:-1])
            continue
        if is_comment:
            line = " " + line
        if parts:
            parts.append(line)
            yield first, strip_comment("".join(parts))
            parts = []
        else:
            yield number, strip_comment(line)
    if parts:
        yield first, strip_comment("".join(parts))


def parse_requirements_text(text: str) -> list[tuple[Requirement, int]]:
    """All named requirements of a pip requirements file, each with its 1-based line."""
    found: list[tuple[Requirement, int]] = []
    for number, line in iter_logical_lines(text):
        req = parse_pip_line(line)
        if req is not None:
            found.append((req, number))
    return found


def is_valid_name(name: str) -> bool:
    """Whether ``name`` is a PEP 508 project name (used for table keys such as Poetry's)."""
    return _NAME.fullmatch(name) is not None


# Marker variables (PEP 508): a ";"-separated piece starting with one of these is a marker.
_MARKER_VARIABLES = frozenset(
    {
        "python_version",
        "python_full_version",
        "os_name",
        "os.name",
        "sys_platform",
        "sys.platform",
        "platform_release",
        "platform_system",
        "platform_version",
        "platform_machine",
        "platform.machine",
        "platform_python_implementation",
        "platform.python_implementation",
        "implementation_name",
        "implementation_version",
        "extra",
    }
)


def split_single_line(value: str) -> list[Requirement]:
    """A one-line setup.cfg requirement list: setuptools splits it on ``;``.

    Pieces after the first that are environment markers (a common mistake setuptools only warns
    about) are dropped instead of being read as packages named ``python_version``.
    """
    found: list[Requirement] = []
    for index, piece in enumerate(value.split(";")):
        req = parse_requirement(strip_comment(piece))
        if req is None:
            continue
        if index and req.name.lower() in _MARKER_VARIABLES:
            continue
        found.append(req)
    return found


_CONDA_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?")
_CONDA_AFTER_NAME = frozenset(" \t=<>!~[*")


def parse_conda_spec(text: str) -> Requirement | None:
    """Parse a conda match spec (``numpy=1.2``, ``conda-forge::pytorch``, ``numpy 1.2.*``)."""
    s = text.strip().rpartition("::")[2].strip()
    match = _CONDA_NAME.match(s)
    if match is None:
        return None
    rest = s[match.end() :]
    if rest and rest[0] not in _CONDA_AFTER_NAME:
        return None
    return Requirement(match.group(), rest.strip())
