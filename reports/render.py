"""One entry point for every report format (``aicensus report --format FORMAT``)."""

from __future__ import annotations

import json

from detectors.base import Confidence
from inventory_db.store import Store
from reports.cyclonedx import to_cyclonedx
from reports.diff import diff_markdown
from reports.html import to_html
from reports.inventory import load_report, report_json
from reports.sarif import to_sarif
from reports.tabular import TABLES, to_csv, to_xlsx

FORMATS = ("json", "csv", "xlsx", "cyclonedx", "sarif", "html", "markdown")
BINARY = frozenset({"xlsx"})

__all__ = ["BINARY", "FORMATS", "TABLES", "render"]


def render(
    store: Store,
    fmt: str,
    scan_id: int | None = None,
    min_confidence: Confidence = Confidence.MEDIUM,
    *,
    table: str = "systems",
) -> str | bytes:
    """The report in ``fmt``: text, or bytes for ``xlsx``.

    ``markdown`` is the diff ending at ``scan_id`` (default: the latest); every other format
    shows the current inventory, or what scan ``scan_id`` saw. Raises ``RequestError`` for an
    unknown format or a scan that cannot be reported.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
    if fmt == "markdown":
        return diff_markdown(store.diff(to_scan=scan_id, min_confidence=min_confidence))
    data = load_report(store, scan_id, min_confidence, governance=fmt == "html")
    if fmt == "json":
        return json.dumps(report_json(data), indent=2) + "\n"
    if fmt == "csv":
        return to_csv(data, table)
    if fmt == "xlsx":
        return to_xlsx(data)
    if fmt == "cyclonedx":
        return to_cyclonedx(data) + "\n"
    if fmt == "sarif":
        return to_sarif(data)
    return to_html(data)
