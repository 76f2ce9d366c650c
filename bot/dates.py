"""Parse the due dates and times people type into Slack, UK style (day first).

Everything here is pure: the caller passes ``today`` (the board's local date),
so results never depend on the clock and tests are reproducible.

The parser is a table of anchored regular expressions, each paired with a small
handler.  A handler either returns a :class:`Due`, returns ``None`` ("this rule
does not apply, try the next"), or raises :class:`DateParseError` when the text
is clearly a date of that form but an impossible one (``31/02/2026``).  We
deliberately avoid ``dateutil.parser``: its fuzzy mode silently guesses
(month-first, stray numbers), and a wrong due date on a safeguarding action is
worse than asking again.

Conventions worth knowing (see the tests for the full table):

* Numbers are always day first: ``12/15/2026`` is an error, never 15 December.
* A two-digit year means 20yy.  Past dates are allowed; the caller decides.
* A date without a year is the next occurrence on or after ``today``.
* A month without a day (``Dec-26``, ``December``) means the END of that month.
* ``Dec 26`` (space) is 26 December; ``Dec-26`` / ``Dec '26`` is December 2026.
  ``15 Dec 26`` is refused as ambiguous: after a month name, a two-digit year
  needs a hyphen, slash or apostrophe (``15-Dec-26``), so that
  ``split_leading_due("15 Dec 12 people ...")`` can never read 2012.
"""

from __future__ import annotations

import calendar
import datetime
import difflib
import re
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from dateutil.easter import easter
from dateutil.relativedelta import relativedelta

from bot.workdays import Nation, is_working_day

__all__ = [
    "ACCEPTED_DATE_FORMS",
    "ACCEPTED_TIME_FORMS",
    "DateParseError",
    "Due",
    "DueKind",
    "FoundDue",
    "TimeParseError",
    "TwoDatesError",
    "extract_due",
    "find_due",
    "is_plain_date",
    "parse_due",
    "parse_time_of_day",
    "split_leading_due",
]

ACCEPTED_DATE_FORMS = (
    "Dates I understand: 15/12/2026, 15/12, 2026-12-15, 15th December, 15 Dec 2026, "
    "Dec-26 (end of that month), end of November, mid-February, Friday, next Friday, COP Friday, tomorrow, "
    "in 2 weeks, within 10 working days, w/c 11 Jan, Q3, year end, half term, end of term, Christmas, "
    "next meeting, the December meeting, ASAP, ongoing, TBC."
)

ACCEPTED_TIME_FORMS = "Times I understand: 09:00, 9:30, 9.30, 14:30, 1400, 9am, 9.30am, 2pm, noon."


class DueKind(StrEnum):
    """What sort of due date an action has."""

    DATE = "date"
    NEXT_MEETING = "next_meeting"
    TBC = "tbc"
    # "the December meeting": the service looks the board's meeting in that month up.
    MONTH_MEETING = "month_meeting"
    # "ongoing", "N/A": the text says there is no date; stored as no due date.
    NONE = "none"


@dataclass(frozen=True)
class Due:
    """A parsed due date: a calendar date, "next meeting", "to be confirmed", a month's meeting or none.

    ``notes`` say how an interpreted phrase was read ("England's usual half term"); they are said
    back to the person who typed it and take no part in equality.
    """

    kind: DueKind
    date: datetime.date | None = None  # set only for DATE
    month: datetime.date | None = None  # the first of the month, set only for MONTH_MEETING
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        # Enforce the invariant here so a bad Due can never reach the database.
        if (self.kind == DueKind.DATE) != (self.date is not None):
            raise ValueError(f"Due({self.kind}) must {'' if self.kind == DueKind.DATE else 'not '}have a date")
        if (self.kind == DueKind.MONTH_MEETING) != (self.month is not None):
            raise ValueError(
                f"Due({self.kind}) must {'' if self.kind == DueKind.MONTH_MEETING else 'not '}have a month"
            )

    def noted(self, *notes: str) -> Due:
        """The same due date with more notes on how it was read."""
        return replace(self, notes=self.notes + tuple(n for n in notes if n and n not in self.notes))


class DateParseError(ValueError):
    """A due date the bot could not understand.

    ``str(err)`` is a user-facing sentence followed by ``ACCEPTED_DATE_FORMS``;
    ``err.problem`` is the sentence alone.
    """

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem} {ACCEPTED_DATE_FORMS}")
        self.problem = problem


class _RecognisedDateError(DateParseError):
    """The text is plainly a date of a known form, but an impossible one.

    Kept separate so ``split_leading_due`` can prefer this precise message
    ("31/02/2026 is not a real date") over a generic "couldn't understand".
    """


class TimeParseError(ValueError):
    """A time of day the bot could not understand.

    ``str(err)`` is a user-facing sentence followed by ``ACCEPTED_TIME_FORMS``;
    ``err.problem`` is the sentence alone.
    """

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem} {ACCEPTED_TIME_FORMS}")
        self.problem = problem


# --- vocabulary --------------------------------------------------------------
# Hard-coded English rather than calendar.month_name, which follows the locale.

_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_MONTHS: dict[str, int] = {
    **{name.lower(): number for number, name in enumerate(_MONTH_NAMES, 1)},
    **{name[:3].lower(): number for number, name in enumerate(_MONTH_NAMES, 1)},
    "sept": 9,
}

_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS: dict[str, int] = {
    **{name.lower(): number for number, name in enumerate(_WEEKDAY_NAMES)},
    **{name[:3].lower(): number for number, name in enumerate(_WEEKDAY_NAMES)},
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}
_FRIDAY = 4
# Full names only: matching typos against "may" or "sun" would catch ordinary words.
_DATE_WORDS_FOR_TYPOS = [n.lower() for n in (*_MONTH_NAMES, *_WEEKDAY_NAMES)]
# Generous bounds: old actions are re-typed from paper logs, but year 0000 is a typo.
_MIN_YEAR, _MAX_YEAR = 1900, 2199

_NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "twenty": 20, "thirty": 30, "sixty": 60, "ninety": 90,
}  # fmt: skip

# First words that show the writer of "... by <x>" was attempting a date; see extract_due.
_DATE_START_WORDS = frozenset({"today", "tomorrow", "next", "end", "in", "within", "tbc"})


def _month(word: str) -> int | None:
    return _MONTHS.get(word.lower().rstrip("."))


def _weekday(word: str) -> int | None:
    return _WEEKDAYS.get(word.lower().rstrip("."))


def _number(word: str) -> int | None:
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word.lower())


# --- date arithmetic -----------------------------------------------------------


def _on(day: datetime.date) -> Due:
    return Due(DueKind.DATE, day)


def _show(day: datetime.date) -> str:
    # Spelled out in full so the message cannot itself be misread day/month.
    return f"{day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"


def _make_date(year: int, month: int, day: int, shown: str) -> datetime.date:
    """Build a date, explaining precisely why it is impossible if it is."""
    # Also keeps datetime.date() from raising its own, unfriendly, error on 0000.
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise _RecognisedDateError(f"{shown} is not a date I can use: the year {year} looks wrong.")
    if not 1 <= month <= 12:
        raise _RecognisedDateError(
            f"{shown} is not a real date: there is no month {month} (I read dates day first, so 15/12 is 15 December)."
        )
    if not 1 <= day <= 31:
        raise _RecognisedDateError(f"{shown} is not a real date: there is no day {day}.")
    days_in_month = calendar.monthrange(year, month)[1]
    if day > days_in_month:
        raise _RecognisedDateError(
            f"{shown} is not a real date: {_MONTH_NAMES[month - 1]} {year} has only {days_in_month} days."
        )
    return datetime.date(year, month, day)


# An action typed a few weeks late names a date just gone: it is overdue, not next year's.
RECENT_PAST_DAYS = 60


def _year_for(month: int, day: int, today: datetime.date) -> int:
    """The year of a day-month typed without one: this year's if still to come or at most
    RECENT_PAST_DAYS ago (then it is overdue), else next year's."""
    if (month, day) >= (today.month, today.day) or not 1 <= month <= 12:
        return today.year  # an impossible month is refused by _make_date
    days = calendar.monthrange(today.year, month)[1]
    if day <= days and (today - datetime.date(today.year, month, day)).days <= RECENT_PAST_DAYS:
        return today.year
    return today.year + 1


def _upcoming(month: int, day: int, today: datetime.date, shown: str) -> datetime.date:
    """A day and month with no year: see _year_for."""
    return _make_date(_year_for(month, day, today), month, day, shown)


def _end_of_month(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _upcoming_end_of_month(month: int, today: datetime.date) -> datetime.date:
    """A month with no year: the end of this year's (also when it ended at most RECENT_PAST_DAYS ago)."""
    this_year = _end_of_month(today.year, month)
    if this_year >= today or (today - this_year).days <= RECENT_PAST_DAYS:
        return this_year
    return _end_of_month(today.year + 1, month)


def _this_weekday(target: int, today: datetime.date) -> datetime.date:
    """Today if it is that weekday, else the coming one."""
    return today + datetime.timedelta(days=(target - today.weekday()) % 7)


def _after_weekday(target: int, today: datetime.date) -> datetime.date:
    """Bare "Friday" never means today: the first one strictly after today."""
    return today + datetime.timedelta(days=(target - today.weekday() - 1) % 7 + 1)


def _next_week_weekday(target: int, today: datetime.date) -> datetime.date:
    """That weekday in the next Monday-to-Sunday week (UK "next Friday")."""
    next_monday = today + datetime.timedelta(days=7 - today.weekday())
    return next_monday + datetime.timedelta(days=target)


def _year_month(day: datetime.date) -> tuple[int, int]:
    return day.year, day.month


def _year(y4: str | None, y2: str | None) -> int | None:
    if y4:
        return int(y4)
    if y2:
        return 2000 + int(y2)
    return None


# --- rules ------------------------------------------------------------------------

_Handler = Callable[[re.Match[str], datetime.date], Due | None]

_ORD = r"(?:st|nd|rd|th)?"
# After a month name a 4-digit year may follow a space; a 2-digit one needs - / or '.
_YEAR_AFTER_MONTH = r"(?:(?:,?\s+|\s*[-/]\s*)(?P<y4>\d{4})|\s*(?:[-/]|')\s*(?P<y2>\d{2}))"


def _iso(m: re.Match[str], today: datetime.date) -> Due:
    return _on(_make_date(int(m["y"]), int(m["m"]), int(m["d"]), m[0]))


def _numeric(m: re.Match[str], today: datetime.date) -> Due:
    day, month = int(m["d"]), int(m["m"])
    year = _year(m["y4"], m["y2"])
    if year is None:
        return _on(_upcoming(month, day, today, m[0]))
    return _on(_make_date(year, month, day, m[0]))


def _day_month(m: re.Match[str], today: datetime.date) -> Due | None:
    month = _month(m["mon"])
    if month is None:
        return None
    year = _year(m["y4"], m["y2"])
    if year is None:
        return _on(_upcoming(month, int(m["d"]), today, m[0]))
    return _on(_make_date(year, month, int(m["d"]), m[0]))


def _day_month_short_year(m: re.Match[str], today: datetime.date) -> Due | None:
    # "31 Jan 27": minutes write two-digit years after a month name; find_due keeps
    # "15 Dec 12 people" safe because a date followed by a word is not read as a due date.
    month = _month(m["mon"])
    year = 2000 + int(m["yy"])
    # Only a year near today: "15 Dec 12 people" is 15 December and twelve people, not 2012.
    if month is None or not today.year - 1 <= year <= today.year + 5:
        return None
    return _on(_make_date(year, month, int(m["d"]), m[0]))


def _month_day(m: re.Match[str], today: datetime.date) -> Due | None:
    month = _month(m["mon"])
    if month is None:
        return None
    if m["y4"] is None:
        return _on(_upcoming(month, int(m["d"]), today, m[0]))
    return _on(_make_date(int(m["y4"]), month, int(m["d"]), m[0]))


def _month_only(m: re.Match[str], today: datetime.date) -> Due | None:
    month = _month(m["mon"])
    if month is None:
        return None
    year = _year(m["y4"], m["y2"])
    if year is None:
        return _on(_upcoming_end_of_month(month, today))
    return _on(_end_of_month(year, month))


def _ordinal_day(m: re.Match[str], today: datetime.date) -> Due:
    # "the 15th": this month's if still to come, else next month's.
    day = int(m["d"])
    start = today if day >= today.day else today + relativedelta(months=1)
    return _on(_make_date(start.year, start.month, day, m[0]))


_END_OF: dict[str, Callable[[datetime.date], datetime.date]] = {
    "week": lambda t: _this_weekday(_FRIDAY, t),
    "this week": lambda t: _this_weekday(_FRIDAY, t),
    "next week": lambda t: _next_week_weekday(_FRIDAY, t),
    "month": lambda t: _end_of_month(t.year, t.month),
    "this month": lambda t: _end_of_month(t.year, t.month),
    "next month": lambda t: _end_of_month(*_year_month(t + relativedelta(months=1))),
    "year": lambda t: datetime.date(t.year, 12, 31),
    "this year": lambda t: datetime.date(t.year, 12, 31),
    "next year": lambda t: datetime.date(t.year + 1, 12, 31),
    "calendar year": lambda t: datetime.date(t.year, 12, 31),
    # UK public bodies work to an April-March financial year.
    "financial year": lambda t: datetime.date(t.year if t.month <= 3 else t.year + 1, 3, 31),
}


def _end_of(m: re.Match[str], today: datetime.date) -> Due | None:
    what = m["what"]
    fixed = _END_OF.get(what.lower())
    if fixed is not None:
        return _on(fixed(today))
    month_match = _MONTH_ONLY.fullmatch(what)
    return _month_only(month_match, today) if month_match else None


def _weekday_rule(m: re.Match[str], today: datetime.date) -> Due | None:
    target = _weekday(m["wd"])
    if target is None:
        return None
    modifier = (m["mod"] or "").lower()
    if modifier == "this":
        return _on(_this_weekday(target, today))
    if modifier == "next":
        return _on(_next_week_weekday(target, today))
    return _on(_after_weekday(target, today))


def _weekday_week(m: re.Match[str], today: datetime.date) -> Due | None:
    # UK "Friday week": a week after the coming (bare) Friday.
    target = _weekday(m["wd"])
    if target is None:
        return None
    return _on(_after_weekday(target, today) + datetime.timedelta(weeks=1))


def _weekday_and_date(m: re.Match[str], today: datetime.date) -> Due | None:
    # "Friday 15th December": the weekday is a cross-check, so a mismatch is
    # reported rather than silently trusting either half.
    target = _weekday(m["wd"])
    if target is None:
        return None
    ordinal = re.fullmatch(r"(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)", m["rest"], re.IGNORECASE)
    if ordinal:
        # "Monday 7th": the first month from this one whose 7th is a Monday.
        day = int(ordinal["d"])
        start = datetime.date(today.year, today.month, 1)
        for months in range(13):
            month_start = start + relativedelta(months=months)
            if day <= calendar.monthrange(month_start.year, month_start.month)[1]:
                when = month_start.replace(day=day)
                if when >= today and when.weekday() == target:
                    return _on(when)
        return None
    due = _match_rules(_EXPLICIT_DATE_RULES, m["rest"], today)
    if due is None or due.date is None:
        return None
    if due.date.weekday() != target:
        raise _RecognisedDateError(
            f"'{m[0]}' doesn't add up: {_show(due.date)} is a {_WEEKDAY_NAMES[due.date.weekday()]}, "
            f"not a {_WEEKDAY_NAMES[target]}."
        )
    return due


def _relative(m: re.Match[str], today: datetime.date) -> Due | None:
    count = _number(m["n"])
    if count is None:
        return None
    unit = m["unit"].lower().rstrip("s")
    step = {
        "day": relativedelta(days=count),
        "week": relativedelta(weeks=count),
        "wk": relativedelta(weeks=count),
        "fortnight": relativedelta(weeks=2 * count),
        # relativedelta clamps: one month after 31 January is 28/29 February.
        "month": relativedelta(months=count),
        "year": relativedelta(years=count),
        # "within 48 hours": the day the hours run out on; the time is not kept.
        "hour": relativedelta(days=-(-count // 24)),
        "hr": relativedelta(days=-(-count // 24)),
    }[unit]
    return _on(today + step)


def _relative_one(unit: str, today: datetime.date) -> Due:
    """ "In the next fortnight": one of that unit from today."""
    step = {"week": relativedelta(weeks=1), "fortnight": relativedelta(weeks=2), "month": relativedelta(months=1)}
    return _on(today + step[unit.lower()])


def _next_meeting(m: re.Match[str], today: datetime.date) -> Due:
    return Due(DueKind.NEXT_MEETING)


def _tbc(m: re.Match[str], today: datetime.date) -> Due:
    return Due(DueKind.TBC)


def _tbc_with_date(m: re.Match[str], today: datetime.date) -> Due | None:
    # Boards write provisional dates as "TBC 14/08/20": keep the date.  The rest
    # is parsed WITHOUT the TBC rules: recursing into them would let
    # "tbc tbc tbc ... x" try exponentially many splits.
    return _parse_core(m["rest"], today, rules=_RULES_BEFORE_TBC)


_KEYWORDS: dict[str, Callable[[datetime.date], Due]] = {
    "today": _on,
    "immediately": _on,
    "immediate": _on,
    "with immediate effect": _on,
    "urgently": _on,
    "urgent": _on,
    "forthwith": _on,
    "straight away": _on,
    "straightaway": _on,
    "right away": _on,
    "asap": _on,
    "a.s.a.p": _on,
    "as soon as possible": _on,
    "as soon as practicable": _on,
    "at the earliest opportunity": _on,
    "tonight": _on,
    "tmrw": lambda t: _on(t + datetime.timedelta(days=1)),
    "eow": lambda t: _on(_this_weekday(_FRIDAY, t)),
    "end of the week": lambda t: _on(_this_weekday(_FRIDAY, t)),
    "eom": lambda t: _on(_end_of_month(t.year, t.month)),
    "within the month": lambda t: _on(_end_of_month(t.year, t.month)),
    "within the week": lambda t: _on(_this_weekday(_FRIDAY, t)),
    "this quarter": lambda t: _on(_end_of_month(t.year, (t.month - 1) // 3 * 3 + 3)),
    "tomorrow": lambda t: _on(t + datetime.timedelta(days=1)),
    "this week": lambda t: _on(_this_weekday(_FRIDAY, t)),
    "next week": lambda t: _on(_next_week_weekday(_FRIDAY, t)),
    "this month": lambda t: _on(_end_of_month(t.year, t.month)),
    "next month": lambda t: _on(_end_of_month(*_year_month(t + relativedelta(months=1)))),
    "fortnight": lambda t: _on(t + datetime.timedelta(weeks=2)),
}

_TBC_WORDS = r"(?:tbc|tba|tbd|to\s+be\s+(?:confirmed|agreed|arranged|announced|decided|determined))"


def _rule(pattern: str, handler: _Handler) -> tuple[re.Pattern[str], _Handler]:
    return re.compile(pattern, re.IGNORECASE), handler


_MONTH_ONLY = re.compile(rf"(?P<mon>[a-z]+)\.?{_YEAR_AFTER_MONTH}?", re.IGNORECASE)

# Forms that name one specific calendar day; also used after a weekday ("Fri 15/12").
_EXPLICIT_DATE_RULES = [
    _rule(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})", _iso),
    _rule(r"(?P<d>\d{1,2})(?P<sep>[-/.])(?P<m>\d{1,2})(?:(?P=sep)(?:(?P<y4>\d{4})|(?P<y2>\d{2})))?", _numeric),
    _rule(
        rf"(?P<d>\d{{1,2}}){_ORD}(?:\s+of)?(?:\s+|\s*[-/]\s*)(?P<mon>[a-z]+)\.?{_YEAR_AFTER_MONTH}?",
        _day_month,
    ),
    _rule(rf"(?P<d>\d{{1,2}}){_ORD}(?:\s+of)?\s+(?P<mon>[a-z]+)\.?,?\s+(?P<yy>\d{{2}})", _day_month_short_year),
    _rule(rf"(?P<mon>[a-z]+)\.?\s+(?P<d>\d{{1,2}}){_ORD}(?:,?\s+(?P<y4>\d{{4}}))?", _month_day),
]

# --- board context: bank holidays and the names a board's meetings go by -----------------------
# Set by the caller around one parse (parse_due / find_due take them as arguments); a ContextVar
# keeps the rule handlers' (match, today) shape and is safe across the work pool's threads.
_NATION: ContextVar[Nation] = ContextVar("due_nation", default=Nation.ENGLAND)
_MEETING_NAMES: ContextVar[frozenset[str]] = ContextVar("due_meeting_names", default=frozenset())


def _show_day(day: datetime.date) -> str:
    """`Fri 12 Feb 2027`: the weekday as a check on the reading."""
    return f"{_WEEKDAY_NAMES[day.weekday()][:3]} {day.day} {_MONTH_NAMES[day.month - 1][:3]} {day.year}"


def _working_day_on_or_before(day: datetime.date) -> datetime.date:
    while not is_working_day(day, _NATION.get()):
        day -= datetime.timedelta(days=1)
    return day


def _add_working_days(today: datetime.date, count: int) -> datetime.date:
    day, counted = today, 0
    while counted < count:
        day += datetime.timedelta(days=1)
        counted += is_working_day(day, _NATION.get())
    return day


def _next_from(today: datetime.date, make: Callable[[int], datetime.date | None]) -> datetime.date:
    """The first of make(this year), make(next year), ... that is on or after today."""
    for year in range(today.year - 1, today.year + 3):
        day = make(year)
        if day is not None and day >= today:
            return day
    raise AssertionError("yearly dates always recur")


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> datetime.date:
    """The nth (1-5, or -1 for last) given weekday of a month."""
    if nth > 0:
        first = datetime.date(year, month, 1)
        return first + datetime.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    last = _end_of_month(year, month)
    return last - datetime.timedelta(days=(last.weekday() - weekday) % 7)


_NTH = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
    "fourth": 4, "4th": 4, "fifth": 5, "5th": 5, "last": -1, "final": -1,
}  # fmt: skip


# --- school terms: England's usual pattern --------------------------------------------------------
# Local authorities set their own term dates, but almost all follow this shape; the say-back shows
# the exact day so a board whose dates differ can re-date with one command.
_TERM_NOTE = "England's usual term dates"
_BOARD_TERM_NOTE = "the board's term dates"


@dataclass(frozen=True)
class TermDates:
    """A local authority's own school terms, set on the board: the Monday of each half-term week
    and the last day of each term. Phrases it does not cover fall back to England's usual pattern."""

    half_terms: tuple[datetime.date, ...] = ()
    ends: tuple[datetime.date, ...] = ()

    def to_json(self) -> dict[str, list[str]]:
        """The form stored on the board."""
        return {"half_terms": [d.isoformat() for d in self.half_terms], "ends": [d.isoformat() for d in self.ends]}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> TermDates | None:
        """Read the stored form back; None when the board has none."""
        if not data:
            return None
        return cls(
            half_terms=tuple(sorted(datetime.date.fromisoformat(d) for d in data.get("half_terms", []))),
            ends=tuple(sorted(datetime.date.fromisoformat(d) for d in data.get("ends", []))),
        )


_TERMS: ContextVar[TermDates | None] = ContextVar("due_term_dates", default=None)
# Which half term or term a word names, by the month its date falls in.
_HALF_TERM_MONTHS = {"feb": (2,), "may": (5, 6), "oct": (10, 11)}
_TERM_END_MONTHS = {"autumn": (11, 12), "spring": (3, 4), "summer": (6, 7, 8)}


def _board_term_day(days: tuple[datetime.date, ...], months: set[int], today: datetime.date) -> datetime.date | None:
    later = [d for d in days if d >= today and d.month in months]
    return min(later) if later else None


def _half_term_start(year: int, which: str) -> datetime.date:
    """Monday of the half-term week: Feb (3rd Monday), May (last Monday), Oct (last Monday)."""
    if which == "feb":
        return _nth_weekday(year, 2, 0, 3)
    return _nth_weekday(year, 5 if which == "may" else 10, 0, -1)


def _term_end(year: int, which: str) -> datetime.date:
    """Last school day of a term: autumn the Friday on or before 20 Dec, spring the day before
    Good Friday, summer the Friday on or before 23 July."""
    if which == "autumn":
        day = datetime.date(year, 12, 20)
        return day - datetime.timedelta(days=(day.weekday() - _FRIDAY) % 7)
    if which == "spring":
        return easter(year) - datetime.timedelta(days=3)
    day = datetime.date(year, 7, 23)
    return day - datetime.timedelta(days=(day.weekday() - _FRIDAY) % 7)


_HALF_TERM_WORDS = {
    "feb": "feb", "february": "feb", "spring": "feb",
    "may": "may", "summer": "may", "whitsun": "may",
    "oct": "oct", "october": "oct", "autumn": "oct",
}  # fmt: skip
_TERM_WORDS = {"autumn": "autumn", "christmas": "autumn", "spring": "spring", "easter": "spring", "summer": "summer"}


def _half_term(m: re.Match[str], today: datetime.date) -> Due | None:
    which = (m["which"] or "").lower()
    kinds = [_HALF_TERM_WORDS[which]] if which else ["feb", "may", "oct"]
    if which and which not in _HALF_TERM_WORDS:
        return None
    year = int(m["y"]) if m["y"] else None

    def friday_before(y: int) -> datetime.date | None:
        days = [_half_term_start(y, k) - datetime.timedelta(days=3) for k in kinds]
        later = [d for d in days if d >= today]
        return min(later) if later else None

    terms = _TERMS.get()
    if year is None and terms is not None:
        months = {month for k in kinds for month in _HALF_TERM_MONTHS[k]}
        starts = tuple(d for d in terms.half_terms if d - datetime.timedelta(days=3) >= today)
        if (start := _board_term_day(starts, months, today)) is not None:
            day = start - datetime.timedelta(days=3)
            note = f"half term read as the week of {_show_day(start)} ({_BOARD_TERM_NOTE}): due the Friday before"
            return _on(day).noted(note)
    if year is not None:
        day = min(_half_term_start(year, k) for k in kinds) - datetime.timedelta(days=3)
    else:
        day = _next_from(today, friday_before)
    start = day + datetime.timedelta(days=3)
    return _on(day).noted(f"half term read as the week of {_show_day(start)} ({_TERM_NOTE}): due the Friday before")


def _end_of_term(m: re.Match[str], today: datetime.date) -> Due | None:
    which = (m["which"] or "").lower()
    if which and which not in _TERM_WORDS:
        return None
    kinds = [_TERM_WORDS[which]] if which else ["autumn", "spring", "summer"]
    terms = _TERMS.get()
    if not m["y"] and terms is not None:
        months = {month for k in kinds for month in _TERM_END_MONTHS[k]}
        if (end := _board_term_day(terms.ends, months, today)) is not None:
            return _on(end).noted(f"end of term read as {_show_day(end)}, the last day of term ({_BOARD_TERM_NOTE})")
    if m["y"]:
        day = max(_term_end(int(m["y"]), k) for k in kinds)
    else:

        def first_end(y: int) -> datetime.date | None:
            later = [d for d in (_term_end(y, k) for k in kinds) if d >= today]
            return min(later) if later else None

        day = _next_from(today, first_end)
    return _on(day).noted(f"end of term read as {_show_day(day)}, the last day of term ({_TERM_NOTE})")


def _end_of_school_year(m: re.Match[str], today: datetime.date) -> Due:
    terms = _TERMS.get()
    if terms is not None and (end := _board_term_day(terms.ends, set(_TERM_END_MONTHS["summer"]), today)):
        return _on(end).noted(f"read as the end of the summer term, {_show_day(end)} ({_BOARD_TERM_NOTE})")
    day = _next_from(today, lambda y: _term_end(y, "summer"))
    return _on(day).noted(f"read as the end of the summer term, {_show_day(day)} ({_TERM_NOTE})")


# --- holidays, seasons, quarters, financial years -------------------------------------------------


def _festival(m: re.Match[str], today: datetime.date) -> Due | None:
    name = m["name"].lower().replace("-", "")
    if name in ("christmas", "xmas", "chrimbo"):
        holiday, label = (lambda y: datetime.date(y, 12, 25)), "Christmas"
    elif name == "easter":
        holiday, label = (lambda y: easter(y) - datetime.timedelta(days=2)), "Easter"
    elif name in ("new year", "newyear"):
        holiday, label = (lambda y: datetime.date(y + 1, 1, 1)), "New Year"
    else:
        return None
    if m["y"]:
        year = int(m["y"]) - (1 if label == "New Year" else 0)
        day = _working_day_on_or_before(holiday(year) - datetime.timedelta(days=1))
    else:
        day = _next_from(today, lambda y: _working_day_on_or_before(holiday(y) - datetime.timedelta(days=1)))
    return _on(day).noted(f"{label} read as the last working day before it, {_show_day(day)}")


_SEASON_END = {"spring": (5, 31), "summer": (8, 31), "autumn": (11, 30), "fall": (11, 30)}


def _season(m: re.Match[str], today: datetime.date) -> Due | None:
    season = m["season"].lower()
    if season == "winter":

        def end(y: int) -> datetime.date:
            return _end_of_month(y + 1, 2)

    else:
        month, day_ = _SEASON_END[season]

        def end(y: int) -> datetime.date:
            return datetime.date(y, month, day_)

    if m["y"]:
        day = end(int(m["y"]))
    else:
        day = _next_from(today, end)
    return _on(day).noted(f"{season} read as its end, {_show_day(day)}")


def _fy_start(text: str | None, today: datetime.date) -> int:
    """The first calendar year of a financial year written `2026/27`, `26/27`, `2026-2027` or `2026`."""
    if not text:
        return today.year if today.month >= 4 else today.year - 1
    first = re.match(r"\d+", text)
    assert first is not None
    year = int(first[0])
    return year + 2000 if year < 100 else year


def _financial_year_end(m: re.Match[str], today: datetime.date) -> Due | None:
    text = m["fy"]
    if text:
        parts = re.findall(r"\d+", text)
        if len(parts) == 2:
            a, b = (int(p) % 100 for p in parts)
            if b != (a + 1) % 100:
                raise _RecognisedDateError(f"{text} is not a financial year: write it as e.g. 2026/27.")
    start = _fy_start(text, today)
    day = datetime.date(start + 1, 3, 31)
    return _on(day).noted(f"read as the end of the financial year {start}/{(start + 1) % 100:02d}, {_show_day(day)}")


_QUARTER_END = {1: (6, 30), 2: (9, 30), 3: (12, 31), 4: (3, 31)}


def _quarter_end(start: int, q: int) -> datetime.date:
    month, day = _QUARTER_END[q]
    return datetime.date(start + (1 if q == 4 else 0), month, day)


def _quarter(m: re.Match[str], today: datetime.date) -> Due | None:
    q = int(m["q"])
    if m["fy"]:
        day = _quarter_end(_fy_start(m["fy"], today), q)
    else:
        # The next end of that quarter: "by Q2" in November means next September.
        day = _next_from(today, lambda y: _quarter_end(y, q))
    start = day.year - (1 if q == 4 else 0)
    return _on(day).noted(
        f"Q{q} read as the financial year's quarter {start}/{(start + 1) % 100:02d}, ending {_show_day(day)}"
    )


def _this_quarter(m: re.Match[str], today: datetime.date) -> Due:
    # Quarters end with March, June, September and December.
    end_month = (today.month - 1) // 3 * 3 + 3
    current = _end_of_month(today.year, end_month)
    if (m["which"] or "").lower() == "next":
        current = _end_of_month(*_year_month(current + relativedelta(months=3)))
    return _on(current).noted(f"read as the end of the quarter, {_show_day(current)}")


# --- weeks and parts of months --------------------------------------------------------------------


def _week_commencing(m: re.Match[str], today: datetime.date) -> Due | None:
    due = _match_rules(_EXPLICIT_DATE_RULES, m["rest"], today)
    if due is None or due.date is None:
        return None
    start = due.date
    friday = start + datetime.timedelta(days=(_FRIDAY - start.weekday()) % 7)
    note = f"read as the week of {_show_day(start)}, due its Friday {_show_day(friday)}"
    if start.weekday() != 0:
        note += f" ({_show_day(start)} is not a Monday)"
    return _on(friday).noted(note)


def _week_ending(m: re.Match[str], today: datetime.date) -> Due | None:
    due = _match_rules(_EXPLICIT_DATE_RULES, m["rest"], today)
    if due is None or due.date is None:
        return None
    return _on(due.date).noted(f"read as the week ending {_show_day(due.date)}, due that day")


def _weeks_on_weekday(m: re.Match[str], today: datetime.date) -> Due | None:
    # "a week on Friday" / "a fortnight on Monday": that long after the coming weekday.
    target = _weekday(m["wd"])
    if target is None:
        return None
    weeks = 2 if m["unit"].lower() == "fortnight" else (_number(m["n"] or "a") or 1)
    return _on(_after_weekday(target, today) + datetime.timedelta(weeks=weeks))


def _month_expr(text: str, today: datetime.date) -> tuple[int, int] | None:
    """`March`, `March 2027`, `Mar-27`, `next month`, `this month`, `the month` as (year, month)."""
    low = text.lower()
    if low in ("month", "this month", "the month"):
        return today.year, today.month
    if low == "next month":
        return _year_month(today + relativedelta(months=1))
    match = _MONTH_ONLY.fullmatch(text)
    if match is None or (month := _month(match["mon"])) is None:
        return None
    year = _year(match["y4"], match["y2"])
    if year is None:
        year = _upcoming_end_of_month(month, today).year
    return year, month


_PART_DAYS = {"early": 10, "beginning": 1, "start": 1, "mid": 15, "middle": 15, "late": 0, "end": 0}


def _part_of_month(m: re.Match[str], today: datetime.date) -> Due | None:
    found = _month_expr(m["rest"], today)
    if found is None:
        return None
    year, month = found
    part = m["part"].lower()
    day = _PART_DAYS[part]
    when = _end_of_month(year, month) if day == 0 else datetime.date(year, month, day)
    return _on(when).noted(f"'{part}' in a month read as {_show_day(when)}")


def _nth_week_of(m: re.Match[str], today: datetime.date) -> Due | None:
    nth = _NTH.get(m["nth"].lower())
    found = _month_expr(m["rest"], today)
    if nth is None or found is None:
        return None
    monday = _nth_weekday(*found, 0, nth)
    friday = monday + datetime.timedelta(days=_FRIDAY)
    return _on(friday).noted(f"read as the week of {_show_day(monday)}, due its Friday {_show_day(friday)}")


def _working_days(m: re.Match[str], today: datetime.date) -> Due | None:
    count = _number(m["n"])
    if count is None:
        return None
    day = _add_working_days(today, count)
    return _on(day).noted(f"{count} working days ({_NATION.get().value} bank holidays) from today is {_show_day(day)}")


# --- meetings --------------------------------------------------------------------------------------
_MEETING_NOUNS = frozenset(
    {
        "meeting", "meetings", "mtg", "board", "boards", "group", "subgroup", "sub-group", "committee", "panel",
        "forum", "partnership", "exec", "executive", "session", "conference", "lscb", "lscp", "scp", "sab",
    }
)  # fmt: skip


_NOT_MEETINGS = frozenset({"week", "month", "year", "term", "quarter", "day", "fy", "eod", "eow", "cop", "cob", "tbc"})


def _is_meeting_word(word: str) -> bool:
    """A word that names a meeting: a meeting noun, the board's code or name, or an acronym (`LSCB`)."""
    bare = word.strip("'’").removesuffix("'s").removesuffix("’s")
    low = bare.lower()
    if _weekday(low) is not None or _month(low) is not None or low in _NOT_MEETINGS:
        return False
    return low in _MEETING_NOUNS or low in _MEETING_NAMES.get() or (bare.isupper() and 2 <= len(bare) <= 6)


def _meeting_words(words: str | None, noun: str) -> bool:
    if not _is_meeting_word(noun):
        return False
    # Words between ("next Executive Board", "next full LSCB meeting") are free, but not dates.
    return not any(_month(w) or _weekday(w) for w in (words or "").split())


# Words that may stand between "next" and "meeting" and still mean this board's own meeting; any
# other ("the next Voluntary Sector meeting") names another body's meeting, which is part of the task.
_OWN_MEETING_WORDS = frozenset(
    {"board", "full", "main", "partnership", "executive", "exec", "scheduled", "formal", "quarterly", "monthly",
     "business", "ordinary", "regular", "planned", "lscb", "lscp", "scp", "sab", "group"}
)  # fmt: skip


def _next_meeting_named(m: re.Match[str], today: datetime.date) -> Due | None:
    if not _meeting_words(m["words"], m["noun"]):
        return None
    own = _OWN_MEETING_WORDS | _MEETING_NAMES.get()
    if any(w.lower() not in own for w in (m["words"] or "").split()):
        return None
    return Due(DueKind.NEXT_MEETING)


def _month_meeting(m: re.Match[str], today: datetime.date) -> Due | None:
    month = _month(m["mon"].removesuffix("'s").removesuffix("’s"))
    if month is None or not _meeting_words(m["words"], m["noun"]):
        return None
    year = int(m["y"]) if m["y"] else (today.year if month >= today.month else today.year + 1)
    return Due(DueKind.MONTH_MEETING, month=datetime.date(year, month, 1))


def _meeting_in_month(m: re.Match[str], today: datetime.date) -> Due | None:
    month = _month(m["mon"])
    if month is None or not _is_meeting_word(m["noun"]):
        return None
    year = int(m["y"]) if m["y"] else (today.year if month >= today.month else today.year + 1)
    return Due(DueKind.MONTH_MEETING, month=datetime.date(year, month, 1))


def _in_new_year(m: re.Match[str], today: datetime.date) -> Due:
    day = _end_of_month(today.year + 1, 1)
    return _on(day).noted(f"in the new year read as by the end of January, {_show_day(day)}")


def _dated_meeting(m: re.Match[str], today: datetime.date) -> Due | None:
    # "the 15/12 meeting": the meeting's date is the due date.
    if not _is_meeting_word(m["noun"]):
        return None
    return _match_rules(_EXPLICIT_DATE_RULES, m["rest"], today)


def _term_start(year: int, which: str) -> datetime.date:
    """First day of a term (England's usual pattern): autumn the first Wednesday of September,
    spring the first Monday on or after 4 January, summer two weeks after Easter Monday."""
    if which == "autumn":
        return _nth_weekday(year, 9, 2, 1)
    if which == "spring":
        day = datetime.date(year, 1, 4)
        return day + datetime.timedelta(days=(0 - day.weekday()) % 7)
    return easter(year) + datetime.timedelta(days=15)


def _start_of_term(m: re.Match[str], today: datetime.date) -> Due | None:
    which = (m["which"] or "").lower()
    if which and which not in _TERM_WORDS:
        return None
    kinds = [_TERM_WORDS[which]] if which else ["autumn", "spring", "summer"]

    def first_start(y: int) -> datetime.date | None:
        later = [d for d in (_term_start(y, k) for k in kinds) if d >= today]
        return min(later) if later else None

    day = _next_from(today, first_start)
    return _on(day).noted(f"start of term read as {_show_day(day)}, the first day of term ({_TERM_NOTE})")


def _no_date(m: re.Match[str], today: datetime.date) -> Due:
    return Due(DueKind.NONE)


_FY = r"(?P<fy>(?:19|20)?\d{2}\s*[/-]\s*(?:19|20)?\d{2}|\d{4})"
_YEAR4 = r"(?:\s+(?P<y>\d{4}))?"
_MEETING_TAIL = r"(?P<words>(?:[\w&'’-]+\s+){0,3}?)(?P<noun>[\w'’-]+)"
_NEW_RULES = [
    _rule(
        r"(?:(?:the\s+)?end\s+of\s+(?:the\s+)?)?(?:w/?c|w/b|wb|w\.c\.|w\.b\.|week\s+(?:commencing|beginning|starting|of))\s*:?\s+(?P<rest>.+)",
        _week_commencing,
    ),
    _rule(r"(?:w/e|w\.e\.|we|week\s+ending)\s*:?\s+(?P<rest>.+)", _week_ending),
    _rule(r"(?:(?P<n>a|one|two|\d)\s+)?(?P<unit>weeks?|fortnight)\s+on\s+(?P<wd>[a-z]+)", _weeks_on_weekday),
    _rule(r"(?:the\s+)?(?P<nth>[a-z0-9]+)\s+week\s+(?:of|in)\s+(?:the\s+)?(?P<rest>.+)", _nth_week_of),
    _rule(
        r"(?:the\s+)?(?P<part>early|beginning|start|mid|middle|late|end)(?:\s*-\s*|\s+)(?:of\s+)?(?:the\s+)?(?P<rest>.+)",
        _part_of_month,
    ),
    _rule(r"(?:(?:the\s+)?(?P<which>[a-z]+)\s+)?half[\s-]?term(?:\s+(?:break|holiday))?" + _YEAR4, _half_term),
    _rule(
        r"(?:the\s+)?(?:end\s+of\s+(?:the\s+)?(?:(?P<which>[a-z]+)\s+)?term|(?:(?P<which2>[a-z]+)\s+)?term\s+end)"
        + _YEAR4,
        lambda m, t: _end_of_term(m, t) if not m["which2"] else None,
    ),
    _rule(r"(?:the\s+)?(?P<which>autumn|spring|summer)\s+term" + _YEAR4, _end_of_term),
    _rule(r"(?:the\s+)?(?:start|beginning)\s+of\s+(?:the\s+)?(?:(?P<which>[a-z]+)\s+)?term", _start_of_term),
    _rule(
        r"(?:the\s+)?(?P<rest>\S+(?:\s+\S+){0,2}?)\s+(?P<noun>meeting|mtg|board|panel|group|committee)", _dated_meeting
    ),
    _rule(r"(?:the\s+)?end\s+of\s+(?:the\s+)?(?:school|academic)\s+year", _end_of_school_year),
    _rule(r"(?:in|early\s+in)\s+the\s+new\s+year", _in_new_year),
    _rule(
        r"(?:in|within|over)\s+the\s+(?:next|coming)\s+(?P<unit>week|fortnight|month)",
        lambda m, t: _relative(m, t) if m.re.groupindex.get("n") else _relative_one(m["unit"], t),
    ),
    _rule(
        r"(?:the\s+)?(?P<name>christmas|xmas|x-mas|easter|new\s+year)(?:\s+(?:break|holidays?|hols))?" + _YEAR4,
        _festival,
    ),
    _rule(r"(?:the\s+)?(?:end\s+of\s+)?(?:the\s+)?(?P<season>spring|summer|autumn|fall|winter)" + _YEAR4, _season),
    _rule(
        r"(?:the\s+)?(?:end\s+of\s+)?(?:the\s+)?(?:q|quarter\s*)(?P<q>[1-4])(?:\s+(?:of\s+)?(?:fy\s*)?" + _FY + r")?",
        _quarter,
    ),
    _rule(r"(?:the\s+)?end\s+of\s+(?:the\s+)?(?P<which>this|next|current)?\s*quarter", _this_quarter),
    _rule(r"(?P<which>this|next)\s+quarter", _this_quarter),
    _rule(
        r"(?:the\s+)?(?:(?:financial\s+|fiscal\s+)?year[\s-]end|eofy|fy\s*end|end\s+of\s+(?:the\s+)?(?:fy|financial\s+year|fiscal\s+year))"
        r"(?:\s+" + _FY + r")?",
        _financial_year_end,
    ),
    _rule(r"(?:the\s+)?(?:end\s+of\s+)?(?:the\s+)?(?:fy|financial\s+year)\s*" + _FY, _financial_year_end),
    _rule(
        r"(?:the\s+)?(?:end\s+of\s+)?(?:the\s+)?(?P<fy>(?:19|20)\d{2}\s*[/-]\s*(?:19|20)?\d{2})", _financial_year_end
    ),
    _rule(r"(?:the\s+)?end\s+of\s+(?P<y>\d{4})", lambda m, t: _on(_make_date(int(m["y"]), 12, 31, m[0]))),
    _rule(
        r"(?:(?:in|within)\s+(?:the\s+next\s+)?)?(?P<n>\d{1,3}|[a-z]+)\s+(?:working|business|work|wk)\s+days?",
        _working_days,
    ),
    _rule(r"(?:before\s+|at\s+|for\s+|by\s+)?(?:the\s+)?next\s+" + _MEETING_TAIL, _next_meeting_named),
    _rule(r"(?:the\s+)?(?P<mon>[a-z]+(?:'s|’s)?)\s+(?:(?P<y>\d{4})\s+)?" + _MEETING_TAIL, _month_meeting),
    _rule(r"(?:the\s+)?(?P<noun>meeting|mtg|board)\s+(?:in|on|of)\s+(?P<mon>[a-z]+)" + _YEAR4, _meeting_in_month),
    _rule(
        r"ongoing|on-going|continuous|rolling|n/?a|not\s+applicable|no\s+(?:due\s+)?date|as\s+(?:and\s+when\s+)?"
        r"(?:required|needed|necessary)|business\s+as\s+usual|bau",
        _no_date,
    ),
]


_RULES_BEFORE_TBC = [
    *_EXPLICIT_DATE_RULES,
    *_NEW_RULES,
    (_MONTH_ONLY, _month_only),
    _rule(r"(?P<d>\d{1,2})(?:st|nd|rd|th)", _ordinal_day),
    _rule(r"end\s+of\s+(?:the\s+)?(?P<what>.+)", _end_of),
    _rule(r"(?:(?P<mod>this|next)\s+)?(?P<wd>[a-z]+)\.?", _weekday_rule),
    _rule(r"(?P<wd>[a-z]+)\s+week", _weekday_week),
    _rule(r"(?P<wd>[a-z]+)\.?,?\s+(?P<mod>this|next)\s+week", _weekday_rule),
    _rule(r"(?P<wd>[a-z]+)\.?,?\s+(?P<rest>.+)", _weekday_and_date),
    _rule(
        # "in 6-8 weeks": by the end of the range.
        r"(?:(?:in|within)\s+(?:the\s+next\s+)?)?(?:\d{1,3}\s*(?:-|–|to)\s*)?(?P<n>\d{1,3}|[a-z]+)\s+"
        r"(?P<unit>days?|weeks?|wks?|fortnights?|months?|years?|hours?|hrs?)(?:'s|s'|')?"
        r"(?:\s+(?:time|from\s+(?:now|today)))?",
        _relative,
    ),
    _rule(r"(?:(?:at|for)\s+)?(?:the\s+)?next\s+(?:board\s+)?(?:meeting|mtg|board)", _next_meeting),
]

_RULES = [
    *_RULES_BEFORE_TBC,
    _rule(rf"(?:date\s+)?{_TBC_WORDS}", _tbc),
    _rule(rf"{_TBC_WORDS}\s*[-:(\[]?\s*(?P<rest>.+?)\s*[)\]]?", _tbc_with_date),
    _rule(rf"(?P<rest>.+?)\s*[-(\[]?\s*{_TBC_WORDS}\s*[)\]]?", _tbc_with_date),
]


def _match_rules(rules: list[tuple[re.Pattern[str], _Handler]], text: str, today: datetime.date) -> Due | None:
    for pattern, handler in rules:
        match = pattern.fullmatch(text)
        if match:
            due = handler(match, today)
            if due is not None:
                return due
    return None


def _parse_core(
    text: str, today: datetime.date, rules: list[tuple[re.Pattern[str], _Handler]] | None = None
) -> Due | None:
    """Parse already-cleaned text; None if no rule recognises it."""
    keyword = _KEYWORDS.get(text.lower())
    if keyword is not None:
        return keyword(today)
    return _match_rules(_RULES if rules is None else rules, text, today)


# --- times of day and office shorthand -----------------------------------------------------------
# An action has a due date, not a time: a time is read so the date around it parses, and said back.
_CLOCK = (
    r"(?:\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.?|p\.m\.?)|\d{1,2}:\d{2}(?:\s*(?:hrs|h))?|\d{4}\s*hrs"
    r"|(?:12\s*)?(?:noon|midday|midnight))"
)
_OFFICE = (
    r"(?:cop|cob|eod|eop|close\s+of\s+(?:play|business|day)|end\s+of\s+(?:play|business|(?:the\s+)?(?:working\s+)?day)"
    r"|(?:first|1st)\s+thing|lunchtime|(?:the\s+)?morning|(?:the\s+)?afternoon|(?:the\s+)?evening)"
)
_LEAD_TIME = re.compile(rf"^(?:(?:at|by|@)\s+)?(?P<t>{_CLOCK}|{_OFFICE})(?:\s*[,-]?\s*(?:on\s+)?|$)", re.IGNORECASE)
_TRAIL_TIME = re.compile(rf"\s*[,-]?\s*(?:(?:at|by|@)\s+)?(?P<t>{_CLOCK}|{_OFFICE}|am|pm)$", re.IGNORECASE)


def _strip_time(text: str) -> tuple[str, str | None, bool]:
    """Take a time of day or office shorthand off either end: (rest, what was taken, was it a clock time)."""
    for pattern in (_LEAD_TIME, _TRAIL_TIME):
        match = pattern.search(text)
        if match and (pattern is _LEAD_TIME or match.start() > 0):
            rest = (text[: match.start()] + text[match.end() :]).strip()
            return rest, match["t"], bool(re.fullmatch(_CLOCK, match["t"], re.IGNORECASE))
    return text, None, False


# --- public API ------------------------------------------------------------------

# A closing bracket counts as trailing punctuation so "(due 15/12)" works in extract_due.
_TRAILING_PUNCTUATION = re.compile(r"[\s.,;:!?)\]]+$")
# "by", "due", "on", "the", "before", "until" in any combination ("due by the 15th"), and colons ("due: 15/12").
_LEADING_FILLER = re.compile(
    r"^[\s:(\[]*(?:(?:by|due|on|the|before|until|till|deadline|(?:no|not)\s+later\s+than)\b[\s:]*)*", re.IGNORECASE
)


def _clean(text: str) -> str:
    text = " ".join(text.split())
    text = _TRAILING_PUNCTUATION.sub("", text)
    return _LEADING_FILLER.sub("", text)


def _parse_cleaned(cleaned: str, today: datetime.date) -> Due | None:
    due = _parse_core(cleaned, today)
    if due is not None:
        return due
    rest, taken, clock = _strip_time(cleaned)
    if taken is None:
        return None
    rest = _clean(rest)
    due = _on(today) if not rest else _parse_core(rest, today)
    if due is None:
        return None
    if clock:
        return due.noted(f"the time {taken} is not kept: an action has a due date, not a time")
    return due


def parse_due(
    text: str,
    *,
    today: datetime.date,
    nation: Nation | None = None,
    meeting_names: Iterable[str] = (),
    terms: TermDates | None = None,
) -> Due:
    """Parse a whole due-date expression, e.g. ``15/12``, ``next Friday``, ``half term``, ``TBC``.

    Case-insensitive; surrounding whitespace, trailing ``. , ; : ! ?`` and a
    leading ``by`` / ``due`` / ``on`` / ``the`` / ``before`` / ``until`` are ignored.  ``today`` is the
    board's local date, used for relative forms and to pick the year of dates
    typed without one; ``nation`` gives the bank holidays for working days (England by default);
    ``meeting_names`` are extra words that name the board's meetings (its code, `next SSCB`);
    ``terms`` are the board's own school term dates (England's usual pattern otherwise).
    Raises DateParseError (with a message for the user) if the text, including empty text, is not
    entirely a date.
    """
    cleaned = _clean(text)
    if not cleaned:
        shown = " ".join(text.split())
        if not shown:
            raise DateParseError("I need a due date, but none was given.")
        raise DateParseError(f"I couldn't understand '{shown}' as a date.")
    nation_token = _NATION.set(nation or Nation.ENGLAND)
    names_token = _MEETING_NAMES.set(frozenset(n.lower() for n in meeting_names))
    terms_token = _TERMS.set(terms) if terms is not None else None
    try:
        due = _parse_cleaned(cleaned, today)
    finally:
        _NATION.reset(nation_token)
        _MEETING_NAMES.reset(names_token)
        if terms_token is not None:
            _TERMS.reset(terms_token)
    if due is None:
        raise DateParseError(f"I couldn't understand '{cleaned}' as a date.")
    return due


def is_plain_date(text: str, *, today: datetime.date) -> bool:
    """Whether the phrase names its day outright (``15/12/2026``, ``by 15th December``), so saying
    back how it was read adds nothing beyond the confirmation."""
    cleaned = _clean(text)
    return _match_rules(_EXPLICIT_DATE_RULES, cleaned, today) is not None if cleaned else False


_MAX_PREFIX_WORDS = 8  # "by the end of the summer term 2027"; one spare for "due by ..."
_REST_SEPARATORS = " \t\n-:;,\u2013\u2014"


def split_leading_due(
    text: str,
    *,
    today: datetime.date,
    nation: Nation | None = None,
    meeting_names: Iterable[str] = (),
    terms: TermDates | None = None,
) -> tuple[Due, str]:
    """Split ``"15/12 waiting for data"`` into ``(Due for 15 Dec, "waiting for data")``.

    Takes the longest run of leading words (up to eight) that ``parse_due``
    accepts; the rest is returned stripped, including a leading separator
    such as ``-`` or ``:``.  Raises DateParseError if no leading run parses,
    preferring a precise complaint ("31/02 is not a real date") when there is one.
    """
    words = list(re.finditer(r"\S+", text))
    precise: DateParseError | None = None
    for count in range(min(len(words), _MAX_PREFIX_WORDS), 0, -1):
        end = words[count - 1].end()
        try:
            due = parse_due(text[:end], today=today, nation=nation, meeting_names=meeting_names, terms=terms)
        except _RecognisedDateError as err:
            precise = precise or err  # the longest such prefix is the likeliest intent
            continue
        except DateParseError:
            continue
        return due, text[end:].strip().lstrip(_REST_SEPARATORS).strip()
    if precise is not None:
        raise precise
    if not words:
        raise DateParseError("I need a due date, but none was given.")
    raise DateParseError(_unreadable(" ".join(text.split()), "", today))


# --- finding the due date in a whole action ------------------------------------------------------


class TwoDatesError(DateParseError):
    """The action names two different due dates: the user must say which."""


@dataclass(frozen=True)
class FoundDue:
    """An action's text with its due-date phrase taken out, the due date, and the phrase as typed."""

    text: str
    due: Due | None
    phrase: str | None = None


# Words that introduce a due date. "by"/"due"/"before"/"until" nearly always do ("strong"); the
# others also introduce places and people ("in the MASH", "for children in care"), so after them
# only a phrase that parses, or one that plainly tries to be a date, counts.
_STRONG_TRIGGERS = frozenset({"by", "due", "before", "until", "till", "til", "deadline"})
_WEAK_TRIGGERS = frozenset({"for", "at", "on", "within", "in"})
# What may follow a date phrase that ends a clause; any other word makes the date describe a
# noun ("the May 2025 audit", "a 2026/27 plan"), and then it is part of the task, not its due date.
_CONNECTORS = frozenset(
    {
        "to", "and", "or", "but", "with", "so", "then", "for", "at", "in", "on", "by", "if", "as", "when", "where",
        "that", "which", "including", "incl", "re", "regarding", "about", "latest", "please", "pls", "ahead",
        "after", "before", "once", "unless", "via", "ready", "following", "-", "–", "—", "&", "(", "the", "a",
        "an", "who", "subject", "providing", "provided", "into", "from",
    }
)  # fmt: skip
# Words that make a following date a description of something past or fixed, never a due date.
# Also "for": "for" introduces a date only as a single day or meeting ("for 15/12"), which the trigger rule
# already takes; a period after it ("the budget for 2026/27", "returns for Q3") is what the task covers.
_DESCRIPTIVE_BEFORE = frozenset(
    {"the", "of", "from", "since", "dated", "between", "after", "during", "last", "this", "our", "its", "their", "for"}
)
_PUNCT = ".,;:!?()[]\"'“”‘’"
_SENTENCE_END = (",", ";", ":", ".", ")", "]", "!", "?")
_UNTRIGGERED_STARTS = frozenset(
    {
        "asap", "a.s.a.p", "a.s.a.p.", "eod", "eow", "eom", "cop", "cob", "w/c", "wc", "w/b", "w/e", "tbc", "tba",
        "ongoing", "on-going", "n/a", "immediately", "with", "next", "end", "mid", "mid-", "early", "late", "half",
        "half-term", "christmas", "xmas", "easter", "today", "tomorrow", "this", "week", "year-end", "urgently",
        "forthwith", "q1", "q2", "q3", "q4", "close", "first", "1st", "2nd", "3rd", "4th", "last", "beginning",
        "start", "spring", "summer", "autumn", "winter", "date", "to", "friday", "a", "within", "as",
    }
)  # fmt: skip


def _key(word: str) -> str:
    return word.strip(_PUNCT).lower()


@dataclass
class _Candidate:
    start: int  # where the phrase (with its trigger) starts in the text
    end: int
    due: Due
    phrase: str


def _parse_quiet(text: str, today: datetime.date) -> Due | None:
    cleaned = _clean(text)
    return _parse_cleaned(cleaned, today) if cleaned else None


def _closes_clause(tokens: list[re.Match[str]], last: int, opens_text: bool = False) -> bool:
    """Whether the phrase ending at tokens[last] ends its clause (so it is not a noun's description).
    A date that opens the text ("By 15/12 AF to ...") is followed by the action itself."""
    if opens_text or last + 1 >= len(tokens) or tokens[last][0].endswith(_SENTENCE_END):
        return True
    following = tokens[last + 1][0]
    return following[:1] in "(-–—[" or _key(following) in _CONNECTORS


def _longest_date_at(
    text: str,
    tokens: list[re.Match[str]],
    first: int,
    today: datetime.date,
    opens_text: bool = False,
    lead: int | None = None,
) -> tuple[int, Due] | tuple[None, _RecognisedDateError | None]:
    """The longest run of tokens from `first` that parses as a date and closes its clause.

    With `lead` (the index of an "in"/"within" before it) the run is first tried with that word,
    which some forms need ("within the next 2 weeks", "in the new year")."""
    precise: _RecognisedDateError | None = None
    for count in range(min(len(tokens) - first, _MAX_PREFIX_WORDS), 0, -1):
        last = first + count - 1
        starts = [first] if lead is None else [lead, first]
        for start in starts:
            phrase = text[tokens[start].start() : tokens[last].end()]
            try:
                due = _parse_quiet(phrase, today)
            except _RecognisedDateError as err:
                precise = precise or err
                continue
            except DateParseError:
                continue
            if due is not None and _closes_clause(tokens, last, opens_text):
                return last, due
    return None, precise


_SUGGEST_WORDS = [
    *(n.lower() for n in (*_MONTH_NAMES, *_WEEKDAY_NAMES)),
    "working", "weeks", "days", "months", "meeting", "christmas", "easter", "half", "term", "quarter",
    "week", "commencing", "ending", "tomorrow", "today", "next", "end", "board",
]  # fmt: skip


def _suggestion(phrase: str, trigger: str, today: datetime.date) -> str:
    """The nearest form that works: typos of day and month names mended, or day and month swapped."""
    lead = f"{trigger} " if trigger else ""
    words = phrase.split()
    mended = []
    for word in words:
        bare = word.strip(_PUNCT).lower()
        close = difflib.get_close_matches(bare, _SUGGEST_WORDS, n=1, cutoff=0.75) if len(bare) >= 4 else []
        mended.append(close[0] if close and bare not in _SUGGEST_WORDS and not bare.isdigit() else word)
    attempt = " ".join(mended)
    if attempt.lower() != phrase.lower():
        try:
            due = _parse_quiet(attempt, today)
        except DateParseError:
            due = None
        if due is not None:
            return f"Did you mean `{lead}{attempt}`?"
    if m := re.fullmatch(r"(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{2,4}))?", words[0] if words else ""):
        swapped = f"{m[3]}{m[2]}{m[1]}" + (f"{m[2]}{m[4]}" if m[4] else "")
        try:
            if _parse_quiet(swapped, today) is not None:
                return f"Did you mean `{lead}{swapped}`? I read dates day first."
        except DateParseError:
            pass
    if trigger.lower() in ("in", "within"):
        return f"Write it as e.g. `{lead}2 weeks`, `{lead}10 working days` or `by 15/12/2026`."
    if re.fullmatch(r"20\d\d", phrase.strip()):
        year = phrase.strip()
        return f"Which day of {year}? Write it as e.g. `by 31/03/{year}` or `by end of {year}`."
    return f"Write it as e.g. `{lead or 'by '}15/12/2026`, `{lead or 'by '}Friday` or `{lead or 'by '}end of March`."


def _unreadable(phrase: str, trigger: str, today: datetime.date) -> str:
    shown = f"{trigger} {phrase}".strip()
    return f"I couldn't read '{shown}' as a date. {_suggestion(phrase, trigger, today)}"


_TYPO_WORDS = [n.lower() for n in (*_MONTH_NAMES, *_WEEKDAY_NAMES)]
_DATE_ISH_NUMBER = re.compile(r"\d{1,2}(?:st|nd|rd|th)|\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{1,4})?", re.IGNORECASE)
_UNIT_WORDS = [
    "days", "weeks", "months", "years", "working", "fortnight", "day", "week", "month", "year", "hours", "business",
]  # fmt: skip
_STRONG_ATTEMPT_WORDS = frozenset(
    {
        "today", "tomorrow", "next", "end", "in", "within", "tbc", "mid", "early", "late", "beginning", "start",
        "close", "cop", "cob", "eod", "eow", "w/c", "w/e", "wc", "half", "christmas", "xmas", "easter", "week",
        "year", "q1", "q2", "q3", "q4", "quarter", "spring", "summer", "autumn", "winter", "this",
    }
)  # fmt: skip
_WEAK_ATTEMPT_WORDS = frozenset({"w/c", "w/e", "wc", "eod", "eow", "cop", "cob", "q1", "q2", "q3", "q4", "asap"})


_ATTEMPT_STOPS = frozenset({"and", "or", "but", "to", "so", "then", "with", "for", "if", "when", "which", "that", "-"})


def _is_date_vocabulary(word: str) -> bool:
    return bool(
        re.fullmatch(r"[\d/.-]+(?:st|nd|rd|th)?|q\d|\d+(?:am|pm)", word)
        or word in ("of", "the", "a", "week", "weeks", "days", "day", "months", "month", "working", "am", "pm")
        or word in _STRONG_ATTEMPT_WORDS
        or _month(word) is not None
        or _weekday(word) is not None
        or (len(word) >= 4 and difflib.get_close_matches(word, [*_TYPO_WORDS, *_UNIT_WORDS], n=1, cutoff=0.75))
    )


def _attempt_phrase(tokens: list[re.Match[str]], first: int, strong: bool, today: datetime.date) -> list[str] | None:
    """The words after a trigger if they plainly try to be a date (then failing to read them is an
    error), else None. Stops at the end of the clause."""
    words: list[str] = []
    for token in tokens[first : first + 6]:
        if words and _key(token[0]) in _ATTEMPT_STOPS:
            break
        words.append(token[0].rstrip(_PUNCT) if token[0].endswith(_SENTENCE_END) else token[0])
        if token[0].endswith(_SENTENCE_END):
            break
    bare = [_key(w) for w in words]
    if bare and bare[0] == "the":
        bare = bare[1:]
    if not bare or not bare[0]:
        return None
    if not strong and not all(_is_date_vocabulary(w) for w in bare):
        return None  # "on the July 2026 inspection": a date describing a noun, not an attempted due date
    head, rest = bare[0], bare[1:]
    numeric_rest = all(re.fullmatch(r"\d+(?:st|nd|rd|th)?", w) for w in rest)
    if _DATE_ISH_NUMBER.fullmatch(head) or re.fullmatch(r"q\d", head):
        return words
    # "by 2027", "in 2027": a year, but which day of it?
    if re.fullmatch(r"20\d\d", head) and (strong or int(head) >= today.year) and not rest:
        return words
    if head.isdigit() and rest and _month(rest[0]) is not None:
        return words
    if head.isdigit() and rest and difflib.get_close_matches(rest[0], [*_UNIT_WORDS, *_TYPO_WORDS], n=1, cutoff=0.75):
        return words
    # A month name ("in May") or weekday; not "may" in lower case, which is a verb far more often.
    first_word = words[1 if _key(words[0]) == "the" else 0].strip(_PUNCT)
    if _weekday(head) is not None or (_month(head) is not None and (first_word[:1].isupper() or strong)):
        return words
    if head in (_STRONG_ATTEMPT_WORDS if strong else _WEAK_ATTEMPT_WORDS):
        return words
    # A misspelt day or month was meant as a date; with a word after it, it is more likely a name.
    if (strong or first_word[:1].isupper()) and numeric_rest and len(head) >= 4:
        return words if difflib.get_close_matches(head, _TYPO_WORDS, n=1, cutoff=0.8) else None
    return None


def _tidy(text: str) -> str:
    text = re.sub(r"\(\s*\)|\[\s*\]", "", text)
    text = " ".join(text.split())
    text = re.sub(r"\s+([,;:.!?)])", r"\1", text)
    text = re.sub(r"([,;:])(?=[,;:.])", "", text)
    return text.strip().strip(",;:-–— ").strip()


def find_due(
    text: str,
    *,
    today: datetime.date,
    nation: Nation | None = None,
    meeting_names: Iterable[str] = (),
    terms: TermDates | None = None,
) -> FoundDue:
    """Find the due date anywhere in an action as minutes write it, and take its phrase out.

    ``"FB to bring a paper to the Stay Safe Group on 15th December to propose a pilot"`` gives
    the text without ``on 15th December`` and 15 December. A date counts when it follows a word
    that introduces one (by, due, before, until, for, at, on, to the, within, in), or, without one,
    when it plainly is a due date (``15/12``, ``w/c 11 Jan``, ``ASAP``) or ends the sentence.
    A date that describes a noun ("review the May 2025 audit") is part of the task and stays.

    Raises TwoDatesError when two different dates are named, and DateParseError when words after
    such a word plainly try to be a date and cannot be read, suggesting the nearest working form.
    """
    nation_token = _NATION.set(nation or Nation.ENGLAND)
    names_token = _MEETING_NAMES.set(frozenset(n.lower() for n in meeting_names))
    terms_token = _TERMS.set(terms) if terms is not None else None
    try:
        return _find_due(text, today)
    finally:
        _NATION.reset(nation_token)
        _MEETING_NAMES.reset(names_token)
        if terms_token is not None:
            _TERMS.reset(terms_token)


def _trigger_at(tokens: list[re.Match[str]], i: int) -> tuple[int, bool | None] | None:
    """If tokens[i] starts a word that introduces a date: (index of the date's first token, strength):
    True for by/due/before/until, False for the words that also introduce places and people, None
    for "to" before a month ("to December's meeting"), which counts only when it parses."""
    key = _key(tokens[i][0])
    if tokens[i][0].lower().startswith("by-"):
        return None
    nxt = _key(tokens[i + 1][0]) if i + 1 < len(tokens) else ""
    if key in ("no", "not") and nxt == "later" and i + 2 < len(tokens) and _key(tokens[i + 2][0]) == "than":
        return i + 3, True
    if key in ("target", "completion", "due", "review", "end") and nxt in ("date", "dates", "date:"):
        return i + 2, True
    if key in ("timescale", "timescales", "timeframe", "deadline", "when"):
        return i + 1, True
    if (key, nxt) in (("ahead", "of"), ("prior", "to")):
        return i + 2, True
    if key == "in" and nxt == "advance" and i + 2 < len(tokens) and _key(tokens[i + 2][0]) == "of":
        return i + 3, True
    if key == "to" and nxt == "the":
        return i + 1, False
    if key == "to" and _month(nxt.removesuffix("'s").removesuffix("’s")) is not None:
        return i + 1, None
    if key in _STRONG_TRIGGERS:
        # "due to staffing", "due for renewal": "due" is not a date's word there.
        return i + 1, True
    if key in _WEAK_TRIGGERS:
        return i + 1, False
    return None


_COUNTED_FROM_MEETING = re.compile(
    r"\b(?:\d{1,3}|a|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:clear\s+|working\s+|business\s+)?"
    r"(?:days?|weeks?)\s+(?:before|after|prior\s+to|ahead\s+of|following|of)\s+(?:the\s+)?(?:next\s+)?"
    r"(?:meeting|board|panel|group|conference|it)\b",
    re.IGNORECASE,
)


def _find_due(text: str, today: datetime.date) -> FoundDue:
    tokens = list(re.finditer(r"\S+", text))
    found: list[_Candidate] = []
    covered_until = -1  # index of the last token inside an accepted phrase
    first_error: DateParseError | None = None
    i = 0
    while i < len(tokens):
        if i <= covered_until:
            i += 1
            continue
        trigger = _trigger_at(tokens, i)
        if trigger is not None and trigger[0] < len(tokens):
            first, strong = trigger
            lead = i if _key(tokens[i][0]) in ("in", "within") else None
            last, result = _longest_date_at(text, tokens, first, today, opens_text=i == 0, lead=lead)
            if strong is None and isinstance(result, Due) and result.kind is not DueKind.MONTH_MEETING:
                last, result = None, None  # "speak to May": after "to", only a month's meeting counts
            if not strong and last is not None and isinstance(result, Due):
                phrase = _clean(text[tokens[first].start() : tokens[last].end()])
                if not _strip_time(phrase)[0] and not _KEYWORDS.get(phrase.lower()):
                    # "attend the session at 10am", "in the morning": a time with no day is not a due date.
                    last, result, strong = None, None, None
            if (
                _key(tokens[i][0]) == "for"
                and last is not None
                and isinstance(result, Due)
                and not _names_a_day(text[tokens[first].start() : tokens[last].end()], result, today)
            ):
                last, result, strong = None, None, None  # "returns for Q3": the period the task is about
            if last is not None and isinstance(result, Due):
                start, end = tokens[i].start(), tokens[last].end()
                # "(due 15/12)": the bracket opened before the trigger goes with it.
                found.append(_Candidate(start, end, result, text[start:end].strip(_PUNCT + " ")))
                covered_until = last
                i = last + 1
                continue
            if first_error is None and strong is not None:
                if isinstance(result, _RecognisedDateError) and strong:
                    words = _attempt_phrase(tokens, first, True, today) or [tokens[first][0]]
                    trigger_words = text[tokens[i].start() : tokens[first].start()].strip(_PUNCT + " ")
                    problem = f"{result.problem} {_suggestion(' '.join(words), trigger_words, today)}"
                    first_error = DateParseError(problem)
                else:
                    words = _attempt_phrase(tokens, first, bool(strong), today)
                    if words is not None:
                        phrase = " ".join(words)
                        trigger_words = text[tokens[i].start() : tokens[first].start()].strip(_PUNCT + " ")
                        first_error = result or DateParseError(_unreadable(phrase, trigger_words, today))
        elif _could_start_untriggered(tokens, i):
            last, result = _longest_date_at(text, tokens, i, today)
            if last is not None and isinstance(result, Due) and _untriggered_counts(tokens, i, last, result, today):
                start, end = tokens[i].start(), tokens[last].end()
                found.append(_Candidate(start, end, result, text[start:end].strip(_PUNCT + " ")))
                covered_until = last
                i = last + 1
                continue
        i += 1
    if counted := _COUNTED_FROM_MEETING.search(text):
        raise DateParseError(
            f"'{counted[0]}' counts from a meeting, and I keep one due date per action: give the date itself, "
            "e.g. `by 10/12`, or `by next meeting`."
        )
    if first_error is not None:
        raise first_error
    if not found:
        return FoundDue(text, None)
    distinct = {(c.due.kind, c.due.date, c.due.month) for c in found}
    if len(distinct) > 1:
        listed = " and ".join(f"'{c.phrase}'" for c in found)
        raise TwoDatesError(
            f"This action names more than one date: {listed}. Which is the due date? "
            "Keep that one and put the other in words that are not a date, or leave it for the notes."
        )
    body = text
    for cand in reversed(found):
        body = body[: cand.start] + " " + body[cand.end :]
    return FoundDue(_tidy(body), found[0].due, found[0].phrase)


def _names_a_day(phrase: str, due: Due, today: datetime.date) -> bool:
    """A single day or a meeting ("for 15/12", "for the 9th", "for Friday", "for the next meeting"),
    not a period ("for Q3", "for January"), which after "for" says what the task covers."""
    if due.kind is not DueKind.DATE:
        return True
    cleaned = _clean(phrase)
    return is_plain_date(phrase, today=today) or bool(
        re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)|(?:(?:this|next)\s+)?[a-z]+\.?", cleaned, re.IGNORECASE)
        and (re.match(r"\d", cleaned) or _weekday(cleaned.split()[-1]) is not None or cleaned.lower() in _KEYWORDS)
    )


def _could_start_untriggered(tokens: list[re.Match[str]], i: int) -> bool:
    key = _key(tokens[i][0])
    return bool(key[:1].isdigit() or key in _UNTRIGGERED_STARTS or _month(key) is not None or _weekday(key) is not None)


def _untriggered_counts(tokens: list[re.Match[str]], first: int, last: int, due: Due, today: datetime.date) -> bool:
    """Whether a date with no word introducing it is the action's due date."""
    if first > 0:
        before = tokens[first - 1][0]
        if not before.endswith(_SENTENCE_END) and before not in ("-", "–", "—") and _key(before) in _DESCRIPTIVE_BEFORE:
            return False
    phrase = " ".join(t[0] for t in tokens[first : last + 1])
    if not _strip_time(_clean(phrase))[0] and _key(tokens[first][0]) not in ("eod", "cop", "cob", "eop", "close"):
        return False  # a time with no day ("at 10am") is not a due date
    at_end = last + 1 >= len(tokens) or tokens[last][0].endswith(_SENTENCE_END) or tokens[last + 1][0][:1] in "(-–—"
    one_word = first == last
    if one_word and _month(_key(tokens[first][0])) is not None:
        return False  # "speak to May", "the May report": a bare month name needs "by" or "in"
    if is_plain_date(phrase, today=today) and "." not in phrase.split()[0].rstrip(_PUNCT):
        return True  # 15/12, 15th December (not 3.2, a section number)
    key = _key(tokens[first][0])
    if key in _UNTRIGGERED_STARTS and key not in (
        "this",
        "to",
        "a",
        "with",
        "first",
        "last",
        "date",
        "friday",
        "within",
    ):
        always = ("asap", "eod", "eow", "cop", "cob", "w/c", "wc", "w/b", "w/e", "tbc", "immediately", "as")
        return at_end or key in always
    return (at_end and first > 0 and due.kind is not DueKind.NONE) or (at_end and key in ("ongoing", "n/a", "tbc"))


def extract_due(text: str, *, today: datetime.date) -> tuple[str, Due | None]:
    """``find_due`` as a pair: the text without the date phrase, and the due date (or None)."""
    found = find_due(text, today=today)
    return found.text, found.due


_TIME_WORDS = {"noon": datetime.time(12), "midday": datetime.time(12), "midnight": datetime.time(0)}
_TIME_24H = re.compile(r"(?P<h>\d{1,2})[:.](?P<m>\d{2})(?:\s*(?:h|hrs|hours))?")
_TIME_HHMM = re.compile(r"(?P<h>\d{2})(?P<m>\d{2})(?:\s*(?:h|hrs|hours))?")
_TIME_12H = re.compile(r"(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<half>[ap])\.?m\.?")


def parse_time_of_day(text: str) -> datetime.time:
    """Parse a meeting time: ``09:00``, ``9:30``, ``9.30``, ``14:30``, ``1400``, ``9am``, ``9.30pm``.

    Also ``noon``/``midday``/``midnight``, ``a.m.``/``p.m.``, a space before
    am/pm, a leading "at" and a trailing "hrs".  Without am/pm the clock is
    24-hour.  Deliberately refused: a bare hour ("9" -- morning or evening?)
    and three digits ("930" -- a typo is as likely as 09:30).  Four digits are
    always HHMM ("0930", "1400").  Raises TimeParseError otherwise.
    """
    shown = " ".join(text.split()).rstrip(",;:!?")
    cleaned = re.sub(r"^at\s+", "", shown, flags=re.IGNORECASE).lower()
    if cleaned in _TIME_WORDS:
        return _TIME_WORDS[cleaned]

    match = _TIME_12H.fullmatch(cleaned)
    if match:
        hour, minute = int(match["h"]), int(match["m"] or 0)
        if not 1 <= hour <= 12:
            raise TimeParseError(f"{shown} is not a real time: with am/pm the hour must be 1 to 12.")
        hour = hour % 12 + (12 if match["half"] == "p" else 0)
    else:
        match = _TIME_24H.fullmatch(cleaned) or _TIME_HHMM.fullmatch(cleaned)
        if not match:
            raise TimeParseError(f"I couldn't understand '{shown}' as a time.")
        hour, minute = int(match["h"]), int(match["m"])
        if hour > 23:
            raise TimeParseError(f"{shown} is not a real time: there is no hour {hour}.")
    if minute > 59:
        raise TimeParseError(f"{shown} is not a real time: there is no minute {minute}.")
    return datetime.time(hour, minute)
