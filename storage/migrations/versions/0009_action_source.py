"""action source: the document, line and meeting an imported action came from; import drafts

Revision ID: 0004_source
Revises: 0003_requests
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0009_source"
down_revision = "0008_all"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("actions") as batch:
        batch.add_column(sa.Column("source_document", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("source_line", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("source_meeting", sa.Date(), nullable=True))
    op.create_table(
        "import_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("source_document", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("meeting", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("used_at", storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["board_id"], ["boards.id"], name=op.f("fk_import_drafts_board_id_boards")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_drafts")),
    )
    op.create_index(op.f("ix_import_drafts_board_id"), "import_drafts", ["board_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_import_drafts_board_id"), table_name="import_drafts")
    op.drop_table("import_drafts")
    with op.batch_alter_table("actions") as batch:
        batch.drop_column("source_meeting")
        batch.drop_column("source_line")
        batch.drop_column("source_document")
