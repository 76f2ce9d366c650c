"""SQLAlchemy 2.0 typed models: boards, members, actions and their audit trail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime


class Base(DeclarativeBase):
    """Declarative base; naming convention keeps constraint names stable across databases."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


Base.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Board(Base):
    """A board (or sub-group) bound to one Slack channel in one workspace."""

    __tablename__ = "boards"
    __table_args__ = (
        UniqueConstraint("team_id", "code", name="uq_boards_team_code"),
        UniqueConstraint("team_id", "channel_id", name="uq_boards_team_channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    channel_id: Mapped[str] = mapped_column(String(32))
    chair_user_id: Mapped[str] = mapped_column(String(32))
    tz: Mapped[str] = mapped_column(String(64), default="Europe/London")
    # Last action number handed out; refs are never reused, so this only grows.
    last_action_number: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]

    members: Mapped[list[Member]] = relationship(back_populates="board", order_by="Member.initials")


class Member(Base):
    """Someone who can own the board's actions, known by the initials boards write."""

    __tablename__ = "members"
    __table_args__ = (
        # Initials are unique among current members only: a removed member keeps
        # their row (and their history) while someone new may take the initials.
        Index(
            "uq_members_board_initials_current",
            "board_id",
            "initials",
            unique=True,
            sqlite_where=text("removed_at IS NULL"),
            postgresql_where=text("removed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"), index=True)
    initials: Mapped[str] = mapped_column(String(10))
    slack_user_id: Mapped[str | None] = mapped_column(String(32), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    added_by: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime]
    removed_by: Mapped[str | None] = mapped_column(String(32))
    removed_at: Mapped[datetime | None]

    board: Mapped[Board] = relationship(back_populates="members")


class ActionOwner(Base):
    """Association of an action with one of its owners."""

    __tablename__ = "action_owners"

    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True, index=True)


class Action(Base):
    """One action on a board's log, referred to as CODE-number."""

    __tablename__ = "actions"
    __table_args__ = (UniqueConstraint("board_id", "number", name="uq_actions_board_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | done | dropped
    rag: Mapped[str | None] = mapped_column(String(5))  # red | amber | green
    previous_rag: Mapped[str | None] = mapped_column(String(5))
    rag_reason: Mapped[str | None] = mapped_column(Text)
    rag_changed_at: Mapped[datetime | None]
    due_kind: Mapped[str | None] = mapped_column(String(12))  # date | next_meeting | tbc
    due_date: Mapped[date | None] = mapped_column(Date)
    original_due_date: Mapped[date | None] = mapped_column(Date)
    due_change_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    last_progress_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(32))
    close_note: Mapped[str | None] = mapped_column(Text)
    source_channel_id: Mapped[str | None] = mapped_column(String(32))
    source_text: Mapped[str | None] = mapped_column(Text)

    board: Mapped[Board] = relationship()
    owners: Mapped[list[Member]] = relationship(secondary="action_owners", order_by="Member.initials")
    events: Mapped[list[ActionEvent]] = relationship(
        back_populates="action", order_by="ActionEvent.id", cascade="save-update, merge"
    )


class ActionEvent(Base):
    """One change to an action: the audit trail, never edited after it is written."""

    __tablename__ = "action_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    at: Mapped[datetime]
    actor_user_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    action: Mapped[Action] = relationship(back_populates="events")


class BoardEvent(Base):
    """Audit row for changes to a board itself: set-up, members added and removed."""

    __tablename__ = "board_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"), index=True)
    at: Mapped[datetime]
    actor_user_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(30))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
