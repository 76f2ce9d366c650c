"""SQLAlchemy 2.0 typed models: boards, members, actions and their audit trail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql import expression

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
    # Schedule settings: working days before the meeting, and the board-local time of day.
    summary_days_before: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    summary_time: Mapped[str] = mapped_column(String(5), default="09:00", server_default="09:00")
    chaser_days_before: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    nation: Mapped[str] = mapped_column(String(20), default="england", server_default="england")
    # Data care: closed actions older than this many months are purged daily (None: kept);
    # a legal hold stops every purge; a board's own case-number pattern to warn about.
    retention_months: Mapped[int | None] = mapped_column(Integer)
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    case_pattern: Mapped[str | None] = mapped_column(String(200))
    # The local authority's school terms ({"half_terms": [...], "ends": [...]}, ISO dates); None: England's usual.
    term_dates: Mapped[dict[str, Any] | None] = mapped_column(JSON)

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
    __table_args__ = (
        UniqueConstraint("board_id", "number", name="uq_actions_board_number"),
        # Lists count a board's actions by status and due date without reading the rows.
        Index("ix_actions_board_status_due", "board_id", "status", "due_date"),
        # The clock finds overdue actions of every board by due date.
        Index("ix_actions_status_due", "status", "due_date"),
    )

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
    # Imported actions: the document and line they were read from, and the meeting the minutes record.
    source_document: Mapped[str | None] = mapped_column(String(300))
    source_line: Mapped[int | None] = mapped_column(Integer)
    source_meeting: Mapped[date | None] = mapped_column(Date)
    # Logged from a Slack message ("Log as action"): the message's permalink.
    source_url: Mapped[str | None] = mapped_column(String(500))
    # Set when the action is due "next meeting": it moves with that meeting.
    due_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    # Overdue reminders for this action pause until this board-local date (inclusive).
    reminders_snoozed_until: Mapped[date | None] = mapped_column(Date)
    # Owned by every current member (`All to …`): shown once as "All members", never chased.
    all_members: Mapped[bool] = mapped_column(Boolean, default=False, server_default=expression.false())
    # The improvement-plan area the action is a priority of (None: not part of the plan).
    area_id: Mapped[int | None] = mapped_column(ForeignKey("plan_areas.id"), index=True)

    board: Mapped[Board] = relationship()
    owners: Mapped[list[Member]] = relationship(secondary="action_owners", order_by="Member.initials")
    events: Mapped[list[ActionEvent]] = relationship(
        back_populates="action", order_by="ActionEvent.id", cascade="save-update, merge"
    )


class PlanArea(Base):
    """An area of a board's improvement plan (e.g. MASH, Early Help): a lead, the inspection
    recommendation it answers, an area RAG, and its priorities (the actions with `area_id` set)."""

    __tablename__ = "plan_areas"
    __table_args__ = (
        # A short name is unique among the board's current areas: a removed area keeps its row and history.
        Index(
            "uq_plan_areas_board_key_current",
            "board_id",
            "key",
            unique=True,
            sqlite_where=text("removed_at IS NULL"),
            postgresql_where=text("removed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"), index=True)
    # The short name people type (`MASH`, `Early-Help`) and its lower-case form, unique on the board.
    short_name: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(30))
    # The area's title as board papers write it ("Leadership and Stability").
    name: Mapped[str] = mapped_column(String(200))
    lead_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    recommendation: Mapped[str | None] = mapped_column(Text)
    rag: Mapped[str | None] = mapped_column(String(5))  # red | amber | green
    rag_reason: Mapped[str | None] = mapped_column(Text)
    rag_changed_at: Mapped[datetime | None]
    rag_changed_by: Mapped[str | None] = mapped_column(String(32))
    # The rating the area was reported with at the close of the period before it was recorded here
    # (an imported report's "Previous RAG"); later periods read their previous RAG from the history.
    opening_rag: Mapped[str | None] = mapped_column(String(5))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    source_document: Mapped[str | None] = mapped_column(String(300))
    # Removed from the plan (`/plan area remove`): no longer listed or reported, its history kept.
    removed_at: Mapped[datetime | None]
    removed_by: Mapped[str | None] = mapped_column(String(32))

    board: Mapped[Board] = relationship()
    lead: Mapped[Member | None] = relationship()


class PlanAreaEvent(Base):
    """One change to a plan area (created, rag, lead, removed): its audit trail, never edited."""

    __tablename__ = "plan_area_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("plan_areas.id"), index=True)
    at: Mapped[datetime]
    actor_user_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


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


class MeetingSeries(Base):
    """A recurring meeting: an RFC 5545 RRULE anchored at a board-local start."""

    __tablename__ = "meeting_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"), index=True)
    rule: Mapped[str] = mapped_column(String(200))
    # Naive board-local wall-clock start: 09:00 stays 09:00 across clock changes.
    local_start: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    location: Mapped[str | None] = mapped_column(String(300))
    # Occurrences exist as Meeting rows up to this local instant; the clock extends it.
    materialised_until: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class Meeting(Base):
    """One meeting of a board: a one-off, or one occurrence of a series."""

    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("series_id", "occurrence", name="uq_meetings_series_occurrence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"), index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_series.id"))
    # The series' original local start of this occurrence, so a moved or cancelled
    # occurrence is never generated again.
    occurrence: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    local_start: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    local_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    location: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12), default="scheduled")  # scheduled | cancelled
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    changed_at: Mapped[datetime | None]
    changed_by: Mapped[str | None] = mapped_column(String(32))
    # Written by the clock: nothing is due for this meeting before `clock_due_at`, as long as the
    # schedule it was worked out from (`clock_basis`: the meeting's start and its board's settings,
    # see storage.clock) is unchanged. A tick reads only meetings past it or changed since.
    clock_due_at: Mapped[datetime | None]
    clock_basis: Mapped[str | None] = mapped_column(String(200))

    board: Mapped[Board] = relationship()


class OutboxMessage(Base):
    """A scheduled message, written before it is sent; `key` makes it unique across processes."""

    __tablename__ = "outbox"
    __table_args__ = (
        # Claims take due rows in (due_at, id) order; a tick reads a meeting's keys and an owner's
        # latest reminders without scanning the outbox.
        Index("ix_outbox_status_due", "status", "due_at", "id"),
        Index("ix_outbox_meeting_kind", "meeting_id", "kind"),
        Index("ix_outbox_recipient_kind_due", "recipient", "kind", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # summary | chaser | overdue
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    recipient: Mapped[str] = mapped_column(String(32))  # channel id or user id (a DM)
    # {"messages": [{"text":..., "blocks":[...]}, ...]}: the first is posted, the rest in its thread.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    # pending | sending | sent | failed | missed | cancelled
    due_at: Mapped[datetime]
    not_after: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    parts_sent: Mapped[int] = mapped_column(Integer, default=0)
    # "channel|ts" of the first part once posted: later parts go in its thread.
    thread: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class ImportDraft(Base):
    """Minutes pasted into `/action import`, kept between the preview and its confirmation."""

    __tablename__ = "import_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    source_document: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    meeting: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | imported | cancelled
    used_at: Mapped[datetime | None]


class HandledRequest(Base):
    """A request from Slack whose work has been committed: recorded in the same transaction as the
    work, so a job run again after a crash (or a replay) finds it and changes nothing twice."""

    __tablename__ = "handled_requests"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(index=True)


class HomeOpener(Base):
    """Someone who has opened the app's Home tab, and when last: only their Home tab is published again after
    a change (a view nobody has opened is never looked at)."""

    __tablename__ = "home_openers"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    opened_at: Mapped[datetime]


class MaintenanceRun(Base):
    """One row per daily job and day: the first clock process to insert it does the job that day."""

    __tablename__ = "maintenance_runs"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    at: Mapped[datetime]


class Lease(Base):
    """A named right held by one process until `expires_at` (e.g. "clock": who ticks); renewed while held."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime]
