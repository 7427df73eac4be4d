"""Tables of the inventory. Constraint names follow one naming convention on every engine."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored as UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Scan(Base):
    """One run of the scanner."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")
    """running, succeeded, partial, failed or abandoned."""
    tool_version: Mapped[str] = mapped_column(String(32))
    targets: Mapped[list[str]] = mapped_column(JSON, default=list)
    files_scanned: Mapped[int] = mapped_column(Integer, default=0)
    findings_count: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    host: Mapped[str] = mapped_column(String(255), default="")
    pid: Mapped[int] = mapped_column(Integer, default=0)
    """Host and process that ran the scan: a ``running`` scan whose process is gone is abandoned."""

    coverage: Mapped[list[ScanCoverage]] = relationship(back_populates="scan")


class ScanCoverage(Base):
    """What one scan covered of one (scope, area), and how it ended."""

    __tablename__ = "scan_coverage"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    scope_kind: Mapped[str] = mapped_column(String(32))
    scope_id: Mapped[str] = mapped_column(String(512))
    area: Mapped[str] = mapped_column(String(256))
    outcome: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text, default="")

    scan: Mapped[Scan] = relationship(back_populates="coverage")


class ScanSkip(Base):
    """A file or resource a scan deliberately did not read, with the reason."""

    __tablename__ = "scan_skips"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    scope_key: Mapped[str] = mapped_column(String(560))
    locator: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)


class AISystem(Base):
    """What a person governs: one row per identity key (scope + product), across all scans."""

    __tablename__ = "ai_systems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity_key: Mapped[str] = mapped_column(String(700), unique=True)
    scope_kind: Mapped[str] = mapped_column(String(32))
    scope_id: Mapped[str] = mapped_column(String(512))
    scope_name: Mapped[str] = mapped_column(String(256), default="")
    area: Mapped[str] = mapped_column(String(256), default="code")
    instance: Mapped[str] = mapped_column(String(1024), default="", server_default=text("''"))
    """Stable id (ARN, ARM id) of the managed resource this system is; empty for scope-wide use."""
    instance_name: Mapped[str] = mapped_column(String(256), default="", server_default=text("''"))
    vendor: Mapped[str] = mapped_column(String(64), index=True)
    vendor_name: Mapped[str] = mapped_column(String(128))
    product: Mapped[str] = mapped_column(String(64), index=True)
    product_name: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="discovered")
    """discovered -> registered -> approved / rejected -> retired (the register)."""
    owner: Mapped[str] = mapped_column(String(256), default="")
    owner_email: Mapped[str] = mapped_column(String(256), default="")
    team: Mapped[str] = mapped_column(String(256), default="")
    business_purpose: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(256), default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confidence: Mapped[int] = mapped_column(Integer)
    """Highest evidence confidence in the last scan that saw the system."""
    models: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Model ids named by the evidence of the last scan that saw the system."""
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    first_scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id"))
    last_scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id"))


class ScanSystem(Base):
    """A system as one scan saw it: the snapshot diffs and history compare."""

    __tablename__ = "scan_systems"

    scan_id: Mapped[int] = mapped_column(
        ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True
    )
    ai_system_id: Mapped[int] = mapped_column(
        ForeignKey("ai_systems.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    confidence: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(32))
    models: Mapped[list[str]] = mapped_column(JSON, default=list)
    evidence_count: Mapped[int] = mapped_column(Integer)


class Evidence(Base):
    """One finding, kept per scan: ``inventory show --scan N`` answers what was seen then."""

    __tablename__ = "evidence"
    __table_args__ = (Index("ix_evidence_system_scan", "ai_system_id", "scan_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    ai_system_id: Mapped[int] = mapped_column(ForeignKey("ai_systems.id", ondelete="CASCADE"))
    fingerprint_id: Mapped[str] = mapped_column(String(64))
    signal: Mapped[str] = mapped_column(String(32))
    locator: Mapped[str] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[int] = mapped_column(Integer)
    snippet: Mapped[str] = mapped_column(Text, default="")
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    models: Mapped[list[str]] = mapped_column(JSON, default=list)


class SystemEvent(Base):
    """Append-only audit trail of register changes: who changed what, when, from what to what."""

    __tablename__ = "system_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ai_system_id: Mapped[int] = mapped_column(
        ForeignKey("ai_systems.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(256))
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")


class OwnerSuggestion(Base):
    """An owner a scan suggests (CODEOWNERS, committers, tags) until a person confirms one."""

    __tablename__ = "owner_suggestions"
    __table_args__ = (Index("ix_owner_suggestions_system_scan", "ai_system_id", "scan_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ai_system_id: Mapped[int] = mapped_column(ForeignKey("ai_systems.id", ondelete="CASCADE"))
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"))
    owner: Mapped[str] = mapped_column(String(256))
    source: Mapped[str] = mapped_column(String(32))
    """``codeowners``, ``committer``, ``tag``, ``creator``, ``grantor``."""
    detail: Mapped[str] = mapped_column(Text, default="")


class ScanLock(Base):
    """A database-level lock row (SQLite); PostgreSQL uses an advisory lock instead."""

    __tablename__ = "scan_locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(255))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# -- governance (governance/): assessments, risks, lifecycle, controls --------------------------


class Assessment(Base):
    """One AI system impact assessment (ISO/IEC 42001 6.1.4, A.5); a new one never overwrites
    an old one, so the latest per system is current and the rest is its history."""

    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_system", "ai_system_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ai_system_id: Mapped[int] = mapped_column(ForeignKey("ai_systems.id", ondelete="CASCADE"))
    intended_purpose: Mapped[str] = mapped_column(Text)
    affected_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    questionnaire_version: Mapped[str] = mapped_column(String(32))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    suggested_tier: Mapped[str] = mapped_column(String(32))
    """What aicensus suggested when the person assessed, kept beside what they confirmed."""
    rationale: Mapped[list[str]] = mapped_column(JSON, default=list)
    tier: Mapped[str] = mapped_column(String(32))
    """The tier the assessor confirmed (equal to, or overriding, the suggestion)."""
    role: Mapped[str] = mapped_column(String(32))
    gpai: Mapped[bool] = mapped_column(Boolean, default=False)
    assessor: Mapped[str] = mapped_column(String(256))
    assessed_on: Mapped[date] = mapped_column(Date)
    next_review: Mapped[date] = mapped_column(Date)
    basis: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """The evidence facts at assessment time (models, vendors, customer-facing): re-assessment
    triggers compare the inventory with it."""
    source: Mapped[str] = mapped_column(String(16))
    """``cli`` or ``import``."""
    recorded_by: Mapped[str] = mapped_column(String(256))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")


class RiskEntry(Base):
    """One risk register entry of an assessment."""

    __tablename__ = "risk_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    risk: Mapped[str] = mapped_column(Text)
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    treatment: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str] = mapped_column(String(256), default="")
    due: Mapped[date | None] = mapped_column(Date)
    controls: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Annex A control ids that treat the risk."""


class LifecycleEvent(Base):
    """Append-only lifecycle history: a system moved from one stage to another (who, when)."""

    __tablename__ = "lifecycle_events"
    __table_args__ = (Index("ix_lifecycle_events_system", "ai_system_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ai_system_id: Mapped[int] = mapped_column(ForeignKey("ai_systems.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(256))
    from_stage: Mapped[str] = mapped_column(String(32))
    from_inferred: Mapped[bool] = mapped_column(Boolean, default=False)
    """The stage left was the one inferred from evidence, never set by a person."""
    to_stage: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")


class ControlStatus(Base):
    """Append-only per-system status of one Annex A control; the latest row per control wins."""

    __tablename__ = "control_status"
    __table_args__ = (Index("ix_control_status_system", "ai_system_id", "control_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ai_system_id: Mapped[int] = mapped_column(ForeignKey("ai_systems.id", ondelete="CASCADE"))
    control_id: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    """not-started, in-progress, implemented or not-applicable."""
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    reviewer: Mapped[str] = mapped_column(String(256), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(256))
    note: Mapped[str] = mapped_column(Text, default="")


class SoaEntry(Base):
    """The organisation's Statement of Applicability, one row per Annex A control."""

    __tablename__ = "soa_entries"

    control_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    applicable: Mapped[bool] = mapped_column(Boolean)
    justification: Mapped[str] = mapped_column(Text, default="")
    implementation: Mapped[str] = mapped_column(String(16))
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_by: Mapped[str] = mapped_column(String(256))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
