"""The labelled due-date phrases (tests/data/due_phrases.tsv) and how one is judged.

Shared by tests/test_due_phrases.py and benchmarks/date_phrases.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.dates import DateParseError, DueKind, FoundDue, TwoDatesError, find_due

DATA = Path(__file__).parent / "data" / "due_phrases.tsv"
# What the test board's meetings go by, as the service passes them (its code and name words).
MEETING_NAMES = ("SSCB", "safeguarding", "children")


@dataclass(frozen=True)
class Labelled:
    """One labelled line: the action as typed, the day it was typed, and what a UK reader means."""

    category: str
    today: date
    text: str
    expected: str

    @property
    def id(self) -> str:
        return f"{self.category}:{self.text}"


def load() -> list[Labelled]:
    """Every labelled line of the data file."""
    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        category, today, text, expected = line.split("\t")
        rows.append(Labelled(category, date.fromisoformat(today), text, expected))
    return rows


def outcome(row: Labelled) -> str:
    """What the parser made of the line, in the data file's notation."""
    try:
        found = find_due(row.text, today=row.today, meeting_names=MEETING_NAMES)
    except TwoDatesError:
        return "two"
    except DateParseError:
        return "error"
    return describe(found)


def describe(found: FoundDue) -> str:
    """A FoundDue in the data file's notation."""
    due = found.due
    if due is None:
        return "-"
    if due.kind is DueKind.DATE and due.date is not None:
        return due.date.isoformat()
    if due.kind is DueKind.MONTH_MEETING and due.month is not None:
        return f"month_meeting {due.month:%Y-%m}"
    return due.kind.value
