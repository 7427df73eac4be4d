"""Spreadsheet reports: CSV (one table) and XLSX (systems, evidence and vendors sheets).

Evidence snippets are untrusted text. A spreadsheet would run a cell that starts with ``=``,
``+``, ``-`` or ``@`` as a formula, so CSV cells starting with one are prefixed with ``'`` (the
OWASP advice) and XLSX cells are always written as text, never as formulas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

# openpyxl ships no type hints (types-openpyxl is not a dependency): its names are Any here.
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from reports.inventory import ReportData, iso

TABLES = ("systems", "evidence", "vendors")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_MAX = 32767

SYSTEM_COLUMNS = (
    "id",
    "identity_key",
    "product",
    "product_name",
    "vendor",
    "vendor_name",
    "category",
    "scope_kind",
    "scope_id",
    "scope_name",
    "resource_id",
    "resource_name",
    "status",
    "shadow_ai",
    "confidence",
    "models",
    "evidence_count",
    "owner",
    "owner_email",
    "team",
    "business_purpose",
    "first_seen",
    "last_seen",
)
EVIDENCE_COLUMNS = (
    "system_id",
    "product",
    "scope_id",
    "location",
    "fingerprint",
    "signal",
    "confidence",
    "snippet",
    "models",
    "attributes",
)
VENDOR_COLUMNS = (
    "vendor",
    "vendor_name",
    "product",
    "product_name",
    "category",
    "systems",
    "scopes",
    "evidence_count",
)


def _join(values: Sequence[str]) -> str:
    return "; ".join(values)


def system_rows(data: ReportData) -> list[list[Any]]:
    """One row per system, in ``SYSTEM_COLUMNS`` order."""
    shadow = {s.id for s in data.shadow}
    return [
        [
            s.id,
            s.identity_key,
            s.product,
            s.product_name,
            s.vendor,
            s.vendor_name,
            s.category,
            s.scope_kind,
            s.scope_id,
            s.scope_name,
            s.instance,
            s.instance_name,
            s.status,
            "yes" if s.id in shadow else "no",
            s.confidence,
            _join(s.models),
            s.evidence_count,
            s.owner,
            s.owner_email,
            s.team,
            s.business_purpose,
            iso(s.first_seen),
            iso(s.last_seen),
        ]
        for s in data.systems
    ]


def evidence_rows(data: ReportData) -> list[list[Any]]:
    """One row per evidence item of every system, in ``EVIDENCE_COLUMNS`` order."""
    return [
        [
            s.id,
            s.product,
            s.scope_id,
            e.location,
            e.fingerprint,
            e.signal,
            e.confidence,
            e.snippet,
            _join(e.models),
            _join([f"{k}={v}" for k, v in sorted(e.attributes.items())]),
        ]
        for s in data.systems
        for e in s.evidence
    ]


def vendor_use_rows(data: ReportData) -> list[list[Any]]:
    """One row per vendor/product, in ``VENDOR_COLUMNS`` order."""
    return [
        [
            v.vendor,
            v.vendor_name,
            v.product,
            v.product_name,
            v.category,
            v.systems,
            _join(v.scopes),
            v.evidence_count,
        ]
        for v in data.vendors
    ]


_TABLES: dict[str, tuple[tuple[str, ...], Callable[[ReportData], list[list[Any]]]]] = {
    "systems": (SYSTEM_COLUMNS, system_rows),
    "evidence": (EVIDENCE_COLUMNS, evidence_rows),
    "vendors": (VENDOR_COLUMNS, vendor_use_rows),
}


def _csv_cell(value: Any) -> Any:
    """Defuse a text cell a spreadsheet would evaluate as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def to_csv(data: ReportData, table: str = "systems") -> str:
    """One table (``systems``, ``evidence`` or ``vendors``) as CSV with a header row."""
    if table not in _TABLES:
        raise ValueError(f"unknown table {table!r}: use {', '.join(TABLES)}")
    columns, rows = _TABLES[table]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows(data):
        writer.writerow([_csv_cell(v) for v in row])
    return buffer.getvalue()


def _xlsx_text(value: str) -> str:
    """Text an XLSX cell can hold: no control characters, at most 32,767 characters."""
    return str(ILLEGAL_CHARACTERS_RE.sub("", value))[:XLSX_CELL_MAX]


def to_xlsx(data: ReportData) -> bytes:
    """A workbook with a sheet each for systems, evidence and vendors (filters, frozen header)."""
    book = Workbook()
    book.remove(book.active)  # a fresh workbook has one empty sheet; ours are named
    bold = Font(bold=True)
    for name in TABLES:
        columns, rows = _TABLES[name]
        sheet = book.create_sheet(name)
        sheet.append(list(columns))
        for cell in sheet[1]:
            cell.font = bold
        widths = [len(c) for c in columns]
        for r, row in enumerate(rows(data), start=2):
            for c, value in enumerate(row, start=1):
                if isinstance(value, str):
                    cell = sheet.cell(row=r, column=c, value=_xlsx_text(value))
                    cell.data_type = "s"  # text, even when it starts with "=": never a formula
                else:
                    cell = sheet.cell(row=r, column=c, value=value)
                widths[c - 1] = max(widths[c - 1], min(len(str(value or "")), 60))
        for c, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(c)].width = width + 2
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
