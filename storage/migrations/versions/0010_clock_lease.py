"""leases: which clock process ticks (one at a time, taken over when its lease expires)

Revision ID: 0005_lease
Revises: 0003_requests
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0010_lease"
down_revision = "0009_source"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("expires_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )


def downgrade() -> None:
    op.drop_table("leases")
