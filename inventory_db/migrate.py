"""Schema management with Alembic: the migrations ship inside the package."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the bundled migrations (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", "inventory_db:migrations")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest revision this version of aicensus knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty (or pre-Alembic) database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision``."""
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema down to ``revision`` (``base`` drops everything)."""
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), revision)
