"""PHP / Composer: ``composer.json`` and ``composer.lock``.

Package names are ``vendor/package``, compared lowercased. Platform requirements (``php``,
``ext-json``, ``lib-curl``, ``composer-plugin-api``) have no ``/`` and are not packages.
"""

from __future__ import annotations

import json

from detectors.manifests.jsonscan import json_error, open_json
from detectors.manifests.model import PACKAGIST, Manifest, PackageRef, normalise_name


def _is_package(name: str) -> bool:
    vendor, slash, package = name.strip().partition("/")
    return bool(slash and vendor and package and "/" not in package)


def parse_composer_json(data: bytes) -> Manifest:
    """``require`` and ``require-dev``; the ``name`` is the own name."""
    reader, root = open_json(data, "composer.json")
    sections: dict[str, list[PackageRef]] = {}  # a repeated key wins, as when loading
    own_name: str | None = None
    own_line = 0
    try:
        for key, key_pos, value_pos in reader.members(root):
            if key in ("require", "require-dev"):
                sections[key] = []
                if not reader.is_object(value_pos):
                    continue
                for name, name_pos, spec_pos in reader.members(value_pos):
                    spec = reader.value(spec_pos)
                    if _is_package(name):
                        line = reader.lines.line_at(name_pos)
                        written = spec if isinstance(spec, str) else ""
                        normalised = normalise_name(PACKAGIST, name)
                        sections[key].append(PackageRef(PACKAGIST, normalised, line, written))
            elif key == "name":
                value = reader.value(value_pos)
                valid = isinstance(value, str) and _is_package(value)
                own_name = normalise_name(PACKAGIST, value) if valid else None
                own_line = reader.lines.line_at(key_pos) if valid else 0
        reader.finish(root)
    except json.JSONDecodeError as exc:
        raise json_error(exc) from exc
    refs = tuple(ref for key in ("require", "require-dev") for ref in sections.get(key, ()))
    own_eco = PACKAGIST if own_name else None
    return Manifest("composer", PACKAGIST, refs, own_name, own_eco, own_line)


def parse_composer_lock(data: bytes) -> Manifest:
    """Every locked package (``packages`` and ``packages-dev``). The lock does not record what
    the project itself requires (composer.json does), so none is direct."""
    reader, root = open_json(data, "composer.lock")
    found: dict[str, PackageRef] = {}
    try:
        for key, _, list_pos in reader.members(root):
            if key not in ("packages", "packages-dev") or not reader.is_array(list_pos):
                continue
            for item_pos in reader.items(list_pos):
                if not reader.is_object(item_pos):
                    continue
                name, line, version = "", 0, ""
                for field, field_pos, value_pos in reader.members(item_pos):
                    if field == "name":
                        value = reader.value(value_pos)
                        if isinstance(value, str):
                            name, line = value, reader.lines.line_at(field_pos)
                    elif field == "version":
                        value = reader.value(value_pos)
                        version = value if isinstance(value, str) else ""
                if _is_package(name):
                    key_name = normalise_name(PACKAGIST, name)
                    found.setdefault(
                        key_name, PackageRef(PACKAGIST, key_name, line, version, direct=False)
                    )
        reader.finish(root)
    except json.JSONDecodeError as exc:
        raise json_error(exc) from exc
    return Manifest("composer.lock", PACKAGIST, tuple(found.values()), None, None)
