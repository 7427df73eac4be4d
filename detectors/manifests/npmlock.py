"""npm-ecosystem lock files: ``package-lock.json`` / ``npm-shrinkwrap.json``, ``pnpm-lock.yaml``
and ``yarn.lock`` (classic v1 and Berry).

Each lists every installed package; a package is direct when the lock records that the project
(its root or one of its workspaces) declares it: package-lock v2/v3 through the root package's
own dependency lists, pnpm through its ``importers``, Berry through its workspace entries.
package-lock v1 and yarn v1 record no such thing (package.json does), so nothing in them is.
All three are read as a stream of keys, never loaded whole: a lock can be tens of megabytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from detectors.manifests.jsonscan import JsonReader, json_error, open_json
from detectors.manifests.model import NPM, Manifest, ManifestError, PackageRef, normalise_name
from detectors.manifests.source import LineCounter, decode_lenient

_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")


@dataclass(slots=True)
class _Found:
    """Lock entries collected by name: the first line, or the first line where it is direct."""

    refs: dict[str, PackageRef]

    def add(self, name: str, line: int, spec: str, direct: bool) -> None:
        name = normalise_name(NPM, name)
        if not _is_npm_name(name):
            return
        previous = self.refs.get(name)
        if previous is None or (direct and not previous.direct):
            self.refs[name] = PackageRef(NPM, name, line, spec, direct)

    def manifest(self, kind: str) -> Manifest:
        refs = tuple(sorted(self.refs.values(), key=lambda ref: ref.line))
        return Manifest(kind, NPM, refs, None, None)


@dataclass(slots=True)
class _Entry:
    """A package a lock names, while its lines are still being read."""

    name: str
    line: int
    spec: str = ""


_NPM_NAME = re.compile(r"(?:@[a-z0-9~][a-z0-9._~-]*/)?[a-z0-9_~.][a-z0-9._~-]*")


def _is_npm_name(name: str) -> bool:
    return _NPM_NAME.fullmatch(name) is not None


def _alias_target(spec: str) -> str | None:
    """The real package of an alias spec ``npm:real@^1`` (None if ``spec`` is no alias)."""
    if not spec.startswith("npm:"):
        return None
    target = spec[len("npm:") :]
    at = target.find("@", 1)
    real = target[:at] if at > 0 else target
    return real if real and not real[0].isdigit() and real[0] not in "^~<>=*" else None


# --- package-lock.json ------------------------------------------------------------------------


def _declared(entry: object) -> set[str]:
    """Names a package.json-like entry declares in its dependency sections."""
    names: set[str] = set()
    if isinstance(entry, dict):
        for section in _SECTIONS:
            deps = entry.get(section)
            if isinstance(deps, dict):
                names.update(name for name in deps if isinstance(name, str))
    return names


def _v1_tree(reader: JsonReader, pos: int, found: _Found) -> None:
    """Lockfile v1: ``dependencies`` maps names to entries that nest their own."""
    for folder, key_pos, entry_pos in reader.members(pos):
        if not reader.is_object(entry_pos):
            continue
        line = reader.lines.line_at(key_pos)
        version = ""
        for field, _, value_pos in reader.members(entry_pos):
            if field == "version":
                value = reader.value(value_pos)
                version = value if isinstance(value, str) else ""
            elif field == "dependencies" and reader.is_object(value_pos):
                _v1_tree(reader, value_pos, found)
        real = _alias_target(version)
        found.add(real or folder, line, version[len(f"npm:{real}@") :] if real else version, False)


def parse_package_lock(data: bytes) -> Manifest:
    """``packages`` (lockfile v2/v3), else the ``dependencies`` tree (v1). A package installed
    at ``node_modules/<name>`` of the root (or of a workspace folder) is direct when that root
    or any workspace declares it; copies nested under other packages are not."""
    reader, root = open_json(data, "package-lock.json")
    # (folder name, installed name, line, version, owner folder or None when nested)
    entries: list[tuple[str, str, int, str, str | None]] = []
    declared: dict[str, set[str]] = {}
    legacy = _Found({})
    has_packages = False
    try:
        for key, _, value_pos in reader.members(root):
            if key == "packages" and reader.is_object(value_pos):
                has_packages = True
                _v2_packages(reader, value_pos, entries, declared)
            elif key == "dependencies" and not has_packages and reader.is_object(value_pos):
                _v1_tree(reader, value_pos, legacy)  # lockfile v1
            elif key == "dependencies":
                # v2 repeats every package here for npm 6: half the file, read for nothing
                reader.skip(value_pos)
        reader.finish(root)
    except json.JSONDecodeError as exc:
        raise json_error(exc) from exc
    if not has_packages:
        return legacy.manifest("package-lock")
    found = _Found({})
    workspaces = set().union(*(names for owner, names in declared.items() if owner))
    for folder, name, line, version, owner in entries:
        direct = owner is not None and (
            folder in declared.get(owner, ()) or (owner == "" and folder in workspaces)
        )
        found.add(name, line, version, direct)
    return found.manifest("package-lock")


def _v2_packages(
    reader: JsonReader,
    pos: int,
    entries: list[tuple[str, str, int, str, str | None]],
    declared: dict[str, set[str]],
) -> None:
    for path, key_pos, entry_pos in reader.members(pos):
        entry = reader.value(entry_pos)
        if not isinstance(entry, dict):
            continue
        head, marker, folder = path.rpartition("node_modules/")
        if not marker:  # "" is the root, anything else a workspace folder: they declare
            declared[path] = _declared(entry)
            continue
        if entry.get("link") is True:
            continue  # a symlink to a workspace folder, not an installed package
        owner = head.removesuffix("/")
        real = entry.get("name")
        name = real if isinstance(real, str) and real else folder
        version = entry.get("version")
        entries.append(
            (
                folder,
                name,
                reader.lines.line_at(key_pos),
                version if isinstance(version, str) else "",
                None if "node_modules" in owner.split("/") else owner,
            )
        )


# --- pnpm-lock.yaml ---------------------------------------------------------------------------

# pnpm writes its lock as block YAML with two-space indentation, so it is read by indentation:
# top-level keys, then per section the keys at the depth that names packages.
_COLUMN0 = re.compile(r"^[^\s#][^\n]*", re.M)
_TOP_KEY = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9_-]*):[ \t]*(?P<value>[^\n]*?)[ \t]*\r?$")
_PNPM_PACKAGE_KEY = re.compile(r"^  (?P<key>[^\s#][^\n]*?):(?:[ \t]+\{\})?[ \t]*\r?$", re.M)
_PNPM_DECLARING = frozenset({"dependencies", "devDependencies", "optionalDependencies"})


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


def _split_key(line: str) -> tuple[str, str]:
    """(key, value) of a ``key: value`` line, the key unquoted."""
    stripped = line.strip()
    if stripped[:1] in ("'", '"'):
        close = stripped.find(stripped[0], 1)
        while stripped[0] == "'" and close > 0 and stripped[close + 1 : close + 2] == "'":
            close = stripped.find("'", close + 2)
        if close < 0:
            return "", ""
        key, rest = _unquote(stripped[: close + 1]), stripped[close + 1 :]
        return key, rest.removeprefix(":").strip()
    key, _, value = stripped.partition(":")
    return key.strip(), value.strip()


def _pnpm_declared(
    text: str, start: int, end: int, first_line: int, name_indent: int, section_indent: int | None
) -> list[_Entry]:
    """The dependencies an importer (or a v5/v6 top-level dependency section) declares, minus
    workspace links (``link:``). ``text[start:end]`` begins at the end of the section's key
    line, which is ``first_line``."""
    found: list[_Entry] = []
    in_section = section_indent is None
    open_entry = False  # the last name line is still taking its nested keys
    for offset, raw in enumerate(text[start:end].split("\n")):
        line = raw.rstrip("\r")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if section_indent is not None and indent <= section_indent:
            key, _ = _split_key(line)
            in_section = indent == section_indent and key in _PNPM_DECLARING
            open_entry = False
        elif not in_section:
            continue
        elif indent == name_indent:
            name, value = _split_key(line)
            value = _unquote(value)
            open_entry = not value.startswith("link:")
            if open_entry:  # v5 writes the version on the name's line
                found.append(_Entry(name, first_line + offset, value.split("(", 1)[0]))
        elif indent == name_indent + 2 and open_entry:
            key, value = _split_key(line)
            value = _unquote(value)
            if key == "version" and value.startswith("link:"):
                found.pop()
                open_entry = False
            elif key == "version" and value:
                found[-1].spec = value.split("(", 1)[0]
    return found


def _pnpm_package(key: str, major: int) -> tuple[str, str] | None:
    """(name, version) of a ``packages:`` key: ``name@1.0.0`` (v9), ``/name@1.0.0(peer)``
    (v6), ``/name/1.0.0_peer`` (v5); a v5 key without the leading ``/`` starts with a
    registry host."""
    key = _unquote(key).split("(", 1)[0]
    slash = key.startswith("/")
    key = key.removeprefix("/")
    if major < 6:
        parts = key.split("/")
        if not slash and len(parts) > 2:
            parts = parts[1:]  # registry host
        size = 2 if parts[0].startswith("@") else 1
        if len(parts) <= size:
            return None
        return "/".join(parts[:size]), parts[size].split("_", 1)[0]
    at = key.find("@", 1)
    return (key[:at], key[at + 1 :]) if at > 0 else None


def parse_pnpm_lock(data: bytes) -> Manifest:
    """``importers`` (or, before workspaces, the top-level dependency sections) are the
    project's own dependencies: direct. ``packages`` lists everything installed."""
    text = decode_lenient(data)
    lines = LineCounter(text)
    sections: list[tuple[str, str, int, int, int]] = []  # key, value, key start/end, key line
    for match in _COLUMN0.finditer(text):
        if match.group().rstrip() == "---":
            continue
        top = _TOP_KEY.match(match.group())
        line = lines.line_at(match.start())
        if top is None:
            raise ManifestError(f"invalid pnpm-lock.yaml: line {line}: expected a top-level key")
        sections.append((top.group("key"), top.group("value"), match.start(), match.end(), line))
    version = next((_unquote(v) for key, v, _, _, _ in sections if key == "lockfileVersion"), "")
    try:
        major = int(float(version))
    except ValueError:
        reason = f"lockfileVersion {version!r} is not a number" if version else "no lockfileVersion"
        raise ManifestError(f"invalid pnpm-lock.yaml: {reason}") from None
    found = _Found({})
    for index, (key, _, _, body, line) in enumerate(sections):
        end = sections[index + 1][2] if index + 1 < len(sections) else len(text)
        if key == "importers":
            declared = _pnpm_declared(text, body, end, line, 6, 4)
        elif key in _PNPM_DECLARING:
            declared = _pnpm_declared(text, body, end, line, 2, None)
        elif key == "packages":
            for match in _PNPM_PACKAGE_KEY.finditer(text, body, end):
                package = _pnpm_package(match.group("key"), major)
                if package is not None:
                    line = lines.line_at(match.start("key"))
                    found.add(package[0], line, package[1], False)
            continue
        else:
            continue
        for entry in declared:
            found.add(entry.name, entry.line, entry.spec, True)
    return found.manifest("pnpm-lock")


# --- yarn.lock --------------------------------------------------------------------------------

# Column-0 lines are entry headers ("name@range, name@range2:"); "  version" follows each.
_YARN = re.compile(
    r'^(?P<head>[^\s#][^\n]*)|^  version:?[ \t]+"?(?P<version>[^"\s]+)"?[ \t]*\r?$', re.M
)
_YARN_NEXT_ENTRY = re.compile(r"^[^\s#]", re.M)
_YARN_DECLARING = frozenset({"dependencies", "devDependencies", "optionalDependencies"})


def _yarn_specifier(piece: str) -> tuple[str, str] | None:
    """(name, range) of one header specifier such as ``openai@^4`` or ``"a@npm:^1"``."""
    piece = piece.strip().strip('"')  # Berry quotes the whole list, v1 each specifier
    at = piece.find("@", 1)
    return (piece[:at], piece[at + 1 :]) if at > 0 else None


def _yarn_workspace_deps(block: str) -> set[str]:
    """Names a Berry workspace entry depends on (its dependency maps, four spaces deep)."""
    names: set[str] = set()
    in_section = False
    for raw in block.split("\n"):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        key, value = _split_key(line)
        if indent == 2:
            in_section = key in _YARN_DECLARING
        elif indent == 4 and in_section and key:
            names.add(normalise_name(NPM, _alias_target(value.strip("\"'")) or key))
    return names


def parse_yarn_lock(data: bytes) -> Manifest:
    """Every entry; in a Berry lock, what the workspace entries depend on is direct."""
    text = decode_lenient(data)
    lines = LineCounter(text)
    entries: list[_Entry] = []
    current: _Entry | None = None  # the entry whose lines follow
    direct: set[str] = set()
    for match in _YARN.finditer(text):
        version = match.group("version")
        if version is not None:
            if current is not None and not current.spec:
                current.spec = version
            continue
        current = None
        head = match.group("head").rstrip()
        line = lines.line_at(match.start())
        if not head.endswith(":"):
            raise ManifestError(
                f"invalid yarn.lock: line {line}: expected an entry header ending in ':'"
            )
        specifiers = [
            spec for piece in head[:-1].split(",") if (spec := _yarn_specifier(piece.strip()))
        ]
        if not specifiers:
            continue  # __metadata, or a header naming no package
        name, version_range = specifiers[0]
        if version_range.startswith("workspace:"):
            following = _YARN_NEXT_ENTRY.search(text, match.end())
            direct |= _yarn_workspace_deps(
                text[match.end() : following.start() if following else len(text)]
            )
            continue
        if version_range.startswith(("link:", "portal:")):
            continue
        current = _Entry(_alias_target(version_range) or name, line)
        entries.append(current)
    found = _Found({})
    for entry in entries:
        is_direct = normalise_name(NPM, entry.name) in direct
        found.add(entry.name, entry.line, entry.spec, is_direct)
    return found.manifest("yarn.lock")
