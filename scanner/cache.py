"""Per-file scan results remembered between scans, keyed by content hash.

A scheduled scan mostly meets files it has seen: parsing them again is the whole cost of a scan
(the keyword prefilter and reading are cheap). Two ways back to a remembered result:

- the **content path**: the file is read, its BLAKE2b digest (with its path and the scan
  configuration) finds the result. Fresh clones of an unchanged repository take this path.
  Only files that hold a catalog keyword (the ones that would be parsed) are hashed: the
  others are scanned again, which costs less than hashing them.
- the **stat path**: a local file whose size, mtime, ctime and inode are those recorded at the
  last scan of the same scope is not read at all (git's index works the same way). A file
  modified within :data:`RACY_NS` of being recorded is never trusted by its stat.

The configuration key covers the aicensus version, the source of the detectors and fingerprint
code, the fingerprint catalog and the scan options, so any change to what a scan would conclude
starts afresh. The cache is a plain SQLite file that only aicensus writes; when it cannot be
opened or is damaged, the scan goes on without it (and says so in the log). Cached findings are
what the inventory stores: keys masked, snippets scrubbed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from connectors.base import FileRef, Scope
from detectors.base import Confidence, Finding, Location, Signal
from detectors.engine import FileResult, ScanOptions
from fingerprints.catalog import Catalog
from scanner import __version__

logger = logging.getLogger(__name__)

CACHE_SCHEMA = 2
FILE_NAME = f"results-v{CACHE_SCHEMA}.sqlite"
RACY_NS = 2_000_000_000
"""A file modified this close to the scan that recorded it is re-read next time."""
_DIGEST_SIZE = 20
UNHASHED = b""
"""The digest recorded for a file whose result was cheaper to recompute than to hash (no
keyword hit: nothing to parse). Only the stat path can bring such a result back."""
_BUSY_MS = 10_000


def default_cache_dir() -> Path:
    """``$AICENSUS_CACHE_DIR``, else ``$XDG_CACHE_HOME/aicensus``, else ``~/.cache/aicensus``."""
    explicit = os.environ.get("AICENSUS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aicensus"


def digest(data: bytes) -> bytes:
    """The content hash results are keyed by."""
    return hashlib.blake2b(data, digest_size=_DIGEST_SIZE).digest()


@cache
def _code_digest() -> str:
    """Hash of the detector and fingerprint sources: a changed rule or parser is a new config."""
    h = hashlib.sha256()
    for package in ("detectors", "fingerprints"):
        for entry in sorted(_python_files(resources.files(package)), key=lambda e: e[0]):
            h.update(entry[0].encode())
            h.update(entry[1])
    return h.hexdigest()


def _python_files(root: Any, prefix: str = "") -> Iterator[tuple[str, bytes]]:
    for entry in root.iterdir():
        name = f"{prefix}/{entry.name}"
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _python_files(entry, name)
        elif entry.name.endswith((".py", ".yaml", ".yml")):
            yield name, entry.read_bytes()


def config_key(catalog: Catalog, options: ScanOptions) -> str:
    """Everything besides path and content that decides a file's result."""
    h = hashlib.sha256()
    h.update(f"{CACHE_SCHEMA}\0{__version__}\0{_code_digest()}\0".encode())
    for fp in catalog.files:
        h.update(fp.model_dump_json().encode())
    h.update(json.dumps(dataclasses.asdict(options), sort_keys=True).encode())
    return h.hexdigest()


def encode_result(result: FileResult) -> str:
    """A result as JSON, without its scope (re-attached on the way back)."""
    if not (result.findings or result.skip_reason or result.notes):
        return ""
    return json.dumps(
        {
            "f": [_encode_finding(f) for f in result.findings],
            "s": result.skip_reason,
            "b": result.bytes_read,
            "p": result.parsed,
            "n": list(result.notes),
        },
        separators=(",", ":"),
    )


def decode_result(relpath: str, text: str, scope: Scope) -> FileResult:
    """The inverse of :func:`encode_result`, in ``scope``."""
    if not text:
        return FileResult(relpath)
    doc = json.loads(text)
    return FileResult(
        relpath,
        findings=tuple(_decode_finding(f, scope) for f in doc["f"]),
        skip_reason=doc["s"],
        bytes_read=doc["b"],
        parsed=doc["p"],
        notes=tuple(doc["n"]),
    )


def _encode_finding(f: Finding) -> dict[str, Any]:
    return {
        "fp": f.fingerprint_id,
        "pid": f.product_id,
        "pn": f.product_name,
        "v": f.vendor,
        "vn": f.vendor_name,
        "c": f.category,
        "loc": f.location.locator,
        "line": f.location.line,
        "sig": f.signal.value,
        "conf": int(f.confidence),
        "attr": dict(f.attributes),
        "m": list(f.models),
        "snip": f.snippet,
        "area": f.area,
        "inst": f.instance,
        "instn": f.instance_name,
    }


def _decode_finding(d: dict[str, Any], scope: Scope) -> Finding:
    return Finding(
        fingerprint_id=d["fp"],
        product_id=d["pid"],
        product_name=d["pn"],
        vendor=d["v"],
        vendor_name=d["vn"],
        category=d["c"],
        scope=scope,
        location=Location(d["loc"], d["line"]),
        signal=Signal(d["sig"]),
        confidence=Confidence(d["conf"]),
        attributes=d["attr"],
        models=tuple(d["m"]),
        snippet=d["snip"],
        area=d["area"],
        instance=d["inst"],
        instance_name=d["instn"],
    )


_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    config TEXT NOT NULL, relpath TEXT NOT NULL, digest BLOB NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (config, relpath, digest)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS files (
    scope TEXT NOT NULL, relpath TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL, inode INTEGER NOT NULL, digest BLOB NOT NULL,
    manifest INTEGER NOT NULL,
    PRIMARY KEY (scope, relpath)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS files_content ON files (relpath, digest);
"""
_READERS: dict[Path, sqlite3.Connection] = {}
"""One read-only connection per cache file per process (worker processes keep theirs)."""


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=_BUSY_MS / 1000)
    else:
        conn = sqlite3.connect(path, timeout=_BUSY_MS / 1000)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    return conn


@dataclass
class ContentMemo:
    """The engine's :class:`~detectors.engine.ResultMemo` over the cache, read-only.

    Used where files are scanned (worker processes included); what it learns travels back to
    the scan's process in :attr:`learned`, which writes it.
    """

    path: Path | None
    config: str
    scope: Scope
    learned: dict[str, tuple[bytes, str | None]] = field(default_factory=dict)
    """relpath -> (digest, encoded result or None when the cache already held it)."""
    _broken: bool = False

    def get(self, relpath: str, data: bytes) -> FileResult | None:
        """The remembered result for this content, if any."""
        key = digest(data)
        self.learned[relpath] = (key, None)
        conn = self._connection()
        if conn is None:
            return None
        try:
            row = conn.execute(
                "SELECT data FROM results WHERE config = ? AND relpath = ? AND digest = ?",
                (self.config, relpath, key),
            ).fetchone()
        except sqlite3.Error as err:
            self._give_up(err)
            return None
        if row is None:
            return None
        return decode_result(relpath, row[0], self.scope)

    def put(self, relpath: str, data: bytes, result: FileResult) -> None:
        """Hand a fresh result back for writing."""
        key = self.learned[relpath][0] if relpath in self.learned else digest(data)
        self.learned[relpath] = (key, encode_result(result))

    def put_unhashed(self, relpath: str, result: FileResult) -> None:
        """Hand back a result kept for the stat path only (its content was not hashed)."""
        self.learned[relpath] = (UNHASHED, encode_result(result))

    def fresh(self) -> ContentMemo:
        """An empty memo over the same cache, for the next batch of files."""
        return ContentMemo(self.path, self.config, self.scope)

    def _connection(self) -> sqlite3.Connection | None:
        if self.path is None or self._broken:
            return None
        conn = _READERS.get(self.path)
        if conn is None:
            try:
                conn = _READERS[self.path] = _connect(self.path, readonly=True)
            except sqlite3.Error as err:
                self._give_up(err)
                return None
        return conn

    def _give_up(self, err: sqlite3.Error) -> None:
        logger.warning("result cache %s unusable, scanning without it: %s", self.path, err)
        self._broken = True
        if self.path is not None and (conn := _READERS.pop(self.path, None)) is not None:
            conn.close()


class ResultCache:
    """The scan process's side of the cache: the stat path, and every write."""

    def __init__(self, directory: Path, config: str) -> None:
        """Open (or create) the cache in ``directory``; raises ``sqlite3.Error``/``OSError``."""
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / FILE_NAME
        self.config = config
        self._conn = self._open()
        self._known: dict[str, tuple[tuple[int, int, int, int], bytes, str, bool]] = {}
        self._rows: list[tuple[str, int, int, int, int, bytes, bool]] = []
        self._results: list[tuple[str, str, bytes, str]] = []
        self.started_ns = time.time_ns()
        self._fresh_rows = 0
        self._wrote = False
        self.stat_hits = 0
        self.content_hits = 0
        self.misses = 0

    @classmethod
    def open(cls, directory: Path, catalog: Catalog, options: ScanOptions) -> ResultCache | None:
        """The cache, or None (with a warning) when it cannot be used: a scan never fails on it."""
        try:
            return cls(directory, config_key(catalog, options))
        except (sqlite3.Error, OSError) as err:
            logger.warning("result cache in %s unusable, scanning without it: %s", directory, err)
            return None

    def _open(self) -> sqlite3.Connection:
        try:
            conn = _connect(self.path, readonly=False)
            conn.executescript(_SCHEMA)
            return conn
        except sqlite3.DatabaseError as err:
            if "not a database" not in str(err) and "malformed" not in str(err):
                raise
            # Only aicensus writes this file and it holds nothing that a scan cannot rebuild.
            logger.warning("result cache %s is damaged (%s); starting a new one", self.path, err)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            conn = _connect(self.path, readonly=False)
            conn.executescript(_SCHEMA)
            return conn

    def memo(self, scope: Scope) -> ContentMemo:
        """A content memo for scanning files of ``scope`` (picklable to worker processes)."""
        return ContentMemo(self.path, self.config, scope)

    def begin(self, scope: Scope) -> None:
        """Load what the last scan of ``scope`` recorded, for the stat path."""
        self._known = {}
        self._rows, self._results = [], []
        self._fresh_rows = 0
        self.started_ns = time.time_ns()
        try:
            rows = self._conn.execute(
                "SELECT f.relpath, f.size, f.mtime_ns, f.ctime_ns, f.inode, f.digest, r.data, "
                "f.manifest "
                "FROM files f JOIN results r ON r.config = ? AND r.relpath = f.relpath "
                "AND r.digest = f.digest WHERE f.scope = ?",
                (self.config, scope.key),
            ).fetchall()
        except sqlite3.Error as err:
            logger.warning("result cache %s unreadable: %s", self.path, err)
            return
        self._known = {r[0]: ((r[1], r[2], r[3], r[4]), r[5], r[6], bool(r[7])) for r in rows}

    def by_stat(self, ref: FileRef, scope: Scope) -> tuple[FileResult, bool] | None:
        """The result of an unchanged file, without reading it, and whether it is a manifest;
        None when the file must be read."""
        known = self._known.get(ref.relpath)
        if known is None or not ref.mtime_ns:
            return None
        if known[0] != (ref.size, ref.mtime_ns, ref.ctime_ns, ref.inode):
            return None
        self.stat_hits += 1
        self._rows.append((ref.relpath, *known[0], known[1], known[3]))  # the same row again
        return decode_result(ref.relpath, known[2], scope), known[3]

    def learn(self, refs: Iterable[FileRef], memo: ContentMemo, manifest: bool = False) -> None:
        """Record what scanning ``refs`` with ``memo`` learned (digests and fresh results);
        ``manifest`` says they were read as manifests (before their directory's other files)."""
        for ref in refs:
            entry = memo.learned.get(ref.relpath)
            if entry is None:
                continue  # could not be read: nothing to remember
            key, data = entry
            self._row(ref, key, manifest)
            if data is None:
                self.content_hits += 1
            else:
                self.misses += key != UNHASHED
                self._results.append((self.config, ref.relpath, key, data))

    def learn_ignored(self, ref: FileRef) -> None:
        """Record a file no detector reads (by its name), so a rescan need not classify it."""
        self._row(ref, UNHASHED, False)
        self._results.append((self.config, ref.relpath, UNHASHED, ""))

    def _row(self, ref: FileRef, key: bytes, manifest: bool) -> None:
        self._fresh_rows += 1
        racy = not ref.mtime_ns or ref.mtime_ns > self.started_ns - RACY_NS
        mtime = -1 if racy else ref.mtime_ns
        self._rows.append((ref.relpath, ref.size, mtime, ref.ctime_ns, ref.inode, key, manifest))

    def commit(self, scope: Scope) -> None:
        """Write what this scan of ``scope`` learned, replacing its previous file list.

        When every file came back by its unchanged stat and none went away, the recorded list
        is already right: nothing is written (most of a scheduled rescan's cache cost).
        """
        unchanged = (
            not self._fresh_rows and not self._results and len(self._rows) == len(self._known)
        )
        if unchanged:
            self._rows, self._known = [], {}
            return
        self._wrote = True
        try:
            with self._conn:
                self._conn.execute("DELETE FROM files WHERE scope = ?", (scope.key,))
                self._conn.executemany(
                    "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(scope.key, *row) for row in self._rows],
                )
                self._conn.executemany(
                    "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", self._results
                )
        except sqlite3.Error as err:
            logger.warning("result cache %s not updated: %s", self.path, err)
        self._rows, self._results, self._known = [], [], {}

    def prune(self) -> None:
        """Drop results of other configurations and of content no recorded file has any more
        (only after a scan that wrote: otherwise there is nothing new to drop)."""
        if not self._wrote:
            return
        try:
            with self._conn:
                self._conn.execute("DELETE FROM results WHERE config != ?", (self.config,))
                self._conn.execute(
                    "DELETE FROM results WHERE NOT EXISTS (SELECT 1 FROM files f "
                    "WHERE f.relpath = results.relpath AND f.digest = results.digest)"
                )
        except sqlite3.Error as err:
            logger.warning("result cache %s not pruned: %s", self.path, err)

    def close(self) -> None:
        """Close the connections of this process."""
        self._conn.close()
        if (reader := _READERS.pop(self.path, None)) is not None:
            reader.close()
