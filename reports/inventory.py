"""The inventory a report shows: which systems, their evidence, the vendor roll-up and the diff.

Every report format renders one :class:`ReportData`, gathered once through the store's public
read methods, so the formats can never disagree about what a scan found. ``system_json`` is the
public ``aicensus.inventory/1`` shape (``inventory list --format json``, ``report --format json``).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from detectors.base import Confidence
from inventory_db.diff import Diff
from inventory_db.store import (
    EvidenceRecord,
    RequestError,
    ScanRecord,
    Store,
    SystemRecord,
)
from reports.diff import is_shadow

logger = logging.getLogger(__name__)

INVENTORY_SCHEMA = "aicensus.inventory/1"


def iso(value: datetime | None) -> str | None:
    """A timestamp as ISO 8601 UTC with ``Z``; None stays None."""
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def evidence_json(e: EvidenceRecord) -> dict[str, Any]:
    """One evidence row in the public shape."""
    return {
        "location": e.location,
        "fingerprint": e.fingerprint,
        "signal": e.signal,
        "confidence": e.confidence,
        "snippet": e.snippet,
        "models": list(e.models),
        "attributes": dict(e.attributes),
    }


def system_json(s: SystemRecord) -> dict[str, Any]:
    """One system in the public ``aicensus.inventory/1`` shape."""
    return {
        "id": s.id,
        "identity_key": s.identity_key,
        "vendor": s.vendor,
        "vendor_name": s.vendor_name,
        "product": s.product,
        "product_name": s.product_name,
        "category": s.category,
        "scope": {"kind": s.scope_kind, "id": s.scope_id, "name": s.scope_name},
        "resource": {"id": s.instance, "name": s.instance_name} if s.instance else None,
        "models": list(s.models),
        "first_seen": iso(s.first_seen),
        "last_seen": iso(s.last_seen),
        "status": s.status,
        "owner": {"name": s.owner, "email": s.owner_email, "team": s.team},
        "business_purpose": s.business_purpose,
        "suggested_owners": [
            {"owner": h.owner, "source": h.source, "detail": h.detail} for h in s.suggested_owners
        ],
        "confidence": s.confidence,
        "evidence": [evidence_json(e) for e in s.evidence],
    }


@dataclass(frozen=True, slots=True)
class VendorRow:
    """One vendor/product and where it is used, as the report's systems show it."""

    vendor: str
    vendor_name: str
    product: str
    product_name: str
    category: str
    systems: int
    scopes: tuple[str, ...]
    evidence_count: int


@dataclass(frozen=True, slots=True)
class RiskRow:
    """One system's risk tier, as the governance package reports it."""

    system_id: int
    tier: str
    confirmed: bool
    rationale: str = ""


@dataclass(frozen=True, slots=True)
class GapRow:
    """One control a system is missing, as the governance package reports it."""

    system_id: int
    control: str
    title: str = ""
    status: str = ""


@dataclass(frozen=True)
class GovernanceView:
    """Risk tiers and control gaps; present only when a governance package provides them."""

    risk_tiers: tuple[RiskRow, ...] = ()
    control_gaps: tuple[GapRow, ...] = ()


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows, read once."""

    generated_at: datetime
    scan: ScanRecord | None
    """The scan the report is about (None: the inventory has no finished scan yet)."""
    systems: tuple[SystemRecord, ...]
    min_confidence: Confidence
    diff: Diff | None
    """The latest diff ending at ``scan`` (None without a finished scan)."""
    governance: GovernanceView | None = None
    historical: bool = False
    """True when ``--scan N`` asked for what an older scan saw, not the current inventory."""
    vendors: tuple[VendorRow, ...] = field(default=())

    @property
    def shadow(self) -> list[SystemRecord]:
        """Systems the latest diff added that nobody has registered: shadow AI."""
        if self.diff is None:
            return []
        ids = {c.system.id for c in self.diff.changes if is_shadow(c)}
        by_id = {s.id: s for s in self.systems}
        return [by_id[i] for i in sorted(ids) if i in by_id]

    def system_by_id(self, system_id: int) -> SystemRecord | None:
        """A system of this report by id."""
        return next((s for s in self.systems if s.id == system_id), None)


def vendor_rows(systems: Iterable[SystemRecord]) -> tuple[VendorRow, ...]:
    """Roll systems up by vendor and product (the report's own systems, so formats agree)."""
    groups: dict[tuple[str, str], list[SystemRecord]] = {}
    for s in systems:
        groups.setdefault((s.vendor, s.product), []).append(s)
    rows = []
    for (vendor, product), members in sorted(groups.items()):
        first = members[0]
        scopes = tuple(sorted({m.scope_name or m.scope_id for m in members}))
        rows.append(
            VendorRow(
                vendor=vendor,
                vendor_name=first.vendor_name,
                product=product,
                product_name=first.product_name,
                category=first.category,
                systems=len(members),
                scopes=scopes,
                evidence_count=sum(m.evidence_count for m in members),
            )
        )
    return tuple(rows)


def _as_seen_by(record: SystemRecord, scan_id: int, min_confidence: Confidence) -> SystemRecord:
    """A system as one scan saw it: that scan's evidence, confidence and models."""
    evidence = tuple(
        e for e in record.evidence if Confidence[e.confidence.upper()] >= min_confidence
    )
    # Models named only in tests, docs or vendored code do not describe the system (as the
    # store does for the latest sighting).
    real = [e for e in record.evidence if "reason" not in e.attributes] or list(record.evidence)
    top = max(Confidence[e.confidence.upper()] for e in record.evidence)
    return replace(
        record,
        evidence=evidence,
        evidence_count=len(evidence),
        confidence=top.label,
        models=tuple(sorted({m for e in real for m in e.models})),
        last_scan_id=scan_id,
    )


def load_report(
    store: Store,
    scan_id: int | None = None,
    min_confidence: Confidence = Confidence.MEDIUM,
    *,
    governance: bool = True,
) -> ReportData:
    """Read what a report shows: the current inventory, or with ``scan_id`` what that scan saw.

    Raises :class:`RequestError` for a scan that does not exist or did not finish.
    """
    comparable = store.comparable_scans()
    if scan_id is not None and scan_id not in comparable:
        raise RequestError(
            f"scan {scan_id} cannot be reported: it does not exist or did not finish"
        )
    target = scan_id if scan_id is not None else (comparable[-1] if comparable else None)
    scan = store.scan(target) if target is not None else None
    historical = scan_id is not None and scan_id != (comparable[-1] if comparable else None)
    if scan_id is None:
        systems = tuple(store.systems(min_confidence, with_evidence=True))
    else:
        seen = []
        for candidate in store.systems(Confidence.LOW):
            record = store.system(candidate.id, scan_id)
            if record is None or not record.evidence:
                continue  # not seen by that scan
            record = _as_seen_by(record, scan_id, min_confidence)
            if Confidence[record.confidence.upper()] >= min_confidence:
                seen.append(record)
        systems = tuple(seen)
    diff = store.diff(to_scan=target, min_confidence=min_confidence) if target is not None else None
    return ReportData(
        generated_at=datetime.now(UTC),
        scan=scan,
        systems=systems,
        min_confidence=min_confidence,
        diff=diff,
        governance=governance_view(store) if governance else None,
        historical=historical,
        vendors=vendor_rows(systems),
    )


def report_json(data: ReportData) -> dict[str, Any]:
    """The ``--format json`` document: ``aicensus.inventory/1`` plus which scan it describes
    (fields are only added to that schema, so readers of ``inventory list`` read this too)."""
    scan = data.scan
    return {
        "schema": INVENTORY_SCHEMA,
        "generated_at": iso(data.generated_at),
        "scan": None
        if scan is None
        else {
            "id": scan.id,
            "status": scan.status,
            "started_at": iso(scan.started_at),
            "finished_at": iso(scan.finished_at),
            "targets": list(scan.targets),
        },
        "systems": [system_json(s) for s in data.systems],
    }


GOVERNANCE_HOOK = "report_view"
"""The function a ``governance`` package may expose for reports: ``report_view(store)`` returning
``{"risk_tiers": [{"system_id", "tier", "confirmed", "rationale"}], "control_gaps": [{"system_id",
"control", "title", "status"}]}``. Without it, ``governance.service.Governance`` is read instead;
without a governance package, reports have no governance sections."""


def governance_view(store: Store) -> GovernanceView | None:
    """Risk tiers and control gaps from the governance package, when it is installed.

    The package is looked up, never required: without it (or without its hook) the report simply
    has no governance sections. A hook that fails is logged and left out, never failing a report.
    """
    if importlib.util.find_spec("governance") is None:
        return None
    try:
        module = importlib.import_module("governance")
        hook = getattr(module, GOVERNANCE_HOOK, None)
        raw = hook(store) if callable(hook) else _from_service(store)
    except Exception as exc:  # a broken optional section must not take the report down
        logger.warning("governance sections left out: %s", exc)
        return None
    return parse_governance(raw) if isinstance(raw, Mapping) else None


def _from_service(store: Store) -> dict[str, list[dict[str, Any]]] | None:
    """The same data from ``governance.service.Governance`` (its views and gaps), when present:
    the confirmed or suggested tier of every system, and the controls systems in operation miss.
    """
    if importlib.util.find_spec("governance.service") is None:
        return None
    service = importlib.import_module("governance.service")
    governance = service.Governance(store)
    tiers = [
        {
            "system_id": view.system.id,
            "tier": view.tier,
            "confirmed": view.tier_status == "confirmed",
            "rationale": "; ".join(
                f"{r.matched} \u2192 {r.title} ({r.reference})" for r in view.suggestion.reasons
            ),
        }
        for view in governance.views()
    ]
    controls = governance.catalogue.controls
    gaps = [
        {
            "system_id": gap.view.system.id,
            "control": state.control,
            "title": getattr(controls.get(state.control), "title", ""),
            "status": state.status,
        }
        for gap in governance.gaps()
        for state in gap.missing
    ]
    return {"risk_tiers": tiers, "control_gaps": gaps}


def parse_governance(raw: Mapping[str, Any]) -> GovernanceView:
    """Build the view from the hook's plain data; malformed rows are skipped and logged."""
    tiers: list[RiskRow] = []
    gaps: list[GapRow] = []
    for row in raw.get("risk_tiers") or ():
        try:
            tiers.append(
                RiskRow(
                    system_id=int(row["system_id"]),
                    tier=str(row["tier"]),
                    confirmed=bool(row.get("confirmed", False)),
                    rationale=str(row.get("rationale", "")),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            logger.warning("governance risk row skipped (%s): %r", exc, row)
    for row in raw.get("control_gaps") or ():
        try:
            gaps.append(
                GapRow(
                    system_id=int(row["system_id"]),
                    control=str(row["control"]),
                    title=str(row.get("title", "")),
                    status=str(row.get("status", "")),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            logger.warning("governance gap row skipped (%s): %r", exc, row)
    return GovernanceView(tuple(tiers), tuple(gaps))
