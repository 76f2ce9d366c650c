"""The App Home tab: the viewer's actions with their buttons, their boards at a glance, "Preview summary"
for chairs; refreshed after a change; within 100 blocks however many actions. And the Messages tab: a
DM to the bot gets help. And the manifest declares all of it."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from bot.rendering.buttons import DONE
from bot.rendering.home import PREVIEW_SUMMARY
from handlers.shortcuts import LOG_MESSAGE_SHORTCUT, LOG_SHORTCUT
from storage import boards as board_store
from storage.models import Action
from tests.action_support import add, events, load_action
from tests.driver import view_text
from tests.fakeslack import MAX_BLOCKS_SURFACE
from tests.surface_support import home_views, log_values, shown

MANIFEST = Path(__file__).resolve().parent.parent / "manifest.yml"


def _home(slack, user="UALICE"):
    [view] = home_views(slack.home_opened(user=user))
    return view


def test_home_lists_the_viewers_actions_by_urgency_with_buttons(board):
    add(board, "AF to circulate the report by 20/11/2026")
    add(board, "AF to book the venue by 26/11/2026")
    add(board, "AF to review the audit by 20/01/2027")
    add(board, "EA to draft the plan by 20/01/2027")
    view = _home(board)
    text = view_text(view)
    assert text.index("Overdue") < text.index("SSCB-1") < text.index("Due in the next 7 days") < text.index("SSCB-2")
    assert text.index("Later") < text.index("SSCB-3") and "SSCB-4" not in text
    rows = [b["block_id"] for b in view["blocks"] if b["type"] == "actions"]
    assert rows == ["buttons:home:SSCB-1", "buttons:home:SSCB-2", "buttons:home:SSCB-3"]


def test_home_shows_the_boards_with_next_meeting_and_rag_counts(board):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    add(board, "AF to circulate the report by 20/12/2026")
    add(board, "EA to book the venue by 20/12/2026")
    board.command("/action", "rag SSCB-1 red", user="UALICE")
    view = _home(board)
    [glance] = [b for b in view["blocks"] if b.get("block_id") == "board:SSCB"]
    line = glance["text"]["text"]
    assert "Next meeting Wed 16 Dec at 09:00" in line
    assert "2 open actions" in line and ":red_circle: 1" in line and "unrated 1" in line
    # Only the chair gets "Preview summary".
    assert "accessory" not in glance


def test_chair_previews_the_summary_from_home_in_a_dm(board):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    add(board, "AF to circulate the report by 20/11/2026")
    view = _home(board, user="UCAROL")
    [glance] = [b for b in view["blocks"] if b.get("block_id") == "board:SSCB"]
    assert glance["accessory"]["action_id"] == PREVIEW_SUMMARY
    calls = board.click(PREVIEW_SUMMARY, "SSCB", view=view, user="UCAROL")
    [dm] = [c for c in calls if c.method == "chat.postMessage"]
    assert dm.args["channel"] == "UCAROL" and "SSCB-1" in dm.text


def test_done_on_home_closes_the_action_and_redraws_home_with_what_happened(board, session_factory):
    add(board, "AF to circulate the report by 20/11/2026")
    view = _home(board)
    calls = board.click(DONE, "SSCB-1", view=view)
    assert load_action(session_factory, "SSCB", 1).status == "done"
    [redrawn] = home_views(calls)
    assert "SSCB-1* is marked done" in view_text(redrawn)
    assert not [b for b in redrawn["blocks"] if b["type"] == "actions"]


def test_done_twice_on_home_says_so_on_home(board, session_factory):
    add(board, "AF to circulate the report by 20/11/2026")
    view = _home(board)
    board.click(DONE, "SSCB-1", view=view)
    calls = board.click(DONE, "SSCB-1", view=view)
    assert any("was already marked done" in view_text(v) for v in home_views(calls))
    assert [e.kind for e in events(session_factory, "SSCB", 1)] == ["created", "done"]


def test_home_refreshes_after_the_viewer_logs_an_action_with_the_form(board):
    assert "SSCB-1" not in view_text(_home(board))
    view = shown(board, board.command("/action", ""), "log_action")
    _, calls = board.submit(view, log_values(what="AF to circulate the report by 15/12/2026"))
    [home] = home_views(calls)
    assert "SSCB-1" in view_text(home)


def test_home_stays_within_100_blocks_with_many_actions(board, session_factory, clock):
    with session_factory() as session:
        alice = board_store.current_member_by_user(session, 1, "UALICE")
        assert alice is not None
        for n in range(1, 131):
            action = Action(
                board_id=1,
                number=n,
                text=f"Action number {n}",
                status="open",
                due_kind="date",
                due_date=date(2026, 10 + n % 3, 1 + n % 27),
                due_change_count=0,
                created_by="UALICE",
                created_at=clock.now,
                updated_at=clock.now,
            )
            action.owners = [alice]
            session.add(action)
        session.commit()
    view = _home(board)
    assert len(view["blocks"]) <= MAX_BLOCKS_SURFACE
    text = view_text(view)
    assert re.search(r"and [\d,]+ more: `/mine (overdue|later|soon)`", text), text


def test_messages_tab_opening_is_ignored(board):
    calls = board.home_opened(tab="messages")
    assert home_views(calls) == []


def test_direct_message_to_the_bot_gets_help(board):
    body = {
        "token": "legacy",
        "team_id": "T1",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": "EvDM1",
        "event_time": 1,
        "event": {
            "type": "message",
            "channel_type": "im",
            "channel": "DUALICE",
            "user": "UALICE",
            "text": "hi",
            "ts": "1.1",
        },
    }
    before = len(board.fake.calls)
    assert board.post(json.dumps(body), content_type="application/json").status == 200
    board.wait_idle()
    [answer] = [c for c in board.fake.calls[before:] if c.method == "chat.postMessage"]
    assert answer.args["channel"] == "DUALICE" and "/action" in answer.text and "/mine" in answer.text


def test_the_bots_own_dm_is_not_answered(board):
    body = {
        "team_id": "T1",
        "type": "event_callback",
        "event_id": "EvDM2",
        "event": {"type": "message", "channel_type": "im", "channel": "DUALICE", "bot_id": "BBOT", "text": "x"},
    }
    before = len(board.fake.calls)
    assert board.post(json.dumps(body), content_type="application/json").status == 200
    board.wait_idle()
    assert [c for c in board.fake.calls[before:] if c.method == "chat.postMessage"] == []


def test_manifest_declares_the_shortcuts_interactivity_home_and_dms():
    text = MANIFEST.read_text()
    assert f"callback_id: {LOG_SHORTCUT}" in text and "type: global" in text
    assert f"callback_id: {LOG_MESSAGE_SHORTCUT}" in text and "type: message" in text
    assert re.search(r"interactivity:\n\s+is_enabled: true", text)
    assert "- app_home_opened" in text and "- message.im" in text and "- im:history" in text
    assert "home_tab_enabled: true" in text
    [mine_hint] = re.findall(r"command: /mine\n(?:.*\n){2}\s+usage_hint: \"(.*)\"", text)
    assert "snooze" in mine_hint
    assert "attached as a file" not in text
