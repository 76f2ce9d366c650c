"""list indexes: a board's actions by status and due date

Revision ID: 0007_lists
Revises: 0006_care
"""

from __future__ import annotations

from alembic import op

revision = "0007_lists"
down_revision = "0006_care"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_actions_board_status_due", "actions", ["board_id", "status", "due_date"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_actions_board_status_due", table_name="actions")
