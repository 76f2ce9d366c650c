"""clock indexes: the outbox claimed in due order, read by meeting and by recipient; overdue actions

Revision ID: 0012_clock
Revises: 0011_terms
"""

from __future__ import annotations

from alembic import op

revision = "0012_clock"
down_revision = "0011_terms"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_outbox_status_due", "outbox", ["status", "due_at", "id"]),
    ("ix_outbox_meeting_kind", "outbox", ["meeting_id", "kind"]),
    ("ix_outbox_recipient_kind_due", "outbox", ["recipient", "kind", "due_at"]),
    ("ix_actions_status_due", "actions", ["status", "due_date"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
