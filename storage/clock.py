"""Queries behind the clock's planning: which meetings need looking at now, and when next."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, String, bindparam, cast, func, literal, or_, select, update
from sqlalchemy.orm import Session, contains_eager

from storage.models import Board, Meeting

SCHEDULED = "scheduled"


def basis() -> ColumnElement[str]:
    """What a meeting's send times are worked out from, as one string computed by the database: its
    start and its board's zone, nation, summary and chaser settings. Any change to one of them
    changes it, so a meeting whose settings changed is looked at again at once."""
    parts: list[ColumnElement[str]] = [
        cast(Meeting.starts_at, String),
        cast(Meeting.local_start, String),
        Board.tz,
        Board.nation,
        Board.summary_time,
        cast(Board.summary_days_before, String),
        cast(Board.chaser_days_before, String),
        cast(Board.reminders_enabled, String),
    ]
    joined: ColumnElement[str] = func.coalesce(parts[0], "")
    for part in parts[1:]:
        joined = joined + literal("|") + func.coalesce(part, "")
    return joined


def meetings_to_look_at(session: Session, start: datetime, end: datetime, now: datetime) -> list[tuple[Meeting, str]]:
    """Scheduled meetings starting in [start, end) that are due a look at `now` (or were never
    looked at, or whose basis changed since), with their boards and their current basis."""
    current = basis()
    rows = session.execute(
        select(Meeting, current.label("basis"))
        .join(Board, Board.id == Meeting.board_id)
        .options(contains_eager(Meeting.board))
        .where(
            Meeting.status == SCHEDULED,
            Meeting.starts_at >= start,
            Meeting.starts_at < end,
            or_(
                Meeting.clock_due_at.is_(None),
                Meeting.clock_due_at <= now,
                Meeting.clock_basis.is_(None),
                Meeting.clock_basis != current,
            ),
        )
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    return [(meeting, text) for meeting, text in rows]


def upcoming_starts(session: Session, board_ids: Iterable[int], after: datetime, before: datetime) -> Sequence:  # type: ignore[type-arg]
    """(board_id, starts_at) of these boards' scheduled meetings starting in (after, before)."""
    ids = sorted(set(board_ids))
    if not ids:
        return []
    return session.execute(
        select(Meeting.board_id, Meeting.starts_at).where(
            Meeting.board_id.in_(ids),
            Meeting.status == SCHEDULED,
            Meeting.starts_at > after,
            Meeting.starts_at < before,
        )
    ).all()


def set_next_looks(session: Session, looks: Sequence[tuple[int, datetime, str]]) -> None:
    """Record, for each (meeting id, due at, basis), when the clock must look at it next.

    No lock is needed: the basis stored is the one read with the meeting, so a setting changed by
    someone else meanwhile no longer matches it and the meeting is looked at again on the next
    tick; two clocks writing at once write what they worked out from the same rows.
    """
    if not looks:
        return
    session.connection().execute(
        update(Meeting.__table__)
        .where(Meeting.__table__.c.id == bindparam("meeting_id"))
        .values(clock_due_at=bindparam("due_at"), clock_basis=bindparam("basis")),
        [{"meeting_id": m, "due_at": due, "basis": text} for m, due, text in looks],
    )
