"""Block Kit for meetings and schedule settings."""

from __future__ import annotations

from collections.abc import Sequence

from bot.dates import TermDates
from bot.rendering.formatting import local_stamp, meeting_when
from bot.rendering.message import MAX_BLOCKS, Message, context, header, pack_lines, section
from bot.services.meetings import describe_series, send_times
from bot.text import escape
from storage.models import Board, Meeting, MeetingSeries


def when(meeting: Meeting) -> str:
    """`Wed 16 Dec 2026, 09:00–11:00 · Committee Room`, escaped for Slack."""
    return escape(meeting_when(meeting))


def _times_note(board: Board, meeting: Meeting) -> str:
    times = send_times(board, meeting)
    tz = board.tz
    return f"Summary {local_stamp(times.summary_at, tz)} · chasers {local_stamp(times.chaser_at, tz)}"


def scheduled(board: Board, meeting: Meeting, actor: str) -> Message:
    """Channel confirmation of a one-off meeting."""
    text = f":calendar: {board.code} meets {when(meeting)}."
    return Message(text=text, blocks=[section(text), context(f"{_times_note(board, meeting)} · by <@{actor}>")])


def series_scheduled(board: Board, series: MeetingSeries, meetings: Sequence[Meeting], actor: str) -> Message:
    """Channel confirmation of a recurring series with its first dates."""
    first = ", ".join(when(m) for m in meetings[:3])
    text = f":repeat: {board.code} now meets {describe_series(series)}. Next: {first}."
    return Message(
        text=text, blocks=[section(text), context(f"{len(meetings)} meetings scheduled ahead · by <@{actor}>")]
    )


def cancelled(board: Board, meeting: Meeting, actor: str) -> Message:
    """Channel confirmation of a cancelled meeting."""
    text = f":no_entry: The {board.code} meeting of {when(meeting)} is cancelled."
    return Message(text=text, blocks=[section(text), context(f"by <@{actor}>")])


def moved(board: Board, meeting: Meeting, actor: str) -> Message:
    """Channel confirmation of a moved meeting."""
    text = f":arrow_right: The {board.code} meeting is moved to {when(meeting)}. Actions due at it move with it."
    return Message(text=text, blocks=[section(text), context(f"{_times_note(board, meeting)} · by <@{actor}>")])


def next_meeting(board: Board, meeting: Meeting | None) -> Message:
    """The board's next meeting, privately."""
    if meeting is None:
        text = (
            f"{board.code} has no meeting scheduled. Schedule one with `/meeting schedule &lt;date&gt; &lt;time&gt;`."
        )
        return Message(text=text, blocks=[section(text)])
    text = f"*Next {board.code} meeting:* {when(meeting)}"
    return Message(text=text, blocks=[section(text), context(_times_note(board, meeting))])


def meeting_list(board: Board, meetings: Sequence[Meeting], series: Sequence[MeetingSeries]) -> Message:
    """Upcoming meetings and the series behind them."""
    lines = [f"• {when(m)}" for m in meetings] or ["No meetings to come."]
    lines += [f"_Repeats {describe_series(s)}_" for s in series]
    blocks = [header(f"{board.code} meetings to come")]
    blocks += pack_lines(lines, max_blocks=MAX_BLOCKS - 1, more_label="more meetings")
    return Message(text=f"{board.code}: {len(meetings)} meetings to come", blocks=blocks)


def _terms(board: Board) -> str:
    terms = TermDates.from_json(board.term_dates)
    if terms is None:
        return "England's usual pattern"
    half = ", ".join(f"{d.day} {d:%b %Y}" for d in terms.half_terms) or "none"
    ends = ", ".join(f"{d.day} {d:%b %Y}" for d in terms.ends) or "none"
    return f"the board's own: half-term weeks from {half}; terms end {ends}"


def _retention(board: Board) -> str:
    kept = f"{board.retention_months} months after closing" if board.retention_months else "for ever"
    return kept + (" · *legal hold*: nothing is purged" if board.legal_hold else "")


def settings(board: Board, actor: str | None = None) -> Message:
    """The board's schedule settings."""
    text = (
        f"*{board.code} schedule settings*\n"
        f"Summary: {board.summary_days_before} working days before each meeting at {board.summary_time}\n"
        f"Chasers: {board.chaser_days_before} working days before\n"
        f"Chasers and overdue reminders: {'on' if board.reminders_enabled else 'off'}\n"
        f"Bank holidays of: {board.nation.replace('-', ' ').title()} · time zone {escape(board.tz)}\n"
        f"School terms: {_terms(board)}\n"
        f"Closed actions kept: {_retention(board)}\n"
        f"Case-number pattern to warn about: {f'`{escape(board.case_pattern)}`' if board.case_pattern else 'none'}"
    )
    blocks = [section(text)]
    if actor:
        blocks.append(context(f"Changed by <@{actor}>"))
    return Message(text=f"{board.code} schedule settings", blocks=blocks)
