"""Meeting series rules, stored as RFC 5545 RRULE bodies.

Boards describe their cycle in words ("every month on the 3rd Wednesday"). We keep it as an
RRULE so occurrences come from python-dateutil rather than from date arithmetic of our own,
and so the stored rule stays meaningful to any calendar tool.
"""

from __future__ import annotations

import re
from datetime import datetime

from dateutil.rrule import rrulestr

ACCEPTED_RECURRENCE_FORMS = (
    "Repeats I understand: every month on the 3rd Wednesday, every 2 months on the first Tuesday, "
    "every week on Monday, every 2 weeks on Thursday, quarterly on the 2nd Thursday, "
    "every month on the last Friday, every month on the 15th."
)

_WEEKDAY_CODES = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}
_WEEKDAY_NAMES = {code: name.capitalize() for name, code in _WEEKDAY_CODES.items()}
_WEEKDAYS = {**_WEEKDAY_CODES, **{name[:3]: code for name, code in _WEEKDAY_CODES.items()}}

_ORDINALS = {
    "1st": 1, "first": 1,
    "2nd": 2, "second": 2,
    "3rd": 3, "third": 3,
    "4th": 4, "fourth": 4,
    "5th": 5, "fifth": 5,
    "last": -1,
}  # fmt: skip
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "other": 2,
}  # fmt: skip
# Adverbs boards use instead of "every N weeks/months". "Bi-monthly" is ambiguous in everyday
# English; for board cycles it means every two months, never twice a month.
_ADVERBS = {
    "weekly": ("WEEKLY", 1),
    "fortnightly": ("WEEKLY", 2),
    "monthly": ("MONTHLY", 1),
    "bi-monthly": ("MONTHLY", 2),
    "bimonthly": ("MONTHLY", 2),
    "quarterly": ("MONTHLY", 3),
}
# Days 29-31 are missing from some months and RFC 5545 then silently skips the meeting.
_LAST_SAFE_MONTH_DAY = 28

_PREFIX = re.compile(r"^(?:repeat(?:s|ing)?\s+)")
_ADVERB = re.compile(r"^(?P<adverb>[a-z-]+)\b\s*(?P<rest>.*)$")
_EVERY_N = re.compile(r"^every\s+(?:(?P<n>\d{1,2}|[a-z]+)\s+)?(?P<unit>week|month)s?\b\s*(?P<rest>.*)$")
_EVERY_WEEKDAY = re.compile(r"^every\s+(?P<day>[a-z]+)$")
_ON_WEEKDAY = re.compile(r"^on\s+(?P<day>[a-z]+)$")
_OF_MONTH = r"(?:\s+of\s+(?:the|each|every)\s+month)?"
_ON_NTH_WEEKDAY = re.compile(rf"^on\s+(?:the\s+)?(?P<nth>[a-z0-9]+)\s+(?P<day>[a-z]+){_OF_MONTH}$")
_ON_MONTH_DAY = re.compile(rf"^on\s+(?:the\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th){_OF_MONTH}$")


class RecurrenceParseError(ValueError):
    """A repeat phrase we could not turn into a meeting series; the message is fit to show a user."""

    def __init__(self, text: str, reason: str = "") -> None:
        self.text = text
        self.reason = reason
        detail = f" ({reason})" if reason else ""
        super().__init__(f'I didn\'t understand the repeat "{text}"{detail}. {ACCEPTED_RECURRENCE_FORMS}')


def _weekday_code(word: str) -> str | None:
    # Tolerate plurals ("every week on Mondays") by retrying without the trailing "s".
    return _WEEKDAYS.get(word) or _WEEKDAYS.get(word.removesuffix("s"))


def _frequency(phrase: str) -> tuple[str, int, str] | None:
    """Split a normalised phrase into (FREQ, INTERVAL, remaining words), or None if unrecognised."""
    if match := _EVERY_N.match(phrase):
        count = match["n"] or "1"
        interval = int(count) if count.isdigit() else _NUMBER_WORDS.get(count)
        if interval is None:
            return None
        return match["unit"].upper() + "LY", interval, match["rest"]
    if match := _EVERY_WEEKDAY.match(phrase):
        # "every Monday" carries its own day, so hand the rest back in the "on Monday" shape.
        return "WEEKLY", 1, f"on {match['day']}"
    if (match := _ADVERB.match(phrase)) and match["adverb"] in _ADVERBS:
        freq, interval = _ADVERBS[match["adverb"]]
        return freq, interval, match["rest"]
    return None


def _by_rule(text: str, freq: str, rest: str) -> str:
    """Turn the "on ..." part into BYDAY/BYMONTHDAY for the given frequency."""
    if freq == "WEEKLY":
        match = _ON_WEEKDAY.match(rest)
        if not match:
            raise RecurrenceParseError(text, "a weekly series takes a day name, e.g. 'every week on Monday'")
        if code := _weekday_code(match["day"]):
            return f"BYDAY={code}"
        raise RecurrenceParseError(text, f"'{match['day']}' is not a day of the week")

    if match := _ON_MONTH_DAY.match(rest):
        day = int(match["day"])
        if not 1 <= day <= _LAST_SAFE_MONTH_DAY:
            raise RecurrenceParseError(
                text, f"day {day} is missing from some months; use e.g. 'every month on the last Friday'"
            )
        return f"BYMONTHDAY={day}"
    if match := _ON_NTH_WEEKDAY.match(rest):
        nth = _ORDINALS.get(match["nth"])
        code = _weekday_code(match["day"])
        if nth is not None and code is not None:
            return f"BYDAY={nth:+d}{code}"
    raise RecurrenceParseError(text, "say which day of the month, e.g. 'on the first Monday' or 'on the 15th'")


def parse_recurrence(text: str) -> str:
    """Turn a board's repeat phrase into an RRULE body without DTSTART.

    'every month on the 3rd Wednesday' -> 'FREQ=MONTHLY;INTERVAL=1;BYDAY=+3WE'. The time of day
    and the first meeting (DTSTART) are supplied separately by the caller.

    Raises RecurrenceParseError (a ValueError) quoting the text and listing the accepted forms.
    """
    phrase = " ".join(text.lower().split()).rstrip(".")
    phrase = _PREFIX.sub("", phrase)
    if re.search(r"\bat\s+\d", phrase):
        raise RecurrenceParseError(text, "the time of day is set separately")
    parts = _frequency(phrase)
    if parts is None:
        raise RecurrenceParseError(text)
    freq, interval, rest = parts
    if interval < 1:
        raise RecurrenceParseError(text, "the gap between meetings must be at least 1")
    return f"FREQ={freq};INTERVAL={interval};{_by_rule(text, freq, rest)}"


def _ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _rule_parts(rule: str) -> dict[str, str]:
    body = rule.strip().upper().removeprefix("RRULE:")
    try:
        return dict(part.split("=", 1) for part in body.split(";") if part)
    except ValueError:
        raise ValueError(f"Not an RRULE body: {rule!r}") from None


def describe_recurrence(rule: str) -> str:
    """Turn an RRULE body into the phrase boards use, e.g. 'every 2 months on the 1st Tuesday'.

    Only the shapes parse_recurrence produces are described; anything else raises ValueError,
    so a rule we cannot faithfully put into words is never shown as something it is not.
    """
    parts = _rule_parts(rule)
    cannot = ValueError(f"Cannot describe RRULE {rule!r}: not a series shape this bot creates")
    freq, interval = parts.pop("FREQ", ""), parts.pop("INTERVAL", "1")
    unit = {"WEEKLY": "week", "MONTHLY": "month"}.get(freq)
    if unit is None or not interval.isdigit() or int(interval) < 1 or len(parts) != 1:
        raise cannot
    every = f"every {unit}" if int(interval) == 1 else f"every {int(interval)} {unit}s"

    [(key, value)] = parts.items()
    byday = re.fullmatch(r"(?P<nth>[+-]?\d)?(?P<code>MO|TU|WE|TH|FR|SA|SU)", value)
    if key == "BYDAY" and byday and unit == "week" and byday["nth"] is None:
        return f"{every} on {_WEEKDAY_NAMES[byday['code']]}"
    if key == "BYDAY" and byday and unit == "month" and byday["nth"] is not None:
        nth = int(byday["nth"])
        if nth == -1 or 1 <= nth <= 5:
            which = "last" if nth == -1 else _ordinal(nth)
            return f"{every} on the {which} {_WEEKDAY_NAMES[byday['code']]}"
    if key == "BYMONTHDAY" and unit == "month" and value.isdigit() and 1 <= int(value) <= 31:
        return f"{every} on the {_ordinal(int(value))}"
    raise cannot


def occurrences_between(rule: str, *, dtstart: datetime, after: datetime, before: datetime) -> list[datetime]:
    """Occurrences of `rule` anchored at `dtstart`, strictly after `after` and strictly before `before`.

    All three datetimes are naive local wall-clock times (the board's local time): occurrences keep
    dtstart's time of day, and the caller applies the board's time zone. dtstart itself is only an
    occurrence if it matches the rule.
    """
    for name, value in (("dtstart", dtstart), ("after", after), ("before", before)):
        # Mixing in an aware datetime would make dateutil compare across zones or raise midway.
        if value.tzinfo is not None:
            raise ValueError(f"{name} must be a naive local datetime, got {value!r}")
    return list(rrulestr(rule, dtstart=dtstart).between(after, before, inc=False))
