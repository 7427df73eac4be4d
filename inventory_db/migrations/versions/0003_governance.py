"""governance: impact assessments, risk register, lifecycle history, control status, SoA

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import inventory_db.models

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _system_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["ai_system_id"],
        ["ai_systems.id"],
        name=op.f(f"fk_{table}_ai_system_id_ai_systems"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    utc = inventory_db.models.UTCDateTime(timezone=True)
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ai_system_id", sa.Integer(), nullable=False),
        sa.Column("intended_purpose", sa.Text(), nullable=False),
        sa.Column("affected_groups", sa.JSON(), nullable=False),
        sa.Column("questionnaire_version", sa.String(length=32), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("suggested_tier", sa.String(length=32), nullable=False),
        sa.Column("rationale", sa.JSON(), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("gpai", sa.Boolean(), nullable=False),
        sa.Column("assessor", sa.String(length=256), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("next_review", sa.Date(), nullable=False),
        sa.Column("basis", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("recorded_by", sa.String(length=256), nullable=False),
        sa.Column("recorded_at", utc, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _system_fk("assessments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index("ix_assessments_system", ["ai_system_id", "id"], unique=False)

    op.create_table(
        "risk_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("risk", sa.Text(), nullable=False),
        sa.Column("likelihood", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("treatment", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=256), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("controls", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_risk_entries_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_entries")),
    )
    with op.batch_alter_table("risk_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_entries_assessment_id"), ["assessment_id"], unique=False
        )

    op.create_table(
        "lifecycle_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ai_system_id", sa.Integer(), nullable=False),
        sa.Column("at", utc, nullable=False),
        sa.Column("actor", sa.String(length=256), nullable=False),
        sa.Column("from_stage", sa.String(length=32), nullable=False),
        sa.Column("from_inferred", sa.Boolean(), nullable=False),
        sa.Column("to_stage", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _system_fk("lifecycle_events"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lifecycle_events")),
    )
    with op.batch_alter_table("lifecycle_events", schema=None) as batch_op:
        batch_op.create_index("ix_lifecycle_events_system", ["ai_system_id", "id"], unique=False)

    op.create_table(
        "control_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ai_system_id", sa.Integer(), nullable=False),
        sa.Column("control_id", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("reviewer", sa.String(length=256), nullable=False),
        sa.Column("at", utc, nullable=False),
        sa.Column("actor", sa.String(length=256), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _system_fk("control_status"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control_status")),
    )
    with op.batch_alter_table("control_status", schema=None) as batch_op:
        batch_op.create_index(
            "ix_control_status_system", ["ai_system_id", "control_id", "id"], unique=False
        )

    op.create_table(
        "soa_entries",
        sa.Column("control_id", sa.String(length=16), nullable=False),
        sa.Column("applicable", sa.Boolean(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("implementation", sa.String(length=16), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=256), nullable=False),
        sa.Column("updated_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("control_id", name=op.f("pk_soa_entries")),
    )


def downgrade() -> None:
    op.drop_table("soa_entries")
    with op.batch_alter_table("control_status", schema=None) as batch_op:
        batch_op.drop_index("ix_control_status_system")
    op.drop_table("control_status")
    with op.batch_alter_table("lifecycle_events", schema=None) as batch_op:
        batch_op.drop_index("ix_lifecycle_events_system")
    op.drop_table("lifecycle_events")
    with op.batch_alter_table("risk_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_entries_assessment_id"))
    op.drop_table("risk_entries")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_assessments_system")
    op.drop_table("assessments")
