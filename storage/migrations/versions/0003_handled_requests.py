"""handled requests: the keys of Slack requests whose work is committed

Revision ID: 0003_requests
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0003_requests"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handled_requests",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("handled_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_handled_requests")),
    )
    op.create_index(op.f("ix_handled_requests_handled_at"), "handled_requests", ["handled_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_handled_requests_handled_at"), table_name="handled_requests")
    op.drop_table("handled_requests")
