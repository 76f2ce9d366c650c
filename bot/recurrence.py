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
    "Repeats I understand: every month on the 3rd Wednesday, first Tuesday of the month, "
    "the second Tuesday of every other month, monthly, first Monday, every other Wednesday, "
    "every 8 weeks on a Monday, 6 weekly on Tuesdays, last Friday of every month, "
    "every quarter, first Thursday, bi-monthly on the 3rd Tuesday, every month on the 15th."
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

_PREFIX = re.compile(r"^(?:repeat(?:s|ing)?|meets?|meeting)\s+")
_DAY = (
    r"(?P<day>mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?"
)
_NTH_WORD = r"(?P<nth>first|second|third|fourth|fifth|sixth|last|final|\d{1,2}(?:st|nd|rd|th))"
_NTH_WEEKDAY = re.compile(rf"\b(?:on\s+)?(?:the\s+|a\s+)?{_NTH_WORD}\s+{_DAY}\b")
_MONTH_DAY = re.compile(r"\b(?:on\s+)?(?:the\s+)?(?P<md>\d{1,2})(?:st|nd|rd|th)\b")
_PLAIN_WEEKDAY = re.compile(rf"\b(?:on\s+)?(?:a\s+|every\s+(?=other\b)?)?{_DAY}\b")
_COUNT = r"(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|other)"
# (pattern, FREQ, interval or None to read it from the count); longest forms first.
_FREQUENCIES: list[tuple[re.Pattern[str], str, int | None]] = [
    (re.compile(rf"\b(?:of\s+)?(?:every|each)\s+{_COUNT}\s+months?\b"), "MONTHLY", None),
    (re.compile(rf"\b(?:of\s+)?(?:every|each)\s+{_COUNT}\s+weeks?\b"), "WEEKLY", None),
    (re.compile(r"\b(?:of\s+)?(?:alternate|every\s+second)\s+months?\b"), "MONTHLY", 2),
    (re.compile(rf"\b{_COUNT}[\s-]?weekly\b"), "WEEKLY", None),
    (re.compile(rf"\b{_COUNT}[\s-]?monthly\b"), "MONTHLY", None),
    (re.compile(r"\b(?:every|each)\s+quarter\b|\bquarterly\b"), "MONTHLY", 3),
    (re.compile(r"\bbi-?monthly\b"), "MONTHLY", 2),
    (re.compile(r"\b(?:every|each)\s+fortnight\b|\bfortnightly\b|\bbi-?weekly\b"), "WEEKLY", 2),
    (re.compile(r"\b(?:of\s+)?(?:every|each|the|a)\s+month\b|\bmonthly\b|\bper\s+month\b"), "MONTHLY", 1),
    (re.compile(r"\b(?:every|each)\s+week\b|\bweekly\b"), "WEEKLY", 1),
    (re.compile(r"\bevery\s+other\b"), "WEEKLY", 2),  # "every other Wednesday" (the day is taken out first)
    (re.compile(r"\b(?:every|each)\b"), "WEEKLY", 1),  # "every Monday"
]
_FILLER = frozenset({"on", "the", "of", "a", "an", "in", "and", "at", ""})


class RecurrenceParseError(ValueError):
    """A repeat phrase we could not turn into a meeting series; the message is fit to show a user."""

    def __init__(self, text: str, reason: str = "") -> None:
        self.text = text
        self.reason = reason
        detail = f" ({reason})" if reason else ""
        super().__init__(f'I didn\'t understand the repeat "{text}"{detail}. {ACCEPTED_RECURRENCE_FORMS}')


def _weekday_code(word: str) -> str | None:
    # Tolerate plurals ("every week on Mondays") by retrying without the trailing "s".
    word = {"tues": "tue", "weds": "wed", "thur": "thu", "thurs": "thu"}.get(word, word)
    return _WEEKDAYS.get(word) or _WEEKDAYS.get(word.removesuffix("s"))


def _take(pattern: re.Pattern[str], phrase: str) -> tuple[re.Match[str] | None, str]:
    match = pattern.search(phrase)
    if match is None:
        return None, phrase
    return match, f"{phrase[: match.start()]} {phrase[match.end() :]}"


def parse_recurrence(text: str) -> str:
    """Turn a board's repeat phrase into an RRULE body without DTSTART.

    'every month on the 3rd Wednesday', 'first Tuesday of the month', 'the second Tuesday of every
    other month', '6 weekly on Tuesdays', 'every quarter, first Thursday' -> e.g.
    'FREQ=MONTHLY;INTERVAL=1;BYDAY=+3WE'. The phrase is read as a day part (an nth weekday, a day of
    the month, or a weekday) and a frequency part, in either order; any other word is refused, so
    nothing typed is silently ignored. The time of day and the first meeting (DTSTART) are supplied
    separately by the caller.

    Raises RecurrenceParseError (a ValueError) quoting the text and listing the accepted forms.
    """
    phrase = " ".join(re.sub(r"[,;:.]", " ", text.lower()).split())
    phrase = _PREFIX.sub("", phrase)
    if re.search(r"\bat\s+\d", phrase):
        raise RecurrenceParseError(text, "the time of day is set separately")
    if re.search(r"\btermly\b|\beach\s+term\b|\bevery\s+term\b|\bonce\s+a\s+term\b", phrase):
        raise RecurrenceParseError(
            text,
            "terms are not a fixed cycle: which day? Say e.g. 'every 4 months on the 2nd Tuesday', "
            "or schedule each term's meeting by its date",
        )
    byday = ""
    nth_match, rest = _take(_NTH_WEEKDAY, phrase)
    if nth_match is not None:
        nth = _ORDINALS.get("last" if nth_match["nth"] == "final" else nth_match["nth"])
        code = _weekday_code(nth_match["day"])
        if nth is None or code is None:
            raise RecurrenceParseError(text, f"'{nth_match['nth']} {nth_match['day']}' is not a day I can repeat")
        byday, monthly_day = f"BYDAY={nth:+d}{code}", True
        phrase = rest
    elif (md := _MONTH_DAY.search(phrase)) is not None:
        day = int(md["md"])
        if not 1 <= day <= _LAST_SAFE_MONTH_DAY:
            raise RecurrenceParseError(
                text, f"day {day} is missing from some months; use e.g. 'every month on the last Friday'"
            )
        byday, monthly_day = f"BYMONTHDAY={day}", True
        phrase = f"{phrase[: md.start()]} {phrase[md.end() :]}"
    else:
        plain, rest = _take(_PLAIN_WEEKDAY, phrase)
        if plain is not None:
            code = _weekday_code(plain["day"])
            if code is None:  # pragma: no cover - the pattern only matches day names
                raise RecurrenceParseError(text)
            byday, monthly_day = f"BYDAY={code}", False
            # "every Monday": keep "every" for the frequency.
            phrase = rest if not plain[0].startswith("every") else f"{rest} every"
    freq = interval = None
    for pattern, frequency, fixed in _FREQUENCIES:
        found, rest = _take(pattern, phrase)
        if found is None:
            continue
        if fixed is None:
            count = found["n"]
            interval = 2 if count == "other" else int(count) if count.isdigit() else _NUMBER_WORDS.get(count)
        else:
            interval = fixed
        freq, phrase = frequency, rest
        break
    # "every month on the 3rd Wednesday of the month" says "month" twice.
    leftover = [
        w for w in phrase.split() if w not in _FILLER and w != "every" and not (freq == "MONTHLY" and w == "month")
    ]
    if freq is None or interval is None or leftover:
        reason = f"I don't know '{' '.join(leftover)}' here" if leftover and freq is not None else ""
        raise RecurrenceParseError(text, reason)
    if interval < 1:
        raise RecurrenceParseError(text, "the gap between meetings must be at least 1")
    if not byday:
        raise RecurrenceParseError(text, "say which day, e.g. 'every month on the first Monday'")
    if freq == "WEEKLY" and monthly_day:
        raise RecurrenceParseError(text, "a weekly series takes a day name, e.g. 'every week on Monday'")
    if freq == "MONTHLY" and not monthly_day:
        raise RecurrenceParseError(text, "say which day of the month, e.g. 'on the first Monday' or 'on the 15th'")
    return f"FREQ={freq};INTERVAL={interval};{byday}"


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
