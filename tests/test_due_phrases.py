"""The labelled due-date phrases: each is read as a UK reader means it, and a date phrase that was
read never stays in the task text."""

from __future__ import annotations

import pytest

from bot.dates import find_due
from tests.due_phrase_support import MEETING_NAMES, Labelled, load, outcome

ROWS = load()


def test_the_labelled_set_is_large_enough() -> None:
    assert len(ROWS) >= 150


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_labelled_phrase_is_read_as_a_uk_reader_means(row: Labelled) -> None:
    assert outcome(row) == row.expected


@pytest.mark.parametrize("row", [r for r in ROWS if r.expected not in ("-", "error", "two")], ids=lambda r: r.id)
def test_a_date_phrase_that_was_read_leaves_the_task_text(row: Labelled) -> None:
    found = find_due(row.text, today=row.today, meeting_names=MEETING_NAMES)

    assert found.phrase and found.phrase not in found.text
    assert found.text and found.text != row.text


@pytest.mark.parametrize("row", [r for r in ROWS if r.expected == "-"], ids=lambda r: r.id)
def test_text_without_a_due_date_is_left_as_typed(row: Labelled) -> None:
    assert find_due(row.text, today=row.today, meeting_names=MEETING_NAMES).text == row.text
