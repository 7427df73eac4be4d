"""Python lock files: ``poetry.lock``, ``uv.lock`` and ``Pipfile.lock``.

poetry.lock and uv.lock are generated TOML with one ``[[package]]`` table per package: they are
read with one regex over the text instead of a TOML parser, which would take seconds (and build
every hash and wheel URL) on a large lock. Only uv.lock records the project's own packages
(``source = { editable | virtual = ... }``): what they depend on is direct. poetry.lock and
Pipfile.lock record no such thing (pyproject.toml and Pipfile do), so nothing in them is.
"""

from __future__ import annotations

import json
import re

from detectors.manifests.jsonscan import json_error, open_json
from detectors.manifests.model import PYPI, Manifest, ManifestError, PackageRef, normalise_name
from detectors.manifests.requirements import is_valid_name
from detectors.manifests.source import LineCounter, decode_lenient, toml_header

_LOCK = re.compile(
    r"^(?P<header>\[[^\n]*)"
    r'|^name[ \t]*=[ \t]*"(?P<name>[^"\n]*)"'
    r'|^version[ \t]*=[ \t]*"(?P<version>[^"\n]*)"'
    r"|^source[ \t]*=[ \t]*\{[ \t]*(?P<local>editable|virtual)[ \t]*=",
    re.M,
)
_INLINE_NAME = re.compile(r'\{[ \t]*name[ \t]*=[ \t]*"([^"\n]+)"')


class _Package:
    __slots__ = ("end", "line", "local", "name", "start", "version")

    def __init__(self, start: int) -> None:
        self.start = start
        self.end = -1
        self.name = ""
        self.line = 0
        self.version = ""
        self.local = False


def _lock_packages(text: str, kind: str) -> list[_Package]:
    """The ``[[package]]`` tables of a TOML lock, with the text span of each (its sub-tables such
    as ``[package.dependencies]`` included). Keys are read only from the table itself."""
    lines = LineCounter(text)
    packages: list[_Package] = []
    current: _Package | None = None
    in_table = False  # in the [[package]] table itself, not in one of its sub-tables
    for match in _LOCK.finditer(text):
        header = match.group("header")
        if header is not None:
            parsed = toml_header(header)
            if parsed is None:
                line = lines.line_at(match.start())
                raise ManifestError(f"invalid {kind}: line {line}: malformed table header")
            is_array, table = parsed
            in_table = is_array and table == "package"
            if in_table or not table.startswith("package."):
                if current is not None:
                    current.end = match.start()
                current = _Package(match.start()) if in_table else None
                if current is not None:
                    packages.append(current)
            continue
        if current is None or not in_table:
            continue
        if match.group("name") is not None and not current.name:
            current.name, current.line = match.group("name"), lines.line_at(match.start())
        elif match.group("version") is not None and not current.version:
            current.version = match.group("version")
        elif match.group("local") is not None:
            current.local = True
    if current is not None:
        current.end = len(text)
    return packages


def _refs(packages: list[_Package], direct: set[str]) -> tuple[PackageRef, ...]:
    """One ref per package name (the first table), the project's own packages left out."""
    found: dict[str, PackageRef] = {}
    for package in packages:
        if package.local or not is_valid_name(package.name):
            continue
        name = normalise_name(PYPI, package.name)
        if name not in found:
            ref = PackageRef(PYPI, name, package.line, package.version, direct=name in direct)
            found[name] = ref
    return tuple(found.values())


def parse_poetry_lock(data: bytes) -> Manifest:
    """Every locked package; none is marked direct (see the module docstring)."""
    packages = _lock_packages(decode_lenient(data), "poetry.lock")
    return Manifest("poetry.lock", PYPI, _refs(packages, set()), None, None)


# In uv.lock, a package's dependencies are inline tables ``{ name = "anyio", ... }`` in the
# arrays ``dependencies = [...]`` of the table and of its optional-dependencies and
# dev-dependencies sub-tables; [package.metadata] (the requirements as written) is not read.
_UV_SKIPPED_TABLES = re.compile(r"^\[package\.metadata[^\n]*", re.M)
_UV_ANY_HEADER = re.compile(r"^\[", re.M)


def _uv_dependencies(body: str) -> set[str]:
    names: set[str] = set()
    pos = 0
    for skipped in _UV_SKIPPED_TABLES.finditer(body):
        names.update(_INLINE_NAME.findall(body, pos, skipped.start()))
        following = _UV_ANY_HEADER.search(body, skipped.end())
        pos = following.start() if following else len(body)
    names.update(_INLINE_NAME.findall(body, pos))
    return {normalise_name(PYPI, name) for name in names}


def parse_uv_lock(data: bytes) -> Manifest:
    """Every locked package; the dependencies of the project's own packages are direct."""
    text = decode_lenient(data)
    packages = _lock_packages(text, "uv.lock")
    direct: set[str] = set()
    for package in packages:
        if package.local:
            direct |= _uv_dependencies(text[package.start : package.end])
    return Manifest("uv.lock", PYPI, _refs(packages, direct), None, None)


def parse_pipfile_lock(data: bytes) -> Manifest:
    """``default`` and ``develop`` packages; none is marked direct (see the module docstring)."""
    reader, root = open_json(data, "Pipfile.lock")
    found: dict[str, PackageRef] = {}
    try:
        for key, _, section_pos in reader.members(root):
            if key not in ("default", "develop") or not reader.is_object(section_pos):
                continue
            for name, name_pos, entry_pos in reader.members(section_pos):
                entry = reader.value(entry_pos)
                if not is_valid_name(name):
                    continue
                version = entry.get("version") if isinstance(entry, dict) else None
                normalised = normalise_name(PYPI, name)
                found.setdefault(
                    normalised,
                    PackageRef(
                        PYPI,
                        normalised,
                        reader.lines.line_at(name_pos),
                        version if isinstance(version, str) else "",
                        direct=False,
                    ),
                )
        reader.finish(root)
    except json.JSONDecodeError as exc:
        raise json_error(exc) from exc
    return Manifest("pipfile.lock", PYPI, tuple(found.values()), None, None)
