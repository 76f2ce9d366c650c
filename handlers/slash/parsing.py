"""Reading the dates, times, repeat rules and term dates typed after a slash command.

Every reader raises a UserError quoting (escaped) what was typed and the forms accepted; the services
then receive typed values only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time

from bot.dates import DateParseError, DueKind, TermDates, TimeParseError, parse_due, parse_time_of_day
from bot.errors import UserError
from bot.recurrence import RecurrenceParseError, parse_recurrence
from bot.text import escape
from bot.workdays import Nation, parse_nation

MAX_DATES = 30


def parse_date(text: str, today: date) -> date:
    """A calendar date as users write it; "next meeting" or TBC are not dates here."""
    try:
        due = parse_due(text, today=today)
    except DateParseError as exc:
        raise UserError(escape(str(exc))) from None
    if due.kind is not DueKind.DATE or due.date is None:
        raise UserError(f"`{escape(text)}` is not a calendar date: give one such as `15/12/2026`.")
    return due.date


def parse_time(text: str) -> time:
    """A time of day, or a UserError listing the accepted forms."""
    try:
        return parse_time_of_day(text)
    except TimeParseError as exc:
        raise UserError(escape(str(exc))) from None


def parse_rule(text: str) -> str:
    """A recurrence phrase as an RRULE body, or a UserError listing the accepted forms."""
    try:
        return parse_recurrence(text)
    except RecurrenceParseError as exc:
        # The message quotes what was typed: escape it before it reaches Slack.
        raise UserError(escape(str(exc))) from None


def parse_days(text: str, low: int, high: int, what: str = "days") -> int:
    """A whole number of days from `low` to `high`, or a UserError quoting what was typed."""
    if not text.isdigit() or not low <= int(text) <= high:
        raise UserError(f"`{escape(text)}` is not a number of {what} from {low} to {high}.")
    return int(text)


def read_nation(text: str) -> Nation:
    """Whose bank holidays: england, wales, scotland or northern-ireland."""
    try:
        return parse_nation(text)
    except ValueError as exc:
        raise UserError(escape(str(exc))) from None


def read_dates(words: Sequence[str], today: date, what: str) -> tuple[date, ...]:
    """Day-first dates such as `26/10/2026`, each read as `/meeting schedule` reads a date."""
    if not words:
        raise UserError(f"Give the {what} as dates, e.g. `26/10/2026 15/02/2027`.")
    if len(words) > MAX_DATES:
        raise UserError(f"Give at most {MAX_DATES} {what}.")
    return tuple(sorted({parse_date(word, today) for word in words}))


def parse_terms(text: str, today: date) -> TermDates | None:
    """`half-terms 26/10/2026 15/02/2027 ends 18/12/2026 26/03/2027`, either part first; `off` clears."""
    words = text.split()
    if [w.lower() for w in words] in (["off"], ["default"], ["england"]):
        return None
    parts: dict[str, list[str]] = {}
    current: str | None = None
    for word in words:
        key = word.lower().rstrip(":")
        if key in ("half-terms", "half-term", "halfterms", "half"):
            current = "half_terms"
            parts.setdefault(current, [])
        elif key in ("ends", "end", "term-ends"):
            current = "ends"
            parts.setdefault(current, [])
        elif key in ("terms", "term") and current == "half_terms" and not parts["half_terms"]:
            continue  # "half terms"
        elif current is None:
            raise UserError(
                "Start with `half-terms` (the Monday of each half-term week) or `ends` (the last day of each "
                "term), e.g. `/meeting settings terms half-terms 26/10/2026 15/02/2027 ends 18/12/2026`."
            )
        else:
            parts[current].append(word)
    return TermDates(
        half_terms=read_dates(parts["half_terms"], today, "half-term weeks") if "half_terms" in parts else (),
        ends=read_dates(parts["ends"], today, "term ends") if "ends" in parts else (),
    )


def split_subcommand(text: str, grouped: str) -> tuple[str, str]:
    """The subcommand (two words when the first is `grouped`, e.g. `member add`), lower-cased, and the
    text after it."""
    words = text.strip().split(None, 2)
    if not words:
        return "", ""
    sub = words[0].lower()
    if sub == grouped:
        verb = words[1].lower() if len(words) > 1 else ""
        return f"{sub} {verb}".strip(), words[2] if len(words) > 2 else ""
    return sub, text.strip()[len(words[0]) :].strip()
