from datetime import date

import pytest

from bot.workdays import Nation, is_working_day, next_working_day, parse_nation, working_days_before

ALL_NATIONS = list(Nation)


@pytest.mark.parametrize(
    ("text", "nation"),
    [
        ("england", Nation.ENGLAND),
        ("England", Nation.ENGLAND),
        ("eng", Nation.ENGLAND),
        ("wales", Nation.WALES),
        ("Cymru", Nation.WALES),
        ("scotland", Nation.SCOTLAND),
        (" Scotland ", Nation.SCOTLAND),
        ("northern-ireland", Nation.NORTHERN_IRELAND),
        ("Northern Ireland", Nation.NORTHERN_IRELAND),
        ("northern_ireland", Nation.NORTHERN_IRELAND),
        ("NI", Nation.NORTHERN_IRELAND),
        ("ni", Nation.NORTHERN_IRELAND),
        ("N. Ireland", Nation.NORTHERN_IRELAND),
    ],
)
def test_nation_is_read_from_common_spellings(text: str, nation: Nation) -> None:
    assert parse_nation(text) is nation


@pytest.mark.parametrize("text", ["", "uk", "GB", "Ireland", "Cornwall"])
def test_unknown_nation_is_refused_with_the_four_choices(text: str) -> None:
    with pytest.raises(ValueError, match="england, wales, scotland, northern-ireland"):
        parse_nation(text)


def test_nation_values_are_plain_strings() -> None:
    assert Nation.NORTHERN_IRELAND == "northern-ireland"


@pytest.mark.parametrize("nation", ALL_NATIONS)
@pytest.mark.parametrize("day", [date(2026, 12, 12), date(2026, 12, 13)])
def test_weekend_is_not_a_working_day(day: date, nation: Nation) -> None:
    assert not is_working_day(day, nation)


@pytest.mark.parametrize("nation", ALL_NATIONS)
def test_ordinary_weekday_is_a_working_day(nation: Nation) -> None:
    assert is_working_day(date(2026, 12, 16), nation)


@pytest.mark.parametrize("nation", ALL_NATIONS)
@pytest.mark.parametrize(
    "day",
    [
        date(2026, 12, 25),  # Christmas Day, a Friday
        date(2026, 12, 28),  # Boxing Day falls on Saturday, substitute Monday
        date(2026, 1, 1),
        date(2026, 4, 3),  # Good Friday
    ],
)
def test_uk_wide_bank_holidays_are_not_working_days(day: date, nation: Nation) -> None:
    assert not is_working_day(day, nation)


@pytest.mark.parametrize(
    ("day", "nation", "working"),
    [
        # Easter Monday (6 Apr 2026): bank holiday everywhere but Scotland.
        (date(2026, 4, 6), Nation.ENGLAND, False),
        (date(2026, 4, 6), Nation.WALES, False),
        (date(2026, 4, 6), Nation.NORTHERN_IRELAND, False),
        (date(2026, 4, 6), Nation.SCOTLAND, True),
        # 2 January: Scotland only.
        (date(2026, 1, 2), Nation.SCOTLAND, False),
        (date(2026, 1, 2), Nation.ENGLAND, True),
        (date(2026, 1, 2), Nation.NORTHERN_IRELAND, True),
        # St Patrick's Day: Northern Ireland only.
        (date(2026, 3, 17), Nation.NORTHERN_IRELAND, False),
        (date(2026, 3, 17), Nation.ENGLAND, True),
        (date(2026, 3, 17), Nation.SCOTLAND, True),
        (date(2026, 3, 17), Nation.WALES, True),
        # Battle of the Boyne, 12 July (a Monday in 2027): Northern Ireland only.
        (date(2027, 7, 12), Nation.NORTHERN_IRELAND, False),
        (date(2027, 7, 12), Nation.ENGLAND, True),
        # 12 July 2026 is a Sunday, so Northern Ireland takes Monday 13th instead.
        (date(2026, 7, 13), Nation.NORTHERN_IRELAND, False),
        (date(2026, 7, 13), Nation.WALES, True),
        # Summer bank holiday: first Monday of August in Scotland, last Monday elsewhere.
        (date(2026, 8, 3), Nation.SCOTLAND, False),
        (date(2026, 8, 3), Nation.ENGLAND, True),
        (date(2026, 8, 31), Nation.ENGLAND, False),
        (date(2026, 8, 31), Nation.WALES, False),
        (date(2026, 8, 31), Nation.NORTHERN_IRELAND, False),
        (date(2026, 8, 31), Nation.SCOTLAND, True),
        # St Andrew's Day (Monday 30 Nov 2026): Scotland only.
        (date(2026, 11, 30), Nation.SCOTLAND, False),
        (date(2026, 11, 30), Nation.ENGLAND, True),
    ],
)
def test_nation_specific_bank_holidays(day: date, nation: Nation, working: bool) -> None:
    assert is_working_day(day, nation) is working


@pytest.mark.parametrize(
    ("day", "n", "nation", "expected"),
    [
        (date(2026, 12, 16), 3, Nation.ENGLAND, date(2026, 12, 11)),  # Wed -> previous Fri
        (date(2026, 12, 16), 1, Nation.ENGLAND, date(2026, 12, 15)),
        (date(2026, 12, 13), 1, Nation.ENGLAND, date(2026, 12, 11)),  # Sun -> Fri
        (date(2026, 12, 29), 1, Nation.ENGLAND, date(2026, 12, 24)),  # over Christmas and Boxing Day
        (date(2026, 4, 7), 1, Nation.ENGLAND, date(2026, 4, 2)),  # over Easter Monday and Good Friday
        (date(2026, 4, 7), 1, Nation.SCOTLAND, date(2026, 4, 6)),  # Easter Monday works in Scotland
        (date(2026, 3, 18), 1, Nation.NORTHERN_IRELAND, date(2026, 3, 16)),  # over St Patrick's Day
        (date(2026, 3, 18), 1, Nation.ENGLAND, date(2026, 3, 17)),
    ],
)
def test_working_days_before_skips_weekends_and_bank_holidays(
    day: date, n: int, nation: Nation, expected: date
) -> None:
    assert working_days_before(day, n, nation) == expected


def test_zero_working_days_before_a_working_day_is_that_day() -> None:
    assert working_days_before(date(2026, 12, 16), 0, Nation.ENGLAND) == date(2026, 12, 16)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 13), date(2026, 12, 11)),  # Sunday -> Friday
        (date(2026, 12, 28), date(2026, 12, 24)),  # Boxing Day substitute -> Christmas Eve
    ],
)
def test_zero_working_days_before_a_day_off_is_the_previous_working_day(day: date, expected: date) -> None:
    assert working_days_before(day, 0, Nation.ENGLAND) == expected


def test_negative_working_days_is_refused() -> None:
    with pytest.raises(ValueError):
        working_days_before(date(2026, 12, 16), -1, Nation.ENGLAND)


@pytest.mark.parametrize(
    ("day", "nation", "expected"),
    [
        (date(2026, 12, 16), Nation.ENGLAND, date(2026, 12, 16)),  # already a working day
        (date(2026, 12, 12), Nation.ENGLAND, date(2026, 12, 14)),  # Saturday -> Monday
        (date(2026, 12, 25), Nation.ENGLAND, date(2026, 12, 29)),  # Christmas -> Tuesday after
        (date(2026, 4, 3), Nation.ENGLAND, date(2026, 4, 7)),  # Good Friday -> after Easter Monday
        (date(2026, 4, 3), Nation.SCOTLAND, date(2026, 4, 6)),  # Easter Monday works in Scotland
        (date(2025, 12, 31), Nation.SCOTLAND, date(2025, 12, 31)),
        (date(2026, 1, 1), Nation.SCOTLAND, date(2026, 1, 5)),  # 1 and 2 Jan, then weekend
        (date(2026, 1, 1), Nation.ENGLAND, date(2026, 1, 2)),
    ],
)
def test_next_working_day(day: date, nation: Nation, expected: date) -> None:
    assert next_working_day(day, nation) == expected


def test_scottish_world_cup_bank_holiday_of_15_june_2026_is_known() -> None:
    # Added in holidays 0.91; pyproject pins holidays>=0.91 for it.
    assert not is_working_day(date(2026, 6, 15), Nation.SCOTLAND)
    assert is_working_day(date(2026, 6, 15), Nation.ENGLAND)
