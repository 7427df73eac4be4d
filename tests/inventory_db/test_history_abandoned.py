"""Abandoned scans: a ``running`` scan whose process is gone never finishes and is never a base."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from connectors.base import Coverage, Outcome, Scope
from detectors.base import Confidence, Finding, Location, Signal
from inventory_db.models import Scan
from inventory_db.store import HOSTNAME, Store, StoreError
from scanner.cli import app

REPO = Scope("code", "github.com/acme/bot", "bot")


def finding(product: str) -> Finding:
    return Finding(
        fingerprint_id=product,
        product_id=product,
        product_name=product.title(),
        vendor=product,
        vendor_name=product.title(),
        category="llm-api",
        scope=REPO,
        location=Location("app.py", 1),
        signal=Signal.CODE_IMPORT,
        confidence=Confidence.HIGH,
        attributes={"matched": product},
        models=(),
        snippet=f"import {product}",
    )


def covered() -> Coverage:
    coverage = Coverage()
    coverage.record(REPO, "code", Outcome.OK)
    return coverage


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    store = Store(db_url, upgrade=True)
    yield store
    store.close()


def set_scan(store: Store, scan_id: int, **values: object) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(Scan).where(Scan.id == scan_id).values(**values))


def statuses(store: Store) -> dict[int, str]:
    return {s.id: s.status for s in store.scans()}


def test_a_scan_left_running_by_a_dead_process_is_abandoned_and_never_a_diff_base(
    store: Store, db_url: str
) -> None:
    # Arrange: one finished scan, then three left running: by a dead process on this host,
    # by a process on another host (unknowable), and by this live process
    first = store.begin_scan(["repo"], "test")
    store.complete_scan(first, [finding("openai")], covered(), 1)
    dead, elsewhere, alive = (store.begin_scan(["repo"], "test") for _ in range(3))
    set_scan(store, dead, pid=dead_pid())
    set_scan(store, elsewhere, host=f"not-{HOSTNAME}", pid=dead_pid())
    assert statuses(store) == {
        first: "succeeded",
        dead: "running",
        elsewhere: "running",
        alive: "running",
    }
    assert store.diff().to_scan == first  # running scans are not comparable

    # Act: the next scan starts, and finishes with a different system
    latest = store.begin_scan(["repo"], "test")
    marked = statuses(store)
    store.complete_scan(latest, [finding("anthropic")], covered(), 1)
    result = store.diff()

    # Assert
    assert marked == {
        first: "succeeded",
        dead: "abandoned",
        elsewhere: "running",
        alive: "running",
        latest: "running",
    }
    abandoned = store.scan(dead)
    assert abandoned is not None
    assert abandoned.message == "the scanning process ended without finishing"
    assert abandoned.finished_at is None
    assert (result.from_scan, result.to_scan) == (first, latest)
    assert [(c.kind, c.system.product) for c in result.changes] == [
        ("added", "anthropic"),
        ("removed", "openai"),
    ]
    for never in (dead, elsewhere, alive):
        with pytest.raises(StoreError, match=f"scan {never} cannot be compared"):
            store.diff(from_scan=never, to_scan=latest)
    cli = CliRunner().invoke(app, ["diff", "--db", db_url, "--from", str(dead)])
    assert cli.exit_code == 2
    assert f"scan {dead} cannot be compared: it does not exist or did not finish" in cli.stderr


def test_an_abandoned_scan_stays_abandoned_and_live_scans_keep_running(store: Store) -> None:
    # Arrange
    killed = store.begin_scan(["repo"], "test")
    set_scan(store, killed, pid=dead_pid())

    # Act: two later scans start, the second while the first is still running here
    second = store.begin_scan(["repo"], "test")
    after_second = statuses(store)
    third = store.begin_scan(["repo"], "test")

    # Assert
    assert after_second == {killed: "abandoned", second: "running"}
    assert statuses(store) == {killed: "abandoned", second: "running", third: "running"}
    record = store.scan(killed)
    assert record is not None
    assert record.message == "the scanning process ended without finishing"
