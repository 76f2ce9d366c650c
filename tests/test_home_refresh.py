"""The Home tab follows changes made anywhere: a slash command, a button, a form or an import publishes again
the Home tab of the people whose Home it changes (the caller, the action's owners before and after), once
each, after the change is saved, from the job. Only people who have opened their Home tab (within 30 days)
get it, at most a few per change, and a views.publish that fails never undoes or fails the change."""

from __future__ import annotations

import json
import logging
import re
import threading
from datetime import timedelta

from sqlalchemy import select

from bot.rendering.buttons import DONE
from handlers import origin
from storage.models import HomeOpener
from tests.action_support import add, events, load_action, only_post
from tests.driver import posts, replies, view_text
from tests.surface_support import home_views, log_values, shown


def _opened(slack, *users):
    """Each of `users` opens the Home tab; the publishes that answer it are forgotten."""
    for user in users:
        slack.home_opened(user=user)
    slack.fake.clear()


def _published(calls):
    """Who got a Home tab published among `calls`, in order, and what each one's shows."""
    return [(c.args["user_id"], view_text(c.args["view"])) for c in calls if c.method == "views.publish"]


def _published_to(calls):
    return [user for user, _ in _published(calls)]


def test_action_added_by_slash_command_republishes_the_owners_home(board):
    _opened(board, "UALICE")
    calls = board.command("/action", "add AF to circulate the report by 15/12/2026", user="UBOB")
    [(user, shows)] = _published(calls)
    assert user == "UALICE" and "SSCB-1" in shows and "Circulate the report" in shows


def test_done_by_slash_command_republishes_the_caller_and_owners_homes(board):
    add(board, "AF & EA to circulate the report by 15/12/2026")
    _opened(board, "UALICE", "UBOB", "UCAROL")
    calls = board.command("/action", "done SSCB-1", user="UCAROL")
    published = _published(calls)
    assert [user for user, _ in published] == ["UCAROL", "UALICE", "UBOB"]
    assert all("SSCB-1" not in shows for _, shows in published)


def test_reassign_republishes_the_old_and_the_new_owners_homes_once_each(board):
    add(board, "AF to circulate the report by 15/12/2026")
    _opened(board, "UALICE", "UBOB")
    calls = board.command("/action", "assign SSCB-1 EA", user="UALICE")
    published = dict(_published(calls))
    assert _published_to(calls) == ["UALICE", "UBOB"]
    assert "SSCB-1" not in published["UALICE"] and "SSCB-1" in published["UBOB"]


def test_owner_changing_their_own_action_gets_one_publish(board):
    add(board, "AF to circulate the report by 15/12/2026")
    _opened(board, "UALICE")
    calls = board.command("/action", "due SSCB-1 20/01/2027", user="UALICE")
    [(user, shows)] = _published(calls)
    assert user == "UALICE" and "SSCB-1" in shows and "20 Jan" in shows


def test_snooze_reopen_drop_update_and_move_republish_the_owners_home(board):
    board.command("/plan", "area add MASH lead AF", user="UCAROL")
    add(board, "AF to circulate the report by 15/12/2026")
    _opened(board, "UALICE")
    for command, text in [
        ("/action", "update SSCB-1 draft circulated"),
        ("/action", "rag SSCB-1 amber"),
        ("/action", "move SSCB-1 area MASH"),
        ("/mine", "snooze SSCB-1 7"),
        ("/action", "drop SSCB-1 no longer needed"),
        ("/action", "reopen SSCB-1"),
    ]:
        calls = board.command(command, text, user="UCAROL")
        assert _published_to(calls) == ["UALICE"], (command, text)


def test_a_refused_change_publishes_no_home(board):
    add(board, "AF to circulate the report by 15/12/2026")
    board.command("/action", "done SSCB-1", user="UALICE")
    _opened(board, "UALICE")
    calls = board.command("/action", "done SSCB-1", user="UALICE")
    assert ":warning:" in replies(calls)[0].text
    assert _published_to(calls) == []


def test_reading_commands_publish_no_home(board):
    add(board, "AF to circulate the report by 15/12/2026")
    _opened(board, "UALICE")
    for text in ("show SSCB-1", "history SSCB-1", "list"):
        assert _published_to(board.command("/action", text, user="UALICE")) == []


def test_home_never_opened_is_not_published(board):
    add(board, "AF to circulate the report by 15/12/2026")
    calls = board.command("/action", "done SSCB-1", user="UCAROL")
    assert only_post(calls) and _published_to(calls) == []


def test_home_not_opened_for_over_30_days_is_not_published(board, clock):
    now = clock.now
    clock.now = now - timedelta(days=31)
    _opened(board, "UALICE")
    clock.now = now
    _opened(board, "UBOB")
    add(board, "AF & EA to circulate the report by 15/12/2026", user="UCAROL")
    calls = board.command("/action", "done SSCB-1", user="UCAROL")
    assert _published_to(calls) == ["UBOB"]


def test_opening_home_is_recorded_once_per_person_with_the_last_time(board, session_factory, clock):
    _opened(board, "UALICE")
    clock.now += timedelta(days=2)
    _opened(board, "UALICE")
    with session_factory() as session:
        [row] = session.scalars(select(HomeOpener)).all()
        assert (row.team_id, row.user_id, row.opened_at) == ("T1", "UALICE", clock.now)


def test_meeting_scheduled_republishes_the_members_homes_with_the_next_meeting(board):
    _opened(board, "UALICE", "UBOB")
    calls = board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    published = _published(calls)
    assert [user for user, _ in published] == ["UALICE", "UBOB"]
    assert all("Next meeting Wed 16 Dec at 09:00" in shows for _, shows in published)


def test_member_added_gets_the_board_on_their_home(board):
    board.fake.add_user("UFRANK")
    _opened(board, "UFRANK")
    calls = board.command("/meeting", "member add <@UFRANK> FK", user="UCAROL")
    [(user, shows)] = _published(calls)
    assert user == "UFRANK" and "Safeguarding Children Board" in shows


def test_homes_published_per_change_are_bounded_caller_first(board, monkeypatch):
    monkeypatch.setattr(origin, "HOMES_PER_CHANGE", 2)
    _opened(board, "UALICE", "UBOB", "UCAROL")
    calls = board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    assert only_post(calls) and _published_to(calls) == ["UCAROL", "UALICE"]


def test_import_confirmed_republishes_the_new_actions_owners_homes(board):
    _opened(board, "UALICE", "UBOB")
    minutes = "Action: AF and EA to review the neglect thresholds by 15/12/2026\n"
    preview = replies(board.command("/action", "import\n" + minutes, user="UCAROL"))[0]
    number = re.search(r"/action import confirm (\d+)", preview.text).group(1)
    calls = board.command("/action", f"import confirm {number}", user="UCAROL")
    published = _published(calls)
    assert [user for user, _ in published] == ["UALICE", "UBOB"]
    assert all("Review the neglect thresholds" in shows for _, shows in published)


def test_done_button_on_mine_republishes_the_other_owners_home(board):
    add(board, "AF & EA to circulate the report by 15/12/2026")
    _opened(board, "UBOB")
    [mine] = replies(board.command("/mine", user="UALICE"))
    calls = board.click(DONE, "SSCB-1", message=mine)
    [(user, shows)] = _published(calls)
    assert user == "UBOB" and "SSCB-1" not in shows


def test_done_button_on_home_publishes_the_clickers_home_once_then_the_owners(board):
    add(board, "AF & EA to circulate the report by 15/12/2026")
    _opened(board, "UBOB")
    [view] = home_views(board.home_opened(user="UALICE"))
    calls = board.click(DONE, "SSCB-1", view=view)
    published = _published(calls)
    assert [user for user, _ in published] == ["UALICE", "UBOB"]
    assert "SSCB-1* is marked done" in published[0][1]


def test_done_twice_on_home_publishes_the_warning_once(board):
    add(board, "AF to circulate the report by 15/12/2026")
    [view] = home_views(board.home_opened(user="UALICE"))
    board.click(DONE, "SSCB-1", view=view)
    calls = board.click(DONE, "SSCB-1", view=view)
    [(user, shows)] = _published(calls)
    assert user == "UALICE" and "was already marked done" in shows


def test_action_logged_with_the_form_republishes_the_owners_home(board):
    _opened(board, "UBOB")
    view = shown(board, board.command("/action", ""), "log_action")
    _, calls = board.submit(view, log_values(what="Circulate the report", owners=["UBOB"]))
    [(user, shows)] = _published(calls)
    assert user == "UBOB" and "Circulate the report" in shows


def test_publish_refused_by_slack_keeps_the_change_and_publishes_the_rest(board, session_factory, caplog):
    add(board, "AF & EA to circulate the report by 15/12/2026")
    _opened(board, "UALICE", "UBOB")
    board.fake.fail_next("views.publish", "internal_error")
    with caplog.at_level(logging.WARNING):
        calls = board.command("/action", "done SSCB-1 all circulated", user="UCAROL")
    assert load_action(session_factory, "SSCB", 1).status == "done"
    assert only_post(calls) and not [r for r in replies(calls) if ":warning:" in r.text]
    assert _published_to(calls) == ["UBOB"]
    assert "views.publish for team=T1 user=UALICE failed: internal_error" in caplog.text
    assert "circulated" not in caplog.text.lower()


def test_rate_limit_on_publish_stops_the_round_and_keeps_the_change(board, session_factory, caplog):
    add(board, "AF & EA to circulate the report by 15/12/2026")
    _opened(board, "UALICE", "UBOB")
    # More 429s than the client waits out: the first publish fails as rate limited.
    board.fake.rate_limit_next("views.publish", times=6)
    with caplog.at_level(logging.WARNING):
        calls = board.command("/action", "done SSCB-1", user="UCAROL")
    assert load_action(session_factory, "SSCB", 1).status == "done"
    assert [e.kind for e in events(session_factory, "SSCB", 1)] == ["created", "done"]
    assert only_post(calls) and _published_to(calls) == []
    assert "Home tabs left unpublished after a rate limit: 1" in caplog.text


def test_home_is_published_by_the_job_after_the_ack_and_the_saved_change(board, session_factory):
    add(board, "AF to circulate the report by 15/12/2026")
    _opened(board, "UALICE")
    gate = board.fake.hold("views.publish")
    try:
        answer = board.post(board.command_body("/action", "done SSCB-1", user="UCAROL", channel="CBOARD"))
        # The ack came back while the publish is still to come; the channel post follows the commit.
        assert answer.status == 200
        board.fake.wait_for(lambda calls: bool(posts(calls)))
        assert load_action(session_factory, "SSCB", 1).status == "done"
        assert board.fake.calls_to("views.publish") == []
    finally:
        gate.set()
    board.wait_idle()
    [publish] = board.fake.calls_to("views.publish")
    assert publish.args["user_id"] == "UALICE"


def test_erasure_forgets_that_the_person_opened_home(board, session_factory, clock):
    from bot.services.personal_data import erase_person, export_person

    _opened(board, "UALICE")
    with session_factory() as session:
        assert export_person(session, "UALICE")["home_tab_opened"] == [
            {"team_id": "T1", "last_opened_at": clock.now.isoformat()}
        ]
        erase_person(session, user_id="UALICE", actor="cli:dpo", now=clock.now)
        session.commit()
        assert session.scalars(select(HomeOpener)).all() == []


def test_two_opens_at_once_by_one_person_both_land(board, session_factory):
    barrier = threading.Barrier(2)
    event = {"type": "app_home_opened", "user": "UALICE", "channel": "DUALICE", "tab": "home"}
    bodies = [
        json.dumps(
            {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": f"EvRace{n}", "event": event}
        )
        for n in range(2)
    ]
    statuses = []

    def fire(body):
        barrier.wait(timeout=10)
        statuses.append(board.post(body, content_type="application/json").status)

    threads = [threading.Thread(target=fire, args=(b,)) for b in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    board.wait_idle()
    assert statuses == [200, 200]
    assert len(board.fake.calls_to("views.publish")) == 2
    with session_factory() as session:
        assert [r.user_id for r in session.scalars(select(HomeOpener))] == ["UALICE"]


def test_reassign_racing_another_reassign_republishes_the_owner_the_lock_saw(board, session_factory, monkeypatch):
    from storage import actions as action_store
    from storage.models import Action, ActionOwner, Board, Member

    board.fake.add_user("UDAVE")
    board.command("/meeting", "member add <@UDAVE> DP", user="UCAROL")
    add(board, "AF to circulate the report by 15/12/2026")
    _opened(board, "UALICE", "UBOB", "UCAROL", "UDAVE")
    lock = action_store.lock_action
    raced: list[bool] = []

    def reassigned_to_bob_just_before_the_lock(session, action):
        # Another person's reassign (AF → EA) commits after this change read the action, before its lock.
        if not raced:
            raced.append(True)
            with session_factory.begin() as other:
                sscb = other.scalar(select(Board).where(Board.code == "SSCB"))
                bob = other.scalar(select(Member).where(Member.board_id == sscb.id, Member.initials == "EA"))
                action_id = other.scalar(select(Action.id).where(Action.board_id == sscb.id, Action.number == 1))
                other.execute(ActionOwner.__table__.delete().where(ActionOwner.action_id == action_id))
                other.execute(ActionOwner.__table__.insert().values(action_id=action_id, member_id=bob.id))
        return lock(session, action)

    monkeypatch.setattr(action_store, "lock_action", reassigned_to_bob_just_before_the_lock)
    calls = board.command("/action", "assign SSCB-1 DP", user="UCAROL")

    published = dict(_published(calls))
    assert raced
    assert _published_to(calls) == ["UCAROL", "UALICE", "UBOB", "UDAVE"]
    assert "SSCB-1" not in published["UBOB"] and "SSCB-1" in published["UDAVE"]
