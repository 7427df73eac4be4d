""".NET / NuGet: MSBuild projects (``*.csproj``, ``Directory.Packages.props``, ...),
``packages.config`` and the NuGet lock file ``packages.lock.json``.

NuGet package ids are case-insensitive; they are lowercased. An MSBuild ``Include`` may list
several ids separated by ``;``; one built from ``$(properties)`` or ``@(items)`` is skipped.
"""

from __future__ import annotations

import json

from detectors.manifests.jsonscan import json_error, open_json
from detectors.manifests.model import NUGET, Manifest, ManifestError, PackageRef, normalise_name
from detectors.manifests.xmlread import parse_xml

_PACKAGE_ITEMS = frozenset({"packagereference", "packageversion", "globalpackagereference"})
"""Items that declare a package: a reference, a central version (``Directory.Packages.props``)
and a reference every project of the tree gets. ``Update``/``Remove`` forms only modify."""


def _ids(include: str) -> list[str]:
    return [
        part.strip()
        for part in include.split(";")
        if part.strip() and "$(" not in part and "@(" not in part and "%(" not in part
    ]


def parse_msbuild(data: bytes) -> Manifest:
    """``<PackageReference Include="X" Version="1" />`` and friends, anywhere in the project."""
    root = parse_xml(data)
    if root.tag != "Project":
        raise ManifestError(f"invalid MSBuild project: top level is <{root.tag}>, not <Project>")
    refs: list[PackageRef] = []
    for element in root.walk():
        if element.tag.lower() not in _PACKAGE_ITEMS:  # MSBuild item types ignore case
            continue
        include = element.attr("Include")
        if not include:
            continue
        version = element.attr("Version") or element.child_text("Version")
        refs.extend(
            PackageRef(NUGET, normalise_name(NUGET, package_id), element.line, version)
            for package_id in _ids(include)
        )
    return Manifest("msbuild", NUGET, tuple(refs), None, None)


def parse_packages_config(data: bytes) -> Manifest:
    """The legacy ``packages.config``: ``<package id="X" version="1" />``."""
    root = parse_xml(data)
    if root.tag != "packages":
        raise ManifestError(f"invalid packages.config: top level is <{root.tag}>, not <packages>")
    refs: list[PackageRef] = []
    for element in root.all("package"):
        package_id = (element.attr("id") or "").strip()
        if package_id:
            version = element.attr("version") or ""
            refs.append(PackageRef(NUGET, normalise_name(NUGET, package_id), element.line, version))
    return Manifest("packages.config", NUGET, tuple(refs), None, None)


def parse_nuget_lock(data: bytes) -> Manifest:
    """``packages.lock.json``: per target framework, each package with its ``type``: ``Direct``
    (the project references it) or ``Transitive``/``CentralTransitive``; ``Project`` entries are
    other projects of the solution, not packages."""
    reader, root = open_json(data, "packages.lock.json")
    found: dict[str, PackageRef] = {}
    try:
        for key, _, frameworks_pos in reader.members(root):
            if key != "dependencies" or not reader.is_object(frameworks_pos):
                continue
            for _, _, packages_pos in reader.members(frameworks_pos):
                if not reader.is_object(packages_pos):
                    continue
                for package_id, id_pos, entry_pos in reader.members(packages_pos):
                    entry = reader.value(entry_pos)
                    kind = entry.get("type") if isinstance(entry, dict) else None
                    if kind == "Project" or not package_id.strip():
                        continue
                    name = normalise_name(NUGET, package_id)
                    previous = found.get(name)
                    if previous is not None and (previous.direct or kind != "Direct"):
                        continue
                    resolved = entry.get("resolved") if isinstance(entry, dict) else None
                    found[name] = PackageRef(
                        NUGET,
                        name,
                        reader.lines.line_at(id_pos),
                        resolved if isinstance(resolved, str) else "",
                        direct=kind == "Direct",
                    )
        reader.finish(root)
    except json.JSONDecodeError as exc:
        raise json_error(exc) from exc
    refs = tuple(sorted(found.values(), key=lambda ref: ref.line))
    return Manifest("nuget-lock", NUGET, refs, None, None)
