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
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from dateutil.relativedelta import relativedelta

__all__ = [
    "ACCEPTED_DATE_FORMS",
    "ACCEPTED_TIME_FORMS",
    "DateParseError",
    "Due",
    "DueKind",
    "TimeParseError",
    "extract_due",
    "parse_due",
    "parse_time_of_day",
    "split_leading_due",
]

ACCEPTED_DATE_FORMS = (
    "Dates I understand: 15/12/2026, 15/12, 2026-12-15, 15th December, 15 Dec 2026, "
    "Dec-26 (end of that month), end of November, Friday, next Friday, tomorrow, "
    "in 2 weeks, next meeting, TBC."
)

ACCEPTED_TIME_FORMS = "Times I understand: 09:00, 9:30, 9.30, 14:30, 1400, 9am, 9.30am, 2pm, noon."


class DueKind(StrEnum):
    """What sort of due date an action has."""

    DATE = "date"
    NEXT_MEETING = "next_meeting"
    TBC = "tbc"


@dataclass(frozen=True)
class Due:
    """A parsed due date: a calendar date, "next meeting", or "to be confirmed"."""

    kind: DueKind
    date: datetime.date | None = None  # set only for DATE

    def __post_init__(self) -> None:
        # Enforce the invariant here so a bad Due can never reach the database.
        if (self.kind == DueKind.DATE) != (self.date is not None):
            raise ValueError(f"Due({self.kind}) must {'' if self.kind == DueKind.DATE else 'not '}have a date")


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
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
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


def _upcoming(month: int, day: int, today: datetime.date, shown: str) -> datetime.date:
    """A day and month with no year: the next one on or after today."""
    year = today.year if (month, day) >= (today.month, today.day) else today.year + 1
    return _make_date(year, month, day, shown)


def _end_of_month(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _upcoming_end_of_month(month: int, today: datetime.date) -> datetime.date:
    """A month with no year: this year's, unless its end has already passed."""
    return _end_of_month(today.year if month >= today.month else today.year + 1, month)


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
    month = _month(m["mon"])
    if month is None:
        return None
    mon = _MONTH_NAMES[month - 1][:3]
    raise _RecognisedDateError(
        f"In '{m[0]}' I can't be sure {m['yy']} is the year: write "
        f"{int(m['d'])} {mon} 20{m['yy']} or {int(m['d'])}-{mon}-{m['yy']}."
    )


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
    }[unit]
    return _on(today + step)


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
    "asap": _on,
    "as soon as possible": _on,
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

_RULES_BEFORE_TBC = [
    *_EXPLICIT_DATE_RULES,
    (_MONTH_ONLY, _month_only),
    _rule(r"(?P<d>\d{1,2})(?:st|nd|rd|th)", _ordinal_day),
    _rule(r"end\s+of\s+(?:the\s+)?(?P<what>.+)", _end_of),
    _rule(r"(?:(?P<mod>this|next)\s+)?(?P<wd>[a-z]+)\.?", _weekday_rule),
    _rule(r"(?P<wd>[a-z]+)\s+week", _weekday_week),
    _rule(r"(?P<wd>[a-z]+)\.?,?\s+(?P<rest>.+)", _weekday_and_date),
    _rule(
        r"(?:(?:in|within)\s+(?:the\s+next\s+)?)?(?P<n>\d{1,3}|[a-z]+)\s+"
        r"(?P<unit>days?|weeks?|wks?|fortnights?|months?|years?)(?:'s|s'|')?"
        r"(?:\s+(?:time|from\s+(?:now|today)))?",
        _relative,
    ),
    _rule(r"(?:(?:at|for)\s+)?(?:the\s+)?next\s+(?:(?:[a-z]+\s+){0,2}(?:meeting|mtg)|board)", _next_meeting),
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


# --- public API ------------------------------------------------------------------

# A closing bracket counts as trailing punctuation so "(due 15/12)" works in extract_due.
_TRAILING_PUNCTUATION = re.compile(r"[\s.,;:!?)\]]+$")
# "by", "due", "on", "the" in any combination ("due by the 15th"), and colons ("due: 15/12").
_LEADING_FILLER = re.compile(r"^[\s:]*(?:(?:by|due|on|the)\b[\s:]*)*", re.IGNORECASE)


def _clean(text: str) -> str:
    text = " ".join(text.split())
    text = _TRAILING_PUNCTUATION.sub("", text)
    return _LEADING_FILLER.sub("", text)


def parse_due(text: str, *, today: datetime.date) -> Due:
    """Parse a whole due-date expression, e.g. ``15/12``, ``next Friday``, ``TBC``.

    Case-insensitive; surrounding whitespace, trailing ``. , ; : ! ?`` and a
    leading ``by`` / ``due`` / ``on`` / ``the`` are ignored.  ``today`` is the
    board's local date, used for relative forms and to pick the year of dates
    typed without one.  Raises DateParseError (with a message for the user)
    if the text, including empty text, is not entirely a date.
    """
    cleaned = _clean(text)
    if not cleaned:
        shown = " ".join(text.split())
        if not shown:
            raise DateParseError("I need a due date, but none was given.")
        raise DateParseError(f"I couldn't understand '{shown}' as a date.")
    due = _parse_core(cleaned, today)
    if due is None:
        raise DateParseError(f"I couldn't understand '{cleaned}' as a date.")
    return due


_MAX_PREFIX_WORDS = 7  # "by the end of next month" is 6; one spare for "due by ..."
_REST_SEPARATORS = " \t\n-:;,\u2013\u2014"


def split_leading_due(text: str, *, today: datetime.date) -> tuple[Due, str]:
    """Split ``"15/12 waiting for data"`` into ``(Due for 15 Dec, "waiting for data")``.

    Takes the longest run of leading words (up to seven) that ``parse_due``
    accepts; the rest is returned stripped, including a leading separator
    such as ``-`` or ``:``.  Raises DateParseError if no leading run parses,
    preferring a precise complaint ("31/02 is not a real date") when there is one.
    """
    words = list(re.finditer(r"\S+", text))
    precise: DateParseError | None = None
    for count in range(min(len(words), _MAX_PREFIX_WORDS), 0, -1):
        end = words[count - 1].end()
        try:
            due = parse_due(text[:end], today=today)
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
    raise DateParseError(f"I couldn't find a date at the start of '{' '.join(text.split())}'.")


_CLAUSE_WORD = re.compile(r"\b(?:by|due)\b", re.IGNORECASE)
_CLAUSE_TAIL = re.compile(r"[\s,;:(\[\-\u2013\u2014]+$")


def _looks_like_date_attempt(remainder: str) -> bool:
    """Whether the words after "by"/"due" were meant as a date (so failing to parse is an error)."""
    words = remainder.split()
    if words and words[0].lower() == "the":
        words = words[1:]
    if not words:
        return False
    first = words[0].lower().rstrip(".,;:!?")
    if first[:1].isdigit() or first in _DATE_START_WORDS or _month(first) is not None or _weekday(first) is not None:
        return True
    # A misspelt day or month on its own ("by Fridya", "by Decmber 2026") was meant as a date: say so
    # rather than keep it as text. With other words after it, it is more likely a name ("led by Fridya Smith").
    if any(not w.rstrip(".,;:!?").isdigit() for w in words[1:]):
        return False
    return bool(difflib.get_close_matches(first, _DATE_WORDS_FOR_TYPOS, n=1, cutoff=0.8))


def extract_due(text: str, *, today: datetime.date) -> tuple[str, Due | None]:
    """Split a trailing ``by <date>`` / ``due <date>`` / ``due by <date>`` clause off an action.

    ``"AF to circulate the report by 15/12/2026"`` gives
    ``("AF to circulate the report", Due(DATE, 2026-12-15))``.  Each whole-word
    "by"/"due" is tried left to right; the first whose remainder (to the end of
    the text) is entirely a date wins, and the text before it is returned with
    trailing whitespace and ``, ; : -`` stripped.  If none parses, returns
    ``(text, None)`` unchanged ("signed off by the chair"), unless the words after
    the last "by"/"due" look like an attempted date ("by 31/02", "by Fridya" does
    not count, "by next Fridya" does), in which case DateParseError is raised.
    """
    last_error: DateParseError | None = None
    last_remainder = ""
    for match in _CLAUSE_WORD.finditer(text):
        last_remainder = text[match.end() :]
        try:
            due = parse_due(last_remainder, today=today)
        except DateParseError as err:
            last_error = err
            continue
        return _CLAUSE_TAIL.sub("", text[: match.start()]).strip(), due
    if last_error is not None and _looks_like_date_attempt(last_remainder):
        raise last_error
    return text, None


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
