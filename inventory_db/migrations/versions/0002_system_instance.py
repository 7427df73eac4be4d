"""ai systems that are one managed resource each (instance id and name)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ai_systems") as batch:
        batch.add_column(
            sa.Column(
                "instance", sa.String(length=1024), server_default=sa.text("''"), nullable=False
            )
        )
        batch.add_column(
            sa.Column(
                "instance_name", sa.String(length=256), server_default=sa.text("''"), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("ai_systems") as batch:
        batch.drop_column("instance_name")
        batch.drop_column("instance")
