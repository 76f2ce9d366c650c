"""home openers and area removal: who has opened the Home tab (republished after changes only for them);
plan areas removed but kept with their history, their short name free again

Revision ID: 0015_home_openers_area_removal
Revises: 0014_clock
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0015_home_openers_area_removal"
down_revision = "0014_clock"
branch_labels = None
depends_on = None

CURRENT = sa.text("removed_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "home_openers",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("opened_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_home_openers")),
    )
    with op.batch_alter_table("plan_areas") as batch:
        batch.add_column(sa.Column("removed_at", storage.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("removed_by", sa.String(length=32), nullable=True))
        batch.drop_constraint("uq_plan_areas_board_key", type_="unique")
    # A short name is unique among the board's current areas only: a removed area keeps its row.
    op.create_index(
        "uq_plan_areas_board_key_current",
        "plan_areas",
        ["board_id", "key"],
        unique=True,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )


def downgrade() -> None:
    op.drop_index("uq_plan_areas_board_key_current", table_name="plan_areas")
    with op.batch_alter_table("plan_areas") as batch:
        batch.create_unique_constraint("uq_plan_areas_board_key", ["board_id", "key"])
        batch.drop_column("removed_by")
        batch.drop_column("removed_at")
    op.drop_table("home_openers")
