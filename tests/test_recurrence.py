from datetime import UTC, datetime

import pytest

from bot.recurrence import (
    ACCEPTED_RECURRENCE_FORMS,
    RecurrenceParseError,
    describe_recurrence,
    occurrences_between,
    parse_recurrence,
)

YEAR_2026 = {"after": datetime(2025, 12, 31), "before": datetime(2027, 1, 1)}


@pytest.mark.parametrize(
    ("phrase", "rule"),
    [
        ("every month on the 3rd Wednesday", "FREQ=MONTHLY;INTERVAL=1;BYDAY=+3WE"),
        ("monthly on the third Wednesday", "FREQ=MONTHLY;INTERVAL=1;BYDAY=+3WE"),
        ("every 2 months on the first Tuesday", "FREQ=MONTHLY;INTERVAL=2;BYDAY=+1TU"),
        ("every two months on the 1st Tuesday", "FREQ=MONTHLY;INTERVAL=2;BYDAY=+1TU"),
        ("bi-monthly on the first Tuesday", "FREQ=MONTHLY;INTERVAL=2;BYDAY=+1TU"),
        ("every other month on the first Tuesday", "FREQ=MONTHLY;INTERVAL=2;BYDAY=+1TU"),
        ("every week on Monday", "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO"),
        ("weekly on Monday", "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO"),
        ("every Monday", "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO"),
        ("every 2 weeks on Thursday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"),
        ("fortnightly on Thursday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"),
        ("quarterly on the 2nd Thursday", "FREQ=MONTHLY;INTERVAL=3;BYDAY=+2TH"),
        ("every 3 months on the second Thursday", "FREQ=MONTHLY;INTERVAL=3;BYDAY=+2TH"),
        ("every month on the last Friday", "FREQ=MONTHLY;INTERVAL=1;BYDAY=-1FR"),
        ("every month on the 15th", "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=15"),
        ("every 6 weeks on Tuesday", "FREQ=WEEKLY;INTERVAL=6;BYDAY=TU"),
        ("every month on the fifth Friday", "FREQ=MONTHLY;INTERVAL=1;BYDAY=+5FR"),
        ("every month on the 4th Sunday", "FREQ=MONTHLY;INTERVAL=1;BYDAY=+4SU"),
    ],
)
def test_board_phrase_becomes_rrule(phrase: str, rule: str) -> None:
    assert parse_recurrence(phrase) == rule


@pytest.mark.parametrize(
    "phrase",
    [
        "EVERY MONTH ON THE 3RD WEDNESDAY",
        "  every   month on the 3rd   Wednesday. ",
        "repeating every month on the 3rd Wednesday",
        "repeats monthly on the 3rd Wednesday",
        "every month on the 3rd Wed",
        "every month on 3rd Wednesday",
        "every month on the 3rd Wednesday of the month",
    ],
)
def test_case_spacing_prefix_and_short_day_names_are_tolerated(phrase: str) -> None:
    assert parse_recurrence(phrase) == "FREQ=MONTHLY;INTERVAL=1;BYDAY=+3WE"


@pytest.mark.parametrize(
    ("day", "code"),
    [("mon", "MO"), ("tue", "TU"), ("wed", "WE"), ("thu", "TH"), ("fri", "FR"), ("sat", "SA"), ("sun", "SU")],
)
def test_three_letter_weekday_names_are_understood(day: str, code: str) -> None:
    assert parse_recurrence(f"every week on {day}") == f"FREQ=WEEKLY;INTERVAL=1;BYDAY={code}"


def test_plural_weekday_is_understood() -> None:
    assert parse_recurrence("every 2 weeks on Thursdays") == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"


@pytest.mark.parametrize(
    "phrase",
    [
        "",
        "whenever the chair decides",
        "every month",
        "every month on Monday",
        "every week on the 3rd Wednesday",
        "every month on the 6th Monday",
        "every month on the 3rd Funday",
        "every week on Funday",
        "every 0 months on the 1st Tuesday",
        "every many weeks on Monday",
        "every year on the 1st Monday",
        "daily",
        "every month on the 31st",
        "every month on the 3rd Wednesday at 10am",
        "every month on the 3rd Wednesday and the 1st Monday",
    ],
)
def test_unrecognised_phrase_is_refused(phrase: str) -> None:
    with pytest.raises(RecurrenceParseError):
        parse_recurrence(phrase)


def test_refusal_quotes_the_text_and_lists_accepted_forms() -> None:
    with pytest.raises(RecurrenceParseError) as caught:
        parse_recurrence("whenever the chair decides")
    assert '"whenever the chair decides"' in str(caught.value)
    assert ACCEPTED_RECURRENCE_FORMS in str(caught.value)


def test_refusal_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_recurrence("whenever")


@pytest.mark.parametrize(
    ("rule", "phrase"),
    [
        ("FREQ=MONTHLY;INTERVAL=1;BYDAY=+3WE", "every month on the 3rd Wednesday"),
        ("FREQ=MONTHLY;INTERVAL=2;BYDAY=+1TU", "every 2 months on the 1st Tuesday"),
        ("FREQ=WEEKLY;INTERVAL=1;BYDAY=MO", "every week on Monday"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "every 2 weeks on Thursday"),
        ("FREQ=MONTHLY;INTERVAL=3;BYDAY=+2TH", "every 3 months on the 2nd Thursday"),
        ("FREQ=MONTHLY;INTERVAL=1;BYDAY=-1FR", "every month on the last Friday"),
        ("FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=15", "every month on the 15th"),
        ("FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=22", "every month on the 22nd"),
        ("FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=11", "every month on the 11th"),
        ("FREQ=MONTHLY;BYDAY=3WE", "every month on the 3rd Wednesday"),
    ],
)
def test_rule_is_described_as_boards_say_it(rule: str, phrase: str) -> None:
    assert describe_recurrence(rule) == phrase


@pytest.mark.parametrize(
    "phrase",
    [
        "monthly on the third Wednesday",
        "bi-monthly on the first Tuesday",
        "every Monday",
        "fortnightly on Thursday",
        "quarterly on the 2nd Thursday",
        "every month on the last Friday",
        "every month on the 15th",
        "every 6 weeks on Tuesday",
    ],
)
def test_description_parses_back_to_the_same_rule(phrase: str) -> None:
    rule = parse_recurrence(phrase)
    assert parse_recurrence(describe_recurrence(rule)) == rule


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;INTERVAL=1",
        "FREQ=MONTHLY;INTERVAL=1;BYDAY=MO",
        "FREQ=WEEKLY;INTERVAL=1;BYDAY=+1MO",
        "FREQ=MONTHLY;INTERVAL=1;BYDAY=+1MO,+3MO",
        "FREQ=MONTHLY;INTERVAL=1;BYDAY=+3WE;COUNT=5",
        "not a rule",
    ],
)
def test_rule_outside_the_bots_shapes_is_not_described(rule: str) -> None:
    with pytest.raises(ValueError):
        describe_recurrence(rule)


def test_third_wednesdays_of_2026_are_listed_at_the_start_time() -> None:
    found = occurrences_between("FREQ=MONTHLY;INTERVAL=1;BYDAY=+3WE", dtstart=datetime(2026, 1, 1, 9, 0), **YEAR_2026)
    days = [(2026, m, d) for m, d in [(1, 21), (2, 18), (3, 18), (4, 15), (5, 20), (6, 17)]]
    days += [(2026, m, d) for m, d in [(7, 15), (8, 19), (9, 16), (10, 21), (11, 18), (12, 16)]]
    assert found == [datetime(*day, 9, 0) for day in days]


def test_occurrences_are_naive() -> None:
    found = occurrences_between("FREQ=MONTHLY;INTERVAL=1;BYDAY=+3WE", dtstart=datetime(2026, 1, 1, 9, 0), **YEAR_2026)
    assert all(when.tzinfo is None for when in found)


def test_quarterly_counts_from_the_first_meeting_month() -> None:
    found = occurrences_between(
        "FREQ=MONTHLY;INTERVAL=3;BYDAY=+2TH", dtstart=datetime(2026, 2, 12, 14, 30), **YEAR_2026
    )
    assert found == [
        datetime(2026, 2, 12, 14, 30),
        datetime(2026, 5, 14, 14, 30),
        datetime(2026, 8, 13, 14, 30),
        datetime(2026, 11, 12, 14, 30),
    ]


def test_last_friday_falls_in_the_last_week_of_each_month() -> None:
    found = occurrences_between(
        "FREQ=MONTHLY;INTERVAL=1;BYDAY=-1FR",
        dtstart=datetime(2026, 1, 1, 10, 0),
        after=datetime(2026, 1, 1),
        before=datetime(2026, 7, 1),
    )
    assert [when.date().isoformat() for when in found] == [
        "2026-01-30",
        "2026-02-27",
        "2026-03-27",
        "2026-04-24",
        "2026-05-29",
        "2026-06-26",
    ]


def test_fortnightly_skips_alternate_weeks() -> None:
    found = occurrences_between(
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
        dtstart=datetime(2026, 1, 8, 13, 0),
        after=datetime(2026, 1, 1),
        before=datetime(2026, 2, 13),
    )
    assert [when.day for when in found] == [8, 22, 5]


def test_day_of_month_rule_lists_that_day() -> None:
    found = occurrences_between(
        "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=15",
        dtstart=datetime(2026, 1, 1, 9, 0),
        after=datetime(2026, 1, 1),
        before=datetime(2026, 4, 1),
    )
    assert found == [datetime(2026, 1, 15, 9), datetime(2026, 2, 15, 9), datetime(2026, 3, 15, 9)]


THIRD_WEDNESDAY = "FREQ=MONTHLY;INTERVAL=1;BYDAY=+3WE"
JAN_MEETING = datetime(2026, 1, 21, 9, 0)


def test_occurrence_at_after_is_excluded() -> None:
    found = occurrences_between(
        THIRD_WEDNESDAY, dtstart=datetime(2026, 1, 1, 9), after=JAN_MEETING, before=datetime(2026, 2, 1)
    )
    assert found == []


def test_occurrence_at_before_is_excluded() -> None:
    found = occurrences_between(
        THIRD_WEDNESDAY, dtstart=datetime(2026, 1, 1, 9), after=datetime(2026, 1, 1), before=JAN_MEETING
    )
    assert found == []


def test_nothing_before_the_series_starts() -> None:
    found = occurrences_between(
        "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO",
        dtstart=datetime(2026, 3, 2, 9, 0),
        after=datetime(2026, 1, 1),
        before=datetime(2026, 3, 10),
    )
    assert found == [datetime(2026, 3, 2, 9, 0), datetime(2026, 3, 9, 9, 0)]


@pytest.mark.parametrize("field", ["dtstart", "after", "before"])
def test_aware_datetimes_are_refused(field: str) -> None:
    times = {
        "dtstart": datetime(2026, 1, 1, 9),
        "after": datetime(2026, 1, 1),
        "before": datetime(2027, 1, 1),
    }
    times[field] = times[field].replace(tzinfo=UTC)
    with pytest.raises(ValueError):
        occurrences_between("FREQ=WEEKLY;INTERVAL=1;BYDAY=MO", **times)


@pytest.mark.parametrize(
    ("phrase", "rule"),
    [
        ("the second Tuesday of every other month", "FREQ=MONTHLY;INTERVAL=2;BYDAY=+2TU"),
        ("monthly, first Monday", "FREQ=MONTHLY;INTERVAL=1;BYDAY=+1MO"),
        ("first Tuesday of the month", "FREQ=MONTHLY;INTERVAL=1;BYDAY=+1TU"),
        ("every other Wednesday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
        ("every 8 weeks on a Monday", "FREQ=WEEKLY;INTERVAL=8;BYDAY=MO"),
        ("last Friday of every month", "FREQ=MONTHLY;INTERVAL=1;BYDAY=-1FR"),
        ("6 weekly on Tuesdays", "FREQ=WEEKLY;INTERVAL=6;BYDAY=TU"),
        ("6-weekly, Tuesday", "FREQ=WEEKLY;INTERVAL=6;BYDAY=TU"),
        ("every quarter, first Thursday", "FREQ=MONTHLY;INTERVAL=3;BYDAY=+1TH"),
        ("each month on the second Wednesday", "FREQ=MONTHLY;INTERVAL=1;BYDAY=+2WE"),
        ("quarterly, 2nd Thursday of the month", "FREQ=MONTHLY;INTERVAL=3;BYDAY=+2TH"),
        ("bi-monthly on the 3rd Tuesday", "FREQ=MONTHLY;INTERVAL=2;BYDAY=+3TU"),
        ("every third Thursday of the month", "FREQ=MONTHLY;INTERVAL=1;BYDAY=+3TH"),
        ("alternate months on the first Tuesday", "FREQ=MONTHLY;INTERVAL=2;BYDAY=+1TU"),
        ("every month on the final Friday", "FREQ=MONTHLY;INTERVAL=1;BYDAY=-1FR"),
    ],
)
def test_pattern_as_boards_say_it_becomes_rrule(phrase: str, rule: str) -> None:
    assert parse_recurrence(phrase) == rule


@pytest.mark.parametrize("phrase", ["termly", "Termly, Tuesdays", "once a term"])
def test_termly_asks_for_the_day(phrase: str) -> None:
    with pytest.raises(RecurrenceParseError, match="which day"):
        parse_recurrence(phrase)


@pytest.mark.parametrize("phrase", ["every 6 weeks", "monthly on Tuesdays", "every other blue moon on Monday"])
def test_pattern_without_a_readable_day_is_refused_listing_pattern_forms(phrase: str) -> None:
    with pytest.raises(RecurrenceParseError) as caught:
        parse_recurrence(phrase)
    assert ACCEPTED_RECURRENCE_FORMS in str(caught.value)
    assert "Dates I understand" not in str(caught.value)
