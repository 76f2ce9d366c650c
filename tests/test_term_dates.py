"""A board's own school term dates: `by half term` and `end of term` follow the local authority's calendar."""

from __future__ import annotations

import datetime

from bot.dates import TermDates, parse_due
from tests.action_support import add, load_action, read_back
from tests.driver import posts, replies

TODAY = datetime.date(2026, 11, 23)
TERMS = TermDates(
    half_terms=(datetime.date(2027, 2, 22), datetime.date(2027, 6, 1), datetime.date(2027, 10, 25)),
    ends=(datetime.date(2026, 12, 18), datetime.date(2027, 3, 31), datetime.date(2027, 7, 16)),
)


def test_half_term_is_the_friday_before_the_boards_own_half_term_week():
    due = parse_due("by half term", today=TODAY, terms=TERMS)
    assert due.date == datetime.date(2027, 2, 19)
    assert any("the board's term dates" in note for note in due.notes)


def test_end_of_term_is_the_boards_own_last_day_of_term():
    assert parse_due("end of term", today=TODAY, terms=TERMS).date == datetime.date(2026, 12, 18)
    assert parse_due("end of summer term", today=TODAY, terms=TERMS).date == datetime.date(2027, 7, 16)


def test_without_board_terms_englands_usual_pattern_is_used():
    due = parse_due("by half term", today=TODAY)
    assert due.date == datetime.date(2027, 2, 12)
    assert any("England's usual term dates" in note for note in due.notes)


def test_setting_term_dates_is_confirmed_in_the_channel(board):
    calls = board.command(
        "/meeting", "settings terms half-terms 22/02/2027 01/06/2027 ends 18/12/2026 31/03/2027", user="UCAROL"
    )
    [post] = posts(calls)
    assert "School terms: the board's own: half-term weeks from 22 Feb 2027, 1 Jun 2027" in post.text
    assert "terms end 18 Dec 2026, 31 Mar 2027" in post.text


def test_action_due_by_half_term_follows_the_boards_terms_and_says_so(board, session_factory):
    board.command("/meeting", "settings terms half-terms 22/02/2027 ends 18/12/2026", user="UCAROL")
    calls = board.command("/action", "add AF to circulate the audit by half term", user="UALICE")
    assert load_action(session_factory, "SSCB", 1).due_date == datetime.date(2027, 2, 19)
    assert "the board's term dates" in read_back(calls).text


def test_terms_off_goes_back_to_englands_pattern(board, session_factory):
    board.command("/meeting", "settings terms half-terms 22/02/2027", user="UCAROL")
    board.command("/meeting", "settings terms off", user="UCAROL")
    add(board, "AF to circulate the audit by half term")
    assert load_action(session_factory, "SSCB", 1).due_date == datetime.date(2027, 2, 12)


def test_term_dates_without_a_label_are_refused_with_an_example(board):
    calls = board.command("/meeting", "settings terms 22/02/2027", user="UCAROL")
    assert "Start with `half-terms`" in replies(calls)[0].text
    assert posts(calls) == []


def test_unreadable_term_date_is_refused(board):
    calls = board.command("/meeting", "settings terms half-terms 31/02/2027", user="UCAROL")
    assert posts(calls) == []
    assert replies(calls)


def test_term_dates_are_refused_to_members_who_do_not_manage_the_board(board):
    calls = board.command("/meeting", "settings terms half-terms 22/02/2027", user="UALICE")
    assert "Only the chair" in replies(calls)[0].text


def test_say_back_shows_the_date_placeholder_as_text_not_markup(board):
    calls = board.command("/action", "add AF to circulate the audit by half term", user="UALICE")
    text = read_back(calls).text
    assert "`/action due SSCB-1 &lt;date&gt;`" in text
    assert "<date>" not in text
