"""Meetings: one-offs and recurring series, moves and cancellations, and the schedule settings.

Meetings are kept as board-local wall-clock times (09:00 stays 09:00 across clock
changes) with the UTC instant derived from the board's zone. Series occurrences are
written as rows ahead of time, so moving or cancelling one is an ordinary update and
the clock never recomputes the past.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from bot.directory import Directory
from bot.errors import NotFound, Remedy, RemedyKind, UserError
from bot.recurrence import describe_recurrence, occurrences_between
from bot.services.audit import record_board_event
from bot.services.boards import ensure_can_manage
from bot.services.context import Caller
from bot.text import unreadable
from bot.walltime import zone
from bot.workdays import Nation, working_days_before
from storage import boards as board_store
from storage import meetings as store
from storage.models import Board, Meeting, MeetingSeries

# How far ahead series occurrences exist as rows; the clock keeps extending it.
HORIZON = timedelta(days=400)
MAX_DAYS_BEFORE = 20


def to_utc(local: datetime, tz: str) -> datetime:
    """A board-local wall-clock time as a UTC instant."""
    return local.replace(tzinfo=zone(tz)).astimezone(UTC)


def local_now(now: datetime, tz: str) -> datetime:
    """`now` as naive board-local wall-clock time."""
    return now.astimezone(zone(tz)).replace(tzinfo=None)


def meeting_date(meeting: Meeting) -> date:
    """The board-local date of the meeting."""
    return meeting.local_start.date()


@dataclass(frozen=True)
class Schedule:
    """A meeting to schedule: one day, or a series (`rule`, an RRULE body, from `day` or today)."""

    day: date | None
    rule: str | None
    start: time
    end: time | None
    location: str | None


def _record(session: Session, board: Board, caller: Caller, kind: str, now: datetime, **data: object) -> None:
    record_board_event(session, board.id, caller.user_id, kind, now, **data)


def _new_meeting(
    board: Board,
    local_start: datetime,
    local_end: datetime | None,
    location: str | None,
    caller: Caller,
    now: datetime,
    series: MeetingSeries | None = None,
) -> Meeting:
    return Meeting(
        board_id=board.id,
        series_id=series.id if series else None,
        occurrence=local_start if series else None,
        local_start=local_start,
        local_end=local_end,
        starts_at=to_utc(local_start, board.tz),
        location=location,
        status=store.SCHEDULED,
        created_by=caller.user_id,
        created_at=now,
    )


def _check_location(schedule: Schedule) -> None:
    if schedule.location is not None and (problem := unreadable(schedule.location, "location")):
        raise UserError(problem)


def schedule_meeting(
    session: Session, *, caller: Caller, board: Board, schedule: Schedule, directory: Directory, now: datetime
) -> Meeting:
    """Schedule one meeting of the board."""
    ensure_can_manage(board, caller, directory)
    assert schedule.day is not None
    _check_location(schedule)
    local_start = datetime.combine(schedule.day, schedule.start)
    if to_utc(local_start, board.tz) <= now:
        raise UserError("That meeting would be in the past. Give a future date and time.")
    local_end = _end(schedule, schedule.day)
    if store.meetings_on(session, board.id, schedule.day):
        raise UserError(
            (
                f"{board.code} already has a meeting on {_day(schedule.day)}. Move it",
                Remedy(RemedyKind.MOVE_MEETING),
                ", or cancel it first.",
            )
        )
    meeting = _new_meeting(board, local_start, local_end, schedule.location, caller, now)
    session.add(meeting)
    session.flush()
    _record(
        session, board, caller, "meeting_scheduled", now, meeting_id=meeting.id, local_start=local_start.isoformat()
    )
    bind_next_meeting_actions(session, board, now)
    return meeting


def _end(schedule: Schedule, day: date) -> datetime | None:
    if schedule.end is None:
        return None
    if schedule.end <= schedule.start:
        raise UserError("The meeting must end after it starts.")
    return datetime.combine(day, schedule.end)


def schedule_series(
    session: Session, *, caller: Caller, board: Board, schedule: Schedule, directory: Directory, now: datetime
) -> tuple[MeetingSeries, Sequence[Meeting]]:
    """Schedule a recurring series and write its occurrences for the year ahead."""
    ensure_can_manage(board, caller, directory)
    assert schedule.rule is not None
    _check_location(schedule)
    for existing in store.series_of_board(session, board.id):
        if existing.rule == schedule.rule and existing.local_start.time() == schedule.start:
            raise UserError(f"{board.code} already meets {describe_series(existing)}.")
    today_local = local_now(now, board.tz)
    first_day = schedule.day or today_local.date()
    if first_day < today_local.date():
        raise UserError("A series can't start in the past: give a `from` date from today on.")
    anchor = datetime.combine(first_day, schedule.start)
    end = _end(schedule, first_day)
    series = MeetingSeries(
        board_id=board.id,
        rule=schedule.rule,
        local_start=anchor,
        duration_minutes=int((end - anchor).total_seconds() // 60) if end else None,
        location=schedule.location,
        materialised_until=today_local,
        created_by=caller.user_id,
        created_at=now,
    )
    session.add(series)
    session.flush()
    created = materialise(session, series, board, now)
    if not created:
        raise UserError("That series has no meetings in the coming year; check the rule.")
    _record(session, board, caller, "series_scheduled", now, series_id=series.id, rule=schedule.rule)
    bind_next_meeting_actions(session, board, now)
    return series, created


def materialise(session: Session, series: MeetingSeries, board: Board, now: datetime) -> list[Meeting]:
    """Write the series' occurrences from where it stopped up to the horizon; never twice."""
    until = local_now(now + HORIZON, board.tz)
    start_after = max(series.materialised_until, local_now(now, board.tz))
    if until <= start_after:
        return []
    created = []
    caller = Caller(team_id=board.team_id, user_id=series.created_by)
    for local_start in occurrences_between(series.rule, dtstart=series.local_start, after=start_after, before=until):
        if store.occurrence_exists(session, series.id, local_start) or store.meetings_on(
            session, board.id, local_start.date()
        ):
            continue  # never twice: the occurrence exists, or the board already meets that day
        end = local_start + timedelta(minutes=series.duration_minutes) if series.duration_minutes else None
        meeting = _new_meeting(board, local_start, end, series.location, caller, now, series)
        session.add(meeting)
        created.append(meeting)
    series.materialised_until = until
    session.flush()
    return created


def extend_series(session: Session, now: datetime) -> int:
    """Keep every active series written a year ahead (run by the clock); returns meetings added."""
    added = 0
    for series in store.active_series(session):
        board = session.get(Board, series.board_id)
        assert board is not None
        new = materialise(session, series, board, now)
        if new:
            bind_next_meeting_actions(session, board, now)
        added += len(new)
    return added


def next_meeting(session: Session, board: Board, now: datetime) -> Meeting | None:
    """The board's next meeting that has not started."""
    return store.next_meeting(session, board.id, now)


def upcoming(session: Session, board: Board, now: datetime, limit: int = 12) -> Sequence[Meeting]:
    """The board's coming meetings."""
    return store.upcoming_meetings(session, board.id, now, limit)


def _only_meeting_on(session: Session, board: Board, day: date, now: datetime) -> Meeting:
    found = [m for m in store.meetings_on(session, board.id, day) if m.starts_at > now]
    if not found:
        coming = ", ".join(_day(meeting_date(m)) for m in store.upcoming_meetings(session, board.id, now, 5))
        raise NotFound(
            f"{board.code} has no meeting to come on {_day(day)}." + (f" Coming: {coming}." if coming else "")
        )
    return found[0]


def cancel_meeting(
    session: Session, *, caller: Caller, board: Board, day: date, directory: Directory, now: datetime
) -> Meeting:
    """Cancel the meeting on that date (one occurrence, if it belongs to a series)."""
    ensure_can_manage(board, caller, directory)
    meeting = _only_meeting_on(session, board, day, now)
    meeting.status = "cancelled"
    meeting.changed_at = now
    meeting.changed_by = caller.user_id
    session.flush()
    _record(session, board, caller, "meeting_cancelled", now, meeting_id=meeting.id)
    bind_next_meeting_actions(session, board, now)
    return meeting


def move_meeting(
    session: Session,
    *,
    caller: Caller,
    board: Board,
    day: date,
    new_day: date,
    new_time: time | None,
    directory: Directory,
    now: datetime,
) -> Meeting:
    """Move one meeting to another date (and time); actions due at it move with it."""
    ensure_can_manage(board, caller, directory)
    meeting = _only_meeting_on(session, board, day, now)
    start = datetime.combine(new_day, new_time or meeting.local_start.time())
    if to_utc(start, board.tz) <= now:
        raise UserError("The new date and time are in the past.")
    if any(m.id != meeting.id for m in store.meetings_on(session, board.id, new_day)):
        raise UserError(f"{board.code} already has a meeting on {_day(new_day)}.")
    length = meeting.local_end - meeting.local_start if meeting.local_end else None
    before = meeting.local_start
    meeting.local_start = start
    meeting.local_end = start + length if length else None
    meeting.starts_at = to_utc(start, board.tz)
    meeting.changed_at = now
    meeting.changed_by = caller.user_id
    session.flush()
    _record(
        session,
        board,
        caller,
        "meeting_moved",
        now,
        meeting_id=meeting.id,
        local_from=before.isoformat(),
        local_to=start.isoformat(),
    )
    bind_next_meeting_actions(session, board, now)
    return meeting


def bind_next_meeting_actions(session: Session, board: Board, now: datetime) -> int:
    """Point every open "next meeting" action at the meeting it now means, and date it.

    An action keeps the meeting it was given while that meeting stands (moving the
    meeting moves the action); when it is cancelled, or none was scheduled yet, the
    action takes the first meeting after the one it had (or after it was logged).

    Takes the board's row lock first, as every change to its actions does, so the actions it re-dates
    are read as they stand and it can't deadlock with a change that holds the board and one action.
    """
    board_store.lock_board(session, board.id)
    changed = 0
    for action in store.actions_due_next_meeting(session, board.id):
        current = session.get(Meeting, action.due_meeting_id) if action.due_meeting_id else None
        if current is None or current.status != store.SCHEDULED:
            after = current.starts_at if current else now
            current = store.next_meeting(session, board.id, after)
        new_id = current.id if current else None
        new_date = meeting_date(current) if current else None
        if (action.due_meeting_id, action.due_date) != (new_id, new_date):
            action.due_meeting_id = new_id
            action.due_date = new_date
            changed += 1
    session.flush()
    return changed


@dataclass(frozen=True)
class Times:
    """When the summary and the chaser for a meeting go out (UTC)."""

    summary_at: datetime
    chaser_at: datetime


def send_times(board: Board, meeting: Meeting) -> Times:
    """Summary and chaser instants: N working days before, at the board's summary time."""
    nation = Nation(board.nation)
    at = time.fromisoformat(board.summary_time)
    day = meeting_date(meeting)
    summary_day = working_days_before(day, board.summary_days_before, nation)
    chaser_day = working_days_before(day, board.chaser_days_before, nation)
    # A setting that would fall at or after the start (0 days before, at a later hour) is brought
    # forward to an hour before, so the chair still has the summary before the meeting.
    latest = meeting.starts_at - timedelta(hours=1)
    return Times(
        summary_at=min(to_utc(datetime.combine(summary_day, at), board.tz), latest),
        chaser_at=min(to_utc(datetime.combine(chaser_day, at), board.tz), latest),
    )


def _days(days: int) -> int:
    if not 0 <= days <= MAX_DAYS_BEFORE:
        raise UserError(f"`{days}` is not a number of working days from 0 to {MAX_DAYS_BEFORE}.")
    return days


def set_summary_time(
    session: Session, *, caller: Caller, board: Board, days: int, at: time, directory: Directory, now: datetime
) -> Board:
    """Summary goes `days` working days before each meeting, at `at` board time."""
    ensure_can_manage(board, caller, directory)
    board.summary_days_before = _days(days)
    board.summary_time = at.strftime("%H:%M")
    _record(
        session,
        board,
        caller,
        "settings",
        now,
        summary_days_before=board.summary_days_before,
        summary_time=board.summary_time,
    )
    return board


def set_chaser_days(
    session: Session, *, caller: Caller, board: Board, days: int, directory: Directory, now: datetime
) -> Board:
    """Chasers go `days` working days before each meeting."""
    ensure_can_manage(board, caller, directory)
    board.chaser_days_before = _days(days)
    _record(session, board, caller, "settings", now, chaser_days_before=board.chaser_days_before)
    return board


def set_reminders(
    session: Session, *, caller: Caller, board: Board, on: bool, directory: Directory, now: datetime
) -> Board:
    """Turn chasers and overdue reminders on or off for the board."""
    ensure_can_manage(board, caller, directory)
    board.reminders_enabled = on
    _record(session, board, caller, "settings", now, reminders_enabled=on)
    return board


def set_nation(
    session: Session, *, caller: Caller, board: Board, nation: Nation, directory: Directory, now: datetime
) -> Board:
    """Whose bank holidays count as non-working days."""
    ensure_can_manage(board, caller, directory)
    board.nation = nation.value
    _record(session, board, caller, "settings", now, nation=board.nation)
    return board


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def describe_series(series: MeetingSeries) -> str:
    """`every month on the 3rd Wednesday at 09:00`."""
    return f"{describe_recurrence(series.rule)} at {series.local_start:%H:%M}"
