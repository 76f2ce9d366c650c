"""Buttons under actions: Done, Add update, Change date and Snooze a week, on `/mine`, `/action show`,
chasers and overdue reminders. Each click goes through the same service as the slash command, writes its
history row, redraws the message it came from, and a click that can change nothing says why."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

from bot.rendering.buttons import DONE, REDATE, SNOOZE, UPDATE
from tests.action_support import add, events, load_action
from tests.driver import posts, replies, view_text
from tests.surface_support import answer_json, home_views, opened, updates
from tests.test_concurrency import assert_history_matches_state


def _mine(slack, user="UALICE"):
    [reply] = replies(slack.command("/mine", "", user=user))
    return reply


def _dms(fake, user):
    return [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == user]


def test_mine_shows_the_buttons_under_each_action(board):
    add(board, "AF to circulate the report by 15/12/2026")
    reply = _mine(board)
    [row] = [b for b in reply.args["blocks"] if b["type"] == "actions"]
    assert [e["action_id"] for e in row["elements"]] == [DONE, UPDATE, REDATE, SNOOZE]
    assert {e["value"] for e in row["elements"]} == {"SSCB-1"}


def test_done_closes_the_action_posts_in_the_channel_and_redraws_mine(board, session_factory):
    add(board, "AF to circulate the report by 15/12/2026")
    board.home_opened(user="UALICE")
    reply = _mine(board)
    calls = board.click(DONE, "SSCB-1", message=reply)
    assert load_action(session_factory, "SSCB", 1).status == "done"
    assert [e.kind for e in events(session_factory, "SSCB", 1)] == ["created", "done"]
    [post] = posts(calls)
    assert post.args["channel"] == "CBOARD" and "Done" in post.text
    [redrawn] = [c for c in replies(calls) if c.args.get("replace_original") in (True, "true")]
    assert "SSCB-1" not in redrawn.text and "no outstanding actions" in redrawn.text
    # The clicker's Home tab follows (they have opened it).
    assert [v for v in home_views(calls) if "SSCB-1" not in str(v)]


def test_done_clicked_twice_changes_nothing_the_second_time_and_says_so(board, session_factory):
    add(board, "AF to circulate the report by 15/12/2026")
    reply = _mine(board)
    board.click(DONE, "SSCB-1", message=reply)
    calls = board.click(DONE, "SSCB-1", message=reply)
    [warning] = [c for c in replies(calls) if ":warning:" in c.text]
    assert "SSCB-1* was already marked done by <@UALICE>" in warning.text and "Nothing was changed" in warning.text
    assert posts(calls) == []
    assert [e.kind for e in events(session_factory, "SSCB", 1)] == ["created", "done"]


def test_done_on_an_action_someone_else_closed_says_who(board, session_factory):
    add(board, "AF to circulate the report by 15/12/2026")
    reply = _mine(board)
    board.command("/action", "done SSCB-1", user="UCAROL")
    calls = board.click(DONE, "SSCB-1", message=reply)
    [warning] = [c for c in replies(calls) if ":warning:" in c.text]
    assert "marked done by <@UCAROL>" in warning.text
    assert [e.kind for e in events(session_factory, "SSCB", 1)] == ["created", "done"]


def test_done_by_someone_who_may_not_change_it_is_refused(board, session_factory):
    add(board, "AF to circulate the report by 15/12/2026")
    [show] = replies(board.command("/action", "show SSCB-1", user="UDAVE"))
    calls = board.click(DONE, "SSCB-1", message=show, user="UDAVE")
    assert [c for c in replies(calls) if ":warning:" in c.text]
    assert load_action(session_factory, "SSCB", 1).status == "open"


def test_snooze_a_week_pauses_reminders_and_says_until_when(board, session_factory):
    add(board, "AF to circulate the report by 15/11/2026")
    calls = board.click(SNOOZE, "SSCB-1", message=_mine(board))
    action = load_action(session_factory, "SSCB", 1)
    assert action.reminders_snoozed_until == date(2026, 11, 29) and action.due_date == date(2026, 11, 15)
    assert [e.kind for e in events(session_factory, "SSCB", 1)][-1] == "snoozed"
    assert any("No reminders about *SSCB-1* until Sun 29 Nov" in c.text for c in replies(calls))


def test_add_update_opens_a_modal_at_once_and_saves_the_update(board, session_factory):
    add(board, "AF to circulate the report by 15/12/2026")
    reply = _mine(board)
    calls = board.click(UPDATE, "SSCB-1", message=reply)
    view = opened(calls)
    assert view["callback_id"] == "add_update" and "SSCB-1" in view_text(view)
    values = {
        "progress": {"progress": {"type": "plain_text_input", "value": "Draft sent to legal"}},
        "rag": {"rag": {"type": "static_select", "selected_option": {"value": "red"}}},
        "evidence": {"evidence": {"type": "plain_text_input", "value": "https://docs.example/audit"}},
    }
    answer, done = board.submit(board.fake.current_view(view["id"]), values)
    assert answer_json(answer)["response_action"] == "update"
    [result] = updates(done)
    assert "Update saved on *SSCB-1*" in view_text(result)
    assert [e.kind for e in events(session_factory, "SSCB", 1)] == ["created", "update", "rag"]
    assert load_action(session_factory, "SSCB", 1).rag == "red"
    [post] = posts(done)
    assert "Draft sent to legal" in post.text
    # The /mine answer the button was on is drawn again.
    assert [c for c in replies(done) if c.args.get("replace_original") in (True, "true")]


def test_add_update_without_progress_is_refused_inline(board, session_factory):
    add(board, "AF to circulate the report by 15/12/2026")
    view = opened(board.click(UPDATE, "SSCB-1", message=_mine(board)))
    answer, calls = board.submit(
        board.fake.current_view(view["id"]), {"progress": {"progress": {"type": "plain_text_input", "value": " "}}}
    )
    body = answer_json(answer)
    assert body["response_action"] == "errors" and "progress" in body["errors"]
    assert calls == [] and [e.kind for e in events(session_factory, "SSCB", 1)] == ["created"]


def test_update_on_an_action_closed_meanwhile_shows_why_in_the_modal(board, session_factory):
    add(board, "AF to circulate the report by 15/12/2026")
    view = opened(board.click(UPDATE, "SSCB-1", message=_mine(board)))
    board.command("/action", "done SSCB-1", user="UCAROL")
    _, calls = board.submit(
        board.fake.current_view(view["id"]), {"progress": {"progress": {"type": "plain_text_input", "value": "Sent"}}}
    )
    [again] = updates(calls)
    assert "is done" in view_text(again) and again.get("submit")
    assert block_value(again) == "Sent"
    assert [e.kind for e in events(session_factory, "SSCB", 1)] == ["created", "done"]


def block_value(view):
    [progress] = [b for b in view["blocks"] if b.get("block_id") == "progress"]
    return progress["element"].get("initial_value")


def test_change_date_redates_with_the_reason_kept(board, session_factory):
    add(board, "AF to circulate the report by 15/12/2026")
    view = opened(board.click(REDATE, "SSCB-1", message=_mine(board)))
    assert view["callback_id"] == "change_date"
    values = {
        "due_date": {"due_date": {"type": "datepicker", "selected_date": "2027-01-20"}},
        "due_next": {"due_next": {"type": "checkboxes", "selected_options": []}},
        "reason": {"reason": {"type": "plain_text_input", "value": "waiting for data"}},
    }
    _, calls = board.submit(board.fake.current_view(view["id"]), values)
    action = load_action(session_factory, "SSCB", 1)
    assert action.due_date == date(2027, 1, 20) and action.original_due_date == date(2026, 12, 15)
    assert action.due_change_count == 1
    [redated] = [e for e in events(session_factory, "SSCB", 1) if e.kind == "redated"]
    assert redated.note == "waiting for data"
    assert "re-dated" in view_text(updates(calls)[-1])


def test_change_date_without_a_date_is_refused_inline(board):
    add(board, "AF to circulate the report by 15/12/2026")
    view = opened(board.click(REDATE, "SSCB-1", message=_mine(board)))
    answer, _ = board.submit(board.fake.current_view(view["id"]), {})
    body = answer_json(answer)
    assert body["response_action"] == "errors" and "Pick the new date" in body["errors"]["due_date"]


def test_show_has_buttons_and_done_redraws_the_show(board):
    add(board, "AF to circulate the report by 15/12/2026")
    [show] = replies(board.command("/action", "show SSCB-1"))
    calls = board.click(DONE, "SSCB-1", message=show)
    [redrawn] = [c for c in replies(calls) if c.args.get("replace_original") in (True, "true")]
    assert "Done" in redrawn.text or "done" in redrawn.text
    assert not [b for b in redrawn.args["blocks"] if b["type"] == "actions"]


def test_chaser_dm_has_buttons_and_done_updates_that_dm(board, tick, session_factory):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    add(board, "AF to circulate the report by 14/12/2026")
    add(board, "AF to review the audit by 15/12/2026")
    tick(datetime(2026, 12, 9, 9, 0, tzinfo=UTC))
    [chaser] = _dms(board.fake, "UALICE")
    calls = board.click(DONE, "SSCB-1", message=chaser)
    [update] = [c for c in calls if c.method == "chat.update"]
    assert update.args["channel"] == "DUALICE"
    rows = [b["block_id"] for b in update.args["blocks"] if b["type"] == "actions"]
    assert rows == ["buttons:chaser:SSCB-2"]
    assert "SSCB-1" in "\n".join(b.get("text", {}).get("text", "") for b in update.args["blocks"])
    assert load_action(session_factory, "SSCB", 1).status == "done"


def test_overdue_reminder_has_buttons_and_snooze_updates_it(board, tick, session_factory):
    add(board, "AF to circulate the report by 10/11/2026")
    tick(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    [reminder] = _dms(board.fake, "UALICE")
    assert "buttons:reminder:SSCB-1" in [b.get("block_id") for b in reminder.args["blocks"]]
    calls = board.click(SNOOZE, "SSCB-1", message=reminder)
    assert [c for c in calls if c.method == "chat.update"]
    assert load_action(session_factory, "SSCB", 1).reminders_snoozed_until == date(2026, 11, 29)


def _race_clicks(board, *clicks):
    """Click every (action_id, user, message) at once, released together by a barrier; the calls made."""
    barrier = threading.Barrier(len(clicks))
    before = len(board.fake.calls)

    def click(action_id, user, message):
        barrier.wait(timeout=10)
        board.click(action_id, "SSCB-1", message=message, user=user, wait=False)

    threads = [threading.Thread(target=click, args=args) for args in clicks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    board.wait_idle()
    return board.fake.calls[before:]


def test_done_and_snooze_clicked_at_once_leave_a_history_that_agrees_with_the_action(board, session_factory):
    add(board, "AF to circulate the report by 15/12/2026")
    alice = _mine(board)
    [show] = replies(board.command("/action", "show SSCB-1", user="UCAROL"))
    _race_clicks(board, (SNOOZE, "UALICE", alice), (DONE, "UCAROL", show))
    action = assert_history_matches_state(session_factory)
    assert action.status == "done"
    kinds = [e.kind for e in events(session_factory, "SSCB", 1)]
    # Snoozed before it was closed, or refused after: never a snooze recorded on a closed action.
    assert kinds in (["created", "done"], ["created", "snoozed", "done"])


def test_two_people_clicking_done_at_once_leave_one_change(board, session_factory):
    add(board, "AF to circulate the report by 15/12/2026")
    alice = _mine(board)
    [show] = replies(board.command("/action", "show SSCB-1", user="UCAROL"))
    barrier = threading.Barrier(2)
    before = len(board.fake.calls)

    def click(user, message):
        barrier.wait(timeout=10)
        board.click(DONE, "SSCB-1", message=message, user=user, wait=False)

    threads = [
        threading.Thread(target=click, args=("UALICE", alice)),
        threading.Thread(target=click, args=("UCAROL", show)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    board.wait_idle()
    calls = board.fake.calls[before:]
    history = events(session_factory, "SSCB", 1)
    assert [e.kind for e in history] == ["created", "done"]
    action = load_action(session_factory, "SSCB", 1)
    assert action.status == "done" and action.closed_by == history[-1].actor_user_id
    assert len(posts(calls)) == 1
    [warning] = [c for c in replies(calls) if ":warning:" in c.text]
    loser = "UCAROL" if action.closed_by == "UALICE" else "UALICE"
    assert f"<@{action.closed_by}>" in warning.text and loser != action.closed_by


def test_change_date_to_the_next_meeting(board, session_factory):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    add(board, "AF to circulate the report by 15/12/2026")
    view = opened(board.click(REDATE, "SSCB-1", message=_mine(board)))
    values = {"due_next": {"due_next": {"type": "checkboxes", "selected_options": [{"value": "next_meeting"}]}}}
    board.submit(board.fake.current_view(view["id"]), values)
    action = load_action(session_factory, "SSCB", 1)
    assert action.due_kind == "next_meeting" and action.due_date == date(2026, 12, 16)


def test_undated_action_has_no_snooze_button(board):
    add(board, "AF to circulate the report")
    [row] = [b for b in _mine(board).args["blocks"] if b["type"] == "actions"]
    assert SNOOZE not in [e["action_id"] for e in row["elements"]]


def test_update_form_is_filled_in_with_the_actions_line(board):
    add(board, "AF to circulate the report by 15/12/2026")
    calls = board.click(UPDATE, "SSCB-1", message=_mine(board))
    first = opened(calls)
    filled = board.fake.current_view(first["id"])
    assert "Circulate the report" not in view_text(first) and "Circulate the report" in view_text(filled)
    [fill] = updates(calls)
    assert fill["callback_id"] == "add_update" and fill.get("submit")


def test_change_date_form_on_a_closed_action_says_so_at_once(board):
    add(board, "AF to circulate the report by 15/12/2026")
    reply = _mine(board)
    board.command("/action", "done SSCB-1", user="UCAROL")
    calls = board.click(REDATE, "SSCB-1", message=reply)
    filled = board.fake.current_view(opened(calls)["id"])
    assert "was already marked done by <@UCAROL>" in view_text(filled) and not filled.get("submit")


def test_change_date_form_starts_from_the_current_date(board):
    add(board, "AF to circulate the report by 15/12/2026")
    calls = board.click(REDATE, "SSCB-1", message=_mine(board))
    filled = board.fake.current_view(opened(calls)["id"])
    [picker] = [b for b in filled["blocks"] if b.get("block_id") == "due_date"]
    assert picker["element"]["initial_date"] == "2026-12-15"


def test_form_that_did_not_open_in_time_is_said_privately(board):
    add(board, "AF to circulate the report by 15/12/2026")
    board.fake.fail_next("views.open", "expired_trigger_id")
    calls = board.click(UPDATE, "SSCB-1", message=_mine(board))
    assert any("didn't open" in c.text for c in replies(calls))
