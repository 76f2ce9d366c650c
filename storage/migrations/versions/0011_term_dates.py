"""term dates: a board's own school terms

Revision ID: 0011_terms
Revises: 0010_lease
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_terms"
down_revision = "0010_lease"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("boards") as batch:
        batch.add_column(sa.Column("term_dates", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("boards") as batch:
        batch.drop_column("term_dates")
