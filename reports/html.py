"""The HTML report: one self-contained file (inline CSS, JS and SVG; nothing fetched).

Rendered with Jinja2 with autoescaping on: evidence snippets, names and tags come from scanned
code and cloud accounts and are untrusted. The page's Content-Security-Policy forbids loading
anything from anywhere, so a reference that slipped in would fail loudly in a browser.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from inventory_db.diff import Change
from reports.diff import KINDS, is_shadow, system_label
from reports.inventory import ReportData, iso
from scanner import __version__

CHART_TOP = 12
"""Bars per chart; the rest are summed into one "other" bar."""


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a chart, pre-computed so the template only draws."""

    label: str
    count: int
    width: float
    """Percent of the chart's widest bar."""


def bars(counts: Counter[str], top: int = CHART_TOP) -> list[Bar]:
    """The largest ``top`` counts as bars (ties by label), the rest as one ``other`` bar."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ranked[:top]
    rest = sum(c for _, c in ranked[top:])
    if rest:
        shown.append((f"other ({len(ranked) - top})", rest))
    peak = max((c for _, c in shown), default=1)
    return [Bar(label, count, round(100.0 * count / peak, 1)) for label, count in shown]


def change_detail(change: Change) -> list[str]:
    """What changed, as plain phrases (the template escapes them)."""
    parts = []
    if change.models_added:
        parts.append("models added: " + ", ".join(change.models_added))
    if change.models_removed:
        parts.append("models removed: " + ", ".join(change.models_removed))
    if change.locations_added:
        shown = ", ".join(change.locations_added[:5])
        more = len(change.locations_added) - 5
        parts.append("new in " + shown + (f" and {more} more" if more > 0 else ""))
    if change.category_from:
        parts.append(f"category {change.category_from} \u2192 {change.system.category}")
    if change.reason:
        parts.append(change.reason)
    return parts


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["iso"] = iso
    return env


def context(data: ReportData) -> dict[str, Any]:
    """What the template shows, computed in Python (the template only loops and escapes)."""
    systems = list(data.systems)
    shadow = data.shadow
    diff = data.diff
    changes = []
    if diff is not None:
        changes = [
            {"change": c, "detail": change_detail(c), "shadow": is_shadow(c)} for c in diff.changes
        ]
    names = {s.id: f"{system_label(s)} in {s.scope_name or s.scope_id}" for s in systems}
    governance = data.governance
    tiers = Counter(r.tier for r in governance.risk_tiers) if governance else Counter()
    return {
        "data": data,
        "version": __version__,
        "systems": systems,
        "shadow": shadow,
        "shadow_ids": {s.id for s in shadow},
        "summary": {
            "systems": len(systems),
            "vendors": len({s.vendor for s in systems}),
            "products": len(data.vendors),
            "scopes": len({(s.scope_kind, s.scope_id) for s in systems}),
            "evidence": sum(s.evidence_count for s in systems),
            "shadow": len(shadow),
            "governed": sum(1 for s in systems if s.status in ("registered", "approved")),
        },
        "by_status": sorted(Counter(s.status for s in systems).items()),
        "by_category": bars(Counter(s.category for s in systems)),
        "by_vendor": bars(Counter(s.vendor_name for s in systems)),
        "diff": diff,
        "diff_counts": {k: len(diff.of_kind(k)) for k in KINDS} if diff is not None else {},
        "changes": changes,
        "governance": governance,
        "tier_counts": sorted(tiers.items()),
        "names": names,
    }


def to_html(data: ReportData) -> str:
    """The report as one HTML document."""
    template = _environment().get_template("report.html.j2")
    return template.render(**context(data))
