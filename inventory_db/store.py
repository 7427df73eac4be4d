"""The store: writes a whole scan in one transaction and answers inventory queries.

A scan row is committed as ``running`` first; its systems, evidence, coverage and skips are then
written together with the final status in a single transaction, so an interrupted scan leaves
the previous inventory exactly as it was.
"""

from __future__ import annotations

import logging
import os
import socket
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Engine,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from connectors.base import Coverage, OwnerHint
from detectors.base import Confidence, Finding
from inventory_db import migrate
from inventory_db.diff import COMPARABLE, Diff, compute_diff
from inventory_db.identity import identity_key
from inventory_db.models import (
    AISystem,
    Evidence,
    OwnerSuggestion,
    Scan,
    ScanCoverage,
    ScanLock,
    ScanSkip,
    ScanSystem,
    SystemEvent,
    utcnow,
)
from inventory_db.register import EDITABLE, RegisterError, RegisterRow, validate_value

logger = logging.getLogger(__name__)

DEFAULT_URL = "sqlite:///aicensus.db"
HOSTNAME = socket.gethostname()
_CHUNK = 500


class StoreError(Exception):
    """The database could not be opened, read or written; the message says which and why."""


class LockedError(StoreError):
    """Another scan holds the database's scan lock."""


class RequestError(StoreError):
    """The database is fine, but the request is not: an unknown id, an invalid value, a scan
    that cannot be compared. A usage error, unlike a database that cannot be read or written."""


_LOCK_KEY = 0x41494353  # "AICS": the advisory lock id every aicensus scan takes
# Advisory locks are per database; the second key keeps inventories in different schemas of one
# database (``options=-csearch_path=...``) from blocking each other.
_LOCK_ARGS = ":k, hashtext(coalesce(current_schema(), ''))"
_LOCK_PARAMS = {"k": _LOCK_KEY}


@dataclass
class VendorUse:
    """Where one vendor/product is used."""

    vendor: str
    vendor_name: str
    product: str
    product_name: str
    category: str
    scopes: list[tuple[str, str, int]]
    """(scope key, scope name, evidence count) per scope."""
    evidence_count: int


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
    owner: str
    owner_email: str
    team: str
    business_purpose: str
    notes: str
    confidence: str
    models: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    last_scan_id: int
    evidence_count: int
    evidence: tuple[EvidenceRecord, ...] = ()
    suggested_owners: tuple[OwnerHint, ...] = ()
    """Owners the last scan that saw the system suggests (CODEOWNERS, committers, tags)."""
    instance: str = ""
    """Stable id of the managed resource this system is (ARN, ARM id); empty for scope-wide use."""
    instance_name: str = ""


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
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's implicit one is deferred).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    """Writers take the write lock up front: a deferred transaction that reads, then writes,
    can fail at once with "database is locked" when another writer got there first."""
    immediate = conn.get_execution_options().get("sqlite_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


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
            event.listen(self.engine, "begin", _sqlite_begin)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writes = sessionmaker(
            self.engine.execution_options(sqlite_immediate=True), expire_on_commit=False
        )
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._ensure_schema(self.is_sqlite if upgrade is None else upgrade)

    def _ensure_schema(self, upgrade: bool) -> None:
        if migrate.at_head(self.engine):
            return
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

    def _write(self) -> Session:
        return self._writes()

    def close(self) -> None:
        """Release connections."""
        self.engine.dispose()

    # -- writing ---------------------------------------------------------------------------

    def begin_scan(self, targets: Sequence[str], tool_version: str) -> int:
        """Record that a scan started; committed at once so a crash leaves a trace.

        Scans this host started whose process is gone are marked ``abandoned`` first: they can
        never finish, and no diff may use them as a base.
        """
        try:
            with self._write() as session, session.begin():
                self._mark_abandoned(session)
                scan = Scan(
                    tool_version=tool_version,
                    targets=list(targets),
                    status="running",
                    host=HOSTNAME,
                    pid=os.getpid(),
                )
                session.add(scan)
                session.flush()
                return scan.id
        except SQLAlchemyError as err:
            raise StoreError(f"cannot write to {_describe(self.url)}: {_root_cause(err)}") from err

    def _mark_abandoned(self, session: Session) -> None:
        running = session.execute(
            select(Scan.id, Scan.pid).where(Scan.status == "running", Scan.host == HOSTNAME)
        ).all()
        dead = [scan_id for scan_id, pid in running if not _process_alive(pid)]
        if dead:
            session.execute(
                update(Scan)
                .where(Scan.id.in_(dead))
                .values(status="abandoned", message="the scanning process ended without finishing")
            )

    def fail_scan(self, scan_id: int, message: str) -> None:
        """Mark a scan failed; its partial results were never written."""
        try:
            with self._write() as session, session.begin():
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
        owner_hints: Mapping[str, Sequence[OwnerHint]] | None = None,
    ) -> ScanRecord:
        """Write a scan's systems, evidence, coverage and skips, and its status, atomically.

        ``owner_hints`` maps identity keys to owners the sources suggest for them.
        """
        by_key: dict[str, list[Finding]] = defaultdict(list)
        for finding in findings:
            key = identity_key(finding.scope, finding.product_id, finding.instance)
            by_key[key].append(finding)
        status = "partial" if coverage.failed else "succeeded"
        now = utcnow()
        try:
            with self._write() as session, session.begin():
                ids = self._upsert_systems(session, scan_id, by_key, now)
                rows = [
                    _evidence_row(scan_id, ids[key], f) for key, fs in by_key.items() for f in fs
                ]
                for start in range(0, len(rows), 5000):
                    session.execute(insert(Evidence), rows[start : start + 5000])
                suggestions = [
                    {
                        "scan_id": scan_id,
                        "ai_system_id": ids[key],
                        "owner": h.owner[:256],
                        "source": h.source,
                        "detail": h.detail,
                    }
                    for key, hints in (owner_hints or {}).items()
                    if key in ids
                    for h in hints
                ]
                if suggestions:
                    session.execute(insert(OwnerSuggestion), suggestions)
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
        """Insert new systems (concurrency-safe: ON CONFLICT DO NOTHING), update all seen ones,
        and snapshot each as this scan saw it."""
        keys = sorted(by_key)  # one lock order for every writer
        dialect_insert = (
            pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        )
        new_rows = []
        for key in keys:
            first = by_key[key][0]
            new_rows.append(
                {
                    "identity_key": key,
                    "scope_kind": first.scope.kind,
                    "scope_id": first.scope.id,
                    "scope_name": first.scope.name,
                    "area": first.area,
                    "instance": first.instance[:1024],
                    "instance_name": first.instance_name[:256],
                    "vendor": first.vendor,
                    "vendor_name": first.vendor_name,
                    "product": first.product_id,
                    "product_name": first.product_name,
                    "category": first.category,
                    "status": "discovered",
                    "confidence": 0,
                    "models": [],
                    "first_seen": now,
                    "last_seen": now,
                    "first_scan_id": scan_id,
                    "last_scan_id": scan_id,
                }
            )
        for start in range(0, len(new_rows), _CHUNK):
            stmt = dialect_insert(AISystem).on_conflict_do_nothing(index_elements=["identity_key"])
            session.execute(stmt, new_rows[start : start + _CHUNK])
        ids: dict[str, int] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            rows = session.execute(
                select(AISystem.identity_key, AISystem.id).where(AISystem.identity_key.in_(chunk))
            )
            ids.update((key, sid) for key, sid in rows)
        updates = []
        snapshots = []
        for key in keys:
            fs = by_key[key]
            first = fs[0]
            # Models named only in tests, docs or vendored code do not describe the system.
            real = [f for f in fs if "reason" not in f.attributes] or fs
            models = sorted({m for f in real for m in f.models})
            confidence = max(int(f.confidence) for f in fs)
            updates.append(
                {
                    "id": ids[key],
                    "scope_name": first.scope.name,
                    "instance_name": first.instance_name[:256],
                    "vendor_name": first.vendor_name,
                    "product_name": first.product_name,
                    "category": first.category,
                    "confidence": confidence,
                    "models": models,
                    "last_seen": now,
                    "last_scan_id": scan_id,
                }
            )
            snapshots.append(
                {
                    "scan_id": scan_id,
                    "ai_system_id": ids[key],
                    "confidence": confidence,
                    "category": first.category,
                    "models": models,
                    "evidence_count": len(fs),
                }
            )
        for start in range(0, len(updates), _CHUNK):
            session.execute(update(AISystem), updates[start : start + _CHUNK])
        for start in range(0, len(snapshots), 5000):
            session.execute(insert(ScanSystem), snapshots[start : start + 5000])
        return ids

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
                if with_evidence:
                    evidence = self._evidence_for(session, rows)
                    return [
                        _system_record(r, evidence.get(r.id, []), True, min_confidence)
                        for r in rows
                    ]
                counts = self._evidence_counts(session, min_confidence)
        except SQLAlchemyError as err:
            raise StoreError(f"cannot read {_describe(self.url)}: {_root_cause(err)}") from err
        return [
            replace(
                _system_record(r, [], False, min_confidence), evidence_count=counts.get(r.id, 0)
            )
            for r in rows
        ]

    def _evidence_counts(self, session: Session, min_confidence: Confidence) -> dict[int, int]:
        """Evidence per system in the last scan that saw it, counted by the database."""
        stmt = (
            select(Evidence.ai_system_id, func.count())
            .join(
                AISystem,
                (AISystem.id == Evidence.ai_system_id)
                & (AISystem.last_scan_id == Evidence.scan_id),
            )
            .where(Evidence.confidence >= int(min_confidence))
            .group_by(Evidence.ai_system_id)
        )
        return {row[0]: row[1] for row in session.execute(stmt)}

    def system(self, system_id: int, scan_id: int | None = None) -> SystemRecord | None:
        """One system with all its evidence from ``scan_id`` (default: the last scan seeing it)."""
        try:
            with self._session() as session:
                row = session.get(AISystem, system_id)
                if row is None:
                    return None
                evidence = self._evidence_for(session, [row], scan_id)
                hints = tuple(
                    OwnerHint(owner, source, detail)
                    for owner, source, detail in session.execute(
                        select(
                            OwnerSuggestion.owner, OwnerSuggestion.source, OwnerSuggestion.detail
                        )
                        .where(
                            OwnerSuggestion.ai_system_id == row.id,
                            OwnerSuggestion.scan_id == (scan_id or row.last_scan_id),
                        )
                        .order_by(OwnerSuggestion.id)
                    )
                )
        except SQLAlchemyError as err:
            raise StoreError(f"cannot read {_describe(self.url)}: {_root_cause(err)}") from err
        return replace(
            _system_record(row, evidence.get(row.id, []), True, Confidence.LOW),
            suggested_owners=hints,
        )

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

    # -- history and diffs -----------------------------------------------------------------

    def comparable_scans(self) -> list[int]:
        """Ids of scans a diff may use (succeeded or partial), oldest first."""
        with self._session() as session:
            return list(
                session.scalars(
                    select(Scan.id).where(Scan.status.in_(COMPARABLE)).order_by(Scan.id)
                )
            )

    def diff(
        self,
        from_scan: int | None = None,
        to_scan: int | None = None,
        min_confidence: Confidence = Confidence.MEDIUM,
    ) -> Diff:
        """Compare two scans; by default the last two comparable ones.

        With only ``to_scan`` given, it is compared with the comparable scan before it; with
        no earlier scan, everything in it is ``added``.
        """
        try:
            comparable = self.comparable_scans()
            if to_scan is None:
                if not comparable:
                    raise RequestError("no finished scan to compare yet: run aicensus scan first")
                to_scan = comparable[-1]
            for scan_id in (from_scan, to_scan):
                if scan_id is not None and scan_id not in comparable:
                    raise RequestError(
                        f"scan {scan_id} cannot be compared: it does not exist or did not finish"
                    )
            if from_scan is None:
                earlier = [s for s in comparable if s < to_scan]
                from_scan = earlier[-1] if earlier else None
            with self._session() as session:
                return compute_diff(session, from_scan, to_scan, int(min_confidence))
        except SQLAlchemyError as err:
            raise StoreError(f"cannot read {_describe(self.url)}: {_root_cause(err)}") from err

    def vendors(self, min_confidence: Confidence = Confidence.MEDIUM) -> list[VendorUse]:
        """Where is each vendor/product used: its scopes and evidence counts (latest sightings).

        Evidence is counted at ``min_confidence`` or above, as ``systems()`` shows it.
        """
        evidence_count = (
            select(func.count(Evidence.id))
            .where(
                Evidence.ai_system_id == AISystem.id,
                Evidence.scan_id == AISystem.last_scan_id,
                Evidence.confidence >= int(min_confidence),
            )
            .correlate(AISystem)
            .scalar_subquery()
            .label("evidence_count")
        )
        stmt = (
            select(
                AISystem.vendor,
                AISystem.vendor_name,
                AISystem.product,
                AISystem.product_name,
                AISystem.category,
                AISystem.scope_kind,
                AISystem.scope_id,
                AISystem.scope_name,
                evidence_count,
            )
            .where(AISystem.confidence >= int(min_confidence))
            .order_by(AISystem.vendor, AISystem.product, AISystem.scope_id)
        )
        uses: dict[tuple[str, str], VendorUse] = {}
        try:
            with self._session() as session:
                for row in session.execute(stmt):
                    key = (row.vendor, row.product)
                    use = uses.get(key)
                    if use is None:
                        use = uses[key] = VendorUse(
                            row.vendor,
                            row.vendor_name,
                            row.product,
                            row.product_name,
                            row.category,
                            [],
                            0,
                        )
                    use.scopes.append(
                        (f"{row.scope_kind}:{row.scope_id}", row.scope_name, row.evidence_count)
                    )
                    use.evidence_count += row.evidence_count
        except SQLAlchemyError as err:
            raise StoreError(f"cannot read {_describe(self.url)}: {_root_cause(err)}") from err
        return list(uses.values())

    # -- the register ----------------------------------------------------------------------

    def update_system(
        self, system_id: int, values: dict[str, str], actor: str, note: str = ""
    ) -> SystemRecord:
        """Change register fields of one system, with an audit event per changed field."""
        for field, value in values.items():
            if field not in EDITABLE:
                raise RequestError(f"{field} is not a register field")
            problem = validate_value(field, value)
            if problem:
                raise RequestError(problem)
        try:
            with self._write() as session, session.begin():
                row = session.get(AISystem, system_id)
                if row is None:
                    raise RequestError(f"no AI system with id {system_id}")
                self._apply(session, row, values, actor, note)
        except SQLAlchemyError as err:
            raise StoreError(f"cannot write to {_describe(self.url)}: {_root_cause(err)}") from err
        record = self.system(system_id)
        assert record is not None
        return record

    def _apply(
        self, session: Session, row: AISystem, values: dict[str, str], actor: str, note: str
    ) -> int:
        changed = 0
        now = utcnow()
        for field, value in values.items():
            old = getattr(row, field)
            if old == value:
                continue
            setattr(row, field, value)
            session.add(
                SystemEvent(
                    ai_system_id=row.id,
                    at=now,
                    actor=actor,
                    field=field,
                    old_value=old,
                    new_value=value,
                    note=note,
                )
            )
            changed += 1
        if changed:
            row.updated_by = actor
            row.updated_at = now
        return changed

    def events(self, system_id: int) -> list[tuple[datetime, str, str, str, str, str]]:
        """The audit trail of one system: (at, actor, field, old, new, note), oldest first."""
        with self._session() as session:
            rows = session.execute(
                select(
                    SystemEvent.at,
                    SystemEvent.actor,
                    SystemEvent.field,
                    SystemEvent.old_value,
                    SystemEvent.new_value,
                    SystemEvent.note,
                )
                .where(SystemEvent.ai_system_id == system_id)
                .order_by(SystemEvent.id)
            )
            return [tuple(r) for r in rows]  # type: ignore[misc]

    def export_register(self) -> list[dict[str, str]]:
        """Every system's register fields plus read-only context columns."""
        with self._session() as session:
            rows = session.scalars(select(AISystem).order_by(AISystem.identity_key))
            return [
                {
                    "identity_key": r.identity_key,
                    "status": r.status,
                    "owner": r.owner,
                    "owner_email": r.owner_email,
                    "team": r.team,
                    "business_purpose": r.business_purpose,
                    "notes": r.notes,
                    "product": r.product_name,
                    "scope": f"{r.scope_kind}:{r.scope_id}",
                    "last_seen": r.last_seen.isoformat(),
                }
                for r in rows
            ]

    def import_register(
        self,
        rows: Sequence[RegisterRow],
        actor: str,
        problems: Sequence[tuple[int, str]] = (),
    ) -> int:
        """Apply rows in one transaction, or nothing at all.

        ``problems`` are the file's own (row number, message) problems; they are reported
        together with rows naming no known system and rows moving a decided system back to
        ``discovered``, all in one :class:`RegisterError`.
        """
        try:
            with self._write() as session, session.begin():
                keys = sorted({r.identity_key for r in rows})
                found: dict[str, AISystem] = {}
                for start in range(0, len(keys), _CHUNK):
                    chunk = keys[start : start + _CHUNK]
                    for row in session.scalars(
                        select(AISystem).where(AISystem.identity_key.in_(chunk))
                    ):
                        found[row.identity_key] = row
                errors = list(problems)
                for r in rows:
                    system = found.get(r.identity_key)
                    if system is None:
                        errors.append((r.row, f"no system with identity_key {r.identity_key}"))
                    elif r.values.get("status") == "discovered" != system.status:
                        errors.append(
                            (
                                r.row,
                                f"status cannot go back to 'discovered' (it is {system.status!r})",
                            )
                        )
                if errors:
                    raise RegisterError.of_rows(errors)
                return sum(
                    self._apply(session, found[r.identity_key], r.values, actor, "register import")
                    for r in rows
                )
        except SQLAlchemyError as err:
            raise StoreError(f"cannot write to {_describe(self.url)}: {_root_cause(err)}") from err

    # -- locking ---------------------------------------------------------------------------

    @contextmanager
    def scan_lock(self) -> Iterator[None]:
        """Hold the database-wide scan lock for the block, or raise :class:`LockedError`.

        PostgreSQL: a session advisory lock on a dedicated connection (released if the process
        dies). SQLite: a lock row naming host and pid; a row left by a dead process is taken over.
        """
        if self.is_sqlite:
            yield from self._sqlite_lock()
        else:
            yield from self._advisory_lock()

    def _advisory_lock(self) -> Iterator[None]:
        try:
            conn = self.engine.connect()
        except SQLAlchemyError as err:
            raise StoreError(f"cannot open {_describe(self.url)}: {_root_cause(err)}") from err
        try:
            got = conn.execute(
                text(f"SELECT pg_try_advisory_lock({_LOCK_ARGS})"), _LOCK_PARAMS
            ).scalar()
            conn.commit()
            if not got:
                raise LockedError("another aicensus scan holds the lock on this database")
            try:
                yield
            finally:
                conn.execute(text(f"SELECT pg_advisory_unlock({_LOCK_ARGS})"), _LOCK_PARAMS)
                conn.commit()
        finally:
            conn.close()

    def _sqlite_lock(self) -> Iterator[None]:
        holder = f"{HOSTNAME}:{os.getpid()}"
        try:
            with self._write() as session, session.begin():
                row = session.get(ScanLock, "scan")
                if row is not None:
                    host, _, pid = row.holder.rpartition(":")
                    if host != HOSTNAME or _process_alive(int(pid or 0)):
                        raise LockedError(
                            f"a scan is already running (pid {pid} on {host}, "
                            f"since {row.acquired_at.isoformat()})"
                        )
                    session.delete(row)
                    session.flush()
                session.add(ScanLock(name="scan", holder=holder, acquired_at=utcnow()))
        except SQLAlchemyError as err:
            raise StoreError(f"cannot write to {_describe(self.url)}: {_root_cause(err)}") from err
        try:
            yield
        finally:
            with self._write() as session, session.begin():
                session.execute(delete(ScanLock).where(ScanLock.holder == holder))


def _process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
        owner=row.owner,
        owner_email=row.owner_email,
        team=row.team,
        business_purpose=row.business_purpose,
        notes=row.notes,
        confidence=Confidence(row.confidence).label,
        models=tuple(row.models or ()),
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        last_scan_id=row.last_scan_id,
        evidence_count=len(shown),
        evidence=tuple(_evidence_record(ev) for ev in shown) if with_evidence else (),
        instance=row.instance,
        instance_name=row.instance_name,
    )
