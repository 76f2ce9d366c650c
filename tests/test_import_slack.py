"""`/action import` (paste, preview, confirm) and `/action export` (a file sent to the caller) in Slack."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from storage.models import Action, ImportDraft, Member
from tests.action_support import action_count, only_post, only_reply
from tests.driver import replies

MINUTES = """3. Performance
The board discussed the scorecard.
Action: AF and EA to review the neglect thresholds by 15/12/2026
- JB to circulate the audit findings to all partners - by 31 January 2027
Action: Felicity Budgen to present the workforce plan at the next meeting
"""


def _draft_number(text: str) -> int:
    m = re.search(r"/action import confirm (\d+)", text)
    assert m, text
    return int(m.group(1))


def test_import_previews_privately_and_creates_nothing(board, session_factory):
    calls = board.command("/action", "import\n" + MINUTES, user="UCAROL")
    reply = only_reply(calls)
    assert "3 actions" in reply.text
    assert "AF & EA" in reply.text and "Review the neglect thresholds" in reply.text and "due 15/12/2026" in reply.text
    assert "Felicity Budgen" in reply.text and "new member FB" in reply.text
    assert action_count(session_factory) == 0


def test_confirm_creates_the_actions_and_posts_to_the_board(board, session_factory):
    preview = only_reply(board.command("/action", "import\n" + MINUTES, user="UCAROL"))
    calls = board.command("/action", f"import confirm {_draft_number(preview.text)}", user="UCAROL")
    post = only_post(calls)
    assert "Imported 3 actions into SSCB" in post.text
    with session_factory() as session:
        actions = session.scalars(select(Action).order_by(Action.number)).all()
        assert [a.text for a in actions] == [
            "Review the neglect thresholds",
            "Circulate the audit findings to all partners",
            "Present the workforce plan",
        ]
        assert [sorted(m.initials for m in a.owners) for a in actions] == [["AF", "EA"], ["JB"], ["FB"]]
        assert actions[0].source_document == "minutes pasted in Slack" and actions[0].source_line == 3
        felicity = session.scalars(select(Member).where(Member.initials == "FB")).one()
        assert felicity.name == "Felicity Budgen" and felicity.slack_user_id is None


def test_confirming_twice_creates_nothing_more(board, session_factory):
    preview = only_reply(board.command("/action", "import\n" + MINUTES, user="UCAROL"))
    number = _draft_number(preview.text)
    board.command("/action", f"import confirm {number}", user="UCAROL")
    again = only_reply(board.command("/action", f"import confirm {number}", user="UCAROL"))
    assert "already been imported" in again.text
    assert action_count(session_factory) == 3


def test_pasting_the_same_minutes_again_says_nothing_is_new(board, session_factory):
    preview = only_reply(board.command("/action", "import\n" + MINUTES, user="UCAROL"))
    board.command("/action", f"import confirm {_draft_number(preview.text)}", user="UCAROL")
    second = only_reply(board.command("/action", "import\n" + MINUTES, user="UCAROL"))
    assert "0 new, 3 already on the log" in second.text
    assert "imported already" in second.text
    assert action_count(session_factory) == 3


def test_only_board_managers_may_import(board, session_factory):
    reply = only_reply(board.command("/action", "import\n" + MINUTES, user="UBOB"))
    assert "Only the chair" in reply.text
    assert action_count(session_factory) == 0


def test_import_with_options_but_no_minutes_says_what_to_paste(board):
    reply = only_reply(board.command("/action", "import meeting 2026-01-14", user="UCAROL"))
    assert "Paste the minutes" in reply.text


def test_pasted_text_is_escaped_in_the_preview(board):
    reply = only_reply(board.command("/action", "import\nAction: AF to warn <!channel> about the audit", user="UCAROL"))
    assert "<!channel>" not in reply.text and "&lt;!channel&gt;" in reply.text


def test_export_uploads_the_log_to_the_caller(board):
    board.command("/action", "add AF to circulate the report by 15/12/2026", user="UALICE")
    board.fake.clear()
    calls = board.command("/action", "export xlsx", user="UALICE")
    [reply] = replies(calls)
    assert "SSCB-action-log-" in reply.text and "1 action" in reply.text
    methods = [c.method for c in board.fake.calls]
    assert (
        methods.index("files.getUploadURLExternal")
        < methods.index("upload")
        < methods.index("files.completeUploadExternal")
    )
    [sent] = board.fake.uploaded()
    assert sent["filename"].endswith(".xlsx") and sent["channel_id"] == "DUALICE"
    sheet = load_workbook(io.BytesIO(sent["content"])).active
    assert sheet["A2"].value == "SSCB-1" and sheet["D2"].value == "Circulate the report"


def test_export_is_refused_to_non_members(board):
    reply = only_reply(board.command("/action", "export csv", user="UEVE"))
    assert "Only members of SSCB" in reply.text
    assert board.fake.uploaded() == []


def test_a_failed_upload_is_reported_to_the_caller(board):
    board.fake.fail_next("files.getUploadURLExternal", "internal_error")
    calls = board.command("/action", "export csv", user="UALICE")
    [reply] = replies(calls)
    assert "couldn't send you" in reply.text


def test_pasted_minutes_are_not_kept_once_imported(board, session_factory):
    preview = only_reply(board.command("/action", "import\n" + MINUTES, user="UCAROL"))
    board.command("/action", f"import confirm {_draft_number(preview.text)}", user="UCAROL")
    with session_factory() as session:
        [draft] = session.scalars(select(ImportDraft)).all()
        assert (draft.status, draft.text) == ("imported", "")


def test_only_the_person_who_pasted_may_confirm(board, session_factory):
    preview = only_reply(board.command("/action", "import\n" + MINUTES, user="UCAROL"))
    reply = only_reply(board.command("/action", f"import confirm {_draft_number(preview.text)}", user="UALICE"))
    assert "no import" in reply.text
    assert action_count(session_factory) == 0
