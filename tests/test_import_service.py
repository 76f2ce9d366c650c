"""Importing into a board and exporting its log: stored results, the CLI, and the round trip."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.cli import main
from bot.importing.extract import as_dict, extract_actions
from bot.importing.readers import read_document, read_text
from bot.rendering.export import render
from bot.services.context import Caller
from bot.services.exporting import action_log
from bot.services.importing import apply_import, plan_import
from storage.boards import board_by_code
from storage.models import Action, Board, BoardEvent, Member
from tests.action_support import action_count

DATA = Path(__file__).parent / "data" / "import"
NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)
CAROL = Caller(team_id="T1", user_id="UCAROL", channel_id="CBOARD")


def _import(session_factory, text: str, *, code: str = "SSCB", name: str = "minutes.txt", meeting=None):
    with session_factory() as session, session.begin():
        board = board_by_code(session, "T1", code)
        plan = plan_import(session, board=board, document=read_text(name, text), meeting=meeting, now=NOW)
        result = apply_import(session, caller=CAROL, plan=plan, now=NOW)
        return len(result.created), len(plan.duplicates)


def _actions(session_factory, code: str = "SSCB") -> list[Action]:
    with session_factory() as session:
        actions = list(
            session.scalars(select(Action).join(Board).where(Board.code == code).order_by(Action.number)).all()
        )
        for a in actions:
            _ = [m.initials for m in a.owners]
        session.expunge_all()
        return actions


def test_imported_actions_keep_their_source_document_and_line(board, session_factory):
    _import(session_factory, "Notes\nAction: AF to circulate the audit by 15/12/2026", name="board-2026-11.txt",
            meeting=datetime.date(2026, 11, 20))  # fmt: skip
    [action] = _actions(session_factory)
    assert (action.source_document, action.source_line, action.source_meeting) == (
        "board-2026-11.txt",
        2,
        datetime.date(2026, 11, 20),
    )
    assert action.text == "Circulate the audit" and action.due_date == datetime.date(2026, 12, 15)
    assert [m.initials for m in action.owners] == ["AF"]


def test_importing_the_same_minutes_twice_creates_nothing_the_second_time(board, session_factory):
    text = "Action: AF to circulate the audit\nAction: EA to book the venue"
    assert _import(session_factory, text) == (2, 0)
    assert _import(session_factory, text) == (0, 2)
    assert action_count(session_factory) == 2


def test_unresolved_owners_become_members_without_slack_not_the_importer(board, session_factory):
    _import(session_factory, "Action: Felicity Budgen and XY to review the plan")
    [action] = _actions(session_factory)
    assert sorted(m.initials for m in action.owners) == ["FB", "XY"]
    with session_factory() as session:
        fb = session.scalars(select(Member).where(Member.initials == "FB")).one()
        assert (fb.name, fb.slack_user_id) == ("Felicity Budgen", None)
        added = session.scalars(select(BoardEvent).where(BoardEvent.kind == "member_added")).all()
        assert {e.data.get("via") for e in added if e.data["initials"] in ("FB", "XY")} == {"import"}


def test_a_new_name_whose_initials_are_taken_gets_other_initials(board, session_factory):
    _import(session_factory, "Action: Anna Foster to book the venue")
    [action] = _actions(session_factory)
    [owner] = action.owners
    assert owner.initials == "AF2" and owner.name == "Anna Foster"


def test_all_means_every_current_member(board, session_factory):
    _import(session_factory, "Action: All to promote the training offer")
    [action] = _actions(session_factory)
    assert sorted(m.initials for m in action.owners) == ["AF", "EA", "JB"]


def test_status_rag_and_update_columns_are_imported(board, session_factory):
    text = "| Action | Owner | Due | Status | RAG | Update |\n|---|---|---|---|---|---|\n" \
           "| Audit plans | AF | 31/12/2026 | Complete | Amber → Green | Audit done |"  # fmt: skip
    _import(session_factory, text)
    [action] = _actions(session_factory)
    assert (action.status, action.previous_rag, action.rag) == ("done", "amber", "green")
    assert action.closed_at is not None


def _seed_log(slack) -> None:
    slack.command("/action", "add AF & EA to circulate the audit by 15/12/2026", user="UALICE")
    slack.command("/action", "add JB to book the venue by next meeting", user="UALICE")
    slack.command("/action", "add AF to refresh the neglect strategy by TBC", user="UALICE")
    slack.command("/action", "add EA to train staff, including the police | schools by 31/01/2027", user="UALICE")
    slack.command("/action", "rag SSCB-1 amber slow returns", user="UALICE")
    slack.command("/action", "rag SSCB-1 red no returns", user="UALICE")
    slack.command("/action", "update SSCB-2 venue shortlisted", user="UALICE")
    slack.command("/action", "done SSCB-3", user="UALICE")


def _export(session_factory, fmt: str, code: str = "SSCB") -> bytes:
    with session_factory() as session:
        board = board_by_code(session, "T1", code)
        return render(action_log(session, board=board, status="all", now=NOW), fmt)


def _as_stored(actions: list[Action]) -> list[tuple]:
    return [
        (a.text, sorted(m.initials for m in a.owners), a.due_kind, a.due_date, a.status, a.previous_rag, a.rag)
        for a in actions
    ]


EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "docx": "docx", "markdown": "md"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "docx", "markdown"])
def test_an_export_re_imports_to_the_same_actions(board, session_factory, fmt):
    _seed_log(board)
    data = _export(session_factory, fmt)
    board.command("/meeting", "setup Second Board code TWO chair <@UCAROL>", user="UCAROL", channel="CTWO")
    with session_factory() as session, session.begin():
        two = board_by_code(session, "T1", "TWO")
        plan = plan_import(session, board=two, document=read_document(f"log.{EXTENSIONS[fmt]}", data), meeting=None,
                           now=NOW)  # fmt: skip
        apply_import(session, caller=CAROL, plan=plan, now=NOW)
    assert _as_stored(_actions(session_factory, "TWO")) == _as_stored(_actions(session_factory, "SSCB"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "docx"])
def test_an_export_re_imported_into_its_own_board_creates_nothing(board, session_factory, fmt):
    _seed_log(board)
    data = _export(session_factory, fmt)
    with session_factory() as session:
        sscb = board_by_code(session, "T1", "SSCB")
        plan = plan_import(session, board=sscb, document=read_document(f"log.{fmt}", data), meeting=None, now=NOW)
        assert (len(plan.to_create), len(plan.duplicates)) == (0, 4)


def test_export_json_shape_matches_the_original_actions(board, session_factory):
    _seed_log(board)
    found = [as_dict(c) for c in extract_actions(read_document("log.csv", _export(session_factory, "csv")),
                                                 today=NOW.date()).candidates]  # fmt: skip
    assert found[0] == {
        "ref": "SSCB-1",
        "text": "Circulate the audit",
        "owners": ["AF", "EA"],
        "due": "2026-12-15",
        "status": "open",
        "rag": "red",
    }
    assert [f["due"] for f in found[1:]] == ["next meeting", None, "2027-01-31"]
    assert found[2]["status"] == "done"


def test_xlsx_export_has_a_frozen_header_widths_and_coloured_rag(board, session_factory):
    _seed_log(board)
    sheet = load_workbook(io.BytesIO(_export(session_factory, "xlsx"))).active
    assert [c.value for c in sheet[1]][:4] == ["Ref", "Date raised", "Meeting", "Action"]
    assert sheet.freeze_panes == "B2" and sheet.column_dimensions["D"].width == 60
    assert sheet["H2"].value == "Amber → Red" and sheet["H2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["I3"].value == "venue shortlisted"


def test_docx_export_is_a_landscape_table(board, session_factory):
    _seed_log(board)
    document = docx.Document(io.BytesIO(_export(session_factory, "docx")))
    section = document.sections[0]
    assert section.page_width > section.page_height
    [table] = document.tables
    assert [c.text for c in table.rows[0].cells][-2:] == ["RAG (previous → current)", "Latest update"]
    assert len(table.rows) == 5


# -- the command line ------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch, engine):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def test_cli_dry_run_prints_the_json_array_and_creates_nothing(board, session_factory, cli_env, capsys):
    doc = DATA / "lscb_action_log.csv"
    assert (
        main(["import", str(doc), "--board", "sscb", "--meeting", "2025-03-18", "--dry-run", "--format", "json"]) == 0
    )
    printed = json.loads(capsys.readouterr().out)
    labelled = json.loads((DATA / "lscb_action_log.expected.json").read_text())["actions"]
    assert [p["text"] for p in printed] == [a["text"] for a in labelled]
    assert printed[0] == {**labelled[0], "owners": ["JM"]}
    assert set(printed[0]) == {"ref", "text", "owners", "due", "status", "rag"}
    assert action_count(session_factory) == 0


def test_cli_import_twice_says_the_second_time_that_nothing_is_new(board, session_factory, cli_env, capsys):
    doc = DATA / "partnership_minutes.docx"
    assert main(["import", str(doc), "--board", "SSCB", "--meeting", "2025-10-09"]) == 0
    first = capsys.readouterr().out
    assert "created 4 on SSCB" in first and "Not members of SSCB yet" in first
    assert main(["import", str(doc), "--board", "SSCB", "--meeting", "2025-10-09"]) == 0
    second = capsys.readouterr().out
    assert "created 0 on SSCB, 4 already on the log" in second and "imported already" in second
    assert action_count(session_factory) == 4


def test_cli_import_of_an_unknown_board_says_so(board, cli_env, capsys):
    assert main(["import", str(DATA / "hwb_minutes.md"), "--board", "NOPE"]) == 2
    assert "no board with code NOPE" in capsys.readouterr().err


def test_cli_import_of_a_pdf_is_refused_in_one_line(board, cli_env, capsys, tmp_path):
    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(b"%PDF")
    assert main(["import", str(pdf), "--board", "SSCB"]) == 2
    assert ".pdf" in capsys.readouterr().err


def test_cli_export_writes_the_file(board, session_factory, cli_env, capsys, tmp_path):
    _seed_log(board)
    out = tmp_path / "log.xlsx"
    assert main(["export", "--board", "SSCB", "--format", "xlsx", "--status", "open", "-o", str(out)]) == 0
    sheet = load_workbook(out).active
    assert [r[0].value for r in sheet.iter_rows(min_row=2)] == ["SSCB-1", "SSCB-2", "SSCB-4"]


def test_cli_export_markdown_to_standard_output(board, cli_env, capfdbinary):
    _seed_log(board)
    assert main(["export", "--board", "SSCB", "--format", "markdown", "--status", "all"]) == 0
    text = capfdbinary.readouterr().out.decode()
    assert "| SSCB-4 |" in text and "police \\| schools" in text


def test_all_on_a_board_without_members_adds_no_member_called_all(slack, session_factory):
    slack.command("/meeting", "setup Empty Board code EMPTY chair <@UCAROL>", user="UCAROL", channel="CEMPTY")
    with session_factory() as session:
        board = board_by_code(session, "T1", "EMPTY")
        plan = plan_import(session, board=board, document=read_text("m.txt", "Action: All to read the report"),
                           meeting=None, now=NOW)  # fmt: skip
        assert plan.new_members == [] and plan.actions[0].owner_labels() == ["All"]


def test_full_names_and_titles_resolve_to_the_members_they_name(board, session_factory):
    _import(session_factory, "Action: Jo Bloggs to brief the police\nAction: Ms Bloggs to book the room")
    assert [[m.initials for m in a.owners] for a in _actions(session_factory)] == [["JB"], ["JB"]]
