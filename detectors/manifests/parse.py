"""Turn a dependency manifest or lock file, chosen by file name, into package references.

Generic on purpose: no product or vendor knowledge lives here; the catalog lookup maps the
normalised names to products later. Malformed sections are skipped so one bad table does not
hide the rest; ``ManifestError`` is raised only when the file as a whole cannot be read.
The Python and npm manifests are parsed here; setup.py, Python core metadata (PKG-INFO,
METADATA), the other ecosystems and the lock files have a module each (setup_py, core_metadata,
golang, jvm, dotnet, ruby, rust, php, pylock, npmlock).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Sequence
from typing import Any

import yaml

from detectors.manifests.core_metadata import parse_core_metadata
from detectors.manifests.dotnet import parse_msbuild, parse_nuget_lock, parse_packages_config
from detectors.manifests.golang import parse_go_mod
from detectors.manifests.jvm import (
    parse_gradle,
    parse_gradle_lockfile,
    parse_pom,
    parse_version_catalog,
)
from detectors.manifests.model import (
    CONDA,
    NPM,
    PYPI,
    Manifest,
    ManifestError,
    PackageRef,
    normalise_name,
)
from detectors.manifests.npmlock import parse_package_lock, parse_pnpm_lock, parse_yarn_lock
from detectors.manifests.php import parse_composer_json, parse_composer_lock
from detectors.manifests.pylock import parse_pipfile_lock, parse_poetry_lock, parse_uv_lock
from detectors.manifests.requirements import (
    Requirement,
    is_valid_name,
    parse_conda_spec,
    parse_pip_line,
    parse_requirement,
    parse_requirements_text,
    split_single_line,
    strip_comment,
)
from detectors.manifests.ruby import parse_gemfile, parse_gemfile_lock, parse_gemspec
from detectors.manifests.rust import parse_cargo_lock, parse_cargo_toml
from detectors.manifests.setup_py import parse_setup_py
from detectors.manifests.source import (
    IniValue,
    TextLocator,
    TomlLocator,
    decode_lenient,
    decode_strict,
    json_members,
    read_ini,
)

_NPM_SECTIONS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")
_YAML_STR = "tag:yaml.org,2002:str"


_BY_NAME = {
    "pyproject.toml": "pyproject",
    "setup.cfg": "setup.cfg",
    "setup.py": "setup.py",
    "pkg-info": "core-metadata",  # an sdist's (or *.egg-info's) metadata
    "pipfile": "pipfile",
    "environment.yml": "conda",
    "environment.yaml": "conda",
    "package.json": "package.json",
    "go.mod": "go.mod",
    "pom.xml": "pom",
    "directory.packages.props": "msbuild",
    "directory.build.props": "msbuild",
    "directory.build.targets": "msbuild",
    "packages.config": "packages.config",
    "gemfile": "gemfile",
    "gems.rb": "gemfile",
    "cargo.toml": "cargo",
    "composer.json": "composer",
    # lock files
    "package-lock.json": "package-lock",
    "npm-shrinkwrap.json": "package-lock",
    "pnpm-lock.yaml": "pnpm-lock",
    "yarn.lock": "yarn.lock",
    "poetry.lock": "poetry.lock",
    "uv.lock": "uv.lock",
    "pipfile.lock": "pipfile.lock",
    "composer.lock": "composer.lock",
    "cargo.lock": "cargo.lock",
    "gemfile.lock": "gemfile.lock",
    "gems.locked": "gemfile.lock",
    "packages.lock.json": "nuget-lock",
    "gradle.lockfile": "gradle.lockfile",
}
_BY_SUFFIX = (
    (".gradle", "gradle"),
    (".gradle.kts", "gradle"),
    (".versions.toml", "gradle-catalog"),
    (".csproj", "msbuild"),
    (".fsproj", "msbuild"),
    (".vbproj", "msbuild"),
    (".gemspec", "gemspec"),
)

LOCK_KINDS = frozenset(
    {
        "package-lock",
        "pnpm-lock",
        "yarn.lock",
        "poetry.lock",
        "uv.lock",
        "pipfile.lock",
        "composer.lock",
        "cargo.lock",
        "gemfile.lock",
        "nuget-lock",
        "gradle.lockfile",
    }
)
"""Manifest kinds that are lock files: they list what is installed, transitive packages too,
and can be large (the engine gives them a size cap of their own)."""


def manifest_kind(relpath: str) -> str | None:
    """The manifest kind for a (POSIX, relative) path by its file name; None if not a manifest."""
    parts = relpath.replace("\\", "/").rstrip("/").split("/")
    base = parts[-1].lower()
    parent = parts[-2].lower() if len(parts) > 1 else ""
    if base in _BY_NAME:
        return _BY_NAME[base]
    if base == "metadata" and parent.endswith(".dist-info"):  # a wheel's (or install's) metadata
        return "core-metadata"
    for suffix, kind in _BY_SUFFIX:
        if base.endswith(suffix) and len(base) > len(suffix):
            return kind
    stem, dot, ext = base.rpartition(".")
    if ext == "lockfile" and parent == "dependency-locks":  # Gradle's pre-7 lock layout
        return "gradle.lockfile"
    named = "requirements" in stem or stem.startswith("constraints") or parent == "requirements"
    # .in: pip-tools sources use the same syntax as the .txt files they compile to.
    return "requirements" if dot and ext in ("txt", "in") and named else None


def parse_manifest(relpath: str, data: bytes) -> Manifest:
    """Parse ``data`` as the manifest ``relpath`` names; raises only ``ManifestError``."""
    kind = manifest_kind(relpath)
    if kind is None:
        raise ManifestError(f"not a recognised manifest file name: {relpath!r}")
    try:
        return _PARSERS[kind](data)
    except ManifestError:
        raise
    except RecursionError as exc:
        raise ManifestError(f"invalid {kind}: nested too deeply to parse") from exc
    except Exception as exc:  # the contract is that callers only ever see ManifestError
        raise ManifestError(f"could not parse {kind}: {type(exc).__name__}: {exc}") from exc


def _ref(ecosystem: str, req: Requirement, line: int) -> PackageRef:
    return PackageRef(ecosystem, normalise_name(ecosystem, req.name), line, req.spec)


def _own(ecosystem: str, value: object) -> tuple[str | None, str | None]:
    """(own_name, own_ecosystem) from a declared name, if it is a usable string."""
    if isinstance(value, str) and value.strip():
        return normalise_name(ecosystem, value), ecosystem
    return None, None


def _table(doc: object, *keys: str) -> dict[str, Any] | None:
    """``doc[k1][k2]...`` if every step is a table, else None (wrong types are skipped)."""
    node = doc
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node if isinstance(node, dict) else None


# --- requirements.txt -------------------------------------------------------------------------


def _parse_requirements(data: bytes) -> Manifest:
    text = decode_lenient(data)
    refs = tuple(_ref(PYPI, req, line) for req, line in parse_requirements_text(text))
    return Manifest("requirements", PYPI, refs, None, None)


# --- TOML: pyproject.toml and Pipfile ---------------------------------------------------------


def _load_toml(data: bytes) -> tuple[dict[str, Any], TomlLocator]:
    text = decode_strict(data, "TOML")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"invalid TOML: {exc}") from exc
    return doc, TomlLocator(text)


def _requirement_list(
    loc: TomlLocator,
    value: object,
    table: Sequence[str],
    key: str,
    parse: Callable[[str], Requirement | None] = parse_requirement,
) -> list[PackageRef]:
    """A TOML array of requirement strings; non-strings (e.g. include-group tables) skipped."""
    if not isinstance(value, list):
        return []
    cursor = loc.section(table, key)
    refs: list[PackageRef] = []
    for item in value:
        req = parse(item) if isinstance(item, str) else None
        if req is not None:
            refs.append(_ref(PYPI, req, loc.find_item(cursor, req.name)))
    return refs


def _requirement_table(
    loc: TomlLocator, value: object, table: Sequence[str], *, skip_python: bool = False
) -> list[PackageRef]:
    """A Poetry/Pipfile table ``name = "spec"`` or ``name = {version = "spec", ...}``."""
    if not isinstance(value, dict):
        return []
    cursor = loc.section(table)
    refs: list[PackageRef] = []
    for name, spec in value.items():
        if not is_valid_name(name) or (skip_python and name.lower() == "python"):
            continue
        if isinstance(spec, dict):
            spec = spec.get("version", "")
        written = spec if isinstance(spec, str) else ""
        refs.append(_ref(PYPI, Requirement(name, written), loc.find_key(cursor, name)))
    return refs


def _parse_pyproject(data: bytes) -> Manifest:
    doc, loc = _load_toml(data)
    refs: list[PackageRef] = []
    project = _table(doc, "project") or {}
    refs += _requirement_list(loc, project.get("dependencies"), ("project",), "dependencies")
    for extra, reqs in (_table(project, "optional-dependencies") or {}).items():
        refs += _requirement_list(loc, reqs, ("project", "optional-dependencies"), extra)
    for group, reqs in (_table(doc, "dependency-groups") or {}).items():
        refs += _requirement_list(loc, reqs, ("dependency-groups",), group)

    poetry = _table(doc, "tool", "poetry") or {}
    for key in ("dependencies", "dev-dependencies"):
        table: tuple[str, ...] = ("tool", "poetry", key)
        refs += _requirement_table(loc, poetry.get(key), table, skip_python=True)
    for group, body in (_table(poetry, "group") or {}).items():
        table = ("tool", "poetry", "group", group, "dependencies")
        deps = _table(body, "dependencies")
        refs += _requirement_table(loc, deps, table, skip_python=True)

    # Pre-PEP 735 development dependencies of two common tools; same requirement syntax.
    uv_dev = (_table(doc, "tool", "uv") or {}).get("dev-dependencies")
    refs += _requirement_list(loc, uv_dev, ("tool", "uv"), "dev-dependencies")
    for group, reqs in (_table(doc, "tool", "pdm", "dev-dependencies") or {}).items():
        table = ("tool", "pdm", "dev-dependencies")
        refs += _requirement_list(loc, reqs, table, group, parse=parse_pip_line)

    own_name, own_eco = _own(PYPI, project.get("name"))
    if own_name is None:
        own_name, own_eco = _own(PYPI, poetry.get("name"))
    return Manifest("pyproject", PYPI, tuple(refs), own_name, own_eco)


def _parse_pipfile(data: bytes) -> Manifest:
    doc, loc = _load_toml(data)
    refs: list[PackageRef] = []
    for key in ("packages", "dev-packages"):
        refs += _requirement_table(loc, doc.get(key), (key,))
    return Manifest("pipfile", PYPI, tuple(refs), None, None)


# --- setup.cfg --------------------------------------------------------------------------------


def _cfg_requirements(value: IniValue | None) -> list[PackageRef]:
    """setuptools list semantics: one requirement per line, or ``;``-separated on one line."""
    if not value:
        return []
    if len(value) == 1:
        line, text = value[0]
        return [_ref(PYPI, req, line) for req in split_single_line(text)]
    refs: list[PackageRef] = []
    for line, text in value:
        req = parse_requirement(strip_comment(text))
        if req is not None:
            refs.append(_ref(PYPI, req, line))
    return refs


def _parse_setup_cfg(data: bytes) -> Manifest:
    ini = read_ini(decode_lenient(data))
    refs = _cfg_requirements(ini.get("options", {}).get("install_requires"))
    for value in ini.get("options.extras_require", {}).values():
        refs += _cfg_requirements(value)
    name_lines = ini.get("metadata", {}).get("name") or [(0, "")]
    own_name, own_eco = _own(PYPI, name_lines[0][1])
    return Manifest("setup.cfg", PYPI, tuple(refs), own_name, own_eco)


# --- conda environment.yml --------------------------------------------------------------------


def _yaml_error(exc: yaml.YAMLError) -> ManifestError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return ManifestError(f"invalid YAML: {problem}{where}")


def _mapping_value(node: yaml.Node, key: str) -> yaml.Node | None:
    """The value for ``key`` in a mapping node (last one wins, as when loading)."""
    found: yaml.Node | None = None
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                found = value_node
    return found


def _str_items(node: yaml.Node | None) -> list[yaml.ScalarNode]:
    """String scalars of a sequence node; anything else (numbers, nulls, nesting) is skipped."""
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [n for n in node.value if isinstance(n, yaml.ScalarNode) and n.tag == _YAML_STR]


def _parse_conda(data: bytes) -> Manifest:
    text = decode_lenient(data)
    try:
        root = next(iter(yaml.compose_all(text, Loader=yaml.SafeLoader)), None)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc) from exc
    if root is None:
        return Manifest("conda", CONDA, (), None, None)
    if not isinstance(root, yaml.MappingNode):
        raise ManifestError("invalid conda environment: top level is not a mapping")
    deps = _mapping_value(root, "dependencies")
    refs: list[PackageRef] = []
    for item in deps.value if isinstance(deps, yaml.SequenceNode) else []:
        if isinstance(item, yaml.ScalarNode) and item.tag == _YAML_STR:
            req = parse_conda_spec(item.value)
            if req is not None:
                refs.append(_ref(CONDA, req, item.start_mark.line + 1))
        elif isinstance(item, yaml.MappingNode):
            for pip_item in _str_items(_mapping_value(item, "pip")):
                req = parse_pip_line(strip_comment(pip_item.value))
                if req is not None:
                    refs.append(_ref(PYPI, req, pip_item.start_mark.line + 1))
    return Manifest("conda", CONDA, tuple(refs), None, None)


# --- package.json -----------------------------------------------------------------------------


def _npm_target(name: str, spec: str) -> tuple[str, str]:
    """Resolve an alias ``"x": "npm:real@^1"`` to the package actually installed."""
    if not spec.startswith("npm:"):
        return name, spec
    target = spec[len("npm:") :].strip()
    at = target.find("@", 1)  # position 0 is a scope's "@"
    real, version = (target[:at], target[at + 1 :]) if at > 0 else (target, "")
    return (real, version) if real else (name, spec)


def _parse_package_json(data: bytes) -> Manifest:
    text = decode_strict(data, "JSON")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"(line {exc.lineno}, column {exc.colno})"
        raise ManifestError(f"invalid JSON: {exc.msg} {where}") from exc
    if not isinstance(doc, dict):
        raise ManifestError("invalid package.json: top level is not an object")
    loc = TextLocator(text)
    top = {member.key: member for member in json_members(text, 0)}  # last wins, as in loads
    refs: list[PackageRef] = []
    for section in _NPM_SECTIONS:
        member = top.get(section)
        if member is None or not isinstance(member.value, dict):
            continue
        for dep in json_members(text, member.value_pos):
            written = dep.value if isinstance(dep.value, str) else ""
            name, spec = _npm_target(dep.key.strip(), written)
            if name:
                line = loc.line_at(dep.key_pos)
                refs.append(PackageRef(NPM, normalise_name(NPM, name), line, spec))
    own_name, own_eco = _own(NPM, doc.get("name"))
    return Manifest("package.json", NPM, tuple(refs), own_name, own_eco)


_PARSERS: dict[str, Callable[[bytes], Manifest]] = {
    "requirements": _parse_requirements,
    "pyproject": _parse_pyproject,
    "setup.cfg": _parse_setup_cfg,
    "setup.py": parse_setup_py,
    "core-metadata": parse_core_metadata,
    "pipfile": _parse_pipfile,
    "conda": _parse_conda,
    "package.json": _parse_package_json,
    "go.mod": parse_go_mod,
    "pom": parse_pom,
    "gradle": parse_gradle,
    "gradle-catalog": parse_version_catalog,
    "gradle.lockfile": parse_gradle_lockfile,
    "msbuild": parse_msbuild,
    "packages.config": parse_packages_config,
    "nuget-lock": parse_nuget_lock,
    "gemfile": parse_gemfile,
    "gemspec": parse_gemspec,
    "gemfile.lock": parse_gemfile_lock,
    "cargo": parse_cargo_toml,
    "cargo.lock": parse_cargo_lock,
    "composer": parse_composer_json,
    "composer.lock": parse_composer_lock,
    "package-lock": parse_package_lock,
    "pnpm-lock": parse_pnpm_lock,
    "yarn.lock": parse_yarn_lock,
    "poetry.lock": parse_poetry_lock,
    "uv.lock": parse_uv_lock,
    "pipfile.lock": parse_pipfile_lock,
}
