"""Schema migrations: empty -> head -> base on both engines, and the models agree with them."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect

from inventory_db import migrate
from inventory_db.models import Base

TABLES = {
    "ai_systems",
    "assessments",
    "control_status",
    "lifecycle_events",
    "risk_entries",
    "soa_entries",
    "evidence",
    "owner_suggestions",
    "scan_coverage",
    "scan_locks",
    "scan_skips",
    "scan_systems",
    "scans",
    "system_events",
}


def differences(engine: Engine) -> list[object]:
    """What autogenerate would write to bring the database to the models (nothing, ideally)."""
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, Base.metadata))


def test_upgrade_from_empty_to_head_and_downgrade_to_base(db_url: str) -> None:
    # Arrange
    engine = create_engine(db_url)
    assert migrate.current_revision(engine) is None
    assert not migrate.at_head(engine)
    assert set(inspect(engine).get_table_names()) == set()

    # Act / Assert: up to head, where models and migrations agree
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision() == "0003"
    assert migrate.head_revision() == migrate.HEAD_REVISION  # the quick check's constant
    assert migrate.at_head(engine)
    assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
    assert differences(engine) == []

    # Act / Assert: down to base, every table is gone
    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

    # and up again, to the same schema
    migrate.upgrade(engine)
    assert differences(engine) == []
    engine.dispose()


OPEN_AT = """
import sys, time
from inventory_db.store import Store, StoreError
url, start = sys.argv[1], float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
try:
    print(Store(url, upgrade=True).schema_revision())
except StoreError as err:
    print(f"error: {err}")
"""


def test_two_processes_creating_the_schema_at_once_both_succeed(db_url: str) -> None:
    # Arrange: both processes import first, then open the same empty database at one instant
    start = f"{time.time() + 1.5:.3f}"
    cwd = Path(__file__).resolve().parents[2]

    # Act
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AT, db_url, start],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=60) for p in procs]

    # Assert
    assert [out.strip() for out, _ in outputs] == ["0003", "0003"], outputs
    engine = create_engine(db_url)
    assert differences(engine) == []
    engine.dispose()
