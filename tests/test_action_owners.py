"""Owners written as minutes write them: names, roles, `All`; refusals for people who are not members;
what the channel and the summary say back; no chaser for an action of all members."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.action_support import (
    action_count,
    add,
    assert_refused,
    events,
    load_action,
    only_post,
    owner_initials,
    snapshot,
)
from tests.board_support import stored_members
from tests.driver import posts, replies

ADD_USAGE = "/action add <owners> to <what> [by <date>] [in CODE]"


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _dms(fake, user: str):
    return [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == user]


# --- names and roles --------------------------------------------------------------------------------


def test_member_added_by_mention_is_stored_with_their_slack_name(slack, fake_slack, session_factory):
    fake_slack.add_user("UALICE", name="Ann Flynn")
    slack.command("/meeting", "setup Safeguarding Children Board code SSCB chair <@UCAROL>", user="UCAROL")

    slack.command("/meeting", "member add <@UALICE> AF Board Development Manager", user="UCAROL")

    [member] = stored_members(session_factory)
    assert (member.initials, member.name, member.role) == ("AF", "Ann Flynn", "Board Development Manager")


def test_owner_written_by_the_slack_name_stored_at_member_add(slack, fake_slack, session_factory):
    fake_slack.add_user("UBOB", name="Elaine Allegretti")
    slack.command("/meeting", "setup Safeguarding Children Board code SSCB chair <@UCAROL>", user="UCAROL")
    slack.command("/meeting", "member add <@UBOB> EA Head of Strategy", user="UCAROL")

    post = add(slack, "Elaine Allegretti to circulate the horizon scan", user="UBOB")

    assert owner_initials(session_factory, "SSCB", 1) == ["EA"]
    assert "EA (<@UBOB>)" in post.text


def test_full_name_of_a_member_without_slack_is_said_back_with_the_name(board, session_factory):
    post = add(board, "Jo Bloggs to check the DBS returns")

    assert owner_initials(session_factory, "SSCB", 1) == ["JB"]
    assert "Owners: JB (Jo Bloggs)" in post.text


def test_full_name_and_initials_together_give_both_owners(board, session_factory):
    add(board, "Jo Bloggs and EA to update the CAF training figures")

    assert owner_initials(session_factory, "SSCB", 1) == ["EA", "JB"]
    assert load_action(session_factory, "SSCB", 1).text == "Update the CAF training figures"


def test_a_role_names_the_member_who_holds_it(board, session_factory):
    add(board, "the Board Development Manager will book the venue")

    assert owner_initials(session_factory, "SSCB", 1) == ["AF"]


def test_name_with_an_accent_and_a_slip_still_finds_the_member(board, session_factory):
    board.command("/meeting", 'member add "Siân O\'Connor" SO Lay Member', user="UCAROL")

    add(board, "Sian O'Conor to brief the lay members")

    assert owner_initials(session_factory, "SSCB", 1) == ["SO"]


def test_a_name_two_members_share_is_a_question_listing_both(board, session_factory):
    board.command("/meeting", 'member add "Jo Kelly" JK', user="UCAROL")

    reply = assert_refused(
        board,
        session_factory,
        "add Jo to draft the newsletter",
        says="could be JB (Jo Bloggs) or JK (Jo Kelly)",
        usage=ADD_USAGE,
    )

    assert "Nothing was stored" in reply.text


def test_a_person_who_is_not_a_member_is_refused_with_how_to_add_them(board, session_factory):
    reply = assert_refused(
        board,
        session_factory,
        "add Dawn Maxwell and JB to update the CAF training figures",
        says=["`Dawn Maxwell` is not a member of SSCB", '/meeting member add "Dawn Maxwell" DM'],
        usage=ADD_USAGE,
        user="UBOB",
    )

    assert "EA" not in reply.text.split("Members of SSCB")[0]


def test_the_chair_who_is_not_a_member_is_refused_saying_so(board, session_factory):
    assert_refused(
        board,
        session_factory,
        "add Chair to write to the Trust",
        says=["means the chair of SSCB (<@UCAROL>)", "/meeting member add <@UCAROL> INITIALS Chair"],
        usage=ADD_USAGE,
    )


def test_the_chair_once_a_member_owns_chair_actions(board, session_factory):
    board.command("/meeting", "member add <@UCAROL> CG", user="UCAROL")

    add(board, "Chair to write to the Trust")

    assert owner_initials(session_factory, "SSCB", 1) == ["CG"]


def test_a_text_that_names_no_one_is_still_the_callers_action(board, session_factory):
    add(board, "Circulate the minutes with the next agenda", user="UBOB")

    assert owner_initials(session_factory, "SSCB", 1) == ["EA"]


def test_a_text_that_names_people_only_as_askers_is_a_question_not_the_callers_action(board, session_factory):
    assert_refused(
        board,
        session_factory,
        "add AF asked that the performance scorecard be reissued",
        says="Who owns this action? It names AF",
        usage=ADD_USAGE,
        user="UBOB",
    )


# --- All ------------------------------------------------------------------------------------------


def test_all_is_stored_as_every_member_and_said_back_once(board, session_factory):
    post = add(board, "All to read the JTAI letter")

    action = load_action(session_factory, "SSCB", 1)
    assert (action.all_members, action.owners) == (True, [])
    assert "Owners: All members" in post.text
    [event] = events(session_factory, "SSCB", 1)
    assert event.data["owners"] == ["All members"]


def test_summary_shows_an_all_members_action_once(board, tick):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    add(board, "All members to complete the s11 audit by 14/12/2026")
    board.fake.clear()

    tick(_utc(2026, 12, 11, 9, 0))

    [summary] = [c for c in board.fake.calls_to("chat.postMessage") if c.args["channel"] == "CBOARD"]
    assert summary.text.count("All members") == 1
    assert "SSCB-1* · All members ·" in summary.text


def test_no_chaser_or_overdue_reminder_for_an_all_members_action(board, tick):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    add(board, "All to complete the s11 audit by 14/12/2026")

    tick(_utc(2026, 12, 9, 9, 0))  # chaser time
    tick(_utc(2026, 12, 21, 9, 0))  # Monday after: overdue reminders

    for user in ("UALICE", "UBOB", "UCAROL"):
        assert [c for c in _dms(board.fake, user) if "SSCB-1" in c.text] == []


def test_any_member_may_update_an_all_members_action(board, session_factory):
    add(board, "All to read the JTAI letter", user="UALICE")

    only_post(board.command("/action", "update SSCB-1 read and noted", user="UBOB"))


# --- assign ---------------------------------------------------------------------------------------


def test_assign_takes_names_and_roles(board, session_factory):
    add(board, "AF to circulate the report")

    only_post(board.command("/action", "assign 1 Jo Bloggs & the Head of Strategy"))

    assert owner_initials(session_factory, "SSCB", 1) == ["EA", "JB"]


def test_assign_to_all_members(board, session_factory):
    add(board, "AF to circulate the report")

    post = only_post(board.command("/action", "assign 1 All"))

    action = load_action(session_factory, "SSCB", 1)
    assert (action.all_members, action.owners) == (True, [])
    assert "Owners: All members" in post.text


def test_assign_to_someone_not_on_the_board_changes_nothing(board, session_factory):
    add(board, "AF to circulate the report")
    before = snapshot(session_factory)

    [reply] = replies(board.command("/action", "assign 1 Dawn Maxwell"))

    assert "`Dawn Maxwell` is not a member of SSCB" in reply.text
    assert snapshot(session_factory) == before


def test_a_refused_owner_stores_nothing_and_posts_nothing(board, session_factory):
    calls = board.command("/action", "add Pat Hughes to contact the LADO")

    assert posts(calls) == []
    assert action_count(session_factory) == 0
