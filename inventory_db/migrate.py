"""Schema management with Alembic: the migrations ship inside the package."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:
    from alembic.config import Config

HEAD_REVISION = "0003"
"""The newest revision (a test checks it against the migration scripts). A database already at
it is opened without loading Alembic, which every scan would otherwise pay for."""

_MIGRATION_LOCK = 0x41494D47  # "AIMG": the advisory lock id schema changes take (PostgreSQL)


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the bundled migrations (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "inventory_db:migrations")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest revision this version of aicensus knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def at_head(engine: Engine) -> bool:
    """Whether the database is at :data:`HEAD_REVISION`, read with one plain query."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return False  # no version table yet (or unreadable): the full check says which
    return [r[0] for r in rows] == [HEAD_REVISION]


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty (or pre-Alembic) database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def _migration_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction holding the database's schema lock, so that processes upgrading at once
    queue up, and each reads the revision the one before it left (and has nothing to do).

    PostgreSQL: a transaction-scoped advisory lock. SQLite: the write lock, taken up front by
    ``BEGIN IMMEDIATE`` (the store's engine issues it for the ``sqlite_immediate`` option).
    """
    if engine.dialect.name == "sqlite":
        engine = engine.execution_options(sqlite_immediate=True)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        yield conn


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision``."""
    from alembic import command

    with _migration_transaction(engine) as conn:
        command.upgrade(alembic_config(conn), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema down to ``revision`` (``base`` drops everything)."""
    from alembic import command

    with _migration_transaction(engine) as conn:
        command.downgrade(alembic_config(conn), revision)
