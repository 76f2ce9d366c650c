"""`/meeting member add|remove` and `/meeting members`: who is on a board, and who may change that."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.text import escape
from storage.models import Board, Member
from tests.board_support import board_events, stored_members, table_rows
from tests.driver import posts, replies

# Placeholders are escaped in what Slack receives, so `<INITIALS>` is shown and not read as a link.
ADD_USAGE = "Usage: " + escape("/meeting member add @user <INITIALS> [role]")
REMOVE_USAGE = "Usage: " + escape("/meeting member remove <INITIALS>")


def current(members):
    """(initials, slack user, name, role) of the members not removed."""
    return [(m.initials, m.slack_user_id, m.name, m.role) for m in members if m.removed_at is None]


def assert_refused(calls, *phrases: str, usage: str) -> None:
    """One private answer with the reason and usage, nothing posted in the channel."""
    assert posts(calls) == []
    [reply] = replies(calls)
    assert reply.args["response_type"] == "ephemeral"
    for phrase in phrases:
        assert phrase in reply.text
    assert usage in reply.text


# -- adding ------------------------------------------------------------------------------


def test_member_add_by_mention_posts_in_the_board_channel(board):
    calls = board.command("/meeting", "member add <@UDAVE|dave> DM Designated Safeguarding Lead", user="UCAROL")

    [post] = posts(calls)
    assert post.args["channel"] == "CBOARD"
    assert "<@UDAVE> joins SSCB as `DM` — Designated Safeguarding Lead" in post.text
    assert "Added by <@UCAROL>" in post.text
    assert replies(calls) == []


def test_member_add_by_mention_stores_the_member_and_an_audit_row(board, session_factory, clock):
    board.command("/meeting", "member add <@UDAVE> DM Designated Safeguarding Lead", user="UCAROL")

    member = stored_members(session_factory)[-1]
    assert (member.initials, member.slack_user_id, member.name, member.role) == (
        "DM",
        "UDAVE",
        None,
        "Designated Safeguarding Lead",
    )
    assert (member.added_by, member.added_at, member.removed_at) == ("UCAROL", clock.now, None)
    event = board_events(session_factory, "member_added")[-1]
    assert (event.actor_user_id, event.at) == ("UCAROL", clock.now)
    assert event.data == {"member_id": member.id, "initials": "DM", "slack_user_id": "UDAVE"}


def test_member_add_without_a_role_stores_no_role(board, session_factory):
    board.command("/meeting", "member add <@UDAVE> DM", user="UCAROL")

    assert current(stored_members(session_factory))[-1] == ("DM", "UDAVE", None, None)


@pytest.mark.parametrize("quoted", ['"Sam Patel"', "“Sam Patel”"])
def test_member_add_by_full_name_stores_a_member_without_slack(board, session_factory, quoted):
    calls = board.command("/meeting", f"member add {quoted} SP Health lead, ICB", user="UCAROL")

    assert ("SP", None, "Sam Patel", "Health lead, ICB") in current(stored_members(session_factory))
    [post] = posts(calls)
    assert "Sam Patel joins SSCB as `SP` — Health lead, ICB" in post.text


def test_member_add_escapes_markup_typed_in_name_and_role(board):
    calls = board.command("/meeting", 'member add "<!here> Smith" XS Lead <!channel>', user="UCAROL")

    [post] = posts(calls)
    assert "<!here>" not in post.text
    assert "<!channel>" not in post.text
    assert "&lt;!here&gt; Smith joins SSCB as `XS` — Lead &lt;!channel&gt;" in post.text


def test_member_add_refuses_initials_already_taken(board, session_factory):
    before = table_rows(session_factory)

    calls = board.command("/meeting", "member add <@UDAVE> AF", user="UCAROL")

    assert_refused(calls, "`AF` already stands for <@UALICE> on SSCB", usage=ADD_USAGE)
    assert table_rows(session_factory) == before


def test_member_add_refuses_initials_taken_by_a_member_without_slack(board, session_factory):
    before = table_rows(session_factory)

    calls = board.command("/meeting", 'member add "Jane Brown" JB', user="UCAROL")

    assert_refused(calls, "`JB` already stands for Jo Bloggs on SSCB", usage=ADD_USAGE)
    assert table_rows(session_factory) == before


def test_member_add_refuses_a_user_who_is_already_a_member(board, session_factory):
    before = table_rows(session_factory)

    calls = board.command("/meeting", "member add <@UALICE> AL", user="UCAROL")

    assert_refused(calls, "<@UALICE> is already a member of SSCB as `AF`", usage=ADD_USAGE)
    assert table_rows(session_factory) == before


@pytest.mark.parametrize("initials", ["A", "af", "1A", "ABCDEFG", "A-F", "A.F."])
def test_member_add_rejects_bad_initials(board, session_factory, initials):
    before = table_rows(session_factory)

    calls = board.command("/meeting", f"member add <@UDAVE> {initials}", user="UCAROL")

    assert_refused(calls, "can't be initials", "2 to 6 capital letters", usage=ADD_USAGE)
    assert table_rows(session_factory) == before


@pytest.mark.parametrize("text", ["member add", "member add <@UDAVE>", "member add Dave DM", "member add DM <@UDAVE>"])
def test_member_add_without_a_mention_or_quoted_name_then_initials_is_rejected(board, session_factory, text):
    before = table_rows(session_factory)

    calls = board.command("/meeting", text, user="UCAROL")

    assert_refused(calls, "@mention", usage=ADD_USAGE)
    assert table_rows(session_factory) == before


def test_member_add_with_a_blank_quoted_name_is_rejected(board, session_factory):
    before = table_rows(session_factory)

    calls = board.command("/meeting", 'member add "  " SP', user="UCAROL")

    assert_refused(calls, "full name between the quotes", usage=ADD_USAGE)
    assert table_rows(session_factory) == before


def test_member_add_rejects_a_role_over_200_characters(board, session_factory):
    before = table_rows(session_factory)

    calls = board.command("/meeting", f"member add <@UDAVE> DM {'r' * 201}", user="UCAROL")

    assert_refused(calls, "role", "200 characters", usage=ADD_USAGE)
    assert table_rows(session_factory) == before


def test_member_add_in_a_channel_without_a_board_is_rejected(board, session_factory):
    before = table_rows(session_factory)

    calls = board.command("/meeting", "member add <@UDAVE> DM", user="UCAROL", channel="CELSEWHERE")

    assert_refused(calls, "not bound to a board", usage=ADD_USAGE)
    assert table_rows(session_factory) == before


# -- who may change the members -----------------------------------------------------------


@pytest.fixture
def eve_board(slack):
    """Board HWB in CHWB, set up by UEVE, chaired by UCAROL, with member AF (UALICE)."""
    slack.command("/meeting", "setup Health and Wellbeing Board code HWB chair <@UCAROL>", user="UEVE", channel="CHWB")
    slack.command("/meeting", "member add <@UALICE> AF", user="UEVE", channel="CHWB")
    slack.fake.clear()
    return slack


@pytest.mark.parametrize("user", ["UCAROL", "UEVE", "UADMIN"])
def test_chair_creator_and_workspace_admin_may_add_members(eve_board, session_factory, user):
    calls = eve_board.command("/meeting", "member add <@UDAVE> DM", user=user, channel="CHWB")

    assert len(posts(calls)) == 1
    assert ("DM", "UDAVE", None, None) in current(stored_members(session_factory, "HWB"))


@pytest.mark.parametrize("user", ["UCAROL", "UEVE", "UADMIN"])
def test_chair_creator_and_workspace_admin_may_remove_members(eve_board, session_factory, user):
    calls = eve_board.command("/meeting", "member remove AF", user=user, channel="CHWB")

    assert len(posts(calls)) == 1
    assert current(stored_members(session_factory, "HWB")) == []


@pytest.mark.parametrize("user", ["UBOB", "UALICE"])
def test_others_may_not_add_members_and_nothing_changes(eve_board, session_factory, user):
    before = table_rows(session_factory)

    calls = eve_board.command("/meeting", "member add <@UDAVE> DM", user=user, channel="CHWB")

    assert_refused(
        calls, "Only the chair (<@UCAROL>), the person who set up HWB, or a workspace admin", usage=ADD_USAGE
    )
    assert table_rows(session_factory) == before


@pytest.mark.parametrize("user", ["UBOB", "UALICE"])
def test_others_may_not_remove_members_and_nothing_changes(eve_board, session_factory, user):
    before = table_rows(session_factory)

    calls = eve_board.command("/meeting", "member remove AF", user=user, channel="CHWB")

    assert_refused(calls, "Only the chair (<@UCAROL>)", usage=REMOVE_USAGE)
    assert table_rows(session_factory) == before


# -- removing ------------------------------------------------------------------------------


def test_member_remove_posts_in_the_board_channel(board):
    calls = board.command("/meeting", "member remove EA", user="UCAROL")

    [post] = posts(calls)
    assert post.args["channel"] == "CBOARD"
    assert "<@UBOB> (`EA`) is no longer a member of SSCB" in post.text
    assert "Removed by <@UCAROL>" in post.text


def test_member_remove_keeps_the_row_marked_removed(board, session_factory, clock):
    clock.now += timedelta(days=2)

    board.command("/meeting", "member remove EA", user="UCAROL")

    [ea] = [m for m in stored_members(session_factory) if m.initials == "EA"]
    assert (ea.slack_user_id, ea.removed_at, ea.removed_by) == ("UBOB", clock.now, "UCAROL")
    assert [m.initials for m in stored_members(session_factory) if m.removed_at is None] == ["AF", "JB"]


def test_member_remove_writes_an_audit_row(board, session_factory, clock):
    board.command("/meeting", "member remove JB", user="UCAROL")

    [jb] = [m for m in stored_members(session_factory) if m.initials == "JB"]
    [event] = board_events(session_factory, "member_removed")
    assert (event.actor_user_id, event.at) == ("UCAROL", clock.now)
    assert event.data == {"member_id": jb.id, "initials": "JB"}


def test_member_remove_is_refused_while_they_own_open_actions_and_lists_them(board, session_factory):
    board.command("/action", "add AF to circulate the report by 15/12/2026")
    board.command("/action", "add EA to review thresholds")
    board.command("/action", "add AF & EA to agree the audit plan")
    before = table_rows(session_factory)

    calls = board.command("/meeting", "member remove AF", user="UCAROL")

    assert_refused(calls, "AF still owns open actions (SSCB-1, SSCB-3)", "/action assign", usage=REMOVE_USAGE)
    assert table_rows(session_factory) == before


def test_member_remove_is_allowed_once_their_actions_are_closed(board, session_factory):
    board.command("/action", "add AF to circulate the report")
    board.command("/action", "done SSCB-1 circulated")

    calls = board.command("/meeting", "member remove AF", user="UCAROL")

    assert len(posts(calls)) == 1
    assert "AF" not in [m.initials for m in stored_members(session_factory) if m.removed_at is None]


def test_member_remove_of_unknown_initials_is_rejected(board, session_factory):
    before = table_rows(session_factory)

    calls = board.command("/meeting", "member remove ZZ", user="UCAROL")

    assert_refused(calls, "No current member of SSCB has the initials `ZZ`", usage=REMOVE_USAGE)
    assert table_rows(session_factory) == before


@pytest.mark.parametrize("text", ["member remove", "member remove AF EA"])
def test_member_remove_needs_exactly_one_set_of_initials(board, session_factory, text):
    before = table_rows(session_factory)

    calls = board.command("/meeting", text, user="UCAROL")

    assert_refused(calls, "Give the initials of the member to remove", usage=REMOVE_USAGE)
    assert table_rows(session_factory) == before


def test_removed_initials_can_be_given_to_someone_new(board, session_factory):
    board.command("/meeting", "member remove EA", user="UCAROL")

    calls = board.command("/meeting", 'member add "Emma Adams" EA Head of Education', user="UCAROL")

    assert len(posts(calls)) == 1
    eas = [m for m in stored_members(session_factory) if m.initials == "EA"]
    assert [(m.slack_user_id, m.name, m.removed_at is None) for m in eas] == [
        ("UBOB", None, False),
        (None, "Emma Adams", True),
    ]


def test_a_removed_user_can_be_added_again(board, session_factory):
    board.command("/meeting", "member remove EA", user="UCAROL")

    calls = board.command("/meeting", "member add <@UBOB> EB", user="UCAROL")

    assert len(posts(calls)) == 1
    assert ("EB", "UBOB", None, None) in current(stored_members(session_factory))


# -- listing -------------------------------------------------------------------------------


def test_members_lists_current_members_privately(board):
    board.command("/meeting", "member remove EA", user="UCAROL")

    calls = board.command("/meeting", "members", user="UDAVE")

    assert posts(calls) == []
    [reply] = replies(calls)
    assert reply.args["response_type"] == "ephemeral"
    assert "Safeguarding Children Board (SSCB) · 2 members" in reply.text
    assert "Chair: <@UCAROL>" in reply.text
    assert "`AF` <@UALICE> — Board Development Manager" in reply.text
    assert "`JB` Jo Bloggs _(no Slack account)_ — Police lead" in reply.text
    assert "EA" not in reply.text


def test_members_in_code_works_from_a_direct_message(board):
    calls = board.command("/meeting", "members in sscb", user="UDAVE", channel="DUDAVE")

    [reply] = replies(calls)
    assert "Safeguarding Children Board (SSCB) · 3 members" in reply.text
    assert "`EA` <@UBOB>" in reply.text


def test_members_of_a_board_without_members_says_how_to_add_them(slack):
    slack.command("/meeting", "setup Empty Board code EMP chair <@UCAROL>", user="UCAROL", channel="CEMPTY")

    [reply] = replies(slack.command("/meeting", "members", channel="CEMPTY"))

    assert "0 members" in reply.text
    assert "No members yet" in reply.text


def test_members_in_an_unknown_code_is_rejected(board):
    calls = board.command("/meeting", "members in NOPE", user="UDAVE", channel="DUDAVE")

    assert_refused(calls, "There is no board with code `NOPE` in this workspace", usage="Usage: /meeting members")


def test_members_of_another_workspace_board_is_not_shown(board):
    calls = board.command("/meeting", "members in SSCB", user="UDAVE", channel="DUDAVE", team="T2")

    assert_refused(calls, "There is no board with code `SSCB`", usage="Usage: /meeting members")


def test_members_in_a_dm_without_a_code_explains_how_to_name_the_board(board):
    calls = board.command("/meeting", "members", user="UDAVE", channel="DUDAVE")

    assert_refused(calls, "not bound to a board", "`in CODE`", usage="Usage: /meeting members")


def test_members_with_unexpected_words_is_rejected(board):
    calls = board.command("/meeting", "members of SSCB", user="UDAVE")

    assert_refused(calls, "`of SSCB` is not understood", usage="Usage: /meeting members")


def test_a_long_member_list_stays_within_slack_limits_and_counts_the_rest(board, session_factory, clock):
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    with session_factory.begin() as session:
        sscb = session.scalars(select(Board).where(Board.code == "SSCB")).one()
        for n in range(700):
            initials = "M" + letters[n // 676] + letters[n // 26 % 26] + letters[n % 26]
            role = f"Role {n} " + "r" * 190
            session.add(
                Member(
                    board=sscb, initials=initials, name=f"Member {n}", role=role, added_by="UCAROL", added_at=clock.now
                )
            )

    [reply] = replies(board.command("/meeting", "members"))

    # The fake Slack fails the test if the list breaks Slack's limits; whoever is not shown is counted.
    assert "703 members" in reply.text
    shown = sum(1 for line in reply.text.splitlines() if line.startswith("`"))
    assert 0 < shown < 703
    assert f"and {703 - shown} more members" in reply.text


def test_member_add_losing_a_race_for_the_initials_gets_a_clear_answer(board, session_factory, monkeypatch):
    before = table_rows(session_factory)
    # As if someone else added AF between our check and our insert.
    monkeypatch.setattr("storage.boards.current_member_by_initials", lambda *args: None)

    calls = board.command("/meeting", "member add <@UDAVE> AF", user="UCAROL")

    assert_refused(calls, "`AF` was just taken on SSCB", "Nothing was changed", usage=ADD_USAGE)
    assert table_rows(session_factory) == before
