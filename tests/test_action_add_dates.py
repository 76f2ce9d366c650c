"""`/action add` and `/action due` with the dates boards write: what the user sees and what is stored.

Owners are initials of existing members (AF, EA, JB). The clock is Monday 23 November 2026.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.action_support import add, assert_refused, load_action, read_back
from tests.driver import posts

ADD_USAGE = "/action add <owners> to <what> [by <date>] [in CODE]"


def stored(session_factory, number=1):
    action = load_action(session_factory, "SSCB", number)
    return action.text, action.due_kind, action.due_date


# --- what is stored ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "task", "due"),
    [
        ("AF to brief schools by half term", "Brief schools", date(2027, 2, 12)),
        ("AF to circulate the pack w/c 11 Jan", "Circulate the pack", date(2027, 1, 15)),
        ("EA to respond within 10 working days", "Respond", date(2026, 12, 7)),
        ("JB to send the figures by COP Friday", "Send the figures", date(2026, 11, 27)),
        ("AF to report by Q4", "Report", date(2027, 3, 31)),
        ("EA to stop the old form with immediate effect", "Stop the old form", date(2026, 11, 23)),
        ("AF to get sign-off by Xmas", "Get sign-off", date(2026, 12, 24)),
        (
            "AF and EA to bring a paper to the Stay Safe Group on 15th December to propose a pilot",
            "Bring a paper to the Stay Safe Group to propose a pilot",
            date(2026, 12, 15),
        ),
    ],
)
def test_date_anywhere_in_the_line_is_stored_and_taken_out_of_the_task(board, session_factory, line, task, due):
    add(board, line)

    text, kind, day = stored(session_factory)
    assert (kind, day) == ("date", due)
    assert task.lower() in text.lower()


def test_a_date_describing_the_task_stays_in_it(board, session_factory):
    add(board, "AF to review the May 2025 audit by June")

    assert stored(session_factory) == ("Review the May 2025 audit", "date", date(2027, 6, 30))


def test_a_place_after_in_is_not_a_date(board, session_factory):
    add(board, "EA to share the findings with colleagues in the MASH")

    assert stored(session_factory) == ("Share the findings with colleagues in the MASH", None, None)


def test_ongoing_is_stored_as_no_due_date_and_said_so(board, session_factory):
    post = add(board, "AF to monitor attendance - ongoing")

    assert stored(session_factory) == ("Monitor attendance", None, None)
    assert "no due date" in post.text


# --- say back ------------------------------------------------------------------------------------


def test_interpreted_date_is_said_back_privately_with_how_to_change_it(board):
    calls = board.command("/action", "add AF to brief schools by half term", user="UALICE")

    [post] = posts(calls)
    assert "due 12 Feb 2027" in post.text
    reply = read_back(calls)
    assert "I read `by half term` as *Fri 12 Feb 2027*" in reply.text
    assert "England's usual term dates" in reply.text
    assert "`/action due SSCB-1 &lt;date&gt;`" in reply.text


def test_week_commencing_is_said_back_as_the_week_and_its_friday(board):
    reply = read_back(board.command("/action", "add AF to circulate the pack w/c 11 Jan", user="UALICE"))

    assert "week of Mon 11 Jan 2027" in reply.text and "Fri 15 Jan 2027" in reply.text


def test_a_plain_future_date_is_not_said_back(board):
    calls = board.command("/action", "add AF to circulate the report by 15/12/2026", user="UALICE")

    assert [c for c in calls if c.text.startswith(":calendar: I read")] == []


def test_day_and_month_just_gone_is_this_years_and_said_overdue(board, session_factory):
    calls = board.command("/action", "add AF to confirm attendance by 20/11", user="UALICE")

    assert stored(session_factory)[2] == date(2026, 11, 20)
    [post] = posts(calls)
    assert "overdue by 3 days" in post.text
    assert "already overdue" in read_back(calls).text


def test_a_time_is_said_to_be_not_kept(board, session_factory):
    calls = board.command("/action", "add EA to send the slides by 4pm Friday", user="UALICE")

    assert stored(session_factory)[2] == date(2026, 11, 27)
    assert "the time 4pm is not kept" in read_back(calls).text


def test_say_back_escapes_what_was_typed(board):
    calls = board.command("/action", "add AF to send it by Friday <!channel> 4pm", user="UALICE")

    for call in calls:
        assert "<!channel>" not in call.text


# --- meetings by name ----------------------------------------------------------------------------


def test_december_meeting_takes_the_date_of_the_boards_december_meeting(board, session_factory):
    board.command("/meeting", "schedule 15/12/2026 10:00", user="UCAROL")

    calls = board.command("/action", "add EA to bring the audit to December's meeting", user="UALICE")

    assert stored(session_factory) == ("Bring the audit", "date", date(2026, 12, 15))
    assert "the December 2026 meeting is on 15 Dec 2026" in read_back(calls).text


def test_a_named_month_without_a_meeting_is_refused(board, session_factory):
    assert_refused(
        board,
        session_factory,
        "add AF to present to the April Executive Board",
        says=["no meeting scheduled in April 2027", "/meeting schedule"],
        usage=ADD_USAGE,
    )


def test_next_board_code_is_the_next_meeting(board, session_factory):
    add(board, "AF to bring the data to the next SSCB")

    assert stored(session_factory) == ("Bring the data", "next_meeting", None)


# --- refusals ------------------------------------------------------------------------------------


def test_unreadable_date_is_refused_quoting_it_with_a_suggestion(board, session_factory):
    reply = assert_refused(
        board, session_factory, "add JB to reply by 15 Decmber", says=["by 15 Decmber", "Did you mean"], usage=ADD_USAGE
    )

    assert "`by 15 december`" in reply.text


def test_day_and_month_the_wrong_way_round_suggests_day_first(board, session_factory):
    assert_refused(
        board, session_factory, "add AF to circulate by 12/15", says="Did you mean `by 15/12`?", usage=ADD_USAGE
    )


def test_two_different_dates_ask_which(board, session_factory):
    assert_refused(
        board,
        session_factory,
        "add AF to send the report by 15/12 and present it on 20 January",
        says=["more than one date", "'by 15/12'", "'on 20 January'", "Which is the due date?"],
        usage=ADD_USAGE,
    )


def test_unreadable_date_error_escapes_what_was_typed(board, session_factory):
    reply = assert_refused(
        board, session_factory, "add AF to circulate by 31/02 <!here>", says="not a real date", usage=ADD_USAGE
    )

    assert "<!here>" not in reply.text


# --- /action due ---------------------------------------------------------------------------------


def test_due_with_an_interpreted_date_is_said_back(board, session_factory):
    add(board, "AF to circulate the report by 15/12/2026")

    calls = board.command("/action", "due SSCB-1 end of Q3 waiting for data", user="UALICE")

    assert stored(session_factory)[1:] == ("date", date(2026, 12, 31))
    assert "I read `end of Q3` as *Thu 31 Dec 2026*" in read_back(calls).text


def test_due_ongoing_clears_the_due_date(board, session_factory):
    add(board, "AF to circulate the report by 15/12/2026")

    board.command("/action", "due SSCB-1 ongoing", user="UALICE")

    assert stored(session_factory)[1:] == (None, None)
