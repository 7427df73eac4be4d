"""SIGKILL a real ``aicensus scan`` at several points: the inventory is never half-written.

The database first holds a finished scan of a small repository. That repository then grows to
hundreds of files that would change every system, add one, and write ~17,000 evidence rows.
Each killed scan must leave the inventory exactly as the finished scan left it, must never
become a diff base, and is marked ``abandoned`` once the next scan starts. SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine, make_url
from typer.testing import CliRunner

from inventory_db.models import Base, Scan
from inventory_db.store import Store
from scanner.cli import app
from scanner.run import IN_PROCESS_MAX_FILES

runner = CliRunner()
MakeTree = Callable[..., Path]
Process = subprocess.Popen[bytes]
ROOT = Path(__file__).resolve().parents[2]

BASELINE = 'from openai import OpenAI\n\nreply = OpenAI().responses.create(model="gpt-4o")\n'
GROWN = (
    "from openai import OpenAI\n"
    "import anthropic\n"
    "\n"
    "client = OpenAI()\n"
    'a = client.chat.completions.create(model="gpt-4o-mini", messages=[])\n'
    "c = anthropic.Anthropic()\n"
    'd = c.messages.create(model="claude-3-5-sonnet-latest", max_tokens=1, messages=[])\n'
    # many model ids: thousands of evidence rows make the write phase long enough to kill in
    + "".join(f'm{i} = "o3-mini" if {i} else "gpt-4o"\n' for i in range(16))
)
FILES = IN_PROCESS_MAX_FILES + 50  # enough for the scan to start worker processes


def inventory(db_url: str) -> dict[str, Any]:
    result = runner.invoke(app, ["inventory", "list", "--db", db_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per table, but for the scans table (where a started scan leaves its row)."""
    tables = [t for t in Base.metadata.sorted_tables if t.name != "scans"]
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables
        }


def scan_rows(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return {row.id: row.status for row in conn.execute(select(Scan.id, Scan.status))}


def process_group(pgid: int) -> list[int]:
    """Live processes of a process group (Linux /proc)."""
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                if os.getpgid(int(entry)) == pgid:
                    members.append(int(entry))
    return members


def writing(db_url: str, engine: Engine) -> bool:
    """Is another process inside a write transaction on this database right now?"""
    if engine.dialect.name == "sqlite":
        path = make_url(db_url).database
        assert path is not None
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as err:
            assert "locked" in str(err), err
            return True
        finally:
            probe.close()
    # PostgreSQL: the scan's transaction holds a row-exclusive lock on ai_systems once it
    # has started writing systems (begin_scan only touches the scans table).
    with engine.connect() as conn:
        held = conn.execute(
            text(
                "SELECT count(*) FROM pg_locks WHERE relation = 'ai_systems'::regclass "
                "AND mode = 'RowExclusiveLock' AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    return bool(held)


def wait_for(condition: Callable[[], bool], proc: Process, what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert proc.poll() is None, f"the scan exited ({proc.returncode}) before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def start_scan(root: Path, db_url: str, log: Path, *extra: str) -> Process:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "scanner.cli", "scan", str(root), "--db", db_url, *extra],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,  # its own process group, which its workers share
        )


def kill(proc: Process) -> None:
    """SIGKILL the scanner, then the worker processes it left behind in its group."""
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def test_a_killed_scan_leaves_the_previous_inventory_exactly_as_it_was(
    db_url: str, make_tree: MakeTree, tmp_path: Path
) -> None:
    # Arrange: a finished scan of a small repository, which then grows
    assert runner.invoke(app, ["db", "upgrade", "--db", db_url]).exit_code == 0
    root = make_tree({f"pkg{i}/m{i}.py": BASELINE for i in range(5)})
    first = runner.invoke(app, ["scan", str(root), "--db", db_url])
    assert first.exit_code == 0, first.output
    before = inventory(db_url)
    assert [(s["product"], s["models"], len(s["evidence"])) for s in before["systems"]] == [
        ("openai", ["gpt-4o"], 15)
    ]
    make_tree({f"pkg{i % 40}/m{i}.py": GROWN for i in range(FILES)}, root)
    engine = create_engine(db_url)
    rows_before = row_counts(engine)
    assert rows_before["evidence"] == 15 and rows_before["ai_systems"] == 1
    killed: list[int] = []

    def new_scan() -> int | None:
        ids = [sid for sid in scan_rows(engine) if sid != 1 and sid not in killed]
        return ids[0] if ids else None

    def while_starting_up(proc: Process) -> None:
        time.sleep(0.3)

    def while_detecting_in_worker_processes(proc: Process) -> None:
        # the scanner, its forkserver and a worker: workers are gone before the write starts
        wait_for(lambda: len(process_group(proc.pid)) >= 3, proc, "worker processes")

    def as_it_starts_writing(proc: Process) -> None:
        wait_for(lambda: new_scan() is not None, proc, "the scan row")
        wait_for(lambda: writing(db_url, engine), proc, "the write phase")

    def late_in_the_write(proc: Process) -> None:
        # Here SQLite writes for ~0.6 s, PostgreSQL ~1 s: a write committed in parts would be
        # half visible by now. A much faster machine may finish first: then it is all there.
        as_it_starts_writing(proc)
        time.sleep(0.2)

    kill_points: list[tuple[Callable[[Process], None], tuple[str, ...]]] = [
        (while_starting_up, ()),
        (while_detecting_in_worker_processes, ()),
        (as_it_starts_writing, ("--jobs", "1")),  # in-process detection reaches the write sooner
        (late_in_the_write, ("--jobs", "1")),
    ]
    finished: int | None = None

    for number, (wait, options) in enumerate(kill_points):
        # Act
        moment = wait.__name__
        proc = start_scan(root, db_url, tmp_path / f"scan-{number}.log", *options)
        try:
            wait(proc)
        finally:
            kill(proc)
        scan_id = new_scan()

        # Assert: nothing of the killed scan is visible, and it never becomes a base
        reopened = Store(db_url)
        if scan_id is not None and scan_rows(engine)[scan_id] == "succeeded":
            # only the last point may come after the commit, and then the scan is whole
            assert wait is late_in_the_write
            record = reopened.scan(scan_id)
            assert record is not None and record.findings_count > 30 * FILES
            counts = row_counts(engine)
            assert counts["evidence"] == rows_before["evidence"] + record.findings_count
            assert counts["scan_systems"] == rows_before["scan_systems"] + 2
            assert [s["product"] for s in inventory(db_url)["systems"]] == ["anthropic", "openai"]
            finished = scan_id
            reopened.close()
            break
        assert inventory(db_url) == before, moment
        assert row_counts(engine) == rows_before, moment
        assert reopened.comparable_scans() == [1], moment
        assert reopened.diff().to_scan == 1, moment
        if scan_id is not None:
            assert scan_rows(engine)[scan_id] == "running", moment
            killed.append(scan_id)
        reopened.close()
    assert len(killed) >= 2 + (finished is None), "every kill after the scan row leaves one"

    # Act: the next scan starts (and finishes)
    other = make_tree({"a.py": "import cohere\n"}, tmp_path / "other")
    after = runner.invoke(app, ["scan", str(other), "--db", db_url])

    # Assert: every killed scan is abandoned; the inventory of the repository is untouched
    assert after.exit_code == 0, after.output
    statuses = scan_rows(engine)
    assert [statuses[sid] for sid in killed] == ["abandoned"] * len(killed)
    assert statuses[max(statuses)] == "succeeded"
    assert Store(db_url).diff().from_scan == (finished or 1)
    if finished is None:
        systems = [s for s in inventory(db_url)["systems"] if s["product"] != "cohere"]
        assert systems == before["systems"]
    engine.dispose()
