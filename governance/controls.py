"""ISO/IEC 42001 Annex A controls: evidence from scans, per-system status, the Statement of
Applicability and its CSV / Markdown / HTML forms.

A control's effective status for a system combines what a person recorded with what the scans
prove: a failing scan signal (logging off, a committed key) makes it *failing* whatever was
recorded; a passing one counts as implemented when nobody recorded otherwise.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from governance.catalogue import CONTROL_STATUSES, DONE, Catalogue, EvidenceMapping
from governance.errors import InputError
from governance.facts import Facts
from governance.store import SOA_DEFAULT, ControlRecord, SoaRecord
from inventory_db.store import SystemRecord

FAILING = "failing"
SOA_COLUMNS = (
    "control_id",
    "objective",
    "title",
    "applicable",
    "justification",
    "implementation",
    "evidence",
    "nist_ai_rmf",
    "eu_ai_act",
    "updated_by",
    "updated_at",
)
SOA_EDITABLE = ("applicable", "justification", "implementation", "evidence")
"""The columns an SoA import reads; the others are context for the people editing it."""


@dataclass(frozen=True, slots=True)
class AutoEvidence:
    """What a scan proves about a control of a system."""

    control: str
    mapping: str
    outcome: str
    says: str
    detail: str
    """Where it was seen (the attribute and the system or resource)."""


@dataclass(frozen=True, slots=True)
class ControlState:
    """The effective status of one control for one system, and why."""

    control: str
    status: str
    """not-started, in-progress, implemented, not-applicable, or failing."""
    source: str
    """person (recorded), scan (automatic evidence) or none."""
    recorded: ControlRecord | None
    auto: tuple[AutoEvidence, ...]

    @property
    def done(self) -> bool:
        """Implemented or not applicable, and no failing scan signal."""
        return self.status in DONE


def _matches(mapping: EvidenceMapping, attributes: Mapping[str, str]) -> str | None:
    if mapping.attribute not in attributes:
        return None
    value = attributes[mapping.attribute]
    if mapping.equals is not None and value != mapping.equals:
        return None
    shown = value if mapping.equals is not None else "present"
    return f"{mapping.attribute}={shown}"


def auto_evidence(
    systems: Sequence[SystemRecord], facts: Mapping[int, Facts], catalogue: Catalogue
) -> dict[int, list[AutoEvidence]]:
    """Automatic evidence per system id from each system's latest scan and register fields."""
    found: dict[int, dict[tuple[str, str], AutoEvidence]] = defaultdict(dict)
    by_scope: dict[str, list[int]] = defaultdict(list)
    for s in systems:
        by_scope[facts[s.id].scope].append(s.id)
    for s in systems:
        f = facts[s.id]
        where = s.instance_name or s.instance or f"{s.product_name} in {s.scope_name or s.scope_id}"
        for m in catalogue.mappings:
            if m.field:
                value = getattr(s, m.field, "")
                if value:
                    found[s.id][(m.id, "")] = AutoEvidence(
                        m.control, m.id, m.outcome, m.says, f"{m.field}={value}"
                    )
                continue
            hit = next((h for a in f.attributes if (h := _matches(m, a)) is not None), None)
            if hit is None:
                continue
            targets = by_scope[f.scope] if m.same_scope else [s.id]
            for target in targets:
                found[target][(m.id, where)] = AutoEvidence(
                    m.control, m.id, m.outcome, m.says, f"{hit} on {where}"
                )
    return {
        sid: sorted(items.values(), key=lambda a: (a.control, a.mapping))
        for sid, items in found.items()
    }


def control_state(
    control: str, recorded: ControlRecord | None, auto: Iterable[AutoEvidence]
) -> ControlState:
    """Combine the recorded status and the scan evidence of one control."""
    mine = tuple(a for a in auto if a.control == control)
    if any(a.outcome == "fail" for a in mine):
        return ControlState(control, FAILING, "scan", recorded, mine)
    if recorded is not None and recorded.status in DONE:
        return ControlState(control, recorded.status, "person", recorded, mine)
    if any(a.outcome == "pass" for a in mine):
        return ControlState(control, "implemented", "scan", recorded, mine)
    if recorded is not None:
        return ControlState(control, recorded.status, "person", recorded, mine)
    return ControlState(control, "not-started", "none", None, mine)


def required_controls(tier: str, catalogue: Catalogue, soa: Mapping[str, SoaRecord]) -> list[str]:
    """The controls a tier requires, less those the SoA marks not applicable."""
    return [
        c for c in catalogue.required_by_tier.get(tier, ()) if c not in soa or soa[c].applicable
    ]


# -- statement of applicability --------------------------------------------------------------


def soa_rows(catalogue: Catalogue, stored: Mapping[str, SoaRecord]) -> list[dict[str, str]]:
    """Every Annex A control with its SoA decision (applicable and not started by default)."""
    rows = []
    for objective in catalogue.objectives:
        for cid in objective.controls:
            control = catalogue.controls[cid]
            rec = stored.get(cid) or SoaRecord(cid, *SOA_DEFAULT[:3], ())
            rows.append(
                {
                    "control_id": cid,
                    "objective": f"{objective.id} {objective.title}",
                    "title": control.title,
                    "applicable": "yes" if rec.applicable else "no",
                    "justification": rec.justification,
                    "implementation": rec.implementation,
                    "evidence": "; ".join(rec.evidence),
                    "nist_ai_rmf": ", ".join(control.nist),
                    "eu_ai_act": ", ".join(catalogue.articles[a] for a in control.eu_ai_act),
                    "updated_by": rec.updated_by,
                    "updated_at": rec.updated_at.isoformat() if rec.updated_at else "",
                }
            )
    return rows


def soa_csv(rows: Sequence[Mapping[str, str]]) -> str:
    """The SoA as CSV (read back by :func:`read_soa_csv`)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=SOA_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _md(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def soa_markdown(rows: Sequence[Mapping[str, str]]) -> str:
    """The SoA as a Markdown table."""
    head = ("Control", "Title", "Applicable", "Justification", "Implementation", "Evidence")
    keys = ("control_id", "title", "applicable", "justification", "implementation", "evidence")
    lines = [
        "# Statement of Applicability (ISO/IEC 42001:2023 Annex A)",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    lines += ["| " + " | ".join(_md(r[k]) for k in keys) + " |" for r in rows]
    return "\n".join(lines) + "\n"


_HTML_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Statement of Applicability</title>
<style>body{font-family:sans-serif}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}</style></head>
<body><h1>Statement of Applicability (ISO/IEC 42001:2023 Annex A)</h1>
<table><thead><tr><th>Control</th><th>Title</th><th>Applicable</th><th>Justification</th>
<th>Implementation</th><th>Evidence</th><th>NIST AI RMF</th><th>EU AI Act</th></tr></thead>
<tbody>
{% for r in rows %}<tr><td>{{ r.control_id }}</td><td>{{ r.title }}</td>
<td>{{ r.applicable }}</td><td>{{ r.justification }}</td><td>{{ r.implementation }}</td>
<td>{% for link in r.links %}{% if link.startswith(('http://', 'https://')) %}
<a href="{{ link }}">{{ link }}</a>{% else %}{{ link }}{% endif %}<br>{% endfor %}</td>
<td>{{ r.nist_ai_rmf }}</td><td>{{ r.eu_ai_act }}</td></tr>
{% endfor %}</tbody></table></body></html>
"""


def soa_html(rows: Sequence[Mapping[str, str]]) -> str:
    """The SoA as a standalone HTML page (every value escaped)."""
    shown = [
        {**r, "links": [e.strip() for e in r["evidence"].split(";") if e.strip()]} for r in rows
    ]
    from jinja2 import Environment  # loaded only when a page is rendered

    return Environment(autoescape=True).from_string(_HTML_TEMPLATE).render(rows=shown)


def read_soa_csv(text: str, catalogue: Catalogue, source: str) -> list[SoaRecord]:
    """Parse an SoA CSV (as exported, edited); raise :class:`InputError` with every problem."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "control_id" not in reader.fieldnames:
        raise InputError.of_rows(source, [(1, "the header must name a control_id column")])
    unknown = [c for c in reader.fieldnames if c not in SOA_COLUMNS]
    problems: list[tuple[int, str]] = []
    if unknown:
        problems.append((1, f"unknown column(s) {', '.join(unknown)}"))
    records = []
    seen: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        cid = (row.get("control_id") or "").strip()
        if cid not in catalogue.controls:
            problems.append((number, f"unknown control id {cid!r}"))
            continue
        if cid in seen:
            problems.append((number, f"{cid} already appears in row {seen[cid]}"))
            continue
        seen[cid] = number
        applicable_text = (row.get("applicable") or "yes").strip().lower()
        if applicable_text not in ("yes", "no"):
            problems.append((number, f"applicable must be yes or no, not {applicable_text!r}"))
            continue
        applicable = applicable_text == "yes"
        justification = (row.get("justification") or "").strip()
        if not applicable and not justification:
            problems.append((number, f"{cid} is not applicable: give the justification"))
        implementation = (row.get("implementation") or "not-started").strip()
        if implementation not in CONTROL_STATUSES:
            problems.append(
                (
                    number,
                    f"implementation must be one of {', '.join(CONTROL_STATUSES)}, "
                    f"not {implementation!r}",
                )
            )
        evidence = tuple(e.strip() for e in (row.get("evidence") or "").split(";") if e.strip())
        records.append(SoaRecord(cid, applicable, justification, implementation, evidence))
    if problems:
        raise InputError.of_rows(source, problems)
    return records
