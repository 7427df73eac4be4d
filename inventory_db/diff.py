"""What changed between two scans: added, removed, changed and unknown systems.

A system that was there before and is missing now is *removed* only when the newer scan covered
its scope and area successfully; otherwise nothing is known about it (*unknown*). A source that
failed, was denied or was not scanned at all never makes its systems disappear.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory_db.models import AISystem, Evidence, ScanCoverage, ScanSystem

COMPARABLE = ("succeeded", "partial")
"""Scan statuses a diff may use; failed, running and abandoned scans are never a base."""


@dataclass(frozen=True, slots=True)
class SystemRef:
    """Enough of a system to name it in a report."""

    id: int
    identity_key: str
    vendor: str
    product: str
    product_name: str
    category: str
    scope_kind: str
    scope_id: str
    scope_name: str
    status: str
    confidence: int
    instance: str = ""
    """Stable id of the managed resource the system is (ARN, ARM id); empty for scope-wide use."""
    instance_name: str = ""


@dataclass(frozen=True, slots=True)
class Change:
    """One system's difference between the two scans."""

    system: SystemRef
    kind: str
    """``added``, ``removed``, ``changed`` or ``unknown``."""
    models_added: tuple[str, ...] = ()
    models_removed: tuple[str, ...] = ()
    locations_added: tuple[str, ...] = ()
    locations_removed: tuple[str, ...] = ()
    category_from: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class Diff:
    """The difference between scan ``from_scan`` (None: an empty inventory) and ``to_scan``."""

    from_scan: int | None
    to_scan: int
    changes: tuple[Change, ...] = field(default_factory=tuple)

    def of_kind(self, kind: str) -> list[Change]:
        """The changes of one kind."""
        return [c for c in self.changes if c.kind == kind]


def _ref(row: AISystem, confidence: int) -> SystemRef:
    return SystemRef(
        id=row.id,
        identity_key=row.identity_key,
        vendor=row.vendor,
        product=row.product,
        product_name=row.product_name,
        category=row.category,
        scope_kind=row.scope_kind,
        scope_id=row.scope_id,
        scope_name=row.scope_name,
        status=row.status,
        confidence=confidence,
        instance=row.instance,
        instance_name=row.instance_name,
    )


def _snapshot(session: Session, scan_id: int, min_confidence: int) -> dict[int, ScanSystem]:
    rows = session.scalars(
        select(ScanSystem).where(
            ScanSystem.scan_id == scan_id, ScanSystem.confidence >= min_confidence
        )
    )
    return {r.ai_system_id: r for r in rows}


def _locations(session: Session, scan_id: int, system_ids: list[int]) -> dict[int, set[str]]:
    result: dict[int, set[str]] = defaultdict(set)
    for start in range(0, len(system_ids), 500):
        chunk = system_ids[start : start + 500]
        rows = session.execute(
            select(Evidence.ai_system_id, Evidence.locator)
            .where(Evidence.scan_id == scan_id, Evidence.ai_system_id.in_(chunk))
            .distinct()
        )
        for sid, locator in rows:
            result[sid].add(locator)
    return result


def compute_diff(
    session: Session, from_scan: int | None, to_scan: int, min_confidence: int = 2
) -> Diff:
    """Compare two scans' snapshots (systems below ``min_confidence`` are left out)."""
    before = _snapshot(session, from_scan, min_confidence) if from_scan is not None else {}
    after = _snapshot(session, to_scan, min_confidence)
    covered = {
        (kind, scope_id, area)
        for kind, scope_id, area in session.execute(
            select(ScanCoverage.scope_kind, ScanCoverage.scope_id, ScanCoverage.area).where(
                ScanCoverage.scan_id == to_scan, ScanCoverage.outcome == "ok"
            )
        )
    }
    ids = sorted(set(before) | set(after))
    systems: dict[int, AISystem] = {}
    for start in range(0, len(ids), 500):
        for row in session.scalars(
            select(AISystem).where(AISystem.id.in_(ids[start : start + 500]))
        ):
            systems[row.id] = row

    both = [sid for sid in ids if sid in before and sid in after]
    locations_before = _locations(session, from_scan, both) if from_scan is not None else {}
    locations_after = _locations(session, to_scan, both)

    changes: list[Change] = []
    for sid in ids:
        row = systems[sid]
        if sid not in before:
            changes.append(Change(_ref(row, after[sid].confidence), "added"))
        elif sid not in after:
            ref = _ref(row, before[sid].confidence)
            if (row.scope_kind, row.scope_id, row.area) in covered:
                changes.append(Change(ref, "removed"))
            else:
                changes.append(
                    Change(
                        ref,
                        "unknown",
                        reason=f"{row.scope_kind}:{row.scope_id} ({row.area}) "
                        "was not covered successfully by the newer scan",
                    )
                )
        else:
            old, new = before[sid], after[sid]
            models_added = tuple(sorted(set(new.models) - set(old.models)))
            models_removed = tuple(sorted(set(old.models) - set(new.models)))
            locs_added = tuple(sorted(locations_after[sid] - locations_before[sid]))
            locs_removed = tuple(sorted(locations_before[sid] - locations_after[sid]))
            category_from = old.category if old.category != new.category else None
            if models_added or models_removed or locs_added or category_from:
                changes.append(
                    Change(
                        _ref(row, new.confidence),
                        "changed",
                        models_added,
                        models_removed,
                        locs_added,
                        locs_removed,
                        category_from,
                    )
                )
    order = {"added": 0, "removed": 1, "changed": 2, "unknown": 3}
    changes.sort(key=lambda c: (order[c.kind], c.system.scope_id, c.system.product))
    return Diff(from_scan, to_scan, tuple(changes))
