"""improvement plans: plan areas, their audit trail, and actions joining an area

Revision ID: 0013_plans
Revises: 0012_surfaces
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0013_plans"
down_revision = "0012_surfaces"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("short_name", sa.String(length=30), nullable=False),
        sa.Column("key", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lead_member_id", sa.Integer(), nullable=True),
        sa.Column("recommendation", sa.Text(), nullable=True),
        sa.Column("rag", sa.String(length=5), nullable=True),
        sa.Column("rag_reason", sa.Text(), nullable=True),
        sa.Column("rag_changed_at", UTCDateTime(), nullable=True),
        sa.Column("rag_changed_by", sa.String(length=32), nullable=True),
        sa.Column("opening_rag", sa.String(length=5), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("source_document", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["board_id"], ["boards.id"], name=op.f("fk_plan_areas_board_id_boards")),
        sa.ForeignKeyConstraint(["lead_member_id"], ["members.id"], name=op.f("fk_plan_areas_lead_member_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_areas")),
        sa.UniqueConstraint("board_id", "key", name="uq_plan_areas_board_key"),
    )
    op.create_index(op.f("ix_plan_areas_board_id"), "plan_areas", ["board_id"], unique=False)
    op.create_table(
        "plan_area_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_user_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["plan_areas.id"], name=op.f("fk_plan_area_events_area_id_plan_areas")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_area_events")),
    )
    op.create_index(op.f("ix_plan_area_events_area_id"), "plan_area_events", ["area_id"], unique=False)
    with op.batch_alter_table("actions") as batch:
        batch.add_column(sa.Column("area_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_actions_area_id_plan_areas"), "plan_areas", ["area_id"], ["id"])
        batch.create_index(batch.f("ix_actions_area_id"), ["area_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("actions") as batch:
        batch.drop_index(batch.f("ix_actions_area_id"))
        batch.drop_constraint(op.f("fk_actions_area_id_plan_areas"), type_="foreignkey")
        batch.drop_column("area_id")
    op.drop_index(op.f("ix_plan_area_events_area_id"), table_name="plan_area_events")
    op.drop_table("plan_area_events")
    op.drop_index(op.f("ix_plan_areas_board_id"), table_name="plan_areas")
    op.drop_table("plan_areas")
