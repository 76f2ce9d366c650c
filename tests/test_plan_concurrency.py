"""One change at a time on a plan area: RAG changes and area adds racing through the HTTP endpoint.

The lock: every change to a plan area runs under its board's row lock (`storage.boards.lock_board`,
`SELECT … FOR NO KEY UPDATE` on PostgreSQL, the write lock on SQLite), and the area is read again under it.
Threads are released together by a barrier; the stored area, its history rows and what the bot said must agree.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from storage.models import PlanArea, PlanAreaEvent
from tests.driver import SlackDriver, posts
from tests.test_concurrency import race, warnings


@pytest.fixture
def area(board: SlackDriver) -> SlackDriver:
    """SSCB with the plan area MASH, led by AF (UALICE), not rated yet."""
    board.command("/plan", "area add MASH lead AF", user="UCAROL")
    board.fake.clear()
    return board


def rag_history(session_factory: Any) -> tuple[PlanArea, list[PlanAreaEvent]]:
    with session_factory() as session:
        area = session.scalar(select(PlanArea).where(PlanArea.short_name == "MASH"))
        events = list(
            session.scalars(
                select(PlanAreaEvent)
                .where(PlanAreaEvent.area_id == area.id, PlanAreaEvent.kind == "rag")
                .order_by(PlanAreaEvent.id)
            )
        )
        session.expunge_all()
        return area, events


def test_two_rag_changes_on_an_area_each_record_the_rating_the_other_left(area, session_factory):
    calls = race(
        area, ("/plan", "rag MASH red training delayed", "UALICE"), ("/plan", "rag MASH amber audit booked", "UCAROL")
    )

    stored, events = rag_history(session_factory)
    assert len(events) == 2 and warnings(calls) == []
    assert events[0].data["rag_from"] is None
    assert events[1].data["rag_from"] == events[0].data["rag_to"]
    assert stored.rag == events[1].data["rag_to"] and stored.rag_reason == events[1].note
    said = sorted(p.text for p in posts(calls))
    first = events[0].data["rag_to"].capitalize()
    assert any(f"(was {first})" in text for text in said)


def test_two_changes_to_the_same_rating_record_one_and_tell_the_other(area, session_factory):
    calls = race(
        area, ("/plan", "rag MASH red training delayed", "UALICE"), ("/plan", "rag MASH red partners absent", "UCAROL")
    )

    stored, events = rag_history(session_factory)
    assert [e.data for e in events] == [{"rag_from": None, "rag_to": "red"}]
    assert stored.rag == "red" and stored.rag_reason == events[0].note
    assert len(posts(calls)) == 1
    [refusal] = warnings(calls)
    assert "MASH is already Red" in refusal and "Nothing was changed" in refusal


def test_two_adds_of_the_same_area_add_one(board, session_factory):
    calls = race(
        board, ("/plan", "area add Early-Help lead AF", "UCAROL"), ("/plan", "area add early-help lead EA", "UADMIN")
    )

    with session_factory() as session:
        assert session.scalars(select(PlanArea.short_name)).all() in (["Early-Help"], ["early-help"])
        assert len(session.scalars(select(PlanAreaEvent)).all()) == 1
    assert len(posts(calls)) == 1
    [refusal] = warnings(calls)
    assert "already has a plan area" in refusal
