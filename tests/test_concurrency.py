"""One change at a time: commands racing on one action or one board's membership, through the HTTP endpoint.

Each test releases threads with a barrier, each POSTing a signed command, waits for all the acked work,
then checks that the stored state, the history rows and what the bot said agree: one winner where only
one change can win, and the loser told what happened with nothing changed.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import update

from storage import actions as storage_actions
from storage.models import Action, ActionEvent
from tests.action_support import add, events, load_action, only_post
from tests.board_support import stored_members
from tests.driver import SlackDriver, posts, replies
from tests.fakeslack import Call

Command = tuple[str, str, str]  # (command, text, user)


def race(slack: SlackDriver, *commands: Command) -> list[Call]:
    """POST every command at once (released together by a barrier); return the calls the bot made."""
    bodies = [slack.command_body(cmd, text, user=user, channel="CBOARD") for cmd, text, user in commands]
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = []
    before = len(slack.fake.calls)

    def fire(body: str) -> None:
        barrier.wait(timeout=10)
        statuses.append(slack.post(body).status)

    threads = [threading.Thread(target=fire, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    slack.wait_idle()
    assert statuses == [200] * len(bodies)
    return slack.fake.calls[before:]


def warnings(calls: list[Call]) -> list[str]:
    """The private refusals among `calls`."""
    return [c.text for c in replies(calls) if ":warning:" in c.text]


def kinds(session_factory: Any, number: int = 1) -> list[str]:
    """The kinds of SSCB-number's history rows, oldest first."""
    return [e.kind for e in events(session_factory, "SSCB", number)]


def replay(history: list[ActionEvent]) -> dict[str, Any]:
    """The state the history rows describe, to compare with the stored action."""
    state: dict[str, Any] = {"status": "open", "rag": None, "owners": None, "due": None, "redates": 0}
    for event in history:
        data = event.data or {}
        if event.kind == "created":
            state["owners"] = sorted(data["owners"])
            state["due"] = data["due"]["date"]
        elif event.kind in ("done", "dropped"):
            assert state["status"] == "open", f"{event.kind} recorded on a {state['status']} action"
            state["status"] = event.kind
        elif event.kind == "reopened":
            assert state["status"] != "open", "reopened recorded on an open action"
            assert data["status_from"] == state["status"]
            state["status"] = "open"
        elif event.kind == "rag":
            assert state["status"] == "open", "RAG change recorded on a closed action"
            assert data["rag_from"] == state["rag"], f"(was {data['rag_from']}) but it was {state['rag']}"
            state["rag"] = data["rag_to"]
        elif event.kind == "assigned":
            assert sorted(data["owners_from"]) == state["owners"], "owners_from is not who owned it"
            state["owners"] = sorted(data["owners_to"])
        elif event.kind == "redated":
            assert state["status"] == "open", "re-date recorded on a closed action"
            assert data["due_from"]["date"] == state["due"], "due_from is not the date it had"
            if state["due"] is not None:
                state["redates"] += 1
            state["due"] = data["due_to"]["date"]
        elif event.kind in ("update", "snoozed"):
            assert state["status"] == "open", f"{event.kind} recorded on a closed action"
    return state


def assert_history_matches_state(session_factory: Any, number: int = 1) -> Action:
    """Replaying SSCB-number's history gives exactly its stored state."""
    action = load_action(session_factory, "SSCB", number)
    state = replay(list(action.events))
    assert state["status"] == action.status
    assert state["rag"] == action.rag
    assert state["owners"] == sorted(m.initials for m in action.owners)
    assert state["due"] == (action.due_date.isoformat() if action.due_date else None)
    assert state["redates"] == action.due_change_count
    return action


@pytest.fixture
def logged(board: SlackDriver) -> SlackDriver:
    """SSCB-1, owned by AF (UALICE) and EA (UBOB), due 1 December 2026."""
    add(board, "AF and EA to circulate the report by 1/12/2026")
    board.fake.clear()
    return board


def test_done_racing_drop_closes_it_once_with_one_event_and_one_post(logged, session_factory):
    calls = race(logged, ("/action", "done 1", "UALICE"), ("/action", "drop 1 not needed", "UBOB"))

    action = assert_history_matches_state(session_factory)
    assert kinds(session_factory) == ["created", action.status]
    [post] = posts(calls)
    assert ("Done:" if action.status == "done" else "Dropped:") in post.text
    [refusal] = warnings(calls)
    assert "SSCB-1" in refusal and action.status in refusal
    assert "Nothing was changed" in refusal or "already" in refusal or "can't" in refusal


def test_done_racing_done_records_one_close(logged, session_factory):
    calls = race(logged, ("/action", "done 1", "UALICE"), ("/action", "done 1 finished", "UBOB"))

    assert kinds(session_factory) == ["created", "done"]
    assert len(posts(calls)) == 1
    [refusal] = warnings(calls)
    assert "done" in refusal
    assert_history_matches_state(session_factory)


def test_two_re_dates_to_the_same_day_count_once_with_one_event(logged, session_factory):
    calls = race(logged, ("/action", "due 1 15/12/2026", "UALICE"), ("/action", "due 1 15/12/2026", "UBOB"))

    action = assert_history_matches_state(session_factory)
    assert kinds(session_factory) == ["created", "redated"]
    assert action.due_change_count == 1
    assert len(posts(calls)) == 1
    [refusal] = warnings(calls)
    assert "already due then" in refusal


def test_two_re_dates_to_different_days_are_both_counted_in_order(logged, session_factory):
    calls = race(logged, ("/action", "due 1 15/12/2026", "UALICE"), ("/action", "due 1 18/12/2026", "UBOB"))

    action = assert_history_matches_state(session_factory)
    assert kinds(session_factory) == ["created", "redated", "redated"]
    assert action.due_change_count == 2
    assert action.original_due_date.isoformat() == "2026-12-01"
    assert len(posts(calls)) == 2
    assert warnings(calls) == []


def test_two_rag_changes_each_show_the_true_previous_rating(logged, session_factory):
    only_post(logged.command("/action", "rag 1 green"))
    logged.fake.clear()

    calls = race(logged, ("/action", "rag 1 amber", "UALICE"), ("/action", "rag 1 red", "UBOB"))

    action = assert_history_matches_state(session_factory)
    first, second = [e.data for e in events(session_factory, "SSCB", 1) if e.kind == "rag"][1:]
    assert first["rag_from"] == "green"
    assert second["rag_from"] == first["rag_to"]
    assert (action.rag, action.previous_rag) == (second["rag_to"], first["rag_to"])
    shown = sorted(p.text for p in posts(calls))
    expected = sorted(
        f"{first['rag_to'].capitalize()} (was Green)" if n == 0 else f"(was {first['rag_to'].capitalize()})"
        for n in range(2)
    )
    assert len(shown) == 2
    assert any(expected[0] in s for s in shown) and any(expected[1] in s for s in shown), shown


def test_two_changes_to_the_same_rag_record_one(logged, session_factory):
    calls = race(logged, ("/action", "rag 1 red", "UALICE"), ("/action", "rag 1 red", "UBOB"))

    assert kinds(session_factory) == ["created", "rag"]
    assert len(posts(calls)) == 1
    [refusal] = warnings(calls)
    assert "already Red" in refusal
    assert_history_matches_state(session_factory)


def test_done_racing_update_never_records_an_update_on_a_closed_action(logged, session_factory):
    calls = race(logged, ("/action", "done 1", "UALICE"), ("/action", "update 1 draft circulated", "UBOB"))

    assert_history_matches_state(session_factory)
    history = kinds(session_factory)
    assert history in (["created", "update", "done"], ["created", "done"])
    assert len(posts(calls)) == len(history) - 1
    if history == ["created", "done"]:
        [refusal] = warnings(calls)
        assert "done" in refusal
        assert load_action(session_factory, "SSCB", 1).last_progress_at is None


def test_two_reopens_write_one_event(logged, session_factory):
    only_post(logged.command("/action", "done 1"))
    logged.fake.clear()

    calls = race(logged, ("/action", "reopen 1", "UALICE"), ("/action", "reopen 1", "UBOB"))

    assert kinds(session_factory) == ["created", "done", "reopened"]
    assert len(posts(calls)) == 1
    [refusal] = warnings(calls)
    assert "already open" in refusal
    assert_history_matches_state(session_factory)


def test_two_assigns_each_record_who_really_had_it(logged, session_factory):
    # The creator and the chair: each may change it whoever owns it by then.
    calls = race(logged, ("/action", "assign 1 JB", "UALICE"), ("/action", "assign 1 AF", "UCAROL"))

    assert_history_matches_state(session_factory)
    assert kinds(session_factory) == ["created", "assigned", "assigned"]
    assert len(posts(calls)) == 2


def test_snooze_racing_drop_never_snoozes_a_dropped_action(logged, session_factory):
    calls = race(logged, ("/mine", "snooze SSCB-1 7", "UALICE"), ("/action", "drop 1 not needed", "UBOB"))

    assert_history_matches_state(session_factory)
    history = kinds(session_factory)
    assert history in (["created", "snoozed", "dropped"], ["created", "dropped"])
    if history == ["created", "dropped"]:
        [refusal] = warnings(calls)
        assert "dropped" in refusal
        assert load_action(session_factory, "SSCB", 1).reminders_snoozed_until is None


def test_every_kind_of_change_at_once_leaves_history_and_state_in_agreement(logged, session_factory):
    commands = [
        ("/action", "update 1 draft circulated rag amber", "UALICE"),
        ("/action", "rag 1 red", "UBOB"),
        ("/action", "due 1 18/12/2026", "UCAROL"),
        ("/action", "assign 1 JB", "UALICE"),
        ("/action", "done 1", "UBOB"),
        ("/action", "drop 1 overtaken", "UCAROL"),
        ("/action", "due 1 22/12/2026", "UALICE"),
        ("/mine", "snooze SSCB-1 5", "UBOB"),
    ]
    calls = race(logged, *commands)

    assert_history_matches_state(session_factory)
    changes = kinds(session_factory)[1:]
    # Every command either changed something (a confirmation, at least one history row) or was refused.
    snoozed = [r for r in replies(calls) if ":zzz:" in r.text]
    assert len(posts(calls)) + len(snoozed) + len(warnings(calls)) == len(commands)
    assert len(changes) >= len(posts(calls)) + len(snoozed)
    assert len([k for k in changes if k in ("done", "dropped")]) == 1


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("update 1 draft circulated", "so you can't record progress on it. Nothing was changed."),
        ("done 1", "Nothing was changed."),
        ("due 1 15/12/2026", "so you can't re-date it. Nothing was changed."),
        ("/mine snooze SSCB-1 7", "nothing to snooze. Nothing was changed."),
    ],
)
def test_a_change_that_loses_to_a_drop_is_told_who_dropped_it(logged, session_factory, monkeypatch, text, says):
    real_lock = storage_actions.lock_action
    dropped = []

    def drop_first(session: Any, action: Action) -> Action:
        # As if the chair's drop committed between this command's read of SSCB-1 and its lock.
        if not dropped:
            dropped.append(True)
            with session_factory.begin() as other:
                other.execute(update(Action).values(status="dropped", closed_by="UCAROL", closed_at=action.created_at))
        return real_lock(session, action)

    monkeypatch.setattr(storage_actions, "lock_action", drop_first)
    command, text = ("/mine", text.removeprefix("/mine ")) if text.startswith("/mine") else ("/action", text)

    calls = logged.command(command, text)

    assert posts(calls) == []
    [reply] = replies(calls)
    assert "SSCB-1 was dropped by <@UCAROL> a moment ago" in reply.text
    assert says in reply.text
    assert kinds(session_factory) == ["created"]


# --- membership -----------------------------------------------------------------------------------------


def removed_member_owns_open_action(session_factory) -> bool:
    """True when an open action of SSCB is owned by a removed member (what must never happen)."""
    removed = {m.id for m in stored_members(session_factory) if m.removed_at is not None}
    for number in range(1, 10):
        try:
            action = load_action(session_factory, "SSCB", number)
        except Exception:
            break
        if action.status == "open" and any(m.id in removed for m in action.owners):
            return True
    return False


def test_assign_racing_member_remove_never_leaves_a_removed_owner(logged, session_factory):
    calls = race(logged, ("/action", "assign 1 JB", "UCAROL"), ("/meeting", "member remove JB", "UCAROL"))

    assert not removed_member_owns_open_action(session_factory)
    jb = next(m for m in stored_members(session_factory) if m.initials == "JB")
    owners = sorted(m.initials for m in load_action(session_factory, "SSCB", 1).owners)
    [refusal] = warnings(calls)
    if jb.removed_at is None:
        assert owners == ["JB"]
        assert "JB still owns open actions (SSCB-1)" in refusal
    else:
        assert owners == ["AF", "EA"]
        assert "`JB` is not the initials of a member" in refusal
    assert_history_matches_state(session_factory)


def test_add_racing_member_remove_never_leaves_a_removed_owner(logged, session_factory):
    calls = race(
        logged, ("/action", "add JB to brief the police", "UCAROL"), ("/meeting", "member remove JB", "UCAROL")
    )

    assert not removed_member_owns_open_action(session_factory)
    assert len(warnings(calls)) == 1
    assert len(posts(calls)) == 1


def test_reopen_racing_member_remove_never_leaves_a_removed_owner(board, session_factory):
    add(board, "JB to brief the police", user="UCAROL")
    only_post(board.command("/action", "done 1", user="UCAROL"))
    board.fake.clear()

    calls = race(board, ("/action", "reopen 1", "UCAROL"), ("/meeting", "member remove JB", "UCAROL"))

    assert not removed_member_owns_open_action(session_factory)
    assert len(warnings(calls)) == 1
    assert len(posts(calls)) == 1
    assert_history_matches_state(session_factory)


def test_two_member_adds_with_the_same_initials_add_one(board, session_factory):
    calls = race(
        board, ("/meeting", "member add <@UDAVE> DM", "UCAROL"), ("/meeting", "member add <@UEVE> DM", "UCAROL")
    )

    assert [m.initials for m in stored_members(session_factory) if m.removed_at is None].count("DM") == 1
    assert len(posts(calls)) == 1
    [refusal] = warnings(calls)
    assert "`DM`" in refusal


def test_many_adds_at_once_take_distinct_numbers(board, session_factory):
    calls = race(board, *[("/action", f"add AF to task {n}", "UALICE") for n in range(8)])

    assert len(posts(calls)) == 8
    numbers = sorted(load_action(session_factory, "SSCB", n).number for n in range(1, 9))
    assert numbers == list(range(1, 9))
