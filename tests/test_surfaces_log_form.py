"""Logging an action with a form: `/action` with no text, the "Log an action" shortcut and the
"Log as action" message shortcut open the modal at once; the submission is checked inline, then saved
with the rules of `/action add`, and the modal says how it went."""

from __future__ import annotations

import json
import time
from datetime import date
from urllib.parse import urlencode

from sqlalchemy import select

from bot.rendering.buttons import SHOW
from storage.models import Action
from tests.action_support import action_count, events, load_action, snapshot
from tests.driver import posts, replies, view_text
from tests.surface_support import answer_json, block, log_values, opened, option_value, shown, updates


def test_action_with_no_text_acks_empty_and_opens_the_form_with_the_trigger(board):
    answer = board.post(board.command_body("/action", "", user="UALICE", channel="CBOARD"))
    board.wait_idle()
    assert answer.status == 200 and answer.body == ""
    [opening] = board.fake.calls_to("views.open")
    assert opening.args["trigger_id"].startswith("trigger.")
    assert opening.args["view"]["callback_id"] == "log_action"
    # Built without the database: the boards come after, filled in by views.update with the view's hash.
    assert "Finding your boards" in view_text(opening.args["view"])
    [fill] = board.fake.calls_to("views.update")
    assert fill.args["hash"] and fill.args["view_id"] == "V000001"


def test_form_defaults_to_the_channels_board(board):
    calls = board.command("/action", "")
    view = shown(board, calls, "log_action")
    assert block(view, "board")["element"]["initial_option"]["value"] == "SSCB"
    # The member without Slack can be chosen as an owner.
    assert option_value(view, "others", "JB")


def test_global_shortcut_opens_the_form(board):
    calls = board.shortcut("log_action", user="UBOB")
    view = opened(calls)
    assert view["title"]["text"] == "Log an action"
    filled = shown(board, calls, "log_action")
    assert [o["value"] for o in block(filled, "board")["element"]["options"]] == ["SSCB"]


def test_submission_logs_the_action_and_says_so_in_the_modal_and_the_channel(board, session_factory):
    view = shown(board, board.command("/action", ""), "log_action")
    values = log_values(what="Circulate the audit to partners", owners=["UBOB"], due=date(2026, 12, 15), rag="amber")
    answer, calls = board.submit(view, values)
    body = answer_json(answer)
    assert body["response_action"] == "update" and "Saving" in view_text(body["view"])
    [result] = updates(calls)
    assert "Logged *SSCB-1*" in view_text(result) and "Posted in <#CBOARD>" in view_text(result)
    [post] = posts(calls)
    assert post.args["channel"] == "CBOARD" and "SSCB-1" in post.text
    action = load_action(session_factory, "SSCB", 1)
    assert [m.initials for m in action.owners] == ["EA"]
    assert action.due_date == date(2026, 12, 15) and action.rag == "amber"
    assert [e.kind for e in events(session_factory, "SSCB", 1)] == ["created", "rag"]


def test_owners_and_date_are_read_from_the_text_when_none_are_picked(board, session_factory):
    view = shown(board, board.command("/action", ""), "log_action")
    board.submit(view, log_values(what="AF & EA to circulate the report by 15/12/2026"))
    action = load_action(session_factory, "SSCB", 1)
    assert sorted(m.initials for m in action.owners) == ["AF", "EA"]
    assert action.due_date == date(2026, 12, 15) and action.text == "Circulate the report"


def test_member_without_slack_and_next_meeting_can_be_picked(board, session_factory):
    view = shown(board, board.command("/action", ""), "log_action")
    jb = option_value(view, "others", "JB")
    board.submit(view, log_values(what="Brief the police team", others=[jb], next_meeting=True))
    action = load_action(session_factory, "SSCB", 1)
    assert [m.initials for m in action.owners] == ["JB"] and action.due_kind == "next_meeting"


def test_empty_text_is_refused_inline_and_nothing_is_queued(board, session_factory):
    view = shown(board, board.command("/action", ""), "log_action")
    before = snapshot(session_factory)
    answer, calls = board.submit(view, log_values(what="   "))
    body = answer_json(answer)
    assert body["response_action"] == "errors" and "Say what is to be done" in body["errors"]["what"]
    assert calls == [] and snapshot(session_factory) == before


def test_a_date_and_the_next_meeting_together_are_refused_inline(board, session_factory):
    view = shown(board, board.command("/action", ""), "log_action")
    answer, _ = board.submit(view, log_values(what="Book the venue", due=date(2026, 12, 1), next_meeting=True))
    body = answer_json(answer)
    assert body["response_action"] == "errors" and "not both" in body["errors"]["due_date"]
    assert action_count(session_factory) == 0


def test_refusal_needing_the_database_shows_the_form_again_with_the_reason(board, session_factory):
    # UDAVE is not a member of SSCB: only the service, under the board's lock, can tell.
    view = shown(board, board.command("/action", "", user="UDAVE"), "log_action")
    answer, calls = board.submit(view, log_values(what="Circulate the audit"), user="UDAVE")
    assert answer_json(answer)["response_action"] == "update"
    [again] = updates(calls)
    assert again["callback_id"] == "log_action" and again.get("submit")
    assert "Only members of SSCB can log actions" in view_text({"blocks": [block(again, "board_error")]})
    assert "Nothing was saved" in view_text(again)
    assert block(again, "what")["element"]["initial_value"] == "Circulate the audit"
    assert action_count(session_factory) == 0 and posts(calls) == []


def test_owner_who_is_not_a_member_is_refused_in_the_form(board, session_factory):
    view = shown(board, board.command("/action", ""), "log_action")
    _, calls = board.submit(view, log_values(what="Circulate the audit", owners=["UEVE"]))
    [again] = updates(calls)
    # Shown under the owners input it is about.
    under = view_text({"blocks": [block(again, "owners_error")]})
    assert "member" in under, view_text(again)
    assert action_count(session_factory) == 0


def test_message_shortcut_prefills_text_owners_and_date_and_keeps_the_permalink(board, session_factory):
    message = {
        "text": "AF to send the audit &amp; plan to partners by 15/12/2026",
        "ts": "1700000123.000200",
        "user": "UBOB",
    }
    calls = board.message_shortcut("log_as_action", message, user="UBOB")
    first = opened(calls)
    assert block(first, "what")["element"]["initial_value"] == "AF to send the audit & plan to partners by 15/12/2026"
    view = shown(board, calls, "log_action")
    assert block(view, "what")["element"]["initial_value"] == "Send the audit & plan to partners"
    assert block(view, "owners")["element"]["initial_users"] == ["UALICE"]
    assert block(view, "due_date")["element"]["initial_date"] == "2026-12-15"
    values = log_values(what="Send the audit & plan to partners", owners=["UALICE"], due=date(2026, 12, 15))
    board.submit(view, values, user="UBOB")
    [link] = board.fake.calls_to("chat.getPermalink")
    assert link.args == {"channel": "CBOARD", "message_ts": "1700000123.000200"}
    with session_factory() as session:
        action = session.scalars(select(Action)).one()
        assert action.source_url == "https://board.slack.com/archives/CBOARD/p1700000123000200"
    [show] = replies(board.command("/action", "show SSCB-1", user="UBOB"))
    assert "<https://board.slack.com/archives/CBOARD/p1700000123000200|" in show.text
    # And the answer to `/action show` carries the buttons.
    assert any(b.get("block_id") == f"buttons:{SHOW}:SSCB-1" for b in show.args["blocks"])


def test_message_shortcut_mentions_are_owners_at_once(board):
    calls = board.message_shortcut("log_as_action", {"text": "<@UBOB> to book the venue", "ts": "1.2"}, user="UALICE")
    assert block(opened(calls), "owners")["element"]["initial_users"] == ["UBOB"]


def test_form_that_moved_on_is_not_overwritten_by_the_fill(board):
    # Slack holds the fill back: the user submits first, so the view's hash changed.
    gate = board.fake.hold("views.update")
    board.post(board.command_body("/action", "", user="UALICE", channel="CBOARD"))
    board.fake.wait_for(lambda calls: any(c.method == "views.open" for c in calls))
    view_id = board.fake.calls_to("views.open")[0].args.get("view_id") or "V000001"
    board.fake.submitted(
        view_id, {"type": "modal", "title": {"type": "plain_text", "text": "Log an action"}, "blocks": []}
    )
    gate.set()
    board.wait_idle()
    assert board.fake.calls_to("views.update!error"), [c.method for c in board.fake.calls]


def test_a_replayed_submission_logs_the_action_once(board, session_factory):
    view = shown(board, board.command("/action", ""), "log_action")
    payload = board._base("view_submission", "UALICE", None)
    payload["view"] = {**view, "state": {"values": log_values(what="AF to book the venue")}}
    body = urlencode({"payload": json.dumps(payload)})
    sent_at = int(time.time())
    first = board.post(body, timestamp=sent_at)
    again = board.post(body, timestamp=sent_at)
    board.wait_idle()
    assert first.status == again.status == 200
    assert action_count(session_factory) == 1


def test_message_shortcut_when_slack_gives_no_permalink_logs_and_says_so(board, session_factory):
    board.fake.fail_next("chat.getPermalink", "channel_not_found")
    calls = board.message_shortcut("log_as_action", {"text": "AF to book the venue", "ts": "1.2"}, user="UALICE")
    view = shown(board, calls, "log_action")
    _, done = board.submit(view, log_values(what="Book the venue", owners=["UALICE"]))
    assert "without its source" in view_text(updates(done)[-1])
    assert load_action(session_factory, "SSCB", 1).source_url is None


def test_log_form_that_did_not_open_in_time_is_said_privately(board):
    board.fake.fail_next("views.open", "expired_trigger_id")
    calls = board.command("/action", "")
    assert any("didn't open" in c.text for c in replies(calls))
