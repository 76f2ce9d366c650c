"""`/meeting` sub-commands for meetings and schedule settings (schedule, next, list, cancel, move, settings)."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.errors import UserError
from bot.rendering import meetings as render
from bot.services import meetings as service
from bot.services import retention, terms
from bot.services.boards import people_of_board, resolve_board
from bot.services.context import Caller
from bot.text import escape, squash
from bot.walltime import local_date
from handlers.reply import Reply, private, to_channel, touching_homes
from handlers.slash.parsing import parse_date, parse_days, parse_rule, parse_terms, parse_time, read_nation
from storage.db import session_scope
from storage.meetings import series_of_board
from storage.models import Board

USAGE = {
    "schedule": "/meeting schedule <date> <time> [until <time>] [at <location>]  or  "
    "/meeting schedule every <rule> <time> [until <time>] [at <location>]",
    "next": "/meeting next",
    "list": "/meeting list",
    "cancel": "/meeting cancel <date>",
    "move": "/meeting move <date> to <date> [time]",
    "settings": "/meeting settings [summary <N> days before at <HH:MM> | chaser <N> days before | "
    "reminders on|off | nation england|wales|scotland|northern-ireland | retention <N> months|off | "
    "hold on|off | case-pattern <regex>|off | terms half-terms <dates> ends <dates>|off]",
}
HELP_LINES = [
    ("schedule", "schedule one meeting, or a series: `every month on the 3rd Wednesday 09:00`"),
    ("next", "the board's next meeting"),
    ("list", "the meetings to come"),
    ("cancel", "cancel one meeting (one occurrence of a series)"),
    ("move", "move one meeting; actions due at it move too"),
    ("settings", "when the summary and chasers go out, reminders, bank holidays, retention and legal hold"),
]
_TIME = r"(?:\d{1,2}[:.]\d{2}\s*(?:am|pm|a\.m\.|p\.m\.)?|\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)|\d{4}\s*hrs|noon|midday)"
_WHEN = re.compile(
    rf"^(?P<when>.+?)\s+(?:at\s+)?(?P<start>{_TIME})(?:\s*(?:until|till|to|-|–)\s*(?P<end>{_TIME}))?"
    rf"(?:\s+(?:at|in)\s+(?P<location>.+))?$",
    re.IGNORECASE,
)
# A repeat pattern names how often, anywhere in it ("first Tuesday of the month", "6 weekly on Tuesdays").
_RECURRING = re.compile(
    r"\b(?:every|each|monthly|weekly|fortnightly|quarterly|bi-?monthly|bi-?weekly|termly|repeats?|repeating"
    r"|of\s+the\s+month|alternate\s+months?)\b",
    re.IGNORECASE,
)
_MOVE = re.compile(rf"^(?P<from>.+?)\s+to\s+(?P<to>.+?)(?:\s+(?:at\s+)?(?P<time>{_TIME}))?$", re.IGNORECASE)


def _schedule(deps: Deps, caller: Caller, rest: str) -> Reply:
    text = squash(rest)
    m = _WHEN.match(text)
    if not m:
        raise UserError("Give the date (or the repeat rule) and the start time, e.g. `15/12/2026 09:00`.")
    location = m.group("location")
    if location and len(location) > 300:
        raise UserError("The location is over 300 characters.")
    start = parse_time(m.group("start"))
    end = parse_time(m.group("end")) if m.group("end") else None
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        board = resolve_board(session, caller, None)
        if _RECURRING.search(m.group("when")):
            # An optional `from <date>` anchors the series (quarterly counts its quarters from there).
            parts = re.split(r"\s+(?:from|starting)\s+", m.group("when"), maxsplit=1, flags=re.IGNORECASE)
            first_day = parse_date(parts[1], local_date(now, board.tz)) if len(parts) > 1 else None
            rule = parse_rule(parts[0])
            schedule = service.Schedule(day=first_day, rule=rule, start=start, end=end, location=location)
            series, meetings = service.schedule_series(
                session, caller=caller, board=board, schedule=schedule, directory=deps.directory, now=now
            )
            reply = to_channel(board.channel_id, render.series_scheduled(board, series, meetings, caller.user_id))
            return _for_the_board(session, reply, caller, board)
        day = parse_date(m.group("when"), local_date(now, board.tz))
        schedule = service.Schedule(day=day, rule=None, start=start, end=end, location=location)
        meeting = service.schedule_meeting(
            session, caller=caller, board=board, schedule=schedule, directory=deps.directory, now=now
        )
        return _for_the_board(
            session, to_channel(board.channel_id, render.scheduled(board, meeting, caller.user_id)), caller, board
        )


def _for_the_board(session: Session, reply: Reply, caller: Caller, board: Board) -> Reply:
    """A change to the board's meetings alters every member's Home tab (its next meeting, actions due at it)."""
    return touching_homes(reply, caller.user_id, *people_of_board(session, board))


def _no_arguments(rest: str, name: str) -> None:
    if rest.strip():
        raise UserError(f"`/meeting {name}` takes nothing after it; you wrote `{escape(rest.strip())}`.")


def _next(deps: Deps, caller: Caller, rest: str) -> Reply:
    _no_arguments(rest, "next")
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        board = resolve_board(session, caller, None)
        return private(render.next_meeting(board, service.next_meeting(session, board, now)))


def _list(deps: Deps, caller: Caller, rest: str) -> Reply:
    _no_arguments(rest, "list")
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        board = resolve_board(session, caller, None)
        meetings = service.upcoming(session, board, now)
        return private(render.meeting_list(board, meetings, series_of_board(session, board.id)))


def _cancel(deps: Deps, caller: Caller, rest: str) -> Reply:
    if not rest.strip():
        raise UserError("Which meeting? Give its date, e.g. `/meeting cancel 15/12/2026`.")
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        board = resolve_board(session, caller, None)
        day = parse_date(rest.strip(), local_date(now, board.tz))
        meeting = service.cancel_meeting(
            session, caller=caller, board=board, day=day, directory=deps.directory, now=now
        )
        return _for_the_board(
            session, to_channel(board.channel_id, render.cancelled(board, meeting, caller.user_id)), caller, board
        )


def _move(deps: Deps, caller: Caller, rest: str) -> Reply:
    m = _MOVE.match(squash(rest))
    if not m:
        raise UserError("Say which meeting and where to, e.g. `/meeting move 15/12/2026 to 17/12/2026 10:00`.")
    new_time = parse_time(m.group("time")) if m.group("time") else None
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        board = resolve_board(session, caller, None)
        today = local_date(now, board.tz)
        day = parse_date(m.group("from"), today)
        new_day = parse_date(m.group("to"), today)
        meeting = service.move_meeting(
            session,
            caller=caller,
            board=board,
            day=day,
            new_day=new_day,
            new_time=new_time,
            directory=deps.directory,
            now=now,
        )
        return _for_the_board(
            session, to_channel(board.channel_id, render.moved(board, meeting, caller.user_id)), caller, board
        )


_SUMMARY_SETTING = re.compile(r"^summary\s+(\S+)\s+(?:working\s+)?days?\s+before\s+at\s+(.+)$", re.IGNORECASE)
_CHASER_SETTING = re.compile(r"^chaser\s+(\S+)\s+(?:working\s+)?days?\s+before$", re.IGNORECASE)
_REMINDERS_SETTING = re.compile(r"^reminders\s+(on|off)$", re.IGNORECASE)
_NATION_SETTING = re.compile(r"^nation\s+(.+)$", re.IGNORECASE)
_RETENTION_SETTING = re.compile(r"^retention\s+(?:(\d{1,4})\s+months?|(off|none|forever))$", re.IGNORECASE)
_HOLD_SETTING = re.compile(r"^(?:legal\s+)?hold\s+(on|off)$", re.IGNORECASE)
_TERMS_SETTING = re.compile(r"^terms?\s+(.+)$", re.IGNORECASE | re.DOTALL)
_CASE_PATTERN_SETTING = re.compile(r"^case[-\s]pattern\s+(.+)$", re.IGNORECASE)


def _settings(deps: Deps, caller: Caller, rest: str) -> Reply:
    text = squash(rest)
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        board = resolve_board(session, caller, None)
        if not text:
            return private(render.settings(board))
        common = {"caller": caller, "board": board, "directory": deps.directory, "now": now}
        if m := _SUMMARY_SETTING.match(text):
            days = parse_days(m.group(1), 0, service.MAX_DAYS_BEFORE, "working days")
            service.set_summary_time(session, days=days, at=parse_time(m.group(2)), **common)
        elif m := _CHASER_SETTING.match(text):
            days = parse_days(m.group(1), 0, service.MAX_DAYS_BEFORE, "working days")
            service.set_chaser_days(session, days=days, **common)
        elif m := _REMINDERS_SETTING.match(text):
            service.set_reminders(session, on=m.group(1).lower() == "on", **common)
        elif m := _NATION_SETTING.match(text):
            service.set_nation(session, nation=read_nation(m.group(1)), **common)
        elif m := _RETENTION_SETTING.match(text):
            retention.set_retention(session, months=int(m.group(1)) if m.group(1) else None, **common)
        elif m := _HOLD_SETTING.match(text):
            retention.set_legal_hold(session, on=m.group(1).lower() == "on", **common)
        elif m := _TERMS_SETTING.match(text):
            read = parse_terms(m.group(1), local_date(now, board.tz))
            terms.set_term_dates(session, terms=read, **common)
        elif m := _CASE_PATTERN_SETTING.match(text):
            pattern = m.group(1).strip()
            retention.set_case_pattern(session, pattern=None if pattern.lower() == "off" else pattern, **common)
        else:
            raise UserError(f"I don't know the setting `{escape(text)}`.")
        return to_channel(board.channel_id, render.settings(board, caller.user_id))


HANDLERS: dict[str, Callable[[Deps, Caller, str], Reply]] = {
    "schedule": _schedule,
    "next": _next,
    "list": _list,
    "cancel": _cancel,
    "move": _move,
    "settings": _settings,
}
