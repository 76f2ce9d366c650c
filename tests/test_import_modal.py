"""`/action import` with no text: a modal to paste minutes, a preview, Import or Back."""

from __future__ import annotations

import json
import threading
from urllib.parse import urlencode

from sqlalchemy import select

from bot.importing.model import Candidate
from bot.rendering.import_modal import ModalState, preview_view
from bot.services.importing import ImportPlan, PlannedAction
from storage.models import Action, Board, ImportDraft
from tests.action_support import action_count, lock_boards
from tests.fakeslack import _block_texts

MINUTES = """3. Performance
Action: AF and EA to review the neglect thresholds by 15/12/2026
- JB to circulate the audit findings to all partners - by 31 January 2027
Action: Felicity Budgen to present the workforce plan at the next meeting
"""


def _opened(board, text: str = "import", user: str = "UCAROL") -> dict:
    calls = board.command("/action", text, user=user)
    assert [c for c in calls if c.method == "respond"] == []  # no "paste the minutes" answer: a form instead
    # The lazy listener opens the form after the ack, outside the work pool: wait for it.
    board.fake.wait_for(lambda calls: any(c.method == "views.open" for c in calls))
    [opened] = board.fake.calls_to("views.open")
    # The view as Slack holds it, with the id it gave the new modal (a submission names that id).
    return {**opened.args, "view": {**opened.args["view"], "id": opened.args["opened_view_id"]}}


def _view_text(view: dict) -> str:
    return "\n".join(_block_texts(view.get("blocks") or []))


def _submit(board, view: dict, *, user: str = "UCAROL", values: dict | None = None, trigger: str = "t.1"):
    payload = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": user, "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": trigger,
        "view": {**view, "state": {"values": values or {}}},
    }
    answer = board.interact(payload)
    board.wait_idle()
    return answer


def _minutes(text: str, meeting: str | None = None) -> dict:
    return {
        "minutes": {"text": {"type": "plain_text_input", "value": text}},
        "meeting": {"date": {"type": "datepicker", "selected_date": meeting}},
    }


def _last_update(board) -> dict:
    args = board.fake.calls_to("views.update")[-1].args
    return {**args, "view": {**args["view"], "id": args["view_id"]}}


def _preview(board, user: str = "UCAROL") -> tuple[dict, dict]:
    opened = _opened(board, user=user)
    answer = _submit(board, opened["view"], values=_minutes(MINUTES, "2026-11-20"), user=user)
    return json.loads(answer.body), _last_update(board)


def test_import_without_text_opens_the_paste_form_with_the_trigger(board):
    opened = _opened(board)
    assert opened["trigger_id"].startswith("trigger.")
    view = opened["view"]
    assert view["callback_id"] == "import_minutes"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["minutes", "meeting"]
    assert json.loads(view["private_metadata"])["channel"] == "CBOARD"


def test_submitting_minutes_acks_with_a_working_view_then_shows_the_preview(board, session_factory):
    ack, update = _preview(board)
    assert ack["response_action"] == "update" and "Reading the minutes" in _view_text(ack["view"])
    assert update["view_id"] == board.fake.calls_to("views.open")[0].args["opened_view_id"]
    text = _view_text(update["view"])
    assert "3 actions" in text
    assert "AF & EA · Review the neglect thresholds · due 15/12/2026" in text
    assert "next meeting" in text
    assert "Felicity Budgen (FB)" in text  # not a member yet: shown, added on import
    assert update["view"]["submit"]["text"] == "Import"
    assert action_count(session_factory) == 0


def test_import_in_the_preview_creates_the_actions_once_and_tells_the_board(board, session_factory):
    _, update = _preview(board)
    answer = _submit(board, update["view"])
    assert "Importing" in _view_text(json.loads(answer.body)["view"])
    assert "Imported 3 actions into SSCB" in _view_text(_last_update(board)["view"])
    [post] = board.fake.calls_to("chat.postMessage")
    assert post.args["channel"] == "CBOARD" and "Imported 3 actions" in post.text
    with session_factory() as session:
        actions = session.scalars(select(Action).order_by(Action.number)).all()
        assert actions[0].text == "Review the neglect thresholds"
        assert actions[0].source_meeting.isoformat() == "2026-11-20"
    _submit(board, update["view"], trigger="t.2")  # pressed again: another request
    assert "already been imported" in _view_text(_last_update(board)["view"])
    assert action_count(session_factory) == 3


def test_back_returns_to_the_form_with_the_minutes_as_pasted(board, session_factory):
    _, update = _preview(board)
    back = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "UCAROL", "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": "trigger.back",
        "container": {"type": "view", "view_id": update["view_id"]},
        "view": update["view"],
        "actions": [{"type": "button", "action_id": "import_back", "block_id": "b", "value": "back"}],
    }
    board.interact(back)
    board.wait_idle()
    edit = _last_update(board)["view"]
    assert edit["callback_id"] == "import_minutes"
    [minutes] = [b for b in edit["blocks"] if b.get("block_id") == "minutes"]
    assert minutes["element"]["initial_value"] == MINUTES
    [meeting] = [b for b in edit["blocks"] if b.get("block_id") == "meeting"]
    assert meeting["element"]["initial_date"] == "2026-11-20"
    assert action_count(session_factory) == 0


def test_empty_minutes_are_refused_under_the_field(board, session_factory):
    opened = _opened(board)
    answer = json.loads(_submit(board, opened["view"], values=_minutes("   ")).body)
    assert answer["response_action"] == "errors" and "Paste the minutes" in answer["errors"]["minutes"]
    assert board.fake.calls_to("views.update") == []
    with session_factory() as session:
        assert session.scalars(select(ImportDraft)).all() == []


def test_a_member_who_does_not_manage_the_board_sees_why_in_the_form(board, session_factory):
    _, update = _preview(board, user="UBOB")
    assert "Only the chair" in _view_text(update["view"])
    assert "submit" not in update["view"]
    with session_factory() as session:
        assert session.scalars(select(ImportDraft)).all() == []


def test_a_long_preview_stays_within_the_modal_limits(board):
    many = "\n".join(f"Action: AF to review partnership audit finding number {n} in detail by 15/12/2026"
                     for n in range(400))  # fmt: skip
    opened = _opened(board)
    _submit(board, opened["view"], values=_minutes(many[:3000]))
    view = _last_update(board)["view"]
    assert len(view["blocks"]) <= 100
    assert "finding number 0 " in _view_text(view)
    # the fake records any block over 3000 characters or any view over 100 blocks as a violation


def test_a_preview_of_thousands_of_actions_keeps_to_100_blocks_and_says_how_many_more():
    plan = ImportPlan(
        board=Board(code="SSCB"),
        source="minutes",
        meeting=None,
        layouts=[],
        actions=[
            PlannedAction(Candidate(f"Review audit finding {n} " + "with every partner " * 10, n)) for n in range(5000)
        ],
    )
    view = preview_view(plan, ModalState("CBOARD", None, 7))
    assert len(view["blocks"]) <= 100
    assert all(len(t) <= 3000 for t in _block_texts(view["blocks"]))
    assert "more" in _view_text(view) and view["submit"]["text"] == "Import"


def test_the_form_does_not_open_when_slack_refuses_and_the_user_is_told(board):
    board.fake.fail_next("views.open", "expired_trigger_id")
    board.command("/action", "import", user="UCAROL")
    board.fake.wait_for(lambda calls: any(c.method == "respond" for c in calls))
    [said] = board.fake.calls_to("respond")
    assert "couldn't open the import form" in said.text and "expired_trigger_id" in said.text


def _race(board, *payloads: dict) -> None:
    """POST the interactions at once, released together by a barrier; wait for all their work."""
    barrier = threading.Barrier(len(payloads))
    statuses: list[int] = []

    def fire(payload: dict) -> None:
        barrier.wait(timeout=10)
        statuses.append(board.post(urlencode({"payload": json.dumps(payload)})).status)

    threads = [threading.Thread(target=fire, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    board.wait_idle()
    assert statuses == [200] * len(payloads)


def _submission(view: dict, trigger: str) -> dict:
    return {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "UCAROL", "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": trigger,
        "view": {**view, "state": {"values": {}}},
    }


def test_two_imports_of_one_preview_at_once_create_its_actions_once(board, session_factory):
    # The draft row lock (take_draft) and the board lock (apply_import): one import wins, the other is told.
    _, update = _preview(board)
    _race(board, _submission(update["view"], "t.a"), _submission(update["view"], "t.b"))
    assert action_count(session_factory) == 3
    shown = [_view_text(c.args["view"]) for c in board.fake.calls_to("views.update")[-2:]]
    assert sorted("Imported 3 actions" in t for t in shown) == [False, True]
    assert any("already been imported" in t for t in shown), shown
    assert len(board.fake.calls_to("chat.postMessage")) == 1


def test_back_racing_import_either_imports_or_sets_the_draft_aside_never_both(board, session_factory):
    _, update = _preview(board)
    back = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "UCAROL", "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": "t.back",
        "container": {"type": "view", "view_id": update["view_id"]},
        "view": update["view"],
        "actions": [{"type": "button", "action_id": "import_back", "block_id": "b", "value": "back"}],
    }
    _race(board, _submission(update["view"], "t.import"), back)
    with session_factory() as session:
        [draft] = session.scalars(select(ImportDraft)).all()
    assert (draft.status, action_count(session_factory)) in (("imported", 3), ("cancelled", 0))


def test_the_form_opens_while_the_database_is_locked(board, engine):
    # Acked and opened with a view built without the database: the trigger expires in 3 s.
    conn = lock_boards(engine)
    try:
        answer = board.post(board.command_body("/action", "import", user="UCAROL", channel="CBOARD"))
        assert answer.status == 200
        board.fake.wait_for(lambda calls: any(c.method == "views.open" for c in calls))
    finally:
        conn.rollback()
        conn.close()
    board.wait_idle()


def test_import_in_a_board_code_opens_the_form_for_that_board(board):
    opened = _opened(board, text="import in sscb")
    assert json.loads(opened["view"]["private_metadata"])["code"] == "SSCB"


def test_other_action_commands_open_no_form(board):
    board.command("/action", "add AF to circulate the report by 15/12/2026")
    board.command("/action", "import in")  # not a board code: the command answers, no form opens
    board.command("/action", "list")

    assert board.fake.calls_to("views.open") == []
