"""Queries for meetings and meeting series."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from storage.listed import among
from storage.models import Action, Meeting, MeetingSeries

SCHEDULED = "scheduled"


def upcoming_meetings(session: Session, board_id: int, after: datetime, limit: int | None = None) -> Sequence[Meeting]:
    """Scheduled meetings starting after `after` (UTC), soonest first."""
    query = (
        select(Meeting)
        .where(Meeting.board_id == board_id, Meeting.status == SCHEDULED, Meeting.starts_at > after)
        .order_by(Meeting.starts_at)
    )
    if limit is not None:
        query = query.limit(limit)
    return session.scalars(query).all()


def next_meeting(session: Session, board_id: int, after: datetime) -> Meeting | None:
    """The first scheduled meeting starting after `after`."""
    found = upcoming_meetings(session, board_id, after, limit=1)
    return found[0] if found else None


def previous_meeting(session: Session, board_id: int, before: datetime) -> Meeting | None:
    """The last scheduled meeting that started before `before`."""
    return session.scalar(
        select(Meeting)
        .where(Meeting.board_id == board_id, Meeting.status == SCHEDULED, Meeting.starts_at < before)
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )


def meetings_on(session: Session, board_id: int, day: date) -> Sequence[Meeting]:
    """Scheduled meetings on this board-local date."""
    return session.scalars(
        select(Meeting)
        .where(
            Meeting.board_id == board_id,
            Meeting.status == SCHEDULED,
            Meeting.local_start >= datetime.combine(day, time.min),
            Meeting.local_start <= datetime.combine(day, time.max),
        )
        .order_by(Meeting.local_start)
    ).all()


def meetings_in_month(session: Session, board_id: int, year: int, month: int) -> Sequence[Meeting]:
    """Scheduled meetings whose board-local start falls in that calendar month, soonest first."""
    first = datetime(year, month, 1)
    after = datetime(year + (month == 12), month % 12 + 1, 1)
    return session.scalars(
        select(Meeting)
        .where(
            Meeting.board_id == board_id,
            Meeting.status == SCHEDULED,
            Meeting.local_start >= first,
            Meeting.local_start < after,
        )
        .order_by(Meeting.local_start)
    ).all()


def active_series(session: Session) -> Sequence[MeetingSeries]:
    """Series not ended, of every board."""
    return session.scalars(select(MeetingSeries).where(MeetingSeries.ended_at.is_(None))).all()


def series_of_board(session: Session, board_id: int) -> Sequence[MeetingSeries]:
    """The board's series not ended."""
    return session.scalars(
        select(MeetingSeries).where(MeetingSeries.board_id == board_id, MeetingSeries.ended_at.is_(None))
    ).all()


def occurrence_exists(session: Session, series_id: int, occurrence: datetime) -> bool:
    """True if this occurrence of the series already has a row (scheduled, moved or cancelled)."""
    return (
        session.scalar(select(Meeting.id).where(Meeting.series_id == series_id, Meeting.occurrence == occurrence))
        is not None
    )


def actions_due_next_meeting(session: Session, board_id: int) -> Sequence[Action]:
    """Open actions whose due date is "next meeting"."""
    return session.scalars(
        select(Action).where(Action.board_id == board_id, Action.status == "open", Action.due_kind == "next_meeting")
    ).all()


def meeting_starts_before(session: Session, board_id: int, before: datetime) -> list[datetime]:
    """Start instants of the board's scheduled meetings before `before`, ascending."""
    return list(
        session.scalars(
            select(Meeting.starts_at)
            .where(Meeting.board_id == board_id, Meeting.status == SCHEDULED, Meeting.starts_at < before)
            .order_by(Meeting.starts_at)
        )
    )


def previous_starts(session: Session, meeting_ids: Collection[int]) -> dict[int, datetime]:
    """For each of these meetings, when its board's last scheduled meeting before it started
    (meetings that are their board's first are absent)."""
    if not meeting_ids:
        return {}
    earlier = aliased(Meeting)
    last = (
        select(func.max(earlier.starts_at))
        .where(earlier.board_id == Meeting.board_id, earlier.status == SCHEDULED, earlier.starts_at < Meeting.starts_at)
        .correlate(Meeting)
        .scalar_subquery()
    )
    rows = session.execute(select(Meeting.id, last.label("previous")).where(among(session, Meeting.id, meeting_ids)))
    return {row.id: row.previous for row in rows if row.previous is not None}
