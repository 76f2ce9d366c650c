"""data care: retention, legal hold and case pattern per board; daily maintenance runs

Revision ID: 0006_care
Revises: 0003_requests
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0006_care"
down_revision = "0003_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("boards") as batch:
        batch.add_column(sa.Column("retention_months", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("legal_hold", sa.Boolean(), server_default=sa.text("false"), nullable=False))
        batch.add_column(sa.Column("case_pattern", sa.String(length=200), nullable=True))
    op.create_table(
        "maintenance_runs",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", "day", name=op.f("pk_maintenance_runs")),
    )


def downgrade() -> None:
    op.drop_table("maintenance_runs")
    with op.batch_alter_table("boards") as batch:
        batch.drop_column("case_pattern")
        batch.drop_column("legal_hold")
        batch.drop_column("retention_months")
