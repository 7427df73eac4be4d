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
CONTEXT = ("product", "scope", "last_seen")
"""Read-only columns an export adds for the people editing it; an import ignores them."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RegisterError(Exception):
    """A register file is invalid; ``errors`` lists every problem with its row number."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)

    @classmethod
    def of_rows(cls, problems: Iterable[tuple[int, str]]) -> RegisterError:
        """``row N: problem`` lines in row order (a row's problems keep their order)."""
        ordered = sorted(problems, key=lambda p: p[0])
        return cls([f"row {row}: {problem}" for row, problem in ordered])


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


def check_rows(
    raw_rows: Iterable[tuple[int, object]],
) -> tuple[list[RegisterRow], list[tuple[int, str]]]:
    """Validate raw rows (row number, mapping): every row that names a system, and every
    problem as (row number, message).

    A row may name ``status: discovered`` (an unedited export does); whether that is a change
    back is for the store to decide, which knows the current status.
    """
    problems: list[tuple[int, str]] = []
    rows: list[RegisterRow] = []
    seen: dict[str, int] = {}
    for number, raw in raw_rows:
        if not isinstance(raw, dict):
            problems.append((number, "expected a mapping of field names to values"))
            continue
        unknown = sorted(str(k) for k in raw if k not in FIELDS and k not in CONTEXT)
        if unknown:
            problems.append((number, f"unknown field(s) {', '.join(unknown)}"))
        key = raw.get("identity_key")
        if not isinstance(key, str) or not key.strip():
            problems.append((number, "identity_key is missing"))
            continue
        key = key.strip()
        if key in seen:
            problems.append((number, f"{key} already appears in row {seen[key]}"))
        else:
            seen[key] = number
        values: dict[str, str] = {}
        for field in EDITABLE:
            if field not in raw or raw[field] is None:
                continue
            value = raw[field]
            if not isinstance(value, str):
                problems.append((number, f"{field} must be text, not {type(value).__name__}"))
                continue
            unchanged_export = field == "status" and value.strip() == "discovered"
            problem = None if unchanged_export else validate_value(field, value.strip())
            if problem:
                problems.append((number, problem))
                continue
            values[field] = value.strip()
        rows.append(RegisterRow(number, key, values))
    return rows, problems


def parse_rows(raw_rows: Iterable[tuple[int, object]]) -> list[RegisterRow]:
    """Validate raw rows (row number, mapping); raise :class:`RegisterError` with all problems."""
    rows, problems = check_rows(raw_rows)
    if problems:
        raise RegisterError.of_rows(problems)
    return rows


def check_register(text: str, fmt: str) -> tuple[list[RegisterRow], list[tuple[int, str]]]:
    """Parse a register file's text as ``yaml`` or ``csv``: its rows and its row problems.

    Raises :class:`RegisterError` when the file as a whole cannot be read.
    """
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        if reader.fieldnames is None or "identity_key" not in reader.fieldnames:
            raise RegisterError(["row 1: the header must name an identity_key column"])
        # Row numbers count the header as row 1, as a spreadsheet shows them. An empty cell
        # is an empty value (a cleared owner is cleared), except an empty status: no change.
        known = set(FIELDS) | set(CONTEXT)
        unknown = [c for c in reader.fieldnames if c not in known]
        rows, problems = check_rows(
            (i, {k: v for k, v in row.items() if k in known and (v or k != "status")})
            for i, row in enumerate(reader, start=2)
        )
        if unknown:
            problems.insert(0, (1, f"unknown column(s) {', '.join(unknown)}"))
        return rows, problems
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise RegisterError([f"invalid YAML: {err}"]) from err
    systems = doc.get("systems") if isinstance(doc, dict) else None
    if not isinstance(systems, list):
        raise RegisterError(["expected a mapping with a 'systems' list"])
    return check_rows(enumerate(systems, start=1))


def read_register(text: str, fmt: str) -> list[RegisterRow]:
    """Parse a register file's text as ``yaml`` or ``csv``; raise on any problem."""
    rows, problems = check_register(text, fmt)
    if problems:
        raise RegisterError.of_rows(problems)
    return rows


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
