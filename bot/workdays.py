"""Working days for each UK nation.

Bank holidays differ between England, Wales, Scotland and Northern Ireland, and governments add
one-off days (jubilees, coronations), so they come from the maintained `holidays` package rather
than a list typed in here.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from enum import StrEnum
from functools import cache

import holidays


class Nation(StrEnum):
    """A UK nation, which decides the bank holidays a board observes."""

    ENGLAND = "england"
    WALES = "wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"


# ISO 3166-2:GB subdivision codes as the `holidays` package names them for country "GB".
_SUBDIVISIONS = {
    Nation.ENGLAND: "ENG",
    Nation.WALES: "WLS",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}
_NAMES = {nation.value: nation for nation in Nation} | {
    "eng": Nation.ENGLAND,
    "wls": Nation.WALES,
    "cymru": Nation.WALES,
    "sct": Nation.SCOTLAND,
    "scot": Nation.SCOTLAND,
    "ni": Nation.NORTHERN_IRELAND,
    "nir": Nation.NORTHERN_IRELAND,
    "n-ireland": Nation.NORTHERN_IRELAND,
}
# A holidays object fills in a year on first lookup, marking the year done *before* filling it;
# a second thread asking meanwhile would see an empty year and call a bank holiday a working day.
_LOOKUP_LOCK = threading.Lock()


def parse_nation(text: str) -> Nation:
    """Read a nation from user or config text: 'England', 'northern-ireland', 'Northern Ireland', 'NI'...

    Raises ValueError listing the four nations otherwise. 'UK'/'GB' are refused on purpose: the
    bank holidays differ by nation, so the board has to say which.
    """
    key = "-".join(text.strip().lower().replace(".", "").replace("_", " ").split())
    if key in _NAMES:
        return _NAMES[key]
    choices = ", ".join(nation.value for nation in Nation)
    raise ValueError(f"Unknown nation {text!r}: choose one of {choices}")


@cache
def _bank_holidays(nation: Nation) -> holidays.HolidayBase:
    # Cached so each nation's years are computed once for the life of the process.
    return holidays.country_holidays("GB", subdiv=_SUBDIVISIONS[nation])


def is_working_day(day: date, nation: Nation) -> bool:
    """True unless `day` is a Saturday, a Sunday or a bank holiday in `nation`."""
    if day.weekday() >= 5:
        return False
    with _LOOKUP_LOCK:
        return day not in _bank_holidays(nation)


def working_days_before(day: date, n: int, nation: Nation) -> date:
    """The date `n` working days before `day`.

    Counting steps back over calendar days and counts only working days, so `day` itself never
    counts: 3 working days before Wed 16 Dec 2026 is Fri 11 Dec 2026, and 1 working day before a
    Sunday is the Friday. n=0 gives `day` if it is a working day, else the previous working day.
    """
    if n < 0:
        raise ValueError(f"n must be 0 or more, got {n}")
    if n == 0:
        while not is_working_day(day, nation):
            day -= timedelta(days=1)
        return day
    counted = 0
    while counted < n:
        day -= timedelta(days=1)
        counted += is_working_day(day, nation)
    return day


def next_working_day(day: date, nation: Nation) -> date:
    """`day` itself if it is a working day in `nation`, else the first working day after it."""
    while not is_working_day(day, nation):
        day += timedelta(days=1)
    return day
