"""Python core metadata: an sdist's ``PKG-INFO`` (also ``*.egg-info/PKG-INFO``) and a wheel's
``*.dist-info/METADATA``.

The format is RFC 822 headers (PyPA "Core metadata specifications"): ``Name:`` is the
distribution's own name, each ``Requires-Dist:`` a PEP 508 dependency (extras included, as
``project.optional-dependencies`` are in a pyproject). The headers end at the first empty line;
what follows is the long description (a README), which is prose and never read. Continuation
lines (an indented line, as older ``Description:`` fields use) belong to the field above and are
skipped, and so are the obsolete ``Requires:`` (module names, metadata 1.1) and every other field.

A wheel has no pyproject.toml or setup.cfg: its METADATA is the only place a package installed
or unpacked from a wheel says which distribution it is.
"""

from __future__ import annotations

import re

from detectors.manifests.model import PYPI, Manifest, ManifestError, PackageRef, normalise_name
from detectors.manifests.requirements import is_valid_name, parse_requirement
from detectors.manifests.source import decode_lenient

_FIELD = re.compile(r"(?P<key>[A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(?P<value>.*?)[ \t]*\r?$")


def parse_core_metadata(data: bytes) -> Manifest:
    """``Requires-Dist`` dependencies and the ``Name`` of a PKG-INFO or METADATA file.

    Raises ``ManifestError`` when the file does not start with a metadata header (a file of that
    name holding something else): its first line must be a ``Metadata-Version`` or ``Name``
    field.
    """
    refs: list[PackageRef] = []
    own_name: str | None = None
    own_line = 0
    seen_field = False
    for number, raw in enumerate(decode_lenient(data).split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            if seen_field:
                break  # the end of the headers: the rest is the long description
            continue
        if line[0] in " \t":
            continue  # a continuation of the field above
        match = _FIELD.match(line)
        if match is None:
            if not seen_field:
                raise ManifestError("not core metadata: the first line is not a field")
            continue
        key = match.group("key").lower()
        value = match.group("value")
        if not seen_field and key not in ("metadata-version", "name"):
            raise ManifestError(f"not core metadata: the first field is {match.group('key')!r}")
        seen_field = True
        if key == "name" and own_name is None and is_valid_name(value):
            own_name, own_line = normalise_name(PYPI, value), number
        elif key == "requires-dist":
            req = parse_requirement(value)
            if req is not None:
                refs.append(PackageRef(PYPI, normalise_name(PYPI, req.name), number, req.spec))
    if not seen_field:
        raise ManifestError("not core metadata: no header fields")
    return Manifest(
        "core-metadata",
        PYPI,
        tuple(refs),
        own_name,
        PYPI if own_name else None,
        own_line,
    )
