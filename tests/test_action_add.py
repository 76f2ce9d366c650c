"""`/action add`: owners and dates read the way boards write them, refs, refusals, escaping."""

from __future__ import annotations

from datetime import date

import pytest

from tests.action_support import (
    ESCAPED_EVIL,
    EVIL,
    action_count,
    add,
    assert_no_live_mentions,
    assert_refused,
    events,
    load_action,
    only_post,
    owner_initials,
    setup_board,
    snapshot,
)
from tests.driver import posts, replies

ADD_USAGE = "/action add <owners> to <what> [by <date>] [in CODE]"
ACCEPTED_FORMS = ["Dates I understand", "15/12/2026", "Dec-26", "end of November", "next meeting", "TBC"]


# --- the happy path ----------------------------------------------------------------------------


def test_add_posts_the_confirmation_in_the_board_channel_only(board):
    post = add(board, "AF to circulate the report by 15/12/2026")

    assert "Logged *SSCB-1*: Circulate the report" in post.text
    assert "AF (<@UALICE>)" in post.text
    assert "due 15 Dec" in post.text
    assert "by <@UALICE>" in post.text


def test_add_stores_the_action_with_owner_due_date_and_creator(board, session_factory):
    add(board, "AF to circulate the report by 15/12/2026")

    action = load_action(session_factory, "SSCB", 1)
    assert action.text == "Circulate the report"
    assert action.status == "open"
    assert (action.due_kind, action.due_date) == ("date", date(2026, 12, 15))
    assert action.original_due_date is None and action.due_change_count == 0
    assert action.created_by == "UALICE"
    assert action.source_text == "AF to circulate the report by 15/12/2026"
    assert [m.initials for m in action.owners] == ["AF"]


def test_add_writes_a_created_audit_row(board, session_factory, clock):
    add(board, "AF & EA to review thresholds by 15/12/2026")

    [event] = events(session_factory, "SSCB", 1)
    assert (event.kind, event.actor_user_id, event.at) == ("created", "UALICE", clock.now)
    assert event.note == "Review thresholds"
    assert event.data == {"owners": ["AF", "EA"], "due": {"kind": "date", "date": "2026-12-15"}}


@pytest.mark.parametrize(
    ("text", "owners", "task"),
    [
        ("AF to circulate the report", ["AF"], "Circulate the report"),
        ("AF & EA to review thresholds", ["AF", "EA"], "Review thresholds"),
        ("AF/EA: audit the case files", ["AF", "EA"], "Audit the case files"),
        ("Action: AF and EA to brief head teachers", ["AF", "EA"], "Brief head teachers"),
        ("AF, EA and JB to agree the dataset", ["AF", "EA", "JB"], "Agree the dataset"),
        ("JB to check the DBS returns", ["JB"], "Check the DBS returns"),
        ("<@UALICE> to draft the plan", ["AF"], "Draft the plan"),
        ("<@UALICE|alice> to draft the plan", ["AF"], "Draft the plan"),
        ("<@UALICE|alice> & <@UBOB> to draft the plan", ["AF", "EA"], "Draft the plan"),
        ("Draft the plan with <@UBOB>", ["EA"], "Draft the plan with EA"),
    ],
)
def test_add_reads_owners_in_the_forms_boards_write(board, session_factory, text, owners, task):
    post = add(board, text)

    assert owner_initials(session_factory, "SSCB", 1) == owners
    assert load_action(session_factory, "SSCB", 1).text == task
    assert task in post.text


def test_add_without_owners_gives_the_action_to_the_caller(board, session_factory):
    add(board, "circulate the minutes", user="UBOB")

    assert owner_initials(session_factory, "SSCB", 1) == ["EA"]
    assert load_action(session_factory, "SSCB", 1).text == "Circulate the minutes"


@pytest.mark.parametrize(
    ("clause", "kind", "due"),
    [
        ("by 15/12/2026", "date", date(2026, 12, 15)),
        ("by 15/12", "date", date(2026, 12, 15)),
        ("by 2026-12-15", "date", date(2026, 12, 15)),
        ("due 15th December", "date", date(2026, 12, 15)),
        ("by 15 Dec 2026", "date", date(2026, 12, 15)),
        ("by Dec-26", "date", date(2026, 12, 31)),
        ("by end of November", "date", date(2026, 11, 30)),
        ("by Friday", "date", date(2026, 11, 27)),
        ("due in 2 weeks", "date", date(2026, 12, 7)),
        ("by next meeting", "next_meeting", None),
        ("due TBC", "tbc", None),
    ],
)
def test_add_reads_the_due_date_from_by_or_due(board, session_factory, clause, kind, due):
    add(board, f"AF to circulate the report {clause}")

    action = load_action(session_factory, "SSCB", 1)
    assert (action.due_kind, action.due_date) == (kind, due)
    assert action.text == "Circulate the report"


def test_add_without_a_date_has_no_due_date(board, session_factory):
    post = add(board, "AF to circulate the report")

    assert "no due date" in post.text
    assert load_action(session_factory, "SSCB", 1).due_kind is None


def test_add_in_code_from_a_dm_logs_on_that_board_and_posts_in_its_channel(board, session_factory):
    calls = board.command("/action", "add in SSCB EA to check the returns by 15/12/2026", channel="DALICE")

    post = only_post(calls, channel="CBOARD")
    assert "SSCB-1" in post.text
    action = load_action(session_factory, "SSCB", 1)
    assert (action.text, action.source_channel_id) == ("Check the returns", "DALICE")


def test_add_with_trailing_in_code_from_a_dm_logs_on_that_board(board, session_factory):
    only_post(board.command("/action", "add EA to check the returns by 15/12/2026 in SSCB", channel="DALICE"))

    action = load_action(session_factory, "SSCB", 1)
    assert (action.text, action.due_date) == ("Check the returns", date(2026, 12, 15))


def test_add_in_code_from_another_boards_channel_logs_on_the_named_board(board, session_factory):
    setup_board(board, code="LSCP", channel="CLSCP")

    only_post(board.command("/action", "add in LSCP AF to book the venue"), channel="CLSCP")

    assert load_action(session_factory, "LSCP", 1).text == "Book the venue"


def test_refs_count_up_per_board(board):
    setup_board(board, code="LSCP", channel="CLSCP")

    assert "SSCB-1" in add(board, "AF to one").text
    assert "SSCB-2" in add(board, "AF to two").text
    assert "LSCP-1" in add(board, "AF to three", channel="CLSCP").text
    assert "SSCB-3" in add(board, "AF to four").text


def test_refs_are_never_reused_after_a_drop_or_a_rejected_add(board, session_factory):
    add(board, "AF to one")
    add(board, "AF to two")
    only_post(board.command("/action", "drop 2 duplicate of SSCB-1"))
    replies(board.command("/action", "add ZZ to rejected"))

    assert "SSCB-3" in add(board, "AF to three").text
    assert action_count(session_factory) == 3


def test_add_text_of_exactly_2000_characters_is_accepted(board, session_factory):
    text = "AF to " + "x" * 1994

    add(board, text)

    assert load_action(session_factory, "SSCB", 1).source_text == text


def test_add_escapes_typed_mentions_in_every_message_but_stores_the_text_as_typed(board, session_factory):
    calls = board.command("/action", f"add AF to warn {EVIL} about the audit")

    [post] = posts(calls)
    assert ESCAPED_EVIL in post.text
    assert_no_live_mentions(calls)
    assert load_action(session_factory, "SSCB", 1).text == f"Warn {EVIL} about the audit"


def test_add_when_the_bot_is_not_in_the_channel_tells_the_caller_and_still_stores_it(
    board, session_factory, fake_slack
):
    fake_slack.not_in_channels.add("CBOARD")

    calls = board.command("/action", f"add AF to circulate {EVIL}")

    assert not posts(calls)
    [reply] = replies(calls)
    assert "couldn't post this in <#CBOARD>" in reply.text
    assert "/invite" in reply.text
    assert "SSCB-1" in reply.text
    assert_no_live_mentions(calls)
    assert load_action(session_factory, "SSCB", 1).text == f"Circulate {EVIL}"


# --- rejected input: a private answer with the usage line, and nothing stored -------------------


@pytest.mark.parametrize("text", ["add", "add    ", "add in SSCB"])
def test_add_with_no_text_is_refused(board, session_factory, text):
    assert_refused(board, session_factory, text, says="Say what the action is", usage=ADD_USAGE)


@pytest.mark.parametrize("text", ["add by Friday", "add AF to", "add AF & EA to by 15/12/2026", "add AF/EA:"])
def test_add_with_owners_but_no_task_is_refused(board, session_factory, text):
    assert_refused(board, session_factory, text, says="has owners but no task", usage=ADD_USAGE)


def test_add_over_2000_characters_is_refused(board, session_factory):
    text = "add AF to " + "x" * 1995

    assert_refused(board, session_factory, text, says=["2,001 characters long", "the limit is 2,000"], usage=ADD_USAGE)


def test_add_with_unknown_initials_is_refused_naming_the_members(board, session_factory):
    assert_refused(
        board,
        session_factory,
        "add AF & ZZ to review thresholds",
        says=["`ZZ` is not the initials of a member of SSCB", "AF, EA, JB"],
        usage=ADD_USAGE,
    )


def test_add_for_a_mentioned_user_who_is_not_a_member_is_refused(board, session_factory):
    assert_refused(
        board,
        session_factory,
        "add <@UDAVE> to review thresholds",
        says=["<@UDAVE> is not a member of SSCB", "/meeting member add"],
        usage=ADD_USAGE,
    )


def test_add_without_owners_from_an_admin_who_is_not_a_member_is_refused(board, session_factory):
    assert_refused(
        board,
        session_factory,
        "add circulate the minutes",
        user="UADMIN",
        says="Who owns this action?",
        usage=ADD_USAGE,
    )


@pytest.mark.parametrize(
    "clause", ["by 31/02", "by 12/15/2026", "due next Fridya", "by 15 Dec 12", "due the 32nd", "by 0/0"]
)
def test_add_with_an_unparseable_date_is_refused_listing_the_accepted_forms(board, session_factory, clause):
    assert_refused(
        board, session_factory, f"add AF to circulate the report {clause}", says=ACCEPTED_FORMS, usage=ADD_USAGE
    )


def test_add_date_error_escapes_what_was_typed(board, session_factory):
    reply = assert_refused(
        board, session_factory, "add AF to circulate by next <!channel>", says="Dates I understand", usage=ADD_USAGE
    )

    assert "<!channel>" not in reply.text


def test_add_from_a_dm_without_in_code_is_refused(board, session_factory):
    assert_refused(
        board,
        session_factory,
        "add AF to circulate the report",
        channel="DALICE",
        says=["not bound to a board", "in CODE"],
        usage=ADD_USAGE,
    )


def test_add_in_an_unknown_board_is_refused(board, session_factory):
    assert_refused(
        board,
        session_factory,
        "add in NOPE AF to circulate the report",
        channel="DALICE",
        says="There is no board with code `NOPE`",
        usage=ADD_USAGE,
    )


def test_add_in_a_board_of_another_workspace_is_refused(board, session_factory):
    assert_refused(
        board,
        session_factory,
        "add in SSCB AF to circulate the report",
        channel="DOTHER",
        team="T2",
        says="There is no board with code `SSCB` in this workspace",
        usage=ADD_USAGE,
    )


def test_add_from_another_workspace_ignores_a_channel_bound_in_this_one(board, session_factory):
    before = snapshot(session_factory)

    [reply] = replies(board.command("/action", "add AF to circulate", team="T2"))

    assert "not bound to a board" in reply.text
    assert snapshot(session_factory) == before


def test_owners_joined_by_an_ampersand_as_slack_encodes_it(board):
    # Slack sends a typed "&" in command text as "&amp;".
    [post] = posts(board.command("/action", "add AF &amp; EA to review the thresholds"))
    assert "AF (<@UALICE>), EA (<@UBOB>)" in post.text


def test_misspelt_due_date_is_refused_not_kept_as_text(board):
    calls = board.command("/action", "add AF to circulate the report by Fridya")
    assert posts(calls) == []
    assert "Fridya" in replies(calls)[0].text and "Dates I understand" in replies(calls)[0].text
