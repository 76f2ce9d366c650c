"""action source_url: the permalink of the Slack message an action was logged from

Revision ID: 0012_surfaces
Revises: 0011_terms
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_surfaces"
down_revision = "0011_terms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("actions") as batch:
        batch.add_column(sa.Column("source_url", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("actions") as batch:
        batch.drop_column("source_url")
