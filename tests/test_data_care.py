"""Retention per board, legal hold, and warnings about text that identifies a child or a case."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.case_identifiers import find_identifiers, nhs_number_valid
from storage.models import Action, BoardEvent
from tests.driver import posts, replies


def _closed_action(board, clock, when: datetime, number: int = 1) -> None:
    clock.now = when
    board.command("/action", "add AF to circulate the audit by 15/12/2026", user="UALICE")
    board.command("/action", f"done SSCB-{number}", user="UALICE")


def _refs(session_factory) -> list[int]:
    with session_factory() as session:
        return list(session.scalars(select(Action.number)))


def test_retention_setting_is_confirmed_in_the_channel(board):
    calls = board.command("/meeting", "settings retention 24 months", user="UCAROL")
    assert "Closed actions kept: 24 months after closing" in posts(calls)[0].text


def test_retention_setting_is_refused_to_members_who_do_not_manage_the_board(board):
    calls = board.command("/meeting", "settings retention 24 months", user="UALICE")
    assert "Only the chair" in replies(calls)[0].text
    assert posts(calls) == []


def test_retention_of_zero_months_is_refused_with_the_range(board):
    calls = board.command("/meeting", "settings retention 0 months", user="UCAROL")
    assert "from 1 to 240 months" in replies(calls)[0].text


def test_daily_purge_deletes_closed_actions_past_retention_with_an_audit_row(board, clock, tick, session_factory):
    _closed_action(board, clock, datetime(2025, 1, 10, 10, 0, tzinfo=UTC))
    clock.now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    board.command("/action", "add EA to brief schools by 15/12/2026", user="UBOB")
    board.command("/meeting", "settings retention 12 months", user="UCAROL")
    tick(datetime(2026, 11, 23, 10, 5, tzinfo=UTC))
    assert _refs(session_factory) == [2]
    with session_factory() as session:
        audit = session.scalars(select(BoardEvent).where(BoardEvent.kind == "actions_purged")).one()
    assert (audit.actor_user_id, audit.data["count"], audit.data["refs"]) == ("clock", 1, ["SSCB-1"])


def test_purge_runs_once_a_day(board, clock, tick, session_factory):
    board.command("/meeting", "settings retention 12 months", user="UCAROL")
    _closed_action(board, clock, datetime(2025, 1, 10, 10, 0, tzinfo=UTC))
    tick(datetime(2026, 11, 23, 0, 1, tzinfo=UTC))
    _closed_action(board, clock, datetime(2025, 1, 11, 10, 0, tzinfo=UTC), 2)  # closed after today's purge ran
    tick(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    assert _refs(session_factory) == [2]
    tick(datetime(2026, 11, 24, 0, 1, tzinfo=UTC))
    assert _refs(session_factory) == []


def test_legal_hold_stops_the_purge(board, clock, tick, session_factory):
    _closed_action(board, clock, datetime(2025, 1, 10, 10, 0, tzinfo=UTC))
    board.command("/meeting", "settings retention 12 months", user="UCAROL")
    calls = board.command("/meeting", "settings hold on", user="UCAROL")
    assert "legal hold" in posts(calls)[0].text
    tick(datetime(2026, 11, 23, 10, 5, tzinfo=UTC))
    assert _refs(session_factory) == [1]


def test_open_actions_are_never_purged(board, clock, tick, session_factory):
    clock.now = datetime(2024, 1, 10, 10, 0, tzinfo=UTC)
    board.command("/action", "add AF to circulate the audit by 15/12/2026", user="UALICE")
    board.command("/meeting", "settings retention 1 month", user="UCAROL")
    tick(datetime(2026, 11, 23, 10, 5, tzinfo=UTC))
    assert _refs(session_factory) == [1]


@pytest.mark.parametrize("number", ["943 476 5919", "9434765919", "943-476-5919"])
def test_valid_nhs_number_is_found(number):
    assert [f.kind for f in find_identifiers(f"AF to check records for {number} with GP")] == ["nhs_number"]


def test_ten_digits_failing_the_check_digit_are_not_an_nhs_number():
    assert not nhs_number_valid("9434765918")
    assert find_identifiers("AF to call 0123456788 about the venue") == []


@pytest.mark.parametrize(
    "text",
    ["AF to review the plan for Child J (12/03/2015)", "EA to visit, DOB 12/03/2015", "born on 3rd March 2016"],
)
def test_date_of_birth_next_to_a_name_is_found(text):
    assert [f.kind for f in find_identifiers(text)] == ["date_of_birth"]


def test_meeting_date_alone_is_not_a_date_of_birth():
    assert find_identifiers("AF to circulate the audit by 15/12/2026") == []


def test_board_case_pattern_is_found():
    assert [f.kind for f in find_identifiers("EA to update CS-123456 chronology", r"CS-\d{6}")] == ["case_number"]


def test_action_with_an_nhs_number_is_saved_and_the_author_warned_privately(board, session_factory):
    calls = board.command("/action", "add AF to check GP records for 943 476 5919 by 15/12/2026", user="UALICE")
    assert "Logged *SSCB-1*" in posts(calls)[0].text
    [warning] = replies(calls)
    assert "looks like it identifies a child or a case (an NHS number)" in warning.text
    assert _refs(session_factory) == [1]


def test_update_with_the_boards_case_number_warns_the_author(board):
    board.command("/meeting", r"settings case-pattern CS-\d{6}", user="UCAROL")
    board.command("/action", "add AF to circulate the audit by 15/12/2026", user="UALICE")
    calls = board.command("/action", "update SSCB-1 discussed CS-123456 at panel", user="UALICE")
    assert "a case number in this board's format" in replies(calls)[0].text


def test_unusable_case_pattern_is_refused_with_an_example(board):
    calls = board.command("/meeting", "settings case-pattern CS-(", user="UCAROL")
    assert "is not a pattern I can use" in replies(calls)[0].text
    assert posts(calls) == []
