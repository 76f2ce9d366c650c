"""One change at a time on a plan area: RAG changes, lead changes, area adds and removals racing through the HTTP
endpoint.

The lock: every change to a plan area runs under its board's row lock (`storage.boards.lock_board`,
`SELECT … FOR NO KEY UPDATE` on PostgreSQL, the write lock on SQLite), and the area is read again under it.
Threads are released together by a barrier; the stored area, its history rows and what the bot said must agree.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from storage.models import Action, PlanArea, PlanAreaEvent
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


def area_history(session_factory: Any) -> tuple[PlanArea, list[PlanAreaEvent]]:
    """MASH as stored, and every row of its history, oldest first."""
    with session_factory() as session:
        area = session.scalar(select(PlanArea).where(PlanArea.short_name == "MASH"))
        history = list(
            session.scalars(select(PlanAreaEvent).where(PlanAreaEvent.area_id == area.id).order_by(PlanAreaEvent.id))
        )
        session.expunge_all()
        return area, history


def test_remove_racing_a_rag_change_rates_before_the_removal_or_refuses_the_rating(area, session_factory):
    calls = race(area, ("/plan", "area remove MASH", "UCAROL"), ("/plan", "rag MASH red training delayed", "UALICE"))

    stored, history = area_history(session_factory)
    kinds = [e.kind for e in history]
    assert stored.removed_at is not None and kinds[-1] == "removed"
    if "rag" in kinds:
        # The rating came first: recorded, then the area removed with it.
        assert kinds == ["created", "rag", "removed"] and stored.rag == "red"
        assert len(posts(calls)) == 2 and warnings(calls) == []
    else:
        # The removal came first: the rating found the area gone and changed nothing.
        assert kinds == ["created", "removed"] and stored.rag is None
        assert len(posts(calls)) == 1
        [refusal] = warnings(calls)
        assert "MASH was removed from SSCB's plan by <@UCAROL>" in refusal or "no plan area `MASH`" in refusal


def test_two_lead_changes_each_record_the_lead_the_other_left(area, session_factory):
    calls = race(area, ("/plan", "area lead MASH EA", "UCAROL"), ("/plan", "area lead MASH JB", "UADMIN"))

    stored, history = area_history(session_factory)
    leads = [e.data for e in history if e.kind == "lead"]
    assert len(leads) == 2 and warnings(calls) == []
    assert leads[0]["lead_from"] == "AF" and leads[1]["lead_from"] == leads[0]["lead_to"]
    with session_factory() as session:
        assert session.get(PlanArea, stored.id).lead.initials == leads[1]["lead_to"]
    said = " ".join(p.text for p in posts(calls))
    assert f"(was {leads[0]['lead_to']}" in said


def test_two_lead_changes_to_the_same_member_record_one_and_tell_the_other(area, session_factory):
    calls = race(area, ("/plan", "area lead MASH EA", "UCAROL"), ("/plan", "area lead MASH <@UBOB>", "UADMIN"))

    _, history = area_history(session_factory)
    assert [e.data for e in history if e.kind == "lead"] == [{"lead_from": "AF", "lead_to": "EA"}]
    assert len(posts(calls)) == 1
    [refusal] = warnings(calls)
    assert "MASH is already led by <@UBOB> (EA)" in refusal


def test_remove_racing_a_move_into_the_area_never_leaves_an_open_action_in_a_removed_area(area, session_factory):
    area.command("/action", "add AF to audit thresholds by 31/10/2026")
    area.fake.clear()
    calls = race(area, ("/plan", "area remove MASH", "UCAROL"), ("/action", "move SSCB-1 area MASH", "UALICE"))

    stored, history = area_history(session_factory)
    with session_factory() as session:
        action = session.scalar(select(Action).where(Action.number == 1))
    [refusal] = warnings(calls)
    assert len(posts(calls)) == 1
    if stored.removed_at is None:
        # The move came first: the removal was refused, naming the action now in the area.
        assert action.area_id == stored.id and "MASH still has 1 open action" in refusal
    else:
        # The removal came first: the move found the area gone.
        assert action.area_id is None and [e.kind for e in history] == ["created", "removed"]
        assert "MASH was removed from SSCB's plan" in refusal or "no plan area `MASH`" in refusal
