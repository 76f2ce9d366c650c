"""Small pieces of wording shared by every rendering: dates, RAG, ages, owners."""

from __future__ import annotations

from datetime import date, datetime

from bot.refs import format_ref
from bot.statuses import ActionStatus, Rag
from bot.text import escape_prose
from bot.walltime import zone
from storage.models import Action, Meeting

RAG_EMOJI = {Rag.RED: ":red_circle:", Rag.AMBER: ":large_orange_circle:", Rag.GREEN: ":large_green_circle:"}


def short_date(day: date, today: date) -> str:
    """`15 Dec`, with the year when it is not this year's."""
    text = f"{day.day} {day:%b}"
    return text if day.year == today.year else f"{text} {day.year}"


def local_stamp(at: datetime, tz: str) -> str:
    """`22 Nov 2026 10:30` in the board's zone."""
    local = at.astimezone(zone(tz))
    return f"{local.day} {local:%b %Y %H:%M}"


def ref_of(action: Action) -> str:
    """`SSCB-12`."""
    return format_ref(action.board.code, action.number)


def owners_of(action: Action) -> str:
    """Owners' initials, `AF & EA`, `All members`, or `no owner`."""
    names = (["All members"] if action.all_members else []) + [m.initials for m in action.owners]
    return " & ".join(names) or "no owner"


def rag_text(action: Action, *, emoji: bool = True) -> str:
    """`Amber (was Green)`, `No RAG`."""
    if not action.rag:
        return "No RAG"
    text = action.rag.capitalize()
    if action.previous_rag and action.previous_rag != action.rag:
        text += f" (was {action.previous_rag.capitalize()})"
    return f"{RAG_EMOJI[action.rag]} {text}" if emoji else text


def days_phrase(days: int) -> str:
    """`1 day`, `3 days`."""
    return f"{days} day" if days == 1 else f"{days} days"


def due_text(action: Action, today: date) -> str:
    """`due 20 Jan (originally 1 Dec, re-dated 2×)`, `due 1 Dec (overdue by 3 days)`, `due next meeting`."""
    if action.due_kind == "tbc":
        return "due TBC"
    if action.due_date is None:
        return "due next meeting" if action.due_kind == "next_meeting" else "no due date"
    text = f"due {short_date(action.due_date, today)}"
    if action.due_kind == "next_meeting":
        text += " (next meeting)"
    notes = []
    if action.original_due_date and action.due_change_count:
        notes.append(f"originally {short_date(action.original_due_date, today)}, re-dated {action.due_change_count}×")
    if action.status == ActionStatus.OPEN and action.due_date < today:
        notes.append(f"overdue by {days_phrase((today - action.due_date).days)}")
    return f"{text} ({'; '.join(notes)})" if notes else text


def age_text(action: Action, now: datetime) -> str:
    """How long since the last progress update (or since it was logged)."""
    if action.last_progress_at is not None:
        days = (now - action.last_progress_at).days
        return "updated today" if days == 0 else f"updated {days_phrase(days)} ago"
    days = (now - action.created_at).days
    return "no update since logged today" if days == 0 else f"no update since logged {days_phrase(days)} ago"


def task_text(action: Action) -> str:
    """The action's words, escaped: user text never becomes markup, and a person it mentions is shown
    as that person."""
    return escape_prose(action.text)


def status_text(action: Action) -> str:
    """`Open`, `Done`, `Dropped`."""
    return action.status.capitalize()


def meeting_when(meeting: Meeting) -> str:
    """`Wed 16 Dec 2026, 09:00–11:00 · Committee Room` (not escaped: callers escape for Slack)."""
    day = meeting.local_start.date()
    text = f"{day:%a} {day.day} {day:%b %Y}, {meeting.local_start:%H:%M}"
    if meeting.local_end:
        text += f"–{meeting.local_end:%H:%M}"
    return text + (f" · {meeting.location}" if meeting.location else "")
