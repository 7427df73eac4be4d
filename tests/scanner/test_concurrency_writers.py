"""Concurrent scans into one database, and the ``--lock`` that keeps them apart on request.

Real ``aicensus scan`` processes, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from inventory_db.models import AISystem, ScanLock
from inventory_db.store import HOSTNAME, Store
from scanner.cli import app

runner = CliRunner()
MakeTree = Callable[..., Path]
ROOT = Path(__file__).resolve().parents[2]


def aicensus(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "scanner.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_three_scans_writing_into_one_fresh_database_at_once_all_succeed(
    db_url: str, make_tree: MakeTree, tmp_path: Path
) -> None:
    # Arrange: two repositories; SQLite starts from no file at all (its first scans create
    # the schema, concurrently), PostgreSQL from an upgraded, empty schema
    if not db_url.startswith("sqlite"):
        assert runner.invoke(app, ["db", "upgrade", "--db", db_url]).exit_code == 0
    alpha_files: dict[str, str | bytes] = {f"m{i}.py": "import openai\n" for i in range(300)}
    alpha_files["chat.py"] = "import anthropic\n"
    alpha = make_tree(alpha_files, tmp_path / "alpha")
    beta_files: dict[str, str | bytes] = {f"s{i}.py": "import openai\n" for i in range(200)}
    beta_files["rank.py"] = "import cohere\n"
    beta = make_tree(beta_files, tmp_path / "beta")

    # Act: alpha twice and beta once, all at the same time
    procs = [aicensus("scan", str(root), "--db", db_url) for root in (alpha, beta, alpha)]
    results = [(p.wait(timeout=120), p.communicate()) for p in procs]

    # Assert: every scan succeeded and wrote whole, separate snapshots
    assert [code for code, _ in results] == [0, 0, 0], results
    store = Store(db_url)
    scans = store.scans()
    assert sorted((s.targets, s.status, s.findings_count) for s in scans) == [
        ((str(alpha),), "succeeded", 301),
        ((str(alpha),), "succeeded", 301),
        ((str(beta),), "succeeded", 201),
    ]
    with store.engine.connect() as conn:
        keys = conn.execute(select(AISystem.identity_key)).scalars().all()
    assert sorted(Counter(keys).values()) == [1, 1, 1, 1]  # no duplicate identities
    a, b = f"code:{alpha.resolve()}", f"code:{beta.resolve()}"
    assert sorted(keys) == [f"{a}:anthropic", f"{a}:openai", f"{b}:cohere", f"{b}:openai"]
    evidence = {s.identity_key: s.evidence_count for s in store.systems()}
    assert evidence == {
        f"{a}:anthropic": 1,
        f"{a}:openai": 300,
        f"{b}:cohere": 1,
        f"{b}:openai": 200,
    }
    by_key = {s.identity_key: s.id for s in store.systems()}
    for scan in scans:  # each scan's own evidence, as that scan saw it
        seen = {
            key: len(system.evidence)
            for key, sid in by_key.items()
            if (system := store.system(sid, scan_id=scan.id)) is not None and system.evidence
        }
        if scan.targets == (str(alpha),):
            assert seen == {f"{a}:anthropic": 1, f"{a}:openai": 300}
        else:
            assert seen == {f"{b}:cohere": 1, f"{b}:openai": 200}
    store.close()


@contextmanager
def another_inventory(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second inventory next to ``db_url``: another SQLite file, or another PostgreSQL
    schema in the same database (advisory locks are per database, not per schema)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'another.db'}"
        return
    schema = f"{make_url(db_url).query['options'].split('=')[1]}_b"
    admin = create_engine(db_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(db_url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_scan_with_lock_exits_5_while_another_scan_holds_the_lock(
    db_url: str, make_tree: MakeTree
) -> None:
    # Arrange
    assert runner.invoke(app, ["db", "upgrade", "--db", db_url]).exit_code == 0
    root = make_tree({"a.py": "import anthropic\n"})
    store = Store(db_url)

    # Act: while this process holds the lock, scans ask for it (in-process and a real process)
    with store.scan_lock():
        in_process = runner.invoke(app, ["scan", str(root), "--db", db_url, "--lock"])
        proc = aicensus("scan", str(root), "--db", db_url, "--lock")
        code = proc.wait(timeout=60)
        _, stderr = proc.communicate()
        unlocked = runner.invoke(app, ["scan", str(root), "--db", db_url])
    afterwards = runner.invoke(app, ["scan", str(root), "--db", db_url, "--lock"])

    # Assert
    if store.is_sqlite:
        message = f"error: a scan is already running (pid {os.getpid()} on {HOSTNAME}, since "
    else:
        message = "error: another aicensus scan holds the lock on this database"
    assert (in_process.exit_code, code) == (5, 5), (in_process.output, stderr)
    assert in_process.stderr.startswith(message)
    assert len(stderr.strip().splitlines()) == 1 and stderr.startswith(message), stderr
    assert unlocked.exit_code == 0, unlocked.output  # a scan without --lock does not wait
    assert afterwards.exit_code == 0, afterwards.output
    assert [s.status for s in store.scans()] == ["succeeded", "succeeded"]  # refused: no scan
    with store.engine.connect() as conn:
        assert conn.execute(select(ScanLock.name)).all() == []
    store.close()


def test_the_scan_lock_of_one_inventory_does_not_block_another(
    db_url: str, make_tree: MakeTree, tmp_path: Path
) -> None:
    root = make_tree({"a.py": "import anthropic\n"})
    with another_inventory(db_url, tmp_path) as other:
        for url in (db_url, other):
            assert runner.invoke(app, ["db", "upgrade", "--db", url]).exit_code == 0
        store = Store(db_url)
        with store.scan_lock():
            result = runner.invoke(app, ["scan", str(root), "--db", other, "--lock"])
        assert result.exit_code == 0, result.output
        store.close()


def test_a_stale_sqlite_lock_of_a_dead_process_is_taken_over(
    make_tree: MakeTree, tmp_path: Path
) -> None:
    # SQLite only: PostgreSQL's advisory lock ends with the session that held it.
    # Arrange: a lock row left by a process that died, and one held on another host
    url = f"sqlite:///{tmp_path / 'inventory.db'}"
    root = make_tree({"a.py": "import anthropic\n"})
    store = Store(url)
    since = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with store.engine.begin() as conn:
        conn.execute(
            insert(ScanLock).values(
                name="scan", holder=f"{HOSTNAME}:{dead_pid()}", acquired_at=since
            )
        )

    # Act
    taken_over = runner.invoke(app, ["scan", str(root), "--db", url, "--lock"])
    with store.engine.begin() as conn:
        left = conn.execute(select(ScanLock.holder)).scalars().all()
        conn.execute(insert(ScanLock).values(name="scan", holder="elsewhere:42", acquired_at=since))
    remote = runner.invoke(app, ["scan", str(root), "--db", url, "--lock"])

    # Assert
    assert taken_over.exit_code == 0, taken_over.output
    assert left == []  # released after the scan
    assert remote.exit_code == 5
    assert remote.stderr == (
        "error: a scan is already running (pid 42 on elsewhere, since 2026-01-02T03:04:05+00:00)\n"
    )
    assert [s.status for s in store.scans()] == ["succeeded"]
    store.close()
