"""Who may change an action: owners, its creator, the chair and workspace admins. Anyone may read."""

from __future__ import annotations

import pytest

from tests.action_support import add, assert_refused, events, load_action, only_post, only_reply, snapshot
from tests.driver import replies

# Each change, with the sub-command whose usage line a refusal shows. `reopen` needs a closed action.
CHANGES = [
    ("update 1 progress made", "update"),
    ("rag 1 red", "rag"),
    ("done 1", "done"),
    ("drop 1 not needed", "drop"),
    ("assign 1 JB", "assign"),
    ("due 1 20/12/2026", "due"),
    ("reopen 1", "reopen"),
]
USAGE = {
    "update": "/action update <ref> <progress> [rag red|amber|green] [evidence <text or link>]",
    "rag": "/action rag <ref> red|amber|green [reason]",
    "done": "/action done <ref> [note]",
    "drop": "/action drop <ref> <reason>",
    "reopen": "/action reopen <ref> [new owners]",
    "assign": "/action assign <ref> <owners>",
    "due": "/action due <ref> <date> [reason]",
}


def log_action(slack, *, by="UALICE", text="AF to circulate the report by 15/12/2026", closed=False):
    """SSCB-1, logged by `by`; closed (by the chair) when the change to try is `reopen`."""
    add(slack, text, user=by)
    if closed:
        only_post(slack.command("/action", "done 1", user="UCAROL"))
    slack.fake.clear()


def users_info_calls(fake_slack):
    """Whom the bot looked up in Slack (to learn whether they are a workspace admin)."""
    return [c.args.get("user") for c in fake_slack.calls_to("users.info")]


# --- who may ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "sub"), CHANGES)
def test_an_owner_who_did_not_log_it_may_change_it(board, session_factory, text, sub):
    log_action(board, by="UCAROL", closed=sub == "reopen")

    only_post(board.command("/action", text, user="UALICE"))

    assert events(session_factory, "SSCB", 1)[-1].actor_user_id == "UALICE"


@pytest.mark.parametrize(("text", "sub"), CHANGES)
def test_the_creator_who_does_not_own_it_may_change_it(board, session_factory, fake_slack, text, sub):
    log_action(board, by="UBOB", closed=sub == "reopen")

    only_post(board.command("/action", text, user="UBOB"))

    assert events(session_factory, "SSCB", 1)[-1].actor_user_id == "UBOB"
    assert users_info_calls(fake_slack) == []  # decided from the stored action, without asking Slack


@pytest.mark.parametrize(("text", "sub"), CHANGES)
def test_the_chair_may_change_any_action_of_the_board(board, session_factory, text, sub):
    log_action(board, closed=sub == "reopen")

    only_post(board.command("/action", text, user="UCAROL"))

    assert events(session_factory, "SSCB", 1)[-1].actor_user_id == "UCAROL"


@pytest.mark.parametrize(("text", "sub"), CHANGES)
def test_a_workspace_admin_may_change_any_action_as_slack_says(board, session_factory, fake_slack, text, sub):
    log_action(board, closed=sub == "reopen")

    only_post(board.command("/action", text, user="UADMIN"))

    assert events(session_factory, "SSCB", 1)[-1].actor_user_id == "UADMIN"
    assert users_info_calls(fake_slack) == ["UADMIN"]


def test_a_workspace_owner_may_change_any_action(board, session_factory, fake_slack):
    log_action(board)
    fake_slack.users["UDAVE"]["is_owner"] = True

    only_post(board.command("/action", "done 1", user="UDAVE"))

    assert load_action(session_factory, "SSCB", 1).status == "done"


def test_an_owner_named_with_other_owners_may_change_it(board, session_factory):
    log_action(board, by="UCAROL", text="AF & EA to review thresholds")

    only_post(board.command("/action", "rag 1 amber", user="UBOB"))

    assert load_action(session_factory, "SSCB", 1).rag == "amber"


def test_a_new_owner_may_change_it_after_reassignment(board, session_factory):
    log_action(board, by="UCAROL")
    only_post(board.command("/action", "assign 1 EA", user="UCAROL"))

    only_post(board.command("/action", "update 1 picked it up", user="UBOB"))

    assert events(session_factory, "SSCB", 1)[-1].note == "picked it up"


# --- who may not -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "sub"), CHANGES)
def test_anyone_else_is_refused_and_nothing_changes(board, session_factory, text, sub):
    log_action(board, closed=sub == "reopen")

    reply = assert_refused(
        board,
        session_factory,
        text,
        user="UDAVE",
        says=["You can't change SSCB-1", "its owners (AF)", "the chair (<@UCAROL>)", "Nothing was changed"],
        usage=USAGE[sub],
    )

    assert ":warning:" in reply.text


def test_a_board_member_who_neither_owns_nor_logged_it_is_refused(board, session_factory):
    log_action(board)

    assert_refused(board, session_factory, "done 1", user="UBOB", says="You can't change SSCB-1", usage=USAGE["done"])


def test_a_former_owner_is_refused_after_reassignment(board, session_factory):
    log_action(board, by="UCAROL")
    only_post(board.command("/action", "assign 1 EA", user="UCAROL"))

    assert_refused(
        board,
        session_factory,
        "update 1 still on it",
        user="UALICE",
        says="only its owners (EA)",
        usage=USAGE["update"],
    )


def test_the_chair_of_another_board_is_refused(board, session_factory):
    board.command("/meeting", "setup Local Partnership code LSCP chair <@UEVE>", user="UEVE", channel="CLSCP")
    log_action(board)

    assert_refused(
        board,
        session_factory,
        "done SSCB-1",
        user="UEVE",
        channel="CLSCP",
        says="You can't change SSCB-1",
        usage=USAGE["done"],
    )


def test_when_slack_cannot_say_who_is_admin_the_change_is_refused(board, session_factory, fake_slack):
    log_action(board)
    fake_slack.fail_next("users.info", "user_not_found")

    assert_refused(board, session_factory, "done 1", user="UADMIN", says="You can't change SSCB-1", usage=USAGE["done"])


def test_a_refused_change_says_nothing_in_the_board_channel(board, session_factory, fake_slack):
    log_action(board)

    calls = board.command("/action", "drop 1 I don't like it", user="UEVE")

    assert fake_slack.calls_to("chat.postMessage") == []
    assert "You can't change" in only_reply(calls).text


# --- anyone may read ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["show SSCB-1", "history SSCB-1", "list in SSCB all", "help"])
def test_anyone_in_the_workspace_may_read(board, session_factory, text):
    log_action(board)
    before = snapshot(session_factory)

    reply = only_reply(board.command("/action", text, user="UDAVE", channel="DDAVE"))

    assert ":warning:" not in reply.text
    assert snapshot(session_factory) == before


@pytest.mark.parametrize("text", ["show 1", "history 1", "list"])
def test_anyone_may_read_in_the_board_channel_with_bare_numbers(board, text):
    log_action(board)

    [reply] = replies(board.command("/action", text, user="UEVE"))

    assert ":warning:" not in reply.text and "SSCB-1" in reply.text


# --- who may add actions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["UDAVE", "UEVE"])
def test_someone_who_is_not_a_member_may_not_add_actions_and_is_told_how_to_be_added(board, session_factory, user):
    reply = assert_refused(
        board,
        session_factory,
        "add AF to circulate the report",
        user=user,
        says=["Only members of SSCB can log actions", "/meeting member add", "Nothing was stored"],
        usage="/action add <owners> to <what> [by <date>] [in CODE]",
    )

    assert ":warning:" in reply.text


def test_a_non_member_may_not_add_actions_to_a_board_named_from_a_dm(board, session_factory):
    assert_refused(
        board,
        session_factory,
        "add in SSCB AF to circulate the report",
        user="UDAVE",
        channel="DDAVE",
        says="Only members of SSCB can log actions",
        usage=None,
    )


def test_a_removed_member_may_no_longer_add_actions(board, session_factory):
    only_post(board.command("/meeting", "member remove EA", user="UCAROL"))

    assert_refused(
        board, session_factory, "add AF to circulate the report", user="UBOB", says="Only members of SSCB", usage=None
    )


def test_a_member_may_add_actions_without_a_slack_lookup(board, fake_slack):
    add(board, "EA to circulate the report", user="UBOB")

    assert users_info_calls(fake_slack) == []


@pytest.mark.parametrize("user", ["UCAROL", "UADMIN"])
def test_the_chair_and_a_workspace_admin_may_add_actions_without_being_members(board, session_factory, user):
    post = add(board, "AF to circulate the report", user=user)

    assert "SSCB-1" in post.text
    assert load_action(session_factory, "SSCB", 1).created_by == user


def test_whoever_set_the_board_up_may_add_actions_without_being_a_member(slack, session_factory):
    slack.command("/meeting", "setup Local Partnership code LSCP chair <@UCAROL>", user="UEVE", channel="CLSCP")
    slack.command("/meeting", "member add <@UALICE> AF", user="UCAROL", channel="CLSCP")

    post = add(slack, "AF to circulate the report", user="UEVE", channel="CLSCP")

    assert "LSCP-1" in post.text


# --- owners who have left the board ---------------------------------------------------------------------


def closed_then_removed(slack, text="AF to circulate the report", remove=("AF",)):
    """SSCB-1 logged and closed by the chair, then its owners `remove` taken off the board."""
    log_action(slack, by="UCAROL", text=text, closed=True)
    for initials in remove:
        only_post(slack.command("/meeting", f"member remove {initials}", user="UCAROL"))
    slack.fake.clear()


@pytest.mark.parametrize(("text", "sub"), [("reopen 1", "reopen"), ("update 1 one more thing", "update")])
def test_an_owner_who_has_left_the_board_may_not_act_as_its_owner(board, session_factory, text, sub):
    closed_then_removed(board)

    assert_refused(
        board,
        session_factory,
        text,
        user="UALICE",
        says=["You can't change SSCB-1", "its owners (none)", "Nothing was changed"],
        usage=USAGE[sub],
    )


def test_reopening_an_action_whose_owners_have_all_left_asks_for_a_new_owner(board, session_factory):
    closed_then_removed(board, text="AF and EA to circulate the report", remove=("AF", "EA"))

    assert_refused(
        board,
        session_factory,
        "reopen 1",
        user="UCAROL",
        says=[
            "owners (AF, EA) are no longer members of SSCB",
            "`/action reopen SSCB-1 INITIALS`",
            "Nothing was changed",
        ],
        usage=USAGE["reopen"],
    )


def test_reopen_with_new_owners_gives_it_to_them(board, session_factory):
    closed_then_removed(board)

    post = only_post(board.command("/action", "reopen 1 EA & JB", user="UCAROL"))

    assert "Reopened *SSCB-1*" in post.text
    assert "EA (<@UBOB>), JB" in post.text
    action = load_action(session_factory, "SSCB", 1)
    assert (action.status, sorted(m.initials for m in action.owners)) == ("open", ["EA", "JB"])
    reopened, assigned = events(session_factory, "SSCB", 1)[-2:]
    assert (reopened.kind, assigned.kind, assigned.data) == (
        "reopened",
        "assigned",
        {"owners_from": ["AF"], "owners_to": ["EA", "JB"]},
    )


def test_reopen_takes_owners_who_have_left_off_it_and_keeps_the_others(board, session_factory):
    closed_then_removed(board, text="AF and EA to circulate the report", remove=("AF",))

    post = only_post(board.command("/action", "reopen 1", user="UCAROL"))

    assert "Owners: EA (<@UBOB>)" in post.text
    assert sorted(m.initials for m in load_action(session_factory, "SSCB", 1).owners) == ["EA"]
    assert events(session_factory, "SSCB", 1)[-1].data == {"owners_from": ["AF", "EA"], "owners_to": ["EA"]}


def test_reopen_with_new_owners_who_are_not_members_is_refused(board, session_factory):
    closed_then_removed(board)

    assert_refused(
        board,
        session_factory,
        "reopen 1 AF",
        user="UCAROL",
        says="`AF` is not the initials of a member of SSCB",
        usage=USAGE["reopen"],
    )
