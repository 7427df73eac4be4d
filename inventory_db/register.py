"""The AI register: status, owner and purpose per system, kept as YAML or CSV a team can edit.

Import validates every row and reports every error with its row number before anything is
changed; a file with one bad row changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import yaml

STATUSES = ("discovered", "registered", "approved", "rejected", "retired")
GOVERNED = frozenset({"registered", "approved", "rejected"})
"""Statuses a person has decided on. Any other visible system is shadow AI."""
SETTABLE = frozenset(STATUSES) - {"discovered"}
"""``discovered`` is what the scanner says; a person moves a system on from there."""

FIELDS = ("identity_key", "status", "owner", "owner_email", "team", "business_purpose", "notes")
"""Register columns, in file order. ``identity_key`` identifies the system."""
EDITABLE = FIELDS[1:]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RegisterError(Exception):
    """A register file is invalid; ``errors`` lists every problem with its row number."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """One validated row: the fields it sets (absent keys leave the system's value alone)."""

    row: int
    identity_key: str
    values: dict[str, str]


def validate_value(field: str, value: str) -> str | None:
    """The reason a value is not acceptable for a field, or None."""
    if field == "status" and value not in SETTABLE:
        return f"status {value!r} is not one of {', '.join(sorted(SETTABLE))}"
    if field == "owner_email" and value and not _EMAIL.match(value):
        return f"owner_email {value!r} is not an email address"
    if len(value) > 4000:
        return f"{field} is longer than 4000 characters"
    return None


def parse_rows(raw_rows: Iterable[tuple[int, object]]) -> list[RegisterRow]:
    """Validate raw rows (row number, mapping); raise :class:`RegisterError` with all problems."""
    errors: list[str] = []
    rows: list[RegisterRow] = []
    seen: dict[str, int] = {}
    for number, raw in raw_rows:
        errors_before = len(errors)
        if not isinstance(raw, dict):
            errors.append(f"row {number}: expected a mapping of field names to values")
            continue
        unknown = sorted(str(k) for k in raw if k not in FIELDS)
        if unknown:
            errors.append(f"row {number}: unknown field(s) {', '.join(unknown)}")
        key = raw.get("identity_key")
        if not isinstance(key, str) or not key.strip():
            errors.append(f"row {number}: identity_key is missing")
            continue
        key = key.strip()
        if key in seen:
            errors.append(f"row {number}: {key} already appears in row {seen[key]}")
        seen[key] = number
        values: dict[str, str] = {}
        for field in EDITABLE:
            if field not in raw or raw[field] is None:
                continue
            value = raw[field]
            if not isinstance(value, str):
                errors.append(f"row {number}: {field} must be text, not {type(value).__name__}")
                continue
            problem = validate_value(field, value.strip())
            if problem:
                errors.append(f"row {number}: {problem}")
                continue
            values[field] = value.strip()
        if len(errors) == errors_before:
            rows.append(RegisterRow(number, key, values))
    if errors:
        raise RegisterError(errors)
    return rows


def read_register(text: str, fmt: str) -> list[RegisterRow]:
    """Parse a register file's text as ``yaml`` or ``csv``."""
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        if reader.fieldnames is None or "identity_key" not in reader.fieldnames:
            raise RegisterError(["row 1: the header must name an identity_key column"])
        # Row numbers count the header as row 1, as a spreadsheet shows them.
        return parse_rows(
            (i, {k: v for k, v in row.items() if k is not None and v != ""})
            for i, row in enumerate(reader, start=2)
        )
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise RegisterError([f"invalid YAML: {err}"]) from err
    systems = doc.get("systems") if isinstance(doc, dict) else None
    if not isinstance(systems, list):
        raise RegisterError(["expected a mapping with a 'systems' list"])
    return parse_rows(enumerate(systems, start=1))


def write_register(rows: list[dict[str, str]], fmt: str) -> str:
    """Render register rows (mappings over :data:`FIELDS` plus read-only context) as text."""
    if fmt == "csv":
        out = io.StringIO()
        columns = list(FIELDS) + [k for k in (rows[0] if rows else {}) if k not in FIELDS]
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    doc = {"schema": "aicensus.register/1", "systems": rows}
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
