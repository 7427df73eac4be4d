"""The store: writes a whole scan in one transaction and answers inventory queries.

A scan row is committed as ``running`` first; its systems, evidence, coverage and skips are then
written together with the final status in a single transaction, so an interrupted scan leaves
the previous inventory exactly as it was.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from connectors.base import Coverage
from detectors.base import Confidence, Finding
from inventory_db import migrate
from inventory_db.identity import identity_key
from inventory_db.models import AISystem, Evidence, Scan, ScanCoverage, ScanSkip, utcnow

logger = logging.getLogger(__name__)

DEFAULT_URL = "sqlite:///aicensus.db"
_CHUNK = 500


class StoreError(Exception):
    """The database could not be opened, read or written; the message says which and why."""


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    """One evidence row, as shown to people and in the JSON contract."""

    location: str
    fingerprint: str
    signal: str
    confidence: str
    snippet: str
    models: tuple[str, ...]
    attributes: dict[str, str]


@dataclass(frozen=True, slots=True)
class SystemRecord:
    """An AI system as read from the inventory."""

    id: int
    identity_key: str
    scope_kind: str
    scope_id: str
    scope_name: str
    vendor: str
    vendor_name: str
    product: str
    product_name: str
    category: str
    status: str
    confidence: str
    models: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    last_scan_id: int
    evidence_count: int
    evidence: tuple[EvidenceRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class ScanRecord:
    """A scan row."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    targets: tuple[str, ...]
    files_scanned: int
    findings_count: int
    message: str


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _describe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid URL>"


class Store:
    """The inventory database behind one URL."""

    def __init__(self, url: str = DEFAULT_URL, *, upgrade: bool | None = None) -> None:
        """Open the inventory at ``url``.

        ``upgrade``: bring the schema to this version's head first. The default does so for
        SQLite (an embedded file that belongs to this tool) and refuses for server databases,
        whose schema an operator upgrades explicitly (``aicensus db upgrade``).
        """
        self.url = url
        try:
            parsed = make_url(url)
        except ArgumentError as err:
            raise StoreError(f"not a database URL: {url!r} (expected e.g. {DEFAULT_URL})") from err
        try:
            self.engine: Engine = create_engine(parsed, future=True)
        except (ArgumentError, ImportError, SQLAlchemyError) as err:
            raise StoreError(f"cannot open {_describe(url)}: {err}") from err
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._ensure_schema(self.is_sqlite if upgrade is None else upgrade)

    def _ensure_schema(self, upgrade: bool) -> None:
        head = migrate.head_revision()
        try:
            current = migrate.current_revision(self.engine)
            if current == head:
                return
            if upgrade:
                migrate.upgrade(self.engine)
                return
        except SQLAlchemyError as err:
            raise StoreError(f"cannot open {_describe(self.url)}: {_root_cause(err)}") from err
        if current is None:
            raise StoreError(
                f"{_describe(self.url)} holds no aicensus schema yet: "
                f"run `aicensus db upgrade --db URL` first"
            )
        raise StoreError(
            f"{_describe(self.url)} has schema revision {current}, this aicensus needs {head}: "
            f"run `aicensus db upgrade --db URL`"
        )

    def schema_revision(self) -> str | None:
        """The schema revision the database is at."""
        try:
            return migrate.current_revision(self.engine)
        except SQLAlchemyError as err:
            raise StoreError(f"cannot read {_describe(self.url)}: {_root_cause(err)}") from err

    def _session(self) -> Session:
        return self._sessions()

    def close(self) -> None:
        """Release connections."""
        self.engine.dispose()

    # -- writing ---------------------------------------------------------------------------

    def begin_scan(self, targets: Sequence[str], tool_version: str) -> int:
        """Record that a scan started; committed at once so a crash leaves a trace."""
        try:
            with self._session() as session, session.begin():
                scan = Scan(tool_version=tool_version, targets=list(targets), status="running")
                session.add(scan)
                session.flush()
                return scan.id
        except SQLAlchemyError as err:
            raise StoreError(f"cannot write to {_describe(self.url)}: {_root_cause(err)}") from err

    def fail_scan(self, scan_id: int, message: str) -> None:
        """Mark a scan failed; its partial results were never written."""
        try:
            with self._session() as session, session.begin():
                session.execute(
                    update(Scan)
                    .where(Scan.id == scan_id)
                    .values(status="failed", finished_at=utcnow(), message=message)
                )
        except SQLAlchemyError as err:
            raise StoreError(f"cannot write to {_describe(self.url)}: {_root_cause(err)}") from err

    def complete_scan(
        self,
        scan_id: int,
        findings: Iterable[Finding],
        coverage: Coverage,
        files_scanned: int,
    ) -> ScanRecord:
        """Write a scan's systems, evidence, coverage and skips, and its status, atomically."""
        by_key: dict[str, list[Finding]] = defaultdict(list)
        for finding in findings:
            by_key[identity_key(finding.scope, finding.product_id)].append(finding)
        status = "partial" if coverage.failed else "succeeded"
        now = utcnow()
        try:
            with self._session() as session, session.begin():
                ids = self._upsert_systems(session, scan_id, by_key, now)
                rows = [
                    _evidence_row(scan_id, ids[key], f) for key, fs in by_key.items() for f in fs
                ]
                for start in range(0, len(rows), 5000):
                    session.execute(insert(Evidence), rows[start : start + 5000])
                if coverage.areas:
                    session.execute(
                        insert(ScanCoverage),
                        [
                            {
                                "scan_id": scan_id,
                                "scope_kind": a.scope.kind,
                                "scope_id": a.scope.id,
                                "area": a.area,
                                "outcome": a.outcome.value,
                                "message": a.message,
                            }
                            for a in coverage.areas
                        ],
                    )
                if coverage.skips:
                    session.execute(
                        insert(ScanSkip),
                        [
                            {
                                "scan_id": scan_id,
                                "scope_key": s.scope.key,
                                "locator": s.locator,
                                "reason": s.reason,
                            }
                            for s in coverage.skips
                        ],
                    )
                session.execute(
                    update(Scan)
                    .where(Scan.id == scan_id)
                    .values(
                        status=status,
                        finished_at=now,
                        files_scanned=files_scanned,
                        findings_count=len(rows),
                        message="; ".join(f"{a.scope.key}: {a.message}" for a in coverage.failed),
                    )
                )
        except SQLAlchemyError as err:
            raise StoreError(f"cannot write to {_describe(self.url)}: {_root_cause(err)}") from err
        scan = self.scan(scan_id)
        assert scan is not None
        return scan

    def _upsert_systems(
        self,
        session: Session,
        scan_id: int,
        by_key: dict[str, list[Finding]],
        now: datetime,
    ) -> dict[str, int]:
        keys = list(by_key)
        existing: dict[str, AISystem] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            for system in session.scalars(select(AISystem).where(AISystem.identity_key.in_(chunk))):
                existing[system.identity_key] = system
        for key, fs in by_key.items():
            first = fs[0]
            # Models named only in tests, docs or vendored code do not describe the system.
            real = [f for f in fs if "reason" not in f.attributes] or fs
            models = sorted({m for f in real for m in f.models})
            confidence = max(int(f.confidence) for f in fs)
            found = existing.get(key)
            if found is None:
                system = AISystem(
                    identity_key=key,
                    scope_kind=first.scope.kind,
                    scope_id=first.scope.id,
                    first_seen=now,
                    first_scan_id=scan_id,
                    status="discovered",
                )
                session.add(system)
                existing[key] = system
            else:
                system = found
            system.scope_name = first.scope.name
            system.vendor = first.vendor
            system.vendor_name = first.vendor_name
            system.product = first.product_id
            system.product_name = first.product_name
            system.category = first.category
            system.confidence = confidence
            system.models = models
            system.last_seen = now
            system.last_scan_id = scan_id
        session.flush()
        return {key: system.id for key, system in existing.items()}

    # -- reading ---------------------------------------------------------------------------

    def scan(self, scan_id: int) -> ScanRecord | None:
        """One scan, or None."""
        with self._session() as session:
            row = session.get(Scan, scan_id)
            return _scan_record(row) if row is not None else None

    def scans(self) -> list[ScanRecord]:
        """Every scan, newest first."""
        try:
            with self._session() as session:
                rows = session.scalars(select(Scan).order_by(Scan.id.desc()))
                return [_scan_record(r) for r in rows]
        except SQLAlchemyError as err:
            raise StoreError(f"cannot read {_describe(self.url)}: {_root_cause(err)}") from err

    def skips(self, scan_id: int) -> list[tuple[str, str, str]]:
        """(scope, locator, reason) of everything a scan passed over."""
        with self._session() as session:
            rows = session.execute(
                select(ScanSkip.scope_key, ScanSkip.locator, ScanSkip.reason)
                .where(ScanSkip.scan_id == scan_id)
                .order_by(ScanSkip.id)
            )
            return [(r[0], r[1], r[2]) for r in rows]

    def systems(
        self, min_confidence: Confidence = Confidence.MEDIUM, with_evidence: bool = False
    ) -> list[SystemRecord]:
        """Systems at or above a confidence, with evidence from the last scan that saw each."""
        try:
            with self._session() as session:
                rows = list(
                    session.scalars(
                        select(AISystem)
                        .where(AISystem.confidence >= int(min_confidence))
                        .order_by(AISystem.scope_id, AISystem.vendor, AISystem.product)
                    )
                )
                evidence = self._evidence_for(session, rows)
        except SQLAlchemyError as err:
            raise StoreError(f"cannot read {_describe(self.url)}: {_root_cause(err)}") from err
        return [
            _system_record(r, evidence.get(r.id, []), with_evidence, min_confidence) for r in rows
        ]

    def system(self, system_id: int, scan_id: int | None = None) -> SystemRecord | None:
        """One system with all its evidence from ``scan_id`` (default: the last scan seeing it)."""
        try:
            with self._session() as session:
                row = session.get(AISystem, system_id)
                if row is None:
                    return None
                evidence = self._evidence_for(session, [row], scan_id)
        except SQLAlchemyError as err:
            raise StoreError(f"cannot read {_describe(self.url)}: {_root_cause(err)}") from err
        return _system_record(row, evidence.get(row.id, []), True, Confidence.LOW)

    def _evidence_for(
        self, session: Session, systems: list[AISystem], scan_id: int | None = None
    ) -> dict[int, list[Evidence]]:
        wanted = {s.id: (scan_id or s.last_scan_id) for s in systems}
        result: dict[int, list[Evidence]] = defaultdict(list)
        by_scan: dict[int, list[int]] = defaultdict(list)
        for sid, scan in wanted.items():
            by_scan[scan].append(sid)
        for scan, sids in by_scan.items():
            for start in range(0, len(sids), _CHUNK):
                chunk = sids[start : start + _CHUNK]
                rows = session.scalars(
                    select(Evidence)
                    .where(Evidence.scan_id == scan, Evidence.ai_system_id.in_(chunk))
                    .order_by(Evidence.locator, Evidence.line, Evidence.id)
                )
                for ev in rows:
                    result[ev.ai_system_id].append(ev)
        return result


def _root_cause(err: SQLAlchemyError) -> str:
    orig = getattr(err, "orig", None)
    text = str(orig if orig is not None else err).strip().splitlines()
    return text[0] if text else type(err).__name__


def _evidence_row(scan_id: int, system_id: int, f: Finding) -> dict[str, Any]:
    return {
        "scan_id": scan_id,
        "ai_system_id": system_id,
        "fingerprint_id": f.fingerprint_id,
        "signal": f.signal.value,
        "locator": f.location.locator,
        "line": f.location.line,
        "confidence": int(f.confidence),
        "snippet": f.snippet,
        "attributes": dict(f.attributes),
        "models": list(f.models),
    }


def _scan_record(row: Scan) -> ScanRecord:
    return ScanRecord(
        id=row.id,
        started_at=row.started_at,
        finished_at=row.finished_at,
        status=row.status,
        targets=tuple(row.targets or ()),
        files_scanned=row.files_scanned,
        findings_count=row.findings_count,
        message=row.message,
    )


def _evidence_record(ev: Evidence) -> EvidenceRecord:
    location = ev.locator if ev.line is None else f"{ev.locator}:{ev.line}"
    return EvidenceRecord(
        location=location,
        fingerprint=ev.fingerprint_id,
        signal=ev.signal,
        confidence=Confidence(ev.confidence).label,
        snippet=ev.snippet,
        models=tuple(ev.models or ()),
        attributes=dict(ev.attributes or {}),
    )


def _system_record(
    row: AISystem, evidence: list[Evidence], with_evidence: bool, min_confidence: Confidence
) -> SystemRecord:
    shown = [ev for ev in evidence if ev.confidence >= int(min_confidence)]
    return SystemRecord(
        id=row.id,
        identity_key=row.identity_key,
        scope_kind=row.scope_kind,
        scope_id=row.scope_id,
        scope_name=row.scope_name,
        vendor=row.vendor,
        vendor_name=row.vendor_name,
        product=row.product,
        product_name=row.product_name,
        category=row.category,
        status=row.status,
        confidence=Confidence(row.confidence).label,
        models=tuple(row.models or ()),
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        last_scan_id=row.last_scan_id,
        evidence_count=len(shown),
        evidence=tuple(_evidence_record(ev) for ev in shown) if with_evidence else (),
    )
