"""Reading the log: `/action show`, `history`, `list` and `help`, and unknown sub-commands."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.refs import Ref
from bot.services import actions as service
from bot.services.context import Caller
from bot.services.requests import AddAction
from storage.boards import board_by_code
from tests.action_support import (
    ESCAPED_EVIL,
    EVIL,
    add,
    assert_no_live_mentions,
    assert_refused,
    is_read_back,
    only_post,
    only_reply,
    setup_board,
    snapshot,
)

USAGE = {
    "show": "/action show <ref>",
    "history": "/action history <ref>",
    "list": "/action list [open|overdue|done|dropped|all] [red|amber|green] [@user|INITIALS] [page N] [in CODE]",
}
SUB_COMMANDS = ("add", "update", "rag", "done", "drop", "reopen", "assign", "due", "show", "history", "list")


def read(slack, text, *, user="UALICE", channel="CBOARD", session_factory=None):
    """Run a read command: its only answer is private, and (when given the factory) nothing is stored."""
    before = snapshot(session_factory) if session_factory else None
    reply = only_reply(slack.command("/action", text, user=user, channel=channel))
    assert ":warning:" not in reply.text, reply.text
    if session_factory:
        assert snapshot(session_factory) == before
    return reply


def change(slack, text, *, user="UALICE"):
    """A change that must succeed (and post in the board's channel)."""
    return only_post([c for c in slack.command("/action", text, user=user) if not is_read_back(c)])


# --- show --------------------------------------------------------------------------------------------


def test_show_answers_privately_and_changes_nothing(board, session_factory):
    add(board, "AF to circulate the report by 15/12/2026")

    read(board, "show 1", session_factory=session_factory)


def test_show_gives_owners_due_status_rag_and_who_logged_it(board):
    add(board, "AF & JB to circulate the report by 15/12/2026")
    change(board, "rag 1 green")
    change(board, "rag 1 amber police data late")

    reply = read(board, "show SSCB-1")

    assert "SSCB-1 · Safeguarding Children Board" in reply.text
    assert "Circulate the report" in reply.text
    assert "*Owners:* AF (<@UALICE>), JB" in reply.text
    assert "*Due:* due 15 Dec" in reply.text
    assert "*Status:* Open" in reply.text
    assert "Amber (was Green) — police data late" in reply.text
    assert "*Logged:* 23 Nov 2026 10:00 by <@UALICE>" in reply.text


def test_show_lists_the_three_latest_updates_newest_first(board, clock):
    add(board, "AF to circulate the report")
    for n in range(1, 5):
        clock.now += timedelta(days=1)
        change(board, f"update 1 progress number {n}")

    reply = read(board, "show 1")

    assert "number 1" not in reply.text
    assert reply.text.index("number 4") < reply.text.index("number 3") < reply.text.index("number 2")
    assert "27 Nov 2026 10:00 <@UALICE>: progress number 4" in reply.text


def test_show_without_updates_says_so(board):
    add(board, "AF to circulate the report")

    assert "No progress updates yet." in read(board, "show 1").text


def test_show_of_a_closed_action_says_who_closed_it_and_why(board):
    add(board, "AF to circulate the report")
    change(board, "drop 1 superseded", user="UCAROL")

    reply = read(board, "show 1")

    assert "*Status:* Dropped" in reply.text
    assert "*Closed:* 23 Nov 2026 10:00 by <@UCAROL> — superseded" in reply.text


def test_show_of_an_overdue_action_says_by_how_much(board, clock):
    add(board, "AF to circulate the report by 25/11/2026")
    clock.now += timedelta(days=5)

    assert "due 25 Nov (overdue by 3 days)" in read(board, "show 1").text


def test_show_by_full_ref_works_from_any_channel(board):
    add(board, "AF to circulate the report")

    assert "Circulate the report" in read(board, "show sscb-1", channel="DALICE").text


def test_show_escapes_everything_typed(board):
    add(board, f"AF to circulate {EVIL}")
    change(board, f"update 1 told {EVIL} evidence {EVIL}")
    change(board, f"rag 1 red {EVIL}")
    change(board, f"done 1 {EVIL}")

    calls = board.command("/action", "show 1")

    assert_no_live_mentions(calls)
    assert calls[0].text.count(ESCAPED_EVIL) >= 5


@pytest.mark.parametrize(
    ("text", "says", "kwargs"),
    [
        ("show", "Which action?", {}),
        ("show twelve", "is not an action reference", {}),
        ("show 7", "There is no action SSCB-7 on SSCB", {}),
        ("show NOPE-1", "There is no board `NOPE`", {}),
        ("show 1", "`1` on its own only works in a board's channel", {"channel": "CELSEWHERE"}),
        ("show SSCB-1", "There is no board `SSCB` in this workspace", {"team": "T2", "channel": "DOTHER"}),
    ],
)
def test_show_of_a_missing_or_foreign_action_is_refused(board, session_factory, text, says, kwargs):
    add(board, "AF to circulate the report")

    assert_refused(board, session_factory, text, says=says, usage=USAGE["show"], **kwargs)


# --- history -------------------------------------------------------------------------------------------


def test_history_lists_every_change_with_who_and_when(board, clock, session_factory):
    add(board, "AF to circulate the report by 1/12/2026")
    steps = [
        ("UALICE", "update 1 draft done evidence https://example.org/d"),
        ("UCAROL", "rag 1 amber late data"),
        ("UCAROL", "due 1 15/12/2026 waiting for police"),
        ("UCAROL", "assign 1 AF & EA"),
        ("UBOB", "done 1 circulated"),
        ("UCAROL", "reopen 1"),
        ("UCAROL", "drop 1 superseded"),
    ]
    for user, text in steps:
        clock.now += timedelta(hours=1)
        change(board, text, user=user)

    reply = read(board, "history 1", user="UDAVE", session_factory=session_factory)

    lines = [line for line in reply.text.splitlines() if line.startswith("• ")]
    assert lines == [
        "• 23 Nov 2026 10:00 · <@UALICE> logged it for AF: Circulate the report",
        "• 23 Nov 2026 11:00 · <@UALICE> progress: draft done (evidence: https://example.org/d)",
        "• 23 Nov 2026 12:00 · <@UCAROL> RAG set to Amber: late data",
        "• 23 Nov 2026 13:00 · <@UCAROL> due 1 Dec → 15 Dec: waiting for police",
        "• 23 Nov 2026 14:00 · <@UCAROL> owners AF → AF, EA",
        "• 23 Nov 2026 15:00 · <@UBOB> marked done: circulated",
        "• 23 Nov 2026 16:00 · <@UCAROL> reopened (was done)",
        "• 23 Nov 2026 17:00 · <@UCAROL> marked dropped: superseded",
    ]
    assert "History of SSCB-1 (8 changes)" in reply.text


def test_history_shows_rag_changes_as_from_and_to(board):
    add(board, "AF to circulate the report")
    change(board, "rag 1 green")
    change(board, "rag 1 red")

    assert "RAG Green → Red" in read(board, "history 1").text


def test_history_shows_times_in_the_boards_time_zone(board, clock):
    clock.now = clock.now.replace(month=7, day=1)  # British Summer Time: 10:00 UTC is 11:00 in London
    add(board, "AF to circulate the report")

    assert "1 Jul 2026 11:00" in read(board, "history 1").text


def test_history_escapes_everything_typed(board):
    add(board, f"AF to circulate {EVIL}")
    for text in (f"update 1 x {EVIL} evidence {EVIL}", f"rag 1 red {EVIL}", f"due 1 15/12 {EVIL}", f"drop 1 {EVIL}"):
        change(board, text)

    calls = board.command("/action", "history 1")

    assert_no_live_mentions(calls)
    assert calls[0].text.count(ESCAPED_EVIL) >= 6


class _NoDirectory:
    """A directory that knows nobody: the owner making these updates never needs a lookup."""

    def person(self, user_id):
        return None


def test_history_of_a_long_trail_stays_within_slacks_limits(board, session_factory, clock):
    add(board, "AF to circulate the report")
    caller = Caller("T1", "UALICE", "CBOARD")
    # 300 updates through the service directly: the point is the size of the answer, not the typing.
    with session_factory.begin() as session:
        action = service.find_action(session, caller, Ref("SSCB", 1))
        for n in range(300):
            service.record_update(
                session,
                caller=caller,
                action=action,
                text=f"update {n} " + "y" * 400,
                rag=None,
                evidence=None,
                directory=_NoDirectory(),
                now=clock.now,
            )

    reply = read(board, "history 1")

    assert "History of SSCB-1 (301 changes)" in reply.text
    assert "more changes" in reply.text


@pytest.mark.parametrize(
    ("text", "says", "kwargs"),
    [
        ("history", "Which action?", {}),
        ("history 9", "There is no action SSCB-9", {}),
        ("history 1", "only works in a board's channel", {"channel": "DALICE"}),
        ("history SSCB-1", "no board `SSCB` in this workspace", {"team": "T2", "channel": "DOTHER"}),
    ],
)
def test_history_of_a_missing_or_foreign_action_is_refused(board, session_factory, text, says, kwargs):
    add(board, "AF to circulate the report")

    assert_refused(board, session_factory, text, says=says, usage=USAGE["history"], **kwargs)


# --- list ------------------------------------------------------------------------------------------------


@pytest.fixture
def log(board, clock):
    """SSCB-1 open AF red overdue; SSCB-2 open EA green; SSCB-3 done AF; SSCB-4 dropped EA; SSCB-5 open JB."""
    add(board, "AF to circulate the report by 20/11/2026")
    add(board, "EA to review thresholds by 15/12/2026")
    add(board, "AF to book the venue")
    add(board, "EA to audit the files")
    add(board, "JB to check the DBS returns by next meeting")
    change(board, "rag 1 red")
    change(board, "rag 2 green")
    change(board, "done 3")
    change(board, "drop 4 superseded")
    return board


def listed(reply):
    """The refs a list shows, in order."""
    return [word.strip("*") for word in reply.text.split() if word.startswith("*SSCB-")]


@pytest.mark.parametrize(
    ("filters", "refs"),
    [
        ("", ["SSCB-1", "SSCB-2", "SSCB-5"]),
        ("open", ["SSCB-1", "SSCB-2", "SSCB-5"]),
        ("overdue", ["SSCB-1"]),
        ("done", ["SSCB-3"]),
        ("dropped", ["SSCB-4"]),
        ("closed", ["SSCB-3", "SSCB-4"]),
        ("all", ["SSCB-1", "SSCB-2", "SSCB-3", "SSCB-4", "SSCB-5"]),
        ("red", ["SSCB-1"]),
        ("all green", ["SSCB-2"]),
        ("EA", ["SSCB-2"]),
        ("all ea", ["SSCB-2", "SSCB-4"]),
        ("<@UALICE>", ["SSCB-1"]),
        ("all <@UALICE|alice>", ["SSCB-1", "SSCB-3"]),
        ("JB", ["SSCB-5"]),
    ],
)
def test_list_filters_the_boards_log(log, session_factory, filters, refs):
    reply = read(log, f"list {filters}", session_factory=session_factory)

    assert listed(reply) == refs


def test_list_lines_show_owners_text_due_and_rag(log):
    reply = read(log, "list")

    assert "*SSCB-1* · AF · Circulate the report · due 20 Nov (overdue by 3 days) · :red_circle: Red" in reply.text
    assert "*SSCB-5* · JB · Check the DBS returns · due next meeting · No RAG" in reply.text


def test_list_says_what_it_shows_and_how_many(log):
    reply = read(log, "list all EA")

    assert "SSCB actions (2)" in reply.text
    assert "all EA" in reply.text


def test_list_by_mention_shows_the_user_as_a_mention_not_raw_markup(log):
    reply = read(log, "list <@UBOB>")

    header = reply.args["blocks"][0]
    assert header["type"] == "header" and "<@" not in header["text"]["text"]
    assert "open for <@UBOB>" in reply.text


def test_list_with_nothing_matching_says_so(log):
    assert "No actions match." in read(log, "list amber").text


def test_list_in_code_works_from_a_dm(log):
    assert listed(read(log, "list in SSCB all", channel="DALICE")) == [f"SSCB-{n}" for n in range(1, 6)]
    assert listed(read(log, "list done in SSCB", channel="DALICE")) == ["SSCB-3"]


def test_list_shows_only_the_channels_board(log):
    setup_board(log, code="LSCP", channel="CLSCP")
    add(log, "AF to book the room", channel="CLSCP")

    reply = read(log, "list all", channel="CLSCP")

    assert listed(reply) == [] and "LSCP-1" in reply.text


def test_list_escapes_typed_text(board):
    add(board, f"AF to circulate {EVIL}")

    calls = board.command("/action", "list")

    assert_no_live_mentions(calls)
    assert ESCAPED_EVIL in calls[0].text


def test_a_long_list_stays_within_slacks_limits(board, session_factory, clock):
    caller = Caller("T1", "UALICE", "CBOARD")
    with session_factory.begin() as session:
        board_row = board_by_code(session, "T1", "SSCB")
        assert board_row is not None
        for n in range(600):
            service.add_action(
                session,
                caller=caller,
                board=board_row,
                request=AddAction(text=f"AF to task {n} " + "z" * 1500),
                directory=_NoDirectory(),
                now=clock.now,
            )

    reply = read(board, "list")

    # One page of lines, each cut to 200 characters of text, and the command for the next page.
    assert "SSCB actions (600)" in reply.text
    assert "Showing: open · 1–25 of 600" in reply.text
    assert "Next 25: `/action list page 2`" in reply.text
    assert "z" * 300 not in reply.text


@pytest.mark.parametrize(
    ("text", "says", "kwargs"),
    [
        ("list frob!", "I don't know the filter `frob!`", {}),
        ("list <!channel>", "I don't know the filter `&lt;!channel&gt;`", {}),
        ("list ZZ", "`ZZ` is not the initials of a member of SSCB", {}),
        ("list <@UDAVE>", "<@UDAVE> is not a member of SSCB", {}),
        ("list", "not bound to a board", {"channel": "DALICE"}),
        ("list in NOPE", "There is no board with code `NOPE`", {"channel": "DALICE"}),
        ("list in SSCB", "There is no board with code `SSCB`", {"channel": "DOTHER", "team": "T2"}),
    ],
)
def test_list_with_a_bad_filter_or_board_is_refused(log, session_factory, text, says, kwargs):
    reply = assert_refused(log, session_factory, text, says=says, usage=USAGE["list"], **kwargs)

    assert "<!channel>" not in reply.text


# --- help and unknown sub-commands ---------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "help", "HELP"])
def test_help_lists_every_sub_command_privately(board, session_factory, text):
    reply = read(board, text, session_factory=session_factory)

    for sub in SUB_COMMANDS:
        assert f"/action {sub}" in reply.text


def test_help_works_outside_a_board_channel(board):
    assert "/action add" in read(board, "help", channel="DALICE").text


@pytest.mark.parametrize("text", ["frob 1", "close 1", "remove SSCB-1", "<!channel>"])
def test_an_unknown_sub_command_is_refused_with_the_list_of_commands(board, session_factory, text):
    add(board, "AF to circulate the report")

    reply = assert_refused(
        board,
        session_factory,
        text,
        says=["is not an `/action` command", "/action help"],
        usage="/action add|update|rag|done|drop|reopen|assign|due|show|history|list|help …",
    )

    assert "<!channel>" not in reply.text
