"""clock: when each meeting next needs the clock; indexes for the outbox claimed in due order, read by
meeting and by recipient, and for overdue actions

Revision ID: 0014_clock
Revises: 0013_plans
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0014_clock"
down_revision = "0013_plans"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_outbox_status_due", "outbox", ["status", "due_at", "id"]),
    ("ix_outbox_meeting_kind", "outbox", ["meeting_id", "kind"]),
    ("ix_outbox_recipient_kind_due", "outbox", ["recipient", "kind", "due_at"]),
    ("ix_actions_status_due", "actions", ["status", "due_date"]),
)


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("clock_due_at", storage.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("clock_basis", sa.String(length=200), nullable=True))
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("clock_basis")
        batch.drop_column("clock_due_at")
