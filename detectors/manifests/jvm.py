"""JVM builds: Maven ``pom.xml``, Gradle build scripts and version catalogs, Gradle lock files.

Packages are named ``group:artifact`` (Maven coordinates without the version). Versions coming
from properties are kept as written; a coordinate whose group or artifact is a ``${property}``
cannot be named and is skipped.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from detectors.manifests.model import MAVEN, Manifest, ManifestError, PackageRef, normalise_name
from detectors.manifests.source import TextLocator, TomlLocator, decode_lenient, decode_strict
from detectors.manifests.xmlread import Element, parse_xml

_PART = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
_PART_RE = re.compile(_PART)


def _coordinate(group: str, artifact: str) -> str | None:
    """``group:artifact`` normalised, or None when either part is not a literal name."""
    if _PART_RE.fullmatch(group) and _PART_RE.fullmatch(artifact):
        return normalise_name(MAVEN, f"{group}:{artifact}")
    return None


# --- pom.xml ----------------------------------------------------------------------------------


def _pom_dependencies(container: Element | None) -> list[Element]:
    deps = container.child("dependencies") if container is not None else None
    return list(deps.all("dependency")) if deps is not None else []


def parse_pom(data: bytes) -> Manifest:
    """``<dependencies>`` of the project and its profiles, and ``<dependencyManagement>`` (BOM
    imports and managed versions are declared by the project, so they count as direct)."""
    root = parse_xml(data)
    if root.tag != "project":
        raise ManifestError(f"invalid pom.xml: top level is <{root.tag}>, not <project>")
    containers = [root, root.child("dependencyManagement")]
    for profiles in root.all("profiles"):
        for profile in profiles.all("profile"):
            containers += [profile, profile.child("dependencyManagement")]
    refs: list[PackageRef] = []
    for container in containers:
        for dep in _pom_dependencies(container):
            artifact = dep.child("artifactId")
            name = _coordinate(dep.child_text("groupId"), dep.child_text("artifactId"))
            if name is not None and artifact is not None:
                refs.append(PackageRef(MAVEN, name, artifact.line, dep.child_text("version")))
    refs.sort(key=lambda ref: ref.line)
    group = root.child_text("groupId") or (
        parent.child_text("groupId") if (parent := root.child("parent")) is not None else ""
    )
    own = root.child("artifactId")
    own_name = _coordinate(group, own.text) if own is not None else None
    own_line = own.line if own is not None and own_name else 0
    return Manifest("pom", MAVEN, tuple(refs), own_name, MAVEN if own_name else None, own_line)


# --- build.gradle / build.gradle.kts ----------------------------------------------------------

# Groovy and Kotlin comments and string literals, in the order a lexer meets them: a "//" inside
# a string is not a comment, a quote inside a comment is not a string.
_GRADLE_LEX = re.compile(
    r"(?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))"
    r'|(?P<string>"""(?:.|\n)*?(?:"""|\Z)|\'\'\'(?:.|\n)*?(?:\'\'\'|\Z)'
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')',
    re.S,
)
# "group:artifact", "group:artifact:version", with an optional classifier and "@extension".
_GRADLE_COORDINATE = re.compile(
    rf"(?P<group>{_PART}):(?P<artifact>{_PART})(?::(?P<version>[^:@\s]*)(?::[^:@\s]*)?)?(?:@\w+)?"
)
# Map notation: group: 'g', name: 'a', version: 'v' (Groovy) or group = "g", name = "a" (Kotlin).
_GRADLE_MAP = re.compile(
    r"\bgroup\s*[:=]\s*(?P<q1>[\"'])(?P<group>[^\"'\n]*)(?P=q1)\s*,\s*"
    r"name\s*[:=]\s*(?P<q2>[\"'])(?P<artifact>[^\"'\n]*)(?P=q2)"
    r"(?:\s*,\s*version\s*[:=]\s*(?P<q3>[\"'])(?P<version>[^\"'\n]*)(?P=q3))?"
)


def _blank(match: re.Match[str]) -> str:
    """The match with everything but newlines turned into spaces (offsets and lines kept)."""
    return re.sub(r"[^\n]", " ", match.group())


def parse_gradle(data: bytes) -> Manifest:
    """Every string literal outside comments that is a Maven coordinate (``implementation
    "g:a:v"``, ``platform("g:a:v")``, ``classpath``, ``mavenBom`` alike), and map-notation
    declarations. A string counts when its group holds a dot or it carries a version, so task
    paths such as ``"app:build"`` are not read as packages."""
    text = decode_lenient(data)
    loc = TextLocator(text)
    found: list[tuple[int, str, str]] = []
    code_parts: list[str] = []  # the text with comments blanked, for the map notation
    last = 0
    for match in _GRADLE_LEX.finditer(text):
        code_parts.append(text[last : match.start()])
        last = match.end()
        if match.group("comment") is not None:
            code_parts.append(_blank(match))
            continue
        code_parts.append(match.group())
        literal = match.group("string").strip("\"'")
        coordinate = _GRADLE_COORDINATE.fullmatch(literal)
        if coordinate is None:
            continue
        group, version = coordinate.group("group"), coordinate.group("version")
        if "." not in group and version is None:
            continue
        name = _coordinate(group, coordinate.group("artifact"))
        if name is not None:
            found.append((match.start(), name, version or ""))
    code_parts.append(text[last:])
    code = "".join(code_parts)
    for match in _GRADLE_MAP.finditer(code):
        name = _coordinate(match.group("group"), match.group("artifact"))
        if name is not None:
            found.append((match.start(), name, match.group("version") or ""))
    found.sort()
    refs = tuple(PackageRef(MAVEN, name, loc.line_at(pos), spec) for pos, name, spec in found)
    return Manifest("gradle", MAVEN, refs, None, None)


# --- gradle/libs.versions.toml ----------------------------------------------------------------


def _catalog_entry(value: object) -> tuple[str, str] | None:
    """(group:artifact, version) of one ``[libraries]`` entry in any of its three spellings."""
    if isinstance(value, str):
        match = _GRADLE_COORDINATE.fullmatch(value.strip())
        if match is None:
            return None
        name = _coordinate(match.group("group"), match.group("artifact"))
        return (name, match.group("version") or "") if name else None
    if not isinstance(value, dict):
        return None
    module = value.get("module")
    if isinstance(module, str):
        group, _, artifact = module.partition(":")
    else:
        written_group, written_name = value.get("group"), value.get("name")
        if not isinstance(written_group, str) or not isinstance(written_name, str):
            return None
        group, artifact = written_group, written_name
    name = _coordinate(group.strip(), artifact.strip())
    version = value.get("version")
    return (name, version if isinstance(version, str) else "") if name else None


def parse_version_catalog(data: bytes) -> Manifest:
    """A Gradle version catalog: the libraries it declares (``[plugins]`` are not packages)."""
    text = decode_strict(data, "TOML")
    try:
        doc: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"invalid TOML: {exc}") from exc
    libraries = doc.get("libraries")
    refs: list[PackageRef] = []
    if isinstance(libraries, dict):
        loc = TomlLocator(text)
        cursor = loc.section(("libraries",))
        for alias, value in libraries.items():
            entry = _catalog_entry(value)
            if entry is not None:
                refs.append(PackageRef(MAVEN, entry[0], loc.find_key(cursor, alias), entry[1]))
    return Manifest("gradle-catalog", MAVEN, tuple(refs), None, None)


# --- gradle.lockfile --------------------------------------------------------------------------

_LOCK_LINE = re.compile(rf"^(?P<group>{_PART}):(?P<artifact>{_PART}):(?P<version>[^=\s]*)=", re.M)


def parse_gradle_lockfile(data: bytes) -> Manifest:
    """``group:artifact:version=configurations`` lines; the lock does not say which are direct."""
    text = decode_lenient(data)
    loc = TextLocator(text)
    refs: list[PackageRef] = []
    for match in _LOCK_LINE.finditer(text):
        name = _coordinate(match.group("group"), match.group("artifact"))
        if name is not None:
            line = loc.line_at(match.start())
            refs.append(PackageRef(MAVEN, name, line, match.group("version"), direct=False))
    return Manifest("gradle.lockfile", MAVEN, tuple(refs), None, None)
