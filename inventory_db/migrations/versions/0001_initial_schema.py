"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import inventory_db.models

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scan_locks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=False),
        sa.Column("acquired_at", inventory_db.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scan_locks")),
    )
    op.create_table(
        "scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", inventory_db.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", inventory_db.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tool_version", sa.String(length=32), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("files_scanned", sa.Integer(), nullable=False),
        sa.Column("findings_count", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scans")),
    )
    op.create_table(
        "ai_systems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity_key", sa.String(length=700), nullable=False),
        sa.Column("scope_kind", sa.String(length=32), nullable=False),
        sa.Column("scope_id", sa.String(length=512), nullable=False),
        sa.Column("scope_name", sa.String(length=256), nullable=False),
        sa.Column("area", sa.String(length=256), nullable=False),
        sa.Column("vendor", sa.String(length=64), nullable=False),
        sa.Column("vendor_name", sa.String(length=128), nullable=False),
        sa.Column("product", sa.String(length=64), nullable=False),
        sa.Column("product_name", sa.String(length=128), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=256), nullable=False),
        sa.Column("owner_email", sa.String(length=256), nullable=False),
        sa.Column("team", sa.String(length=256), nullable=False),
        sa.Column("business_purpose", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=256), nullable=False),
        sa.Column("updated_at", inventory_db.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Integer(), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("first_seen", inventory_db.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen", inventory_db.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_scan_id", sa.Integer(), nullable=False),
        sa.Column("last_scan_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["first_scan_id"], ["scans.id"], name=op.f("fk_ai_systems_first_scan_id_scans")
        ),
        sa.ForeignKeyConstraint(
            ["last_scan_id"], ["scans.id"], name=op.f("fk_ai_systems_last_scan_id_scans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_systems")),
        sa.UniqueConstraint("identity_key", name=op.f("uq_ai_systems_identity_key")),
    )
    with op.batch_alter_table("ai_systems", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ai_systems_product"), ["product"], unique=False)
        batch_op.create_index(batch_op.f("ix_ai_systems_vendor"), ["vendor"], unique=False)

    op.create_table(
        "scan_coverage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scan_id", sa.Integer(), nullable=False),
        sa.Column("scope_kind", sa.String(length=32), nullable=False),
        sa.Column("scope_id", sa.String(length=512), nullable=False),
        sa.Column("area", sa.String(length=256), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scan_id"],
            ["scans.id"],
            name=op.f("fk_scan_coverage_scan_id_scans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_coverage")),
    )
    with op.batch_alter_table("scan_coverage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scan_coverage_scan_id"), ["scan_id"], unique=False)

    op.create_table(
        "scan_skips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scan_id", sa.Integer(), nullable=False),
        sa.Column("scope_key", sa.String(length=560), nullable=False),
        sa.Column("locator", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scan_id"], ["scans.id"], name=op.f("fk_scan_skips_scan_id_scans"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_skips")),
    )
    with op.batch_alter_table("scan_skips", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scan_skips_scan_id"), ["scan_id"], unique=False)

    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scan_id", sa.Integer(), nullable=False),
        sa.Column("ai_system_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint_id", sa.String(length=64), nullable=False),
        sa.Column("signal", sa.String(length=32), nullable=False),
        sa.Column("locator", sa.Text(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("confidence", sa.Integer(), nullable=False),
        sa.Column("snippet", sa.Text(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ai_system_id"],
            ["ai_systems.id"],
            name=op.f("fk_evidence_ai_system_id_ai_systems"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scan_id"], ["scans.id"], name=op.f("fk_evidence_scan_id_scans"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_scan_id"), ["scan_id"], unique=False)
        batch_op.create_index("ix_evidence_system_scan", ["ai_system_id", "scan_id"], unique=False)

    op.create_table(
        "owner_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ai_system_id", sa.Integer(), nullable=False),
        sa.Column("scan_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=256), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ai_system_id"],
            ["ai_systems.id"],
            name=op.f("fk_owner_suggestions_ai_system_id_ai_systems"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scan_id"],
            ["scans.id"],
            name=op.f("fk_owner_suggestions_scan_id_scans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owner_suggestions")),
    )
    with op.batch_alter_table("owner_suggestions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_owner_suggestions_system_scan", ["ai_system_id", "scan_id"], unique=False
        )

    op.create_table(
        "scan_systems",
        sa.Column("scan_id", sa.Integer(), nullable=False),
        sa.Column("ai_system_id", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("evidence_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ai_system_id"],
            ["ai_systems.id"],
            name=op.f("fk_scan_systems_ai_system_id_ai_systems"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scan_id"],
            ["scans.id"],
            name=op.f("fk_scan_systems_scan_id_scans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("scan_id", "ai_system_id", name=op.f("pk_scan_systems")),
    )
    with op.batch_alter_table("scan_systems", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scan_systems_ai_system_id"), ["ai_system_id"], unique=False
        )

    op.create_table(
        "system_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ai_system_id", sa.Integer(), nullable=False),
        sa.Column("at", inventory_db.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=256), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=False),
        sa.Column("new_value", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ai_system_id"],
            ["ai_systems.id"],
            name=op.f("fk_system_events_ai_system_id_ai_systems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_system_events")),
    )
    with op.batch_alter_table("system_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_system_events_ai_system_id"), ["ai_system_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("system_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_system_events_ai_system_id"))

    op.drop_table("system_events")
    with op.batch_alter_table("scan_systems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scan_systems_ai_system_id"))

    op.drop_table("scan_systems")
    with op.batch_alter_table("owner_suggestions", schema=None) as batch_op:
        batch_op.drop_index("ix_owner_suggestions_system_scan")

    op.drop_table("owner_suggestions")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_system_scan")
        batch_op.drop_index(batch_op.f("ix_evidence_scan_id"))

    op.drop_table("evidence")
    with op.batch_alter_table("scan_skips", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scan_skips_scan_id"))

    op.drop_table("scan_skips")
    with op.batch_alter_table("scan_coverage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scan_coverage_scan_id"))

    op.drop_table("scan_coverage")
    with op.batch_alter_table("ai_systems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ai_systems_vendor"))
        batch_op.drop_index(batch_op.f("ix_ai_systems_product"))

    op.drop_table("ai_systems")
    op.drop_table("scans")
    op.drop_table("scan_locks")
