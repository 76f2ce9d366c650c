"""Lists show one message's worth, count the rest in SQL, and say how to see the next page."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import insert, select

from storage.models import Action, ActionEvent, ActionOwner, Board, Member
from tests.action_support import only_reply


def _bulk(session_factory, clock, n: int, *, due: date | None, initials: str = "AF", status: str = "open") -> None:
    """`n` actions on SSCB owned by `initials`, inserted directly (a large log without n requests)."""
    with session_factory.begin() as session:
        board = session.scalar(select(Board).where(Board.code == "SSCB"))
        owner = session.scalar(select(Member).where(Member.board_id == board.id, Member.initials == initials))
        start = board.last_action_number
        board.last_action_number += n
        rows = [
            {
                "board_id": board.id,
                "number": start + k + 1,
                "text": f"Task {start + k + 1}",
                "status": status,
                "due_kind": "date" if due else None,
                "due_date": due,
                "due_change_count": 0,
                "created_by": "UALICE",
                "created_at": clock.now,
                "updated_at": clock.now,
                "closed_at": clock.now if status != "open" else None,
            }
            for k in range(n)
        ]
        session.execute(insert(Action), rows)
        ids = session.scalars(select(Action.id).where(Action.board_id == board.id, Action.number > start)).all()
        session.execute(insert(ActionOwner), [{"action_id": i, "member_id": owner.id} for i in ids])
        session.execute(
            insert(ActionEvent),
            [{"action_id": i, "at": clock.now, "actor_user_id": "UALICE", "kind": "created", "data": {}} for i in ids],
        )


def _list(board, text: str) -> str:
    return only_reply(board.command("/action", text, user="UALICE")).text


def test_first_page_of_a_long_log_shows_25_and_the_next_page_command(board, session_factory, clock):
    _bulk(session_factory, clock, 60, due=date(2026, 12, 15))
    text = _list(board, "list")
    assert "Showing: open · 1–25 of 60" in text
    assert "*SSCB-25*" in text and "*SSCB-26*" not in text
    assert "Next 25: `/action list page 2`" in text


def test_next_page_command_keeps_the_filters_typed(board, session_factory, clock):
    _bulk(session_factory, clock, 30, due=date(2026, 12, 15))
    text = _list(board, "list open AF page 1")
    assert "Next 5: `/action list open AF page 2`" in text


def test_last_page_shows_the_rest_and_no_next_command(board, session_factory, clock):
    _bulk(session_factory, clock, 60, due=date(2026, 12, 15))
    text = _list(board, "list page 3")
    assert "Showing: open · 51–60 of 60" in text
    assert "*SSCB-60*" in text
    assert "Next" not in text


def test_page_past_the_end_is_refused_with_the_number_of_pages(board, session_factory, clock):
    _bulk(session_factory, clock, 30, due=date(2026, 12, 15))
    assert "There are 2 pages: ask for 1 to 2." in _list(board, "list page 3")


def test_page_without_a_number_is_refused(board):
    assert "`page` takes a page number" in _list(board, "list page next")


def test_overdue_list_counts_only_actions_past_their_date(board, session_factory, clock):
    _bulk(session_factory, clock, 3, due=date(2026, 11, 1))
    _bulk(session_factory, clock, 4, due=date(2026, 12, 15))
    text = _list(board, "list overdue")
    assert "Showing: overdue · 1–3 of 3" in text


def _mine(board, text: str = "") -> str:
    return only_reply(board.command("/mine", text, user="UALICE", channel="DUALICE")).text


def test_mine_shows_the_first_of_each_group_with_the_count_and_how_to_see_the_rest(board, session_factory, clock):
    _bulk(session_factory, clock, 40, due=date(2026, 11, 1))
    text = _mine(board)
    assert ":rotating_light: Overdue* (40)" in text
    assert "_…and 30 more: `/mine overdue` lists them all_" in text
    assert text.count("*SSCB-") == 10


def test_mine_group_lists_a_page_at_a_time(board, session_factory, clock):
    _bulk(session_factory, clock, 40, due=date(2026, 11, 1))
    text = _mine(board, "overdue page 2")
    assert "Showing: overdue · 26–40 of 40" in text
    assert "*SSCB-26*" in text and "*SSCB-25*" not in text


def test_mine_group_with_a_bad_page_says_the_form(board):
    assert "After `soon` give only a page, e.g. `/mine soon page 2`." in _mine(board, "soon page")


@pytest.mark.parametrize("word", ["overdue", "soon", "later", "undated", "closed"])
def test_mine_empty_group_says_nothing_is_there(board, word):
    assert "Nothing here." in _mine(board, word)


def test_mine_all_counts_actions_closed_in_the_last_30_days(board, session_factory, clock):
    _bulk(session_factory, clock, 12, due=None, status="done")
    text = _mine(board, "all")
    assert "Closed in the last 30 days* (12)" in text


def test_mine_keeps_boards_in_other_time_zones_in_one_list(board, session_factory, clock):
    with session_factory.begin() as session:
        session.execute(Board.__table__.update().values(tz="America/New_York"))
    _bulk(session_factory, clock, 2, due=date(2026, 11, 1))
    assert clock.now == datetime(2026, 11, 23, 10, 0, tzinfo=clock.now.tzinfo)
    assert "Overdue* (2)" in _mine(board)
