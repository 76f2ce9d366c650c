"""A file shared in the board's channel with "import" as its message: a private preview, then the usual confirm."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import select

from storage.models import Action, ImportDraft
from tests.action_support import action_count, lock_boards, only_post

DATA = Path(__file__).parent / "data" / "import"
MINUTES = b"""3. Performance
Action: AF and EA to review the neglect thresholds by 15/12/2026
- JB to circulate the audit findings to all partners - by 31 January 2027
"""


def _share(board, name: str, content: bytes, *, text: str = "import", user: str = "UCAROL", channel: str = "CBOARD",
           size: int | None = None):  # fmt: skip
    file = board.fake.add_file(name, content, size=size)
    event = {
        "type": "message",
        "subtype": "file_share",
        "text": text,
        "user": user,
        "channel": channel,
        "channel_type": "channel",
        "ts": "1700000000.000100",
        "files": [file],
    }
    return board.event(event)


def _ephemeral(calls) -> str:
    [call] = [c for c in calls if c.method == "chat.postEphemeral"]
    return call.text


def _downloads(calls):
    return [c for c in calls if c.method == "files.download"]


def test_a_text_file_shared_with_import_is_previewed_to_the_sharer_only(board, session_factory):
    calls = _share(board, "minutes.txt", MINUTES)
    [preview] = [c for c in calls if c.method == "chat.postEphemeral"]
    assert preview.args["user"] == "UCAROL" and preview.args["channel"] == "CBOARD"
    assert "2 actions" in preview.text and "Review the neglect thresholds" in preview.text
    assert "/action import confirm" in preview.text
    assert [d.args["authorized"] for d in _downloads(calls)] == [True]
    assert action_count(session_factory) == 0


def test_a_shared_word_file_is_imported_on_confirm(board, session_factory):
    path = DATA / "partnership_minutes.docx"
    preview = _ephemeral(_share(board, path.name, path.read_bytes()))
    number = int(re.search(r"/action import confirm (\d+)", preview).group(1))
    post = only_post(board.command("/action", f"import confirm {number}", user="UCAROL"))
    assert "Imported 4 actions into SSCB" in post.text
    with session_factory() as session:
        actions = session.scalars(select(Action)).all()
        assert {a.source_document for a in actions} == {"partnership_minutes.docx"}
        assert session.scalars(select(ImportDraft)).one().text == ""  # the file is not kept once imported


def test_a_shared_excel_action_log_is_read_as_a_table(board):
    path = DATA / "improvement_board.xlsx"
    preview = _ephemeral(_share(board, path.name, path.read_bytes()))
    assert "6 actions" in preview


def test_a_shared_csv_action_log_is_read_as_a_table(board):
    path = DATA / "lscb_action_log.csv"
    preview = _ephemeral(_share(board, path.name, path.read_bytes()))
    assert "6 actions" in preview


def test_an_unsupported_file_type_is_refused_without_downloading(board, session_factory):
    calls = _share(board, "minutes.pdf", b"%PDF-1.4")
    assert "can't import .pdf" in _ephemeral(calls)
    assert _downloads(calls) == []
    with session_factory() as session:
        assert session.scalars(select(ImportDraft)).all() == []


def test_a_file_too_large_is_refused_without_downloading(board):
    calls = _share(board, "minutes.txt", MINUTES, size=50 * 1024 * 1024)
    assert "larger than 5 MB" in _ephemeral(calls)
    assert _downloads(calls) == []


def test_a_file_shared_outside_a_board_channel_is_refused(board, session_factory):
    calls = _share(board, "minutes.txt", MINUTES, channel="COTHER")
    assert "/meeting setup" in _ephemeral(calls)
    assert _downloads(calls) == []
    assert action_count(session_factory) == 0


def test_a_member_who_does_not_manage_the_board_may_not_import_a_file(board, session_factory):
    calls = _share(board, "minutes.txt", MINUTES, user="UBOB")
    assert "Only the chair" in _ephemeral(calls)
    assert _downloads(calls) == []
    with session_factory() as session:
        assert session.scalars(select(ImportDraft)).all() == []


def test_a_file_shared_without_import_is_left_alone(board):
    calls = _share(board, "minutes.txt", MINUTES, text="Here are the minutes")
    assert [c.method for c in calls if c.method != "auth.test"] == []


def test_a_file_slack_will_not_let_the_bot_download_is_explained(board, session_factory):
    board.fake.bot_token = "xoxb-another"  # Slack answers with its sign-in page
    calls = _share(board, "minutes.txt", MINUTES)
    assert "files:read" in _ephemeral(calls)
    with session_factory() as session:
        assert session.scalars(select(ImportDraft)).all() == []


def test_a_shared_file_is_acked_while_the_database_is_locked_and_previewed_after(board, engine):
    # The listener only queues: no download and no database on the request thread.
    file = board.fake.add_file("minutes.txt", MINUTES)
    event = {"type": "message", "subtype": "file_share", "text": "import", "user": "UCAROL", "channel": "CBOARD",
             "channel_type": "channel", "ts": "1700000000.000200", "files": [file]}  # fmt: skip
    body = {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "EvLocked", "event_time": 1,
            "event": event}  # fmt: skip
    conn = lock_boards(engine)
    try:
        answer = board.post(json.dumps(body), content_type="application/json")
        assert answer.status == 200
        assert board.fake.calls_to("files.download") == []
    finally:
        conn.rollback()
        conn.close()
    board.wait_idle()
    assert "2 actions" in _ephemeral(board.fake.calls)


def test_a_file_slack_sends_by_id_only_is_looked_up_then_previewed(board):
    file = board.fake.add_file("minutes.md", MINUTES)
    event = {"type": "message", "subtype": "file_share", "text": "import", "user": "UCAROL", "channel": "CBOARD",
             "ts": "1700000000.000300", "files": [{"id": file["id"], "file_access": "check_file_info"}]}  # fmt: skip
    calls = board.event(event)
    assert [c.args["file"] for c in calls if c.method == "files.info"] == [file["id"]]
    assert "2 actions" in _ephemeral(calls)
