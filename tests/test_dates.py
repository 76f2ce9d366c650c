"""Tests for bot.dates: the day-first due-date and time parser."""

from __future__ import annotations

import datetime
from datetime import date

import pytest

from bot.dates import (
    ACCEPTED_DATE_FORMS,
    ACCEPTED_TIME_FORMS,
    DateParseError,
    Due,
    DueKind,
    TimeParseError,
    extract_due,
    parse_due,
    parse_time_of_day,
    split_leading_due,
)

SUNDAY = date(2026, 11, 22)
WEDNESDAY = date(2026, 11, 25)
FRIDAY = date(2026, 11, 27)
SATURDAY = date(2026, 11, 28)
BEFORE_NEW_YEAR = date(2026, 12, 20)

NEXT_MEETING = Due(DueKind.NEXT_MEETING)
TBC = Due(DueKind.TBC)


def on(year: int, month: int, day: int) -> Due:
    return Due(DueKind.DATE, date(year, month, day))


ACCEPTED = [
    # ISO and numeric, always day first
    ("2026-12-15", SUNDAY, on(2026, 12, 15)),
    ("15/12/2026", SUNDAY, on(2026, 12, 15)),
    ("15/12/26", SUNDAY, on(2026, 12, 15)),
    ("15-12-2026", SUNDAY, on(2026, 12, 15)),
    ("15.12.2026", SUNDAY, on(2026, 12, 15)),
    ("5/1/2027", SUNDAY, on(2027, 1, 5)),
    ("05/01/27", SUNDAY, on(2027, 1, 5)),
    ("14/08/20", SUNDAY, on(2020, 8, 14)),  # past dates are the caller's business
    ("15/12", SUNDAY, on(2026, 12, 15)),
    ("22/11", SUNDAY, on(2026, 11, 22)),  # today counts as upcoming
    ("21/11", SUNDAY, on(2026, 11, 21)),  # yesterday: this year's, overdue
    ("20/09", SUNDAY, on(2027, 9, 20)),  # over 60 days ago rolls to next year
    ("15/01", BEFORE_NEW_YEAR, on(2027, 1, 15)),
    ("29/02/2028", SUNDAY, on(2028, 2, 29)),
    ("29/02", date(2027, 3, 1), on(2028, 2, 29)),
    # day + month name
    ("15th December", SUNDAY, on(2026, 12, 15)),
    ("15 December", SUNDAY, on(2026, 12, 15)),
    ("15 Dec", SUNDAY, on(2026, 12, 15)),
    ("15th of December", SUNDAY, on(2026, 12, 15)),
    ("1st Sept", SUNDAY, on(2027, 9, 1)),
    ("2nd sep", SUNDAY, on(2027, 9, 2)),
    ("15 Dec 2026", SUNDAY, on(2026, 12, 15)),
    ("15th December 2026", SUNDAY, on(2026, 12, 15)),
    ("15 December, 2026", SUNDAY, on(2026, 12, 15)),
    ("15-Dec-26", SUNDAY, on(2026, 12, 15)),
    ("15 Dec. 2026", SUNDAY, on(2026, 12, 15)),
    ("December 15", SUNDAY, on(2026, 12, 15)),
    ("December 15th, 2026", SUNDAY, on(2026, 12, 15)),
    ("Dec 15 2026", SUNDAY, on(2026, 12, 15)),
    ("Dec 26", SUNDAY, on(2026, 12, 26)),  # a space means day; Dec-26 means the year
    ("3 January", BEFORE_NEW_YEAR, on(2027, 1, 3)),
    ("the 15th", SUNDAY, on(2026, 12, 15)),
    ("the 30th", SUNDAY, on(2026, 11, 30)),
    # month (and year) alone means the end of that month
    ("Dec-26", SUNDAY, on(2026, 12, 31)),
    ("Oct-20", SUNDAY, on(2020, 10, 31)),
    ("Feb-28", SUNDAY, on(2028, 2, 29)),
    ("Dec '26", SUNDAY, on(2026, 12, 31)),
    ("Dec 2026", SUNDAY, on(2026, 12, 31)),
    ("December 2026", SUNDAY, on(2026, 12, 31)),
    ("Dec-2026", SUNDAY, on(2026, 12, 31)),
    ("December", SUNDAY, on(2026, 12, 31)),
    ("November", SUNDAY, on(2026, 11, 30)),
    ("October", SUNDAY, on(2026, 10, 31)),  # ended under 60 days ago: overdue
    ("August", SUNDAY, on(2027, 8, 31)),
    ("Feb", SUNDAY, on(2027, 2, 28)),
    # end of ...
    ("end of November", SUNDAY, on(2026, 11, 30)),
    ("end of Nov 2026", SUNDAY, on(2026, 11, 30)),
    ("the end of November", SUNDAY, on(2026, 11, 30)),
    ("end of October", SUNDAY, on(2026, 10, 31)),
    ("end of August", SUNDAY, on(2027, 8, 31)),
    ("end of March 2027", SUNDAY, on(2027, 3, 31)),
    ("end of month", SUNDAY, on(2026, 11, 30)),
    ("end of the month", SUNDAY, on(2026, 11, 30)),
    ("end of this month", SUNDAY, on(2026, 11, 30)),
    ("end of next month", SUNDAY, on(2026, 12, 31)),
    ("end of next month", BEFORE_NEW_YEAR, on(2027, 1, 31)),
    ("end of week", WEDNESDAY, on(2026, 11, 27)),
    ("end of the week", FRIDAY, on(2026, 11, 27)),
    ("end of week", SATURDAY, on(2026, 12, 4)),
    ("end of week", SUNDAY, on(2026, 11, 27)),
    ("end of next week", WEDNESDAY, on(2026, 12, 4)),
    ("end of year", SUNDAY, on(2026, 12, 31)),
    ("end of the year", SUNDAY, on(2026, 12, 31)),
    ("end of the financial year", SUNDAY, on(2027, 3, 31)),
    # weekdays
    ("Friday", SUNDAY, on(2026, 11, 27)),
    ("Fri", WEDNESDAY, on(2026, 11, 27)),
    ("Friday", FRIDAY, on(2026, 12, 4)),  # bare weekday is strictly after today
    ("this Friday", FRIDAY, on(2026, 11, 27)),
    ("this Friday", WEDNESDAY, on(2026, 11, 27)),
    ("this Monday", WEDNESDAY, on(2026, 11, 30)),
    ("next Friday", WEDNESDAY, on(2026, 12, 4)),  # the Friday of next Mon-Sun week
    ("next Friday", SUNDAY, on(2026, 11, 27)),
    ("next Monday", SUNDAY, on(2026, 11, 23)),
    ("next Tues", FRIDAY, on(2026, 12, 1)),
    ("on Thursday", WEDNESDAY, on(2026, 11, 26)),
    ("Friday week", WEDNESDAY, on(2026, 12, 4)),
    ("Friday 27 November", SUNDAY, on(2026, 11, 27)),
    ("Fri, 15/01/2027", SUNDAY, on(2027, 1, 15)),
    # simple relatives
    ("today", SUNDAY, on(2026, 11, 22)),
    ("tomorrow", SUNDAY, on(2026, 11, 23)),
    ("tomorrow", date(2026, 12, 31), on(2027, 1, 1)),
    ("immediately", SUNDAY, on(2026, 11, 22)),
    ("ASAP", SUNDAY, on(2026, 11, 22)),
    ("next week", WEDNESDAY, on(2026, 12, 4)),
    ("next week", SUNDAY, on(2026, 11, 27)),
    ("next month", SUNDAY, on(2026, 12, 31)),
    ("in 2 weeks", SUNDAY, on(2026, 12, 6)),
    ("in two weeks", SUNDAY, on(2026, 12, 6)),
    ("in a week", SUNDAY, on(2026, 11, 29)),
    ("in 3 days", SUNDAY, on(2026, 11, 25)),
    ("in 1 month", SUNDAY, on(2026, 12, 22)),
    ("in a month", date(2027, 1, 31), on(2027, 2, 28)),  # month arithmetic clamps
    ("in 6 months", SUNDAY, on(2027, 5, 22)),
    ("within three months", SUNDAY, on(2027, 2, 22)),
    ("within 2 weeks", SUNDAY, on(2026, 12, 6)),
    ("in twelve weeks", SUNDAY, on(2027, 2, 14)),
    ("in 2 weeks' time", SUNDAY, on(2026, 12, 6)),
    ("fortnight", SUNDAY, on(2026, 12, 6)),
    ("a fortnight", SUNDAY, on(2026, 12, 6)),
    ("in a fortnight", SUNDAY, on(2026, 12, 6)),
    # meetings and TBC
    ("next meeting", SUNDAY, NEXT_MEETING),
    ("the next meeting", SUNDAY, NEXT_MEETING),
    ("next board meeting", SUNDAY, NEXT_MEETING),
    ("next board", SUNDAY, NEXT_MEETING),
    ("at the next meeting", SUNDAY, NEXT_MEETING),
    ("TBC", SUNDAY, TBC),
    ("tbc", SUNDAY, TBC),
    ("to be confirmed", SUNDAY, TBC),
    ("TBA", SUNDAY, TBC),
    ("date TBC", SUNDAY, TBC),
    ("TBC 14/08/20", SUNDAY, on(2020, 8, 14)),
    ("14/08/20 (TBC)", SUNDAY, on(2020, 8, 14)),
    # ignored decoration
    ("  by 15/12.  ", SUNDAY, on(2026, 12, 15)),
    ("due 15/12,", SUNDAY, on(2026, 12, 15)),
    ("Due: 15/12", SUNDAY, on(2026, 12, 15)),
    ("due by the 15th", SUNDAY, on(2026, 12, 15)),
    ("on Friday.", SUNDAY, on(2026, 11, 27)),
    ("NEXT FRIDAY", WEDNESDAY, on(2026, 12, 4)),
    ("15\u00a0Dec", SUNDAY, on(2026, 12, 15)),  # Slack can send non-breaking spaces
]


@pytest.mark.parametrize(("text", "today", "expected"), ACCEPTED)
def test_parse_due_accepts_uk_forms(text: str, today: date, expected: Due) -> None:
    assert parse_due(text, today=today) == expected


INVALID = [
    # (input, today, text the message must mention)
    ("12/15/2026", SUNDAY, "there is no month 15"),
    ("31/02/2026", SUNDAY, "31/02/2026 is not a real date"),
    ("29/02/2027", SUNDAY, "February 2027 has only 28 days"),
    ("29/02", SUNDAY, "February 2027"),
    ("31/04", SUNDAY, "April"),
    ("32/12", SUNDAY, "there is no day 32"),
    ("0/12", SUNDAY, "there is no day 0"),
    ("15/0/2026", SUNDAY, "there is no month 0"),
    ("0000-01-01", SUNDAY, "the year 0 looks wrong"),
    ("31 June", SUNDAY, "31 June is not a real date"),
    ("31st", SUNDAY, "November 2026 has only 30 days"),
    ("Friday 26 November", SUNDAY, "is a Thursday, not a Friday"),
    ("15 Decmber", SUNDAY, "15 Decmber"),
    ("Fridya", SUNDAY, "Fridya"),
    ("next", SUNDAY, "next"),
    ("soon", SUNDAY, "soon"),
    ("by", SUNDAY, "by"),
    ("15", SUNDAY, "15"),  # a bare number is not a date
    ("15/12/202", SUNDAY, "15/12/202"),
    ("15/12-2026", SUNDAY, "15/12-2026"),
    ("in lots of weeks", SUNDAY, "in lots of weeks"),
    ("15/12 waiting for data", SUNDAY, "15/12 waiting for data"),
    ("tbc tbc", SUNDAY, "tbc tbc"),
]


@pytest.mark.parametrize(("text", "today", "mentioned"), INVALID)
def test_parse_due_rejects_with_a_message_naming_the_problem(text: str, today: date, mentioned: str) -> None:
    with pytest.raises(DateParseError) as caught:
        parse_due(text, today=today)
    message = str(caught.value)
    assert mentioned in message
    assert message.endswith(ACCEPTED_DATE_FORMS)
    assert caught.value.problem in message


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_parse_due_rejects_empty_text(text: str) -> None:
    with pytest.raises(DateParseError, match="none was given"):
        parse_due(text, today=SUNDAY)


def test_date_parse_error_is_a_value_error() -> None:
    assert issubclass(DateParseError, ValueError)
    assert issubclass(TimeParseError, ValueError)


def test_accepted_date_forms_is_one_line() -> None:
    assert "\n" not in ACCEPTED_DATE_FORMS
    assert ACCEPTED_DATE_FORMS.startswith("Dates I understand:")


@pytest.mark.parametrize("offset", range(7))
def test_weekday_meanings_hold_for_every_day_of_the_week(offset: int) -> None:
    today = SUNDAY + datetime.timedelta(days=offset)
    bare = parse_due("Friday", today=today).date
    this = parse_due("this Friday", today=today).date
    following = parse_due("next Friday", today=today).date
    assert bare is not None
    assert this is not None
    assert following is not None
    assert bare.weekday() == this.weekday() == following.weekday() == 4
    assert 1 <= (bare - today).days <= 7
    assert 0 <= (this - today).days <= 6
    # "next Friday" lies in the Monday-to-Sunday week after today's.
    assert following.isocalendar()[:2] == (today + datetime.timedelta(weeks=1)).isocalendar()[:2]


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # UK clocks go back on 25 Oct 2026 and forward on 28 Mar 2027: calendar dates don't care.
        ("tomorrow", date(2026, 10, 24), on(2026, 10, 25)),
        ("in a week", date(2026, 10, 24), on(2026, 10, 31)),
        ("tomorrow", date(2027, 3, 27), on(2027, 3, 28)),
        ("Monday", date(2027, 3, 27), on(2027, 3, 29)),
    ],
)
def test_clock_changes_do_not_shift_dates(text: str, today: date, expected: Due) -> None:
    assert parse_due(text, today=today) == expected


def test_due_requires_a_date_exactly_when_kind_is_date() -> None:
    with pytest.raises(ValueError, match="must have a date"):
        Due(DueKind.DATE)
    with pytest.raises(ValueError, match="must not have a date"):
        Due(DueKind.TBC, date(2026, 12, 15))
    assert Due(DueKind.NEXT_MEETING).date is None


# --- extract_due -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected_text", "expected_due"),
    [
        ("AF to circulate the report by 15/12/2026", "AF to circulate the report", on(2026, 12, 15)),
        ("AF to circulate the report by 15/12/2026.", "AF to circulate the report", on(2026, 12, 15)),
        ("Audit due by end of March", "Audit", on(2027, 3, 31)),
        ("Audit DUE 15 Dec", "Audit", on(2026, 12, 15)),
        ("JB to write to schools, by next Friday", "JB to write to schools", on(2026, 11, 27)),
        ("Update the board - due: next meeting", "Update the board", NEXT_MEETING),
        ("Chair to confirm; by TBC", "Chair to confirm", TBC),
        ("Report (due 15/12)", "Report", on(2026, 12, 15)),
        ("Signed off by the chair by Friday", "Signed off by the chair", on(2026, 11, 27)),
        ("Review by-laws by 15/12", "Review by-laws", on(2026, 12, 15)),
        ("by tomorrow", "", on(2026, 11, 23)),
    ],
)
def test_extract_due_removes_a_trailing_due_clause(text: str, expected_text: str, expected_due: Due) -> None:
    assert extract_due(text, today=SUNDAY) == (expected_text, expected_due)


@pytest.mark.parametrize(
    "text",
    [
        "Report to be signed off by the chair",
        "Delays due to staffing",
        "Overdue report to be chased",
        "Circulate the minutes",
        "Audit led by Fridya Smith",  # not a weekday, so not an attempted date
        "Chair to sign off by",
    ],
)
def test_extract_due_leaves_text_without_a_due_clause_alone(text: str) -> None:
    assert extract_due(text, today=SUNDAY) == (text, None)


@pytest.mark.parametrize(
    ("text", "mentioned"),
    [
        ("Circulate report by 31/02/2026", "31/02/2026 is not a real date"),
        ("Circulate report by the 32nd", "32nd"),
        ("Circulate report due next Fridya", "next Fridya"),
        ("Circulate report by 15 Decmber", "15 Decmber"),
        ("Circulate report by end of the sessoin", "end of the sessoin"),
        ("Circulate report by in a bit", "in a bit"),
    ],
)
def test_extract_due_raises_for_an_attempted_but_invalid_date(text: str, mentioned: str) -> None:
    with pytest.raises(DateParseError) as caught:
        extract_due(text, today=SUNDAY)
    assert mentioned in str(caught.value)
    assert str(caught.value).endswith(ACCEPTED_DATE_FORMS)


# --- split_leading_due -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected_due", "expected_rest"),
    [
        ("15/12 waiting for data", on(2026, 12, 15), "waiting for data"),
        ("15/12", on(2026, 12, 15), ""),
        ("15 December 2026 agreed at board", on(2026, 12, 15), "agreed at board"),
        ("15 Dec 12 people still to reply", on(2026, 12, 15), "12 people still to reply"),
        ("end of next month  awaiting sign off ", on(2026, 12, 31), "awaiting sign off"),
        ("by the end of next month awaiting sign off", on(2026, 12, 31), "awaiting sign off"),
        ("next Friday - chased again", on(2026, 11, 27), "chased again"),
        ("next meeting: needs discussion", NEXT_MEETING, "needs discussion"),
        ("TBC 14/08/20 provisional", on(2020, 8, 14), "provisional"),
        ("TBC pending data", TBC, "pending data"),
    ],
)
def test_split_leading_due_takes_the_longest_leading_date(text: str, expected_due: Due, expected_rest: str) -> None:
    assert split_leading_due(text, today=SUNDAY) == (expected_due, expected_rest)


@pytest.mark.parametrize(
    ("text", "mentioned"),
    [
        ("waiting for data", "waiting for data"),
        ("Fridya waiting", "Fridya waiting"),
        ("31/02 waiting for data", "31/02 is not a real date"),
        ("", "none was given"),
    ],
)
def test_split_leading_due_raises_when_no_leading_date(text: str, mentioned: str) -> None:
    with pytest.raises(DateParseError) as caught:
        split_leading_due(text, today=SUNDAY)
    assert mentioned in str(caught.value)


# --- parse_time_of_day -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00", datetime.time(9, 0)),
        ("9:30", datetime.time(9, 30)),
        ("9.30", datetime.time(9, 30)),
        ("14:30", datetime.time(14, 30)),
        ("1400", datetime.time(14, 0)),
        ("0930", datetime.time(9, 30)),
        ("1400hrs", datetime.time(14, 0)),
        ("0:00", datetime.time(0, 0)),
        ("9am", datetime.time(9, 0)),
        ("9 AM", datetime.time(9, 0)),
        ("9.30am", datetime.time(9, 30)),
        ("9:30 p.m.", datetime.time(21, 30)),
        ("2pm", datetime.time(14, 0)),
        ("12pm", datetime.time(12, 0)),
        ("12am", datetime.time(0, 0)),
        ("noon", datetime.time(12, 0)),
        ("Midday", datetime.time(12, 0)),
        ("at 10am", datetime.time(10, 0)),
    ],
)
def test_parse_time_of_day_accepts_common_forms(text: str, expected: datetime.time) -> None:
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize(
    ("text", "mentioned"),
    [
        ("9", "'9'"),  # morning or evening?
        ("930", "'930'"),  # ambiguous with a typo
        ("", "''"),
        ("soon", "'soon'"),
        ("25:00", "there is no hour 25"),
        ("9:75", "there is no minute 75"),
        ("13pm", "hour must be 1 to 12"),
        ("14:30pm", "hour must be 1 to 12"),
        ("0am", "hour must be 1 to 12"),
    ],
)
def test_parse_time_of_day_rejects_with_accepted_forms(text: str, mentioned: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_time_of_day(text)
    assert mentioned in str(caught.value)
    assert str(caught.value).endswith(ACCEPTED_TIME_FORMS)


@pytest.mark.parametrize(
    "text", ["Agree the budget for 2026/27", "Collate the returns for Q3", "Agree the plan for March"]
)
def test_a_period_after_for_is_what_the_task_covers_not_its_due_date(text: str) -> None:
    assert extract_due(text, today=date(2026, 3, 3)) == (text, None)


def test_a_single_day_after_for_is_still_the_due_date() -> None:
    assert extract_due("Prepare the slides for 15/12", today=date(2026, 3, 3)) == (
        "Prepare the slides",
        Due(DueKind.DATE, date(2026, 12, 15)),
    )
