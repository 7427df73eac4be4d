"""Governance records in the inventory database: the tables of migration 0003.

It shares the inventory's engine (and so its SQLite pragmas and write locking); every write is
one transaction, so a file of fifty assessments is recorded whole or not at all. Histories are
append-only: a new assessment, lifecycle move or control status is a new row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from governance.risk import Basis
from inventory_db.models import (
    AISystem,
    Assessment,
    ControlStatus,
    LifecycleEvent,
    RiskEntry,
    SoaEntry,
    utcnow,
)
from inventory_db.store import Store, StoreError

_CHUNK = 500
SOA_DEFAULT: tuple[bool, str, str, list[str]] = (True, "", "not-started", [])
"""A control the SoA does not mention: applicable, no justification, not started."""


@dataclass(frozen=True, slots=True)
class RiskRecord:
    """A stored risk register entry."""

    risk: str
    likelihood: int
    impact: int
    score: int
    treatment: str
    owner: str
    due: date | None
    controls: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AssessmentRecord:
    """A stored impact assessment with its risk register."""

    id: int
    system_id: int
    intended_purpose: str
    affected_groups: tuple[str, ...]
    questionnaire_version: str
    answers: dict[str, Any]
    suggested_tier: str
    rationale: tuple[str, ...]
    tier: str
    role: str
    gpai: bool
    assessor: str
    assessed_on: date
    next_review: date
    basis: Basis
    source: str
    recorded_by: str
    recorded_at: datetime
    note: str
    risks: tuple[RiskRecord, ...]


@dataclass(frozen=True, slots=True)
class NewAssessment:
    """An assessment ready to be written: bound to a system, with the suggestion it answers."""

    system_id: int
    intended_purpose: str
    affected_groups: tuple[str, ...]
    questionnaire_version: str
    answers: dict[str, Any]
    suggested_tier: str
    rationale: tuple[str, ...]
    tier: str
    role: str
    gpai: bool
    assessor: str
    assessed_on: date
    next_review: date
    basis: Basis
    source: str
    note: str
    risks: tuple[RiskRecord, ...]


@dataclass(frozen=True, slots=True)
class StageEvent:
    """One lifecycle move."""

    at: datetime
    actor: str
    from_stage: str
    from_inferred: bool
    to_stage: str
    note: str


@dataclass(frozen=True, slots=True)
class ControlRecord:
    """The latest recorded status of one control for one system."""

    system_id: int
    control_id: str
    status: str
    evidence: tuple[str, ...]
    reviewer: str
    at: datetime
    actor: str
    note: str


@dataclass(frozen=True, slots=True)
class SoaRecord:
    """One Statement of Applicability row."""

    control_id: str
    applicable: bool
    justification: str
    implementation: str
    evidence: tuple[str, ...]
    updated_by: str = ""
    updated_at: datetime | None = None


class GovernanceStore:
    """Reads and writes the governance tables of one inventory."""

    def __init__(self, store: Store) -> None:
        """Use the inventory's engine (its schema is already at head)."""
        self.inventory = store
        self._read = sessionmaker(store.engine, expire_on_commit=False)
        self._writes = sessionmaker(
            store.engine.execution_options(sqlite_immediate=True), expire_on_commit=False
        )

    @contextmanager
    def _session(self, write: bool = False) -> Iterator[Session]:
        try:
            if write:
                with self._writes() as session, session.begin():
                    yield session
            else:
                with self._read() as session:
                    yield session
        except SQLAlchemyError as err:
            orig = getattr(err, "orig", None)
            lines = str(orig if orig is not None else err).strip().splitlines()
            raise StoreError(f"governance tables: {lines[0] if lines else err}") from err

    # -- systems ---------------------------------------------------------------------------

    def resolve(self, refs: Iterable[int | str]) -> dict[int | str, int]:
        """System ids of references given as ids or identity keys (unknown ones are absent)."""
        refs = list(refs)
        ids = [r for r in refs if isinstance(r, int)]
        keys = [r for r in refs if isinstance(r, str)]
        found: dict[int | str, int] = {}
        with self._session() as session:
            for start in range(0, max(len(ids), len(keys)), _CHUNK):
                rows = session.execute(
                    select(AISystem.id, AISystem.identity_key).where(
                        or_(
                            AISystem.id.in_(ids[start : start + _CHUNK]),
                            AISystem.identity_key.in_(keys[start : start + _CHUNK]),
                        )
                    )
                )
                for sid, key in rows:
                    found[sid] = sid
                    found[key] = sid
        return {r: found[r] for r in refs if r in found}

    # -- assessments -----------------------------------------------------------------------

    def add_assessments(self, items: Sequence[NewAssessment], actor: str) -> list[int]:
        """Record assessments (each a new row: earlier ones stay as history), all or none."""
        ids = []
        with self._session(write=True) as session:
            for a in items:
                row = Assessment(
                    ai_system_id=a.system_id,
                    intended_purpose=a.intended_purpose,
                    affected_groups=list(a.affected_groups),
                    questionnaire_version=a.questionnaire_version,
                    answers=dict(a.answers),
                    suggested_tier=a.suggested_tier,
                    rationale=list(a.rationale),
                    tier=a.tier,
                    role=a.role,
                    gpai=a.gpai,
                    assessor=a.assessor,
                    assessed_on=a.assessed_on,
                    next_review=a.next_review,
                    basis=a.basis.as_json(),
                    source=a.source,
                    recorded_by=actor,
                    recorded_at=utcnow(),
                    note=a.note,
                )
                session.add(row)
                session.flush()
                session.add_all(
                    RiskEntry(
                        assessment_id=row.id,
                        risk=r.risk,
                        likelihood=r.likelihood,
                        impact=r.impact,
                        score=r.score,
                        treatment=r.treatment,
                        owner=r.owner,
                        due=r.due,
                        controls=list(r.controls),
                    )
                    for r in a.risks
                )
                ids.append(row.id)
        return ids

    def latest_assessments(self) -> dict[int, AssessmentRecord]:
        """The current (latest) assessment of every assessed system."""
        with self._session() as session:
            latest = select(func.max(Assessment.id)).group_by(Assessment.ai_system_id)
            rows = list(session.scalars(select(Assessment).where(Assessment.id.in_(latest))))
            return {
                r.ai_system_id: a for r, a in zip(rows, self._records(session, rows), strict=True)
            }

    def assessments(self, system_id: int) -> list[AssessmentRecord]:
        """Every assessment of one system, oldest first."""
        with self._session() as session:
            rows = list(
                session.scalars(
                    select(Assessment)
                    .where(Assessment.ai_system_id == system_id)
                    .order_by(Assessment.id)
                )
            )
            return self._records(session, rows)

    def _records(self, session: Session, rows: list[Assessment]) -> list[AssessmentRecord]:
        risks: dict[int, list[RiskRecord]] = {r.id: [] for r in rows}
        ids = list(risks)
        for start in range(0, len(ids), _CHUNK):
            for e in session.scalars(
                select(RiskEntry)
                .where(RiskEntry.assessment_id.in_(ids[start : start + _CHUNK]))
                .order_by(RiskEntry.id)
            ):
                risks[e.assessment_id].append(
                    RiskRecord(
                        e.risk,
                        e.likelihood,
                        e.impact,
                        e.score,
                        e.treatment,
                        e.owner,
                        e.due,
                        tuple(e.controls or ()),
                    )
                )
        return [
            AssessmentRecord(
                id=r.id,
                system_id=r.ai_system_id,
                intended_purpose=r.intended_purpose,
                affected_groups=tuple(r.affected_groups or ()),
                questionnaire_version=r.questionnaire_version,
                answers=dict(r.answers or {}),
                suggested_tier=r.suggested_tier,
                rationale=tuple(r.rationale or ()),
                tier=r.tier,
                role=r.role,
                gpai=r.gpai,
                assessor=r.assessor,
                assessed_on=r.assessed_on,
                next_review=r.next_review,
                basis=Basis.from_json(r.basis or {}),
                source=r.source,
                recorded_by=r.recorded_by,
                recorded_at=r.recorded_at,
                note=r.note,
                risks=tuple(risks[r.id]),
            )
            for r in rows
        ]

    # -- lifecycle -------------------------------------------------------------------------

    def stage_events(self, system_id: int) -> list[StageEvent]:
        """The lifecycle history of one system, oldest first."""
        with self._session() as session:
            rows = session.scalars(
                select(LifecycleEvent)
                .where(LifecycleEvent.ai_system_id == system_id)
                .order_by(LifecycleEvent.id)
            )
            return [
                StageEvent(r.at, r.actor, r.from_stage, r.from_inferred, r.to_stage, r.note)
                for r in rows
            ]

    def current_stages(self) -> dict[int, str]:
        """The stage each system was last moved to (systems never moved are absent)."""
        with self._session() as session:
            latest = select(func.max(LifecycleEvent.id)).group_by(LifecycleEvent.ai_system_id)
            rows = session.execute(
                select(LifecycleEvent.ai_system_id, LifecycleEvent.to_stage).where(
                    LifecycleEvent.id.in_(latest)
                )
            )
            return {int(row[0]): str(row[1]) for row in rows}

    def add_stage_event(
        self, system_id: int, from_stage: str, inferred: bool, to_stage: str, actor: str, note: str
    ) -> None:
        """Append one lifecycle move."""
        with self._session(write=True) as session:
            session.add(
                LifecycleEvent(
                    ai_system_id=system_id,
                    at=utcnow(),
                    actor=actor,
                    from_stage=from_stage,
                    from_inferred=inferred,
                    to_stage=to_stage,
                    note=note,
                )
            )

    # -- controls --------------------------------------------------------------------------

    def control_status(self, system_id: int | None = None) -> dict[tuple[int, str], ControlRecord]:
        """The latest recorded status per (system, control), for one system or all."""
        with self._session() as session:
            latest = select(func.max(ControlStatus.id)).group_by(
                ControlStatus.ai_system_id, ControlStatus.control_id
            )
            if system_id is not None:
                latest = latest.where(ControlStatus.ai_system_id == system_id)
            rows = session.scalars(select(ControlStatus).where(ControlStatus.id.in_(latest)))
            return {
                (r.ai_system_id, r.control_id): ControlRecord(
                    r.ai_system_id,
                    r.control_id,
                    r.status,
                    tuple(r.evidence or ()),
                    r.reviewer,
                    r.at,
                    r.actor,
                    r.note,
                )
                for r in rows
            }

    def add_control_status(
        self,
        system_id: int,
        control_id: str,
        status: str,
        evidence: Sequence[str],
        reviewer: str,
        actor: str,
        note: str,
    ) -> None:
        """Append a status for one control of one system."""
        with self._session(write=True) as session:
            session.add(
                ControlStatus(
                    ai_system_id=system_id,
                    control_id=control_id,
                    status=status,
                    evidence=list(evidence),
                    reviewer=reviewer,
                    at=utcnow(),
                    actor=actor,
                    note=note,
                )
            )

    def control_history(self, system_id: int) -> list[ControlRecord]:
        """Every status ever recorded for one system's controls, oldest first."""
        with self._session() as session:
            rows = session.scalars(
                select(ControlStatus)
                .where(ControlStatus.ai_system_id == system_id)
                .order_by(ControlStatus.id)
            )
            return [
                ControlRecord(
                    r.ai_system_id,
                    r.control_id,
                    r.status,
                    tuple(r.evidence or ()),
                    r.reviewer,
                    r.at,
                    r.actor,
                    r.note,
                )
                for r in rows
            ]

    # -- statement of applicability --------------------------------------------------------

    def soa(self) -> dict[str, SoaRecord]:
        """The recorded SoA rows, by control id."""
        with self._session() as session:
            return {
                r.control_id: SoaRecord(
                    r.control_id,
                    r.applicable,
                    r.justification,
                    r.implementation,
                    tuple(r.evidence or ()),
                    r.updated_by,
                    r.updated_at,
                )
                for r in session.scalars(select(SoaEntry))
            }

    def save_soa(self, rows: Sequence[SoaRecord], actor: str) -> int:
        """Write SoA rows in one transaction; returns how many changed (unchanged rows keep
        their author and date)."""
        changed = 0
        now = utcnow()
        with self._session(write=True) as session:
            for r in rows:
                row = session.get(SoaEntry, r.control_id)
                values = (r.applicable, r.justification, r.implementation, list(r.evidence))
                current = (
                    (row.applicable, row.justification, row.implementation, list(row.evidence))
                    if row is not None
                    else SOA_DEFAULT
                )
                if current == values:
                    continue
                if row is None:
                    row = SoaEntry(control_id=r.control_id)
                    session.add(row)
                row.applicable, row.justification, row.implementation = values[:3]
                row.evidence = list(r.evidence)
                row.updated_by = actor
                row.updated_at = now
                changed += 1
        return changed
