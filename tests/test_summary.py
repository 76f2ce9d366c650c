"""The matters-arising summary: contents, /summary preview and post, and the CLI formats."""

import json
from datetime import UTC, datetime

from bot.cli import main
from tests.driver import posts, replies


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _log_for_two_meetings(board, clock):
    """Meeting on 18 Nov (past), next on 16 Dec; a log with every kind of item."""
    clock.now = _utc(2026, 10, 1, 10, 0)
    board.command("/meeting", "schedule 18/11/2026 10:00 at Civic Centre", user="UCAROL")
    board.command("/meeting", "schedule 16/12/2026 09:00 until 11:00 at Committee Room", user="UCAROL")
    board.command("/action", "add AF to circulate the audit by 30/10/2026")  # 1: overdue, re-dated
    board.command("/action", "rag SSCB-1 green")
    board.command("/action", "add EA to book the venue by 14/12/2026")  # 2: due by the meeting
    board.command("/action", "add JB to brief the police team by 10/12/2026")  # 3: owner without Slack
    board.command("/action", "add AF & EA to close the old plan by 01/11/2026")  # 4: closed later
    board.command("/action", "due SSCB-1 15/11/2026 data late")
    clock.now = _utc(2026, 11, 25, 10, 0)  # after the 18 Nov meeting
    board.command("/action", "rag SSCB-1 amber waiting for health data")
    board.command("/action", "update SSCB-2 venue shortlisted")
    board.command("/action", "done SSCB-4 plan replaced by the new one")
    clock.now = _utc(2026, 12, 1, 10, 0)
    board.fake.clear()


def test_summary_preview_is_private_and_has_every_section(board, clock):
    _log_for_two_meetings(board, clock)
    calls = board.command("/summary", "", user="UDAVE")
    assert posts(calls) == []
    [reply] = replies(calls)
    text = reply.text
    assert "Matters arising: SSCB, 16 Dec 2026" in text
    assert "Wed 16 Dec 2026, 09:00–11:00 · Committee Room" in text
    assert "3 open · 1 overdue · 2 due by this meeting · 1 closed since the last meeting (18 Nov)" in text
    # Overdue: days overdue, re-dated count, carried over the 18 Nov meeting, last update age.
    assert "SSCB-1" in text and "16 days overdue" in text and "re-dated 1×" in text
    assert "carried over 1 meeting" in text
    # RAG worse since the last meeting, with the reason.
    assert "Green → Amber: waiting for health data" in text
    # Due by the meeting with the latest update.
    assert "venue shortlisted" in text
    # Closed since last meeting.
    assert "done" in text and "plan replaced by the new one" in text
    # The chair chases the owner without Slack.
    assert "JB (Jo Bloggs): SSCB-3" in text


def test_empty_sections_say_so_in_one_line(board, clock):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    [reply] = replies(board.command("/summary"))
    assert "Nothing is overdue." in reply.text
    assert "No RAG rating has got worse." in reply.text
    assert "Nothing has been closed." in reply.text
    assert "since each action was logged" in reply.text


def test_summary_post_by_chair_goes_to_channel(board, clock):
    _log_for_two_meetings(board, clock)
    calls = board.command("/summary", "SSCB post", user="UCAROL")
    [post] = posts(calls)
    assert post.args["channel"] == "CBOARD" and "Matters arising" in post.text


def test_summary_post_by_member_is_refused(board, clock):
    _log_for_two_meetings(board, clock)
    calls = board.command("/summary", "post", user="UALICE")
    assert posts(calls) == []
    assert "Only the chair" in replies(calls)[0].text


def test_summary_post_by_workspace_admin_is_allowed(board, clock):
    _log_for_two_meetings(board, clock)
    assert posts(board.command("/summary", "post", user="UADMIN"))


def test_summary_of_unknown_board_is_refused(board):
    [reply] = replies(board.command("/summary", "NOPE"))
    assert "no board with code `NOPE`" in reply.text and "/summary [CODE] [post [anyway]]" in reply.text


def test_cli_summary_markdown(board, clock, engine, monkeypatch, capsys):
    _log_for_two_meetings(board, clock)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    code = main(["summary", "--board", "SSCB", "--format", "markdown", "--at", "2026-12-01T10:00:00+00:00"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("# Matters arising: SSCB, 16 Dec 2026")
    assert "## Overdue (1)" in out and "**SSCB-1**" in out


def test_cli_summary_json(board, clock, engine, monkeypatch, capsys):
    _log_for_two_meetings(board, clock)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["summary", "--board", "sscb", "--format", "json", "--at", "2026-12-01T10:00:00Z"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["overdue"] == 1
    assert data["deteriorated"][0]["rag_from"] == "green"


def test_cli_summary_unknown_board_is_an_error(engine, monkeypatch, capsys, session_factory):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["summary", "--board", "NOPE"]) == 2
    assert "NOPE" in capsys.readouterr().err


def test_rag_worse_reason_is_the_note_of_the_rating_that_went_down(board, clock):
    clock.now = _utc(2026, 10, 1, 10, 0)
    board.command("/meeting", "schedule 18/11/2026 10:00", user="UCAROL")
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    board.command("/action", "add AF to circulate the audit by 30/12/2026")
    board.command("/action", "rag SSCB-1 green on track")
    clock.now = _utc(2026, 11, 25, 10, 0)
    board.command("/action", "rag SSCB-1 amber")
    clock.now = _utc(2026, 12, 1, 10, 0)
    [reply] = replies(board.command("/summary"))
    assert "Green → Amber (no reason recorded)" in reply.text
    assert "on track" not in reply.text
