"""Changing an action: update, rag, done, drop, reopen, assign, due."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from storage.models import Action, ActionEvent, Board
from tests.action_support import (
    ESCAPED_EVIL,
    EVIL,
    add,
    assert_no_live_mentions,
    assert_refused,
    events,
    is_read_back,
    load_action,
    only_post,
    owner_initials,
    setup_board,
)
from tests.driver import posts, replies

USAGE = {
    "update": "/action update <ref> <progress> [rag red|amber|green] [evidence <text or link>]",
    "rag": "/action rag <ref> red|amber|green [reason]",
    "done": "/action done <ref> [note]",
    "drop": "/action drop <ref> <reason>",
    "reopen": "/action reopen <ref> [new owners]",
    "assign": "/action assign <ref> <owners>",
    "due": "/action due <ref> <date> [reason]",
}
TOO_LONG = "x" * 2001


@pytest.fixture
def logged(board):
    """SSCB-1, owned by AF, due 1 December 2026, logged by UALICE."""
    add(board, "AF to circulate the report by 1/12/2026")
    board.fake.clear()
    return board


def change(slack, text, *, user="UALICE", channel="CBOARD"):
    """Run a change that must succeed; return its confirmation in the board's channel."""
    calls = slack.command("/action", text, user=user, channel=channel)
    return only_post([c for c in calls if not is_read_back(c)], channel=channel)


def last_event(session_factory, number=1):
    """The newest audit row of SSCB-number."""
    return events(session_factory, "SSCB", number)[-1]


# --- update --------------------------------------------------------------------------------------


def test_update_posts_the_progress_in_the_board_channel(logged):
    post = change(logged, "update 1 draft circulated to partners")

    assert "Update on *SSCB-1*: Circulate the report" in post.text
    assert "draft circulated to partners" in post.text
    assert "by <@UALICE>" in post.text


def test_update_records_an_audit_row_and_the_time_of_progress(logged, session_factory, clock):
    clock.now += timedelta(days=2)

    change(logged, "update 1 draft circulated evidence https://example.org/draft")

    event = last_event(session_factory)
    assert (event.kind, event.actor_user_id, event.at) == ("update", "UALICE", clock.now)
    assert event.note == "draft circulated"
    assert event.data["evidence"] == "https://example.org/draft"
    assert load_action(session_factory, "SSCB", 1).last_progress_at == clock.now


def test_update_shows_the_evidence(logged):
    post = change(logged, "update 1 audit done evidence minutes of 20 Nov")

    assert "_Evidence:_ minutes of 20 Nov" in post.text


def test_update_with_rag_sets_the_rating_and_records_both_changes(logged, session_factory):
    post = change(logged, "update 1 data is late rag amber")

    action = load_action(session_factory, "SSCB", 1)
    assert (action.rag, action.previous_rag, action.rag_reason) == ("amber", None, "data is late")
    assert [e.kind for e in events(session_factory, "SSCB", 1)] == ["created", "update", "rag"]
    assert "Amber" in post.text


def test_update_by_full_ref_from_a_dm_posts_in_the_board_channel(logged, session_factory):
    only_post(logged.command("/action", "update SSCB-1 draft circulated", channel="DALICE"))

    assert last_event(session_factory).note == "draft circulated"


@pytest.mark.parametrize("text", ["update 1", "update 1   ", "update 1 rag amber"])
def test_update_without_progress_text_is_refused(logged, session_factory, text):
    assert_refused(logged, session_factory, text, says="Say what progress has been made", usage=USAGE["update"])


def test_update_over_2000_characters_is_refused(logged, session_factory):
    assert_refused(logged, session_factory, f"update 1 {TOO_LONG}", says="2,001 characters long", usage=USAGE["update"])


def test_update_with_evidence_over_2000_characters_is_refused(logged, session_factory):
    assert_refused(
        logged,
        session_factory,
        f"update 1 done evidence {TOO_LONG}",
        says="The evidence is 2,001 characters long",
        usage=USAGE["update"],
    )


def test_update_of_a_closed_action_is_refused(logged, session_factory):
    change(logged, "done 1")

    assert_refused(
        logged,
        session_factory,
        "update 1 more work",
        says=["SSCB-1 is done", "/action reopen SSCB-1"],
        usage=USAGE["update"],
    )


# --- refs: shared by every change, checked through `update` ---------------------------------------


def test_a_change_without_a_ref_is_refused(logged, session_factory):
    assert_refused(logged, session_factory, "update", says="Which action?", usage=USAGE["update"])


@pytest.mark.parametrize("ref", ["SSCB", "SSCB-x", "x-1-2", "#"])
def test_a_change_with_a_malformed_ref_is_refused(logged, session_factory, ref):
    assert_refused(
        logged, session_factory, f"update {ref} progress", says="is not an action reference", usage=USAGE["update"]
    )


@pytest.mark.parametrize("ref", ["2", "SSCB-2", "sscb-99"])
def test_a_change_to_an_unknown_ref_is_refused(logged, session_factory, ref):
    assert_refused(logged, session_factory, f"update {ref} progress", says="There is no action", usage=USAGE["update"])


def test_a_change_to_an_unknown_board_is_refused(logged, session_factory):
    assert_refused(
        logged, session_factory, "update NOPE-1 progress", says="There is no board `NOPE`", usage=USAGE["update"]
    )


def test_a_bare_number_outside_the_board_channel_is_refused(logged, session_factory):
    assert_refused(
        logged,
        session_factory,
        "update 1 progress",
        channel="DALICE",
        says=["`1` on its own only works in a board's channel", "SSCB-1"],
        usage=USAGE["update"],
    )


def test_a_ref_of_another_workspace_is_refused(logged, session_factory):
    assert_refused(
        logged,
        session_factory,
        "update SSCB-1 progress",
        user="UEVE",
        channel="DOTHER",
        team="T2",
        says="There is no board `SSCB` in this workspace",
        usage=USAGE["update"],
    )


def test_a_ref_resolves_within_the_callers_workspace_only(logged, session_factory):
    setup_board(logged, code="SSCB", channel="CT2", chair="UEVE", team="T2")
    only_post(logged.command("/action", "add AF to check T2 returns", user="UEVE", channel="CT2", team="T2"), "CT2")

    calls = logged.command("/action", "update SSCB-1 progress", user="UEVE", channel="CT2", team="T2")

    only_post(calls, "CT2")
    with session_factory() as session:
        rows = session.execute(
            select(Board.team_id, ActionEvent.kind)
            .select_from(ActionEvent)
            .join(Action, ActionEvent.action_id == Action.id)
            .join(Board, Action.board_id == Board.id)
        ).all()
    assert sorted(rows) == [("T1", "created"), ("T2", "created"), ("T2", "update")]


# --- rag -------------------------------------------------------------------------------------------


def test_rag_shows_the_rating_with_the_previous_one(logged):
    change(logged, "rag 1 green")

    post = change(logged, "rag 1 amber data is late")

    assert "Amber (was Green)" in post.text
    assert "data is late" in post.text


def test_rag_stores_previous_and_current_with_an_audit_row(logged, session_factory, clock):
    change(logged, "rag 1 green")
    clock.now += timedelta(hours=1)

    change(logged, "rag 1 red partners withdrew")

    action = load_action(session_factory, "SSCB", 1)
    assert (action.rag, action.previous_rag, action.rag_reason) == ("red", "green", "partners withdrew")
    assert action.rag_changed_at == clock.now
    event = last_event(session_factory)
    assert (event.kind, event.note, event.data) == ("rag", "partners withdrew", {"rag_from": "green", "rag_to": "red"})


@pytest.mark.parametrize(("word", "stored"), [("RED", "red"), ("a", "amber"), ("g", "green")])
def test_rag_accepts_words_and_letters_in_any_case(logged, session_factory, word, stored):
    change(logged, f"rag 1 {word}")

    assert load_action(session_factory, "SSCB", 1).rag == stored


@pytest.mark.parametrize("text", ["rag 1 purple", "rag 1", "rag 1 amberish"])
def test_rag_that_is_not_red_amber_or_green_is_refused(logged, session_factory, text):
    assert_refused(logged, session_factory, text, says="is not a RAG rating", usage=USAGE["rag"])


def test_rag_that_is_already_current_is_refused(logged, session_factory):
    change(logged, "rag 1 green")

    assert_refused(logged, session_factory, "rag 1 green", says="SSCB-1 is already Green", usage=USAGE["rag"])


def test_rag_reason_over_2000_characters_is_refused(logged, session_factory):
    assert_refused(logged, session_factory, f"rag 1 red {TOO_LONG}", says="2,001 characters", usage=USAGE["rag"])


# --- done, drop, reopen ---------------------------------------------------------------------------


def test_done_closes_the_action_and_says_so_in_the_channel(logged, session_factory, clock):
    post = change(logged, "done 1 report went to the board", user="UCAROL")

    assert "Done:" in post.text and "SSCB-1" in post.text
    assert "report went to the board" in post.text
    action = load_action(session_factory, "SSCB", 1)
    assert (action.status, action.closed_at, action.closed_by) == ("done", clock.now, "UCAROL")
    assert action.close_note == "report went to the board"
    event = last_event(session_factory)
    assert (event.kind, event.actor_user_id, event.note) == ("done", "UCAROL", "report went to the board")


def test_done_twice_is_refused(logged, session_factory):
    change(logged, "done 1")

    assert_refused(logged, session_factory, "done 1", says="SSCB-1 is already done", usage=USAGE["done"])


def test_done_note_over_2000_characters_is_refused(logged, session_factory):
    assert_refused(logged, session_factory, f"done 1 {TOO_LONG}", says="2,001 characters", usage=USAGE["done"])


def test_drop_records_the_reason(logged, session_factory):
    post = change(logged, "drop 1 superseded by the new plan")

    assert "Dropped:" in post.text and "superseded by the new plan" in post.text
    action = load_action(session_factory, "SSCB", 1)
    assert (action.status, action.close_note) == ("dropped", "superseded by the new plan")
    assert last_event(session_factory).kind == "dropped"


def test_drop_without_a_reason_is_refused(logged, session_factory):
    assert_refused(logged, session_factory, "drop 1", says="Say why SSCB-1 is being dropped", usage=USAGE["drop"])


def test_drop_of_a_done_action_is_refused(logged, session_factory):
    change(logged, "done 1")

    assert_refused(logged, session_factory, "drop 1 no longer needed", says="SSCB-1 is done", usage=USAGE["drop"])


def test_reopen_makes_a_closed_action_open_again(logged, session_factory):
    change(logged, "drop 1 not needed")

    post = change(logged, "reopen 1")

    assert "Reopened *SSCB-1*" in post.text
    action = load_action(session_factory, "SSCB", 1)
    assert (action.status, action.closed_at, action.closed_by, action.close_note) == ("open", None, None, None)
    event = last_event(session_factory)
    assert (event.kind, event.data) == ("reopened", {"status_from": "dropped"})


def test_reopen_of_an_open_action_is_refused(logged, session_factory):
    assert_refused(logged, session_factory, "reopen 1", says="SSCB-1 is already open", usage=USAGE["reopen"])


def test_reopen_with_extra_words_is_refused(logged, session_factory):
    change(logged, "done 1")

    assert_refused(
        logged, session_factory, "reopen 1 please", says="`please` is not a list of owners", usage=USAGE["reopen"]
    )


# --- assign -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("owners", "expected"),
    [("EA", ["EA"]), ("AF & EA", ["AF", "EA"]), ("EA/JB", ["EA", "JB"]), ("<@UBOB|bob> and JB", ["EA", "JB"])],
)
def test_assign_replaces_the_owners(logged, session_factory, owners, expected):
    change(logged, f"assign 1 {owners}")

    assert owner_initials(session_factory, "SSCB", 1) == expected


def test_assign_posts_the_new_owners_and_records_who_had_it(logged, session_factory):
    post = change(logged, "assign 1 EA & JB")

    assert "Reassigned *SSCB-1*" in post.text
    assert "EA (<@UBOB>), JB" in post.text
    event = last_event(session_factory)
    assert (event.kind, event.data) == ("assigned", {"owners_from": ["AF"], "owners_to": ["EA", "JB"]})


def test_assign_without_owners_is_refused(logged, session_factory):
    assert_refused(logged, session_factory, "assign 1", says="Who should own it?", usage=USAGE["assign"])


def test_assign_to_unknown_initials_is_refused(logged, session_factory):
    assert_refused(
        logged, session_factory, "assign 1 EA & ZZ", says="`ZZ` is not the initials of a member", usage=USAGE["assign"]
    )


def test_assign_to_a_mentioned_non_member_is_refused(logged, session_factory):
    assert_refused(
        logged, session_factory, "assign 1 <@UDAVE>", says="<@UDAVE> is not a member of SSCB", usage=USAGE["assign"]
    )


def test_assign_to_words_that_are_not_owners_is_refused(logged, session_factory):
    assert_refused(
        logged, session_factory, "assign 1 bob from police", says="is not a list of owners", usage=USAGE["assign"]
    )


def test_assign_to_the_same_owners_is_refused(logged, session_factory):
    assert_refused(logged, session_factory, "assign 1 AF", says="already owned by AF", usage=USAGE["assign"])


# --- due -----------------------------------------------------------------------------------------


def test_due_keeps_the_original_date_and_counts_re_dates(logged, session_factory):
    change(logged, "due 1 15/12/2026 waiting for police data")

    post = change(logged, "due 1 20/01/2027 data still missing")

    assert "due 20 Jan 2027 (originally 1 Dec, re-dated 2×)" in post.text
    assert "data still missing" in post.text
    action = load_action(session_factory, "SSCB", 1)
    assert (action.due_date, action.original_due_date, action.due_change_count) == (
        date(2027, 1, 20),
        date(2026, 12, 1),
        2,
    )


def test_due_shows_slippage_in_the_boards_words(logged, clock):
    """The example of issue 2, seen from January: `due 20 Jan (originally 1 Dec, re-dated 2×)`."""
    change(logged, "due 1 15/12/2026")
    change(logged, "due 1 20/01/2027")
    clock.now = datetime(2027, 1, 4, 10, 0, tzinfo=clock.now.tzinfo)

    [reply] = replies(logged.command("/action", "show 1"))

    assert "due 20 Jan (originally 1 Dec 2026, re-dated 2×)" in reply.text


def test_due_writes_an_audit_row_with_both_dates_and_the_reason(logged, session_factory):
    change(logged, "due 1 15/12/2026 waiting for police data")

    event = last_event(session_factory)
    assert event.kind == "redated"
    assert event.note == "waiting for police data"
    assert event.data == {
        "due_from": {"kind": "date", "date": "2026-12-01"},
        "due_to": {"kind": "date", "date": "2026-12-15"},
    }


def test_due_on_an_undated_action_sets_a_date_without_counting_slippage(board, session_factory):
    add(board, "AF to circulate the report")

    post = change(board, "due 1 15/12/2026")

    assert "originally" not in post.text
    action = load_action(session_factory, "SSCB", 1)
    assert (action.due_date, action.original_due_date, action.due_change_count) == (date(2026, 12, 15), None, 0)


@pytest.mark.parametrize(
    ("text", "kind", "due"),
    [("next meeting", "next_meeting", None), ("TBC", "tbc", None), ("end of January", "date", date(2027, 1, 31))],
)
def test_due_accepts_the_due_date_forms(logged, session_factory, text, kind, due):
    change(logged, f"due 1 {text}")

    action = load_action(session_factory, "SSCB", 1)
    assert (action.due_kind, action.due_date) == (kind, due)


def test_due_without_a_date_is_refused(logged, session_factory):
    assert_refused(logged, session_factory, "due 1", says="Give the new date", usage=USAGE["due"])


@pytest.mark.parametrize("text", ["whenever possible", "31/02/2027", "13/13"])
def test_due_with_an_unparseable_date_is_refused_listing_the_accepted_forms(logged, session_factory, text):
    assert_refused(
        logged,
        session_factory,
        f"due 1 {text}",
        says=["Dates I understand", "15/12/2026", "next meeting", "TBC"],
        usage=USAGE["due"],
    )


def test_due_to_the_same_date_is_refused(logged, session_factory):
    assert_refused(logged, session_factory, "due 1 1/12/2026", says="already due then", usage=USAGE["due"])


def test_due_reason_over_2000_characters_is_refused(logged, session_factory):
    assert_refused(logged, session_factory, f"due 1 15/12 {TOO_LONG}", says="2,001 characters", usage=USAGE["due"])


# --- changes to closed actions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sub"), [("rag 1 red", "rag"), ("assign 1 EA", "assign"), ("due 1 15/12/2026", "due")]
)
def test_changes_to_a_closed_action_are_refused(logged, session_factory, text, sub):
    change(logged, "done 1")

    assert_refused(logged, session_factory, text, says=["SSCB-1 is done", "Reopen it first"], usage=USAGE[sub])


# --- escaping -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"update 1 told {EVIL}",
        f"update 1 told them evidence {EVIL}",
        f"update 1 told them rag red evidence {EVIL}",
        f"rag 1 red {EVIL}",
        f"done 1 {EVIL}",
        f"drop 1 {EVIL}",
        f"due 1 15/12/2026 {EVIL}",
    ],
)
def test_typed_mentions_are_escaped_in_every_message_about_a_change(logged, text):
    calls = logged.command("/action", text)

    [post] = posts(calls)
    assert ESCAPED_EVIL in post.text
    assert_no_live_mentions(calls)


@pytest.mark.parametrize("text", ["rag 1 <!channel>", "assign 1 <!channel>", "due 1 <!channel> <!here>"])
def test_typed_mentions_are_escaped_in_refusals(logged, session_factory, text):
    reply = assert_refused(logged, session_factory, text, says="", usage=None)

    assert "<!channel>" not in reply.text and "<!here>" not in reply.text


def test_a_change_when_the_bot_is_not_in_the_channel_tells_the_caller_and_is_still_stored(
    logged, session_factory, fake_slack
):
    fake_slack.not_in_channels.add("CBOARD")

    calls = logged.command("/action", f"update 1 draft circulated {EVIL}")

    assert not posts(calls)
    [reply] = replies(calls)
    assert "couldn't post this in <#CBOARD>" in reply.text and "/invite" in reply.text
    assert "draft circulated" in reply.text
    assert_no_live_mentions(calls)
    assert last_event(session_factory).note == f"draft circulated {EVIL}"
