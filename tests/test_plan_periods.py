"""A board's improvement plan over two reporting periods: the summary's "RAG at a glance" and exception
entries, and the exception report and RAG at a glance exported for board papers.

The plan follows the structure of the seeds: a RAG exception report's areas (MASH and Early Help, seed 004,
with their leads and core Ofsted recommendations) and an Ofsted improvement plan's numbered recommendation
with its actions and lead person (seed 001).
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest

from bot.cli import main
from tests.driver import SlackDriver, posts, replies

MASH_REC = (
    "Decision making in the MASH adheres to local guidance and children do not experience unnecessary "
    "statutory assessments"
)
EARLY_HELP_REC = "Good quality assessments and plans so that all children get the right help quickly"
WORKFORCE_REC = "Ensure that the quality of social work to safeguard children is of a consistently high standard"


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _ok(calls: list) -> None:
    assert not [c.text for c in replies(calls) if ":warning:" in c.text]


def summary_text(fake) -> str:
    """Everything in the summary messages posted to the board's channel (first message and thread)."""
    return "\n".join(c.text for c in fake.calls_to("chat.postMessage") if c.args["channel"] == "CBOARD")


@pytest.fixture
def plan(board: SlackDriver, clock) -> SlackDriver:
    """Period 1 (until the meeting of 18 Nov): three areas and their priorities, rated."""
    clock.now = _utc(2026, 10, 1, 10, 0)
    for text in (
        "member add <@UDAVE> JS Service Manager, MASH",
        "member add <@UEVE> JW Head of Early Help",
        'member add "Felicity Budgen" FB Head of Safeguarding',
        "schedule 18/11/2026 10:00",
        "schedule 16/12/2026 09:00",
        "schedule 20/01/2027 09:00",
    ):
        _ok(board.command("/meeting", text, user="UCAROL"))
    for text in (
        f"area add MASH lead <@UDAVE> recommendation {MASH_REC}",
        f'area add Early-Help "Early Help" lead JW recommendation {EARLY_HELP_REC}',
        f'area add Workforce "Quality of social work" lead FB recommendation {WORKFORCE_REC}',
        "rag MASH green referrals addressed within 24 hours",
        "rag Early-Help green stable numbers",
        "rag Workforce amber recruitment fair held",
    ):
        _ok(board.command("/plan", text, user="UCAROL"))
    for text, user in (
        ("add JS to monitor the level of contacts received by 31/10/2026 area MASH", "UDAVE"),
        ("add JS to develop monthly learning circles between Assessment and MASH by 30/11/2026 area MASH", "UDAVE"),
        ("add JW to increase the % of children open with assessment by 31/01/2027 area Early-Help", "UEVE"),
        ("add FB to secure a permanent workforce by 31/03/2027 area Workforce", "UCAROL"),
        ("rag SSCB-2 green on track", "UDAVE"),
    ):
        _ok(board.command("/action", text, user=user))
    board.fake.clear()
    return board


def second_period(board: SlackDriver, clock) -> None:
    """After the 18 Nov meeting: evidence for MASH, a slipping priority, a worse rating, a claim without evidence."""
    clock.now = _utc(2026, 11, 25, 10, 0)
    _ok(board.command("/action", "update SSCB-1 contacts lower than baseline evidence CHAT data", user="UDAVE"))
    _ok(board.command("/action", "rag SSCB-2 red delayed by Covid", user="UDAVE"))
    _ok(board.command("/plan", "rag MASH amber learning circles delayed by Covid", user="UDAVE"))
    _ok(board.command("/action", "update SSCB-3 more children have an assessment", user="UEVE"))
    board.fake.clear()


def third_period(board: SlackDriver, clock) -> None:
    """After the 16 Dec meeting: MASH back to green with evidence; the workforce area down to red."""
    clock.now = _utc(2027, 1, 5, 10, 0)
    _ok(board.command("/action", "update SSCB-2 learning circles started evidence circle minutes", user="UDAVE"))
    _ok(board.command("/action", "done SSCB-2 circles running monthly", user="UDAVE"))
    _ok(board.command("/plan", "rag MASH green learning circles running", user="UCAROL"))
    _ok(board.command("/plan", "rag Workforce red recruitment stalled", user="UADMIN"))
    board.fake.clear()


def test_first_period_summary_shows_every_area_as_new_with_its_lead(plan, clock):
    clock.now = _utc(2026, 11, 11, 10, 0)
    [reply] = replies(plan.command("/summary", "", user="UCAROL"))
    assert "RAG at a glance* (no meeting held yet)" in reply.text
    assert "*MASH* · lead <@UDAVE> · :large_green_circle: Green (new this period)" in reply.text
    assert "*Workforce* · lead FB (Felicity Budgen) · :large_orange_circle: Amber (new this period)" in reply.text


def test_second_period_summary_compares_ratings_with_the_last_meeting(plan, clock, tick):
    second_period(plan, clock)
    tick(_utc(2026, 12, 11, 9, 0))  # the summary for 16 Dec: three working days before, 09:00
    text = summary_text(plan.fake)
    assert "Matters arising: SSCB, 16 Dec 2026" in text
    assert "*RAG at a glance* (since the meeting of 18 Nov)" in text
    assert "*MASH* · lead <@UDAVE> · Green → :large_orange_circle: Amber ↓" in text
    assert (
        "*Early-Help* · lead <@UEVE> · Green → :large_green_circle: Green → · progress claimed without evidence" in text
    )
    assert "*Workforce* · lead FB (Felicity Budgen) · Amber → :large_orange_circle: Amber →" in text
    assert "Exception reports (2): MASH, Early-Help." in text


def test_second_period_exception_entry_has_developments_risks_and_priorities(plan, clock, tick):
    second_period(plan, clock)
    tick(_utc(2026, 12, 11, 9, 0))
    text = summary_text(plan.fake)
    mash = text[text.index("*Exception report – MASH*") : text.index("*Exception report – Early-Help")]
    developments = mash[mash.index("*Key developments*") : mash.index("*Key risks*")]
    assert "SSCB-1 contacts lower than baseline — _evidence: CHAT data_" in developments
    risks = mash[mash.index("*Key risks*") : mash.index("*Priorities and target dates*")]
    assert "The area's rating fell: Green → Amber: learning circles delayed by Covid" in risks
    assert (
        "SSCB-2 Develop monthly learning circles between Assessment and MASH — target 30 Nov passed 11 days ago"
        in risks
    )
    assert "rated Red" in risks and "SSCB-1 Monitor the level of contacts received — target 31 Oct passed" in risks
    priorities = mash[mash.index("*Priorities and target dates*") :]
    assert "SSCB-1 Monitor the level of contacts received — target 31 Oct" in priorities
    assert "Red (was Green)" in priorities


def test_progress_without_evidence_is_flagged_in_its_exception_entry(plan, clock, tick):
    second_period(plan, clock)
    tick(_utc(2026, 12, 11, 9, 0))
    text = summary_text(plan.fake)
    early_help = text[text.index("*Exception report – Early-Help") :]
    assert ":warning:" in early_help.split("\n")[0]
    assert "*Progress claimed without evidence*" in early_help
    assert "SSCB-3 more children have an assessment (no evidence)" in early_help
    assert "Workforce" not in early_help.split("Generated")[0].split("Exception report")[-1]


def test_third_period_previous_rag_is_the_rating_at_the_second_meeting(plan, clock):
    second_period(plan, clock)
    third_period(plan, clock)
    [post] = posts(plan.command("/summary", "post", user="UCAROL"))
    text = post.text
    assert "Matters arising: SSCB, 20 Jan 2027" in text
    assert "*RAG at a glance* (since the meeting of 16 Dec 2026)" in text
    assert "*MASH* · lead <@UDAVE> · Amber → :large_green_circle: Green ↑" in text
    assert "*Workforce* · lead FB (Felicity Budgen) · Amber → :red_circle: Red ↓" in text
    assert "*Early-Help* · lead <@UEVE> · Green → :large_green_circle: Green →\n" in text + "\n"
    assert "Exception reports (2): MASH, Workforce." in text
    mash = text[text.index("*Exception report – MASH*") :]
    assert "SSCB-2 learning circles started — _evidence: circle minutes_" in mash


def test_plan_show_gives_the_rating_at_each_meeting(plan, clock):
    second_period(plan, clock)
    third_period(plan, clock)
    [reply] = replies(plan.command("/plan", "show MASH", user="UALICE"))
    assert "At each meeting: 18 Nov 2026: Green · 16 Dec 2026: Amber" in reply.text
    assert "Amber → :large_green_circle: Green ↑" in reply.text


def test_summary_markdown_and_json_carry_the_plan(plan, clock, engine, monkeypatch, capsys):
    second_period(plan, clock)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["summary", "--board", "SSCB", "--format", "markdown", "--at", "2026-12-11T09:00:00Z"]) == 0
    out = capsys.readouterr().out
    assert "## RAG at a glance (since the meeting of 18 Nov)" in out
    assert "- **MASH** · lead JS · Green → Amber ↓" in out
    assert "## Exception report – MASH" in out
    assert main(["summary", "--board", "SSCB", "--format", "json", "--at", "2026-12-11T09:00:00Z"]) == 0
    areas = {a["area"]: a for a in json.loads(capsys.readouterr().out)["plan"]["areas"]}
    assert (areas["MASH"]["previous_rag"], areas["MASH"]["rag"], areas["MASH"]["direction"]) == (
        "green",
        "amber",
        "worse",
    )
    assert areas["Early-Help"]["flagged"] and not areas["Workforce"]["exception"]


# --- export ------------------------------------------------------------------------------------------------


def _export(engine, monkeypatch, tmp_path, report: str, fmt: str) -> bytes:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    out = tmp_path / f"report.{fmt}"
    args = ["export", "--board", "SSCB", "--report", report, "--format", fmt, "--at", "2027-01-15T09:00:00Z"]
    assert main([*args, "-o", str(out)]) == 0
    return out.read_bytes()


@pytest.fixture
def two_periods(plan, clock):
    second_period(plan, clock)
    third_period(plan, clock)
    return plan


def test_exceptions_xlsx_has_the_boards_layout_and_coloured_rag_cells(two_periods, engine, monkeypatch, tmp_path):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(_export(engine, monkeypatch, tmp_path, "exceptions", "xlsx")))
    sheet = workbook["Exception report"]
    assert [c.value for c in sheet[2]] == [
        "AREA",
        "Previous RAG",
        "Current RAG",
        "PRIORITIES",
        "Target Date",
        "ANALYSIS (Progress/Risks)",
    ]
    rows = {r[0].value.split("\n")[0]: r for r in sheet.iter_rows(min_row=3)}
    assert set(rows) == {"MASH", "Quality of social work"}
    mash = rows["MASH"]
    assert mash[0].value.split("\n")[1] == "JS" and MASH_REC in mash[0].value
    assert (mash[1].value, mash[2].value) == ("Amber", "Green")
    assert mash[1].fill.fgColor.rgb.endswith("FFC000") and mash[2].fill.fgColor.rgb.endswith("00B050")
    assert mash[3].value == "Monitor the level of contacts received" and mash[4].value == "31/10/2026"
    assert mash[5].value.startswith("Progress: Learning circles started (evidence – circle minutes).")
    assert "Risks: Monitor the level of contacts received: target date 31/10/2026 passed." in mash[5].value
    workforce = rows["Quality of social work"]
    assert workforce[0].value.split("\n")[1] == "Felicity Budgen"
    assert (workforce[1].value, workforce[2].value) == ("Amber", "Red")
    assert workforce[2].fill.fgColor.rgb.endswith("FF0000")
    assert (workforce[3].value, workforce[4].value) == ("Secure a permanent workforce", "31/03/2027")
    assert "Rating down from Amber to Red: recruitment stalled." in workforce[5].value


def test_exceptions_docx_has_a_section_per_area_with_shaded_rag_cells(two_periods, engine, monkeypatch, tmp_path):
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(_export(engine, monkeypatch, tmp_path, "exceptions", "docx")))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[1:] == ["Exception Report – MASH", "Exception Report – Quality of social work"]
    keys, mash = document.tables[0], document.tables[1]
    assert [c.text for c in keys.rows[0].cells] == ["Key developments", "Key risks"]
    assert "circle minutes" in keys.rows[1].cells[0].text
    assert [c.text for c in mash.rows[0].cells][:3] == ["AREA", "Previous RAG", "Current RAG"]
    row = mash.rows[1].cells
    assert (row[1].text, row[2].text) == ("Amber", "Green")
    fills = [c._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) for c in row[1:3]]
    assert fills == ["FFC000", "00B050"]


def test_exceptions_markdown_keeps_the_layout(two_periods, engine, monkeypatch, tmp_path):
    text = _export(engine, monkeypatch, tmp_path, "exceptions", "markdown").decode()
    assert "## Exception Report – MASH" in text
    assert "| AREA | Previous RAG | Current RAG | PRIORITIES | Target Date | ANALYSIS (Progress/Risks) |" in text
    assert "| Amber | Red | Secure a permanent workforce | 31/03/2027 |" in text


def test_rag_at_a_glance_lists_every_area_with_both_ratings(two_periods, engine, monkeypatch, tmp_path):
    from openpyxl import load_workbook

    data = _export(engine, monkeypatch, tmp_path, "rag-at-a-glance", "xlsx")
    sheet = load_workbook(io.BytesIO(data))["RAG at a glance"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
    assert rows == [
        ["MASH", "JS", "Amber", "Green", "↑ better"],
        ["Early Help", "JW", "Green", "Green", "→ same"],
        ["Quality of social work", "Felicity Budgen", "Amber", "Red", "↓ worse"],
    ]
    assert sheet["D5"].fill.fgColor.rgb.endswith("FF0000")
    glance = _export(engine, monkeypatch, tmp_path, "rag-at-a-glance", "docx")
    import docx

    table = docx.Document(io.BytesIO(glance)).tables[0]
    assert [c.text for c in table.rows[3].cells] == [
        "Quality of social work",
        "Felicity Budgen",
        "Amber",
        "Red",
        "↓ worse",
    ]


def test_plan_report_of_a_board_without_a_plan_is_a_clear_error(board, engine, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["export", "--board", "SSCB", "--report", "exceptions", "--format", "docx"]) == 2
    assert "no improvement plan areas" in capsys.readouterr().err


def test_plan_report_as_csv_is_refused(board, engine, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["export", "--board", "SSCB", "--report", "exceptions", "--format", "csv"]) == 2
    assert "docx, xlsx or markdown" in capsys.readouterr().err


def test_a_large_plan_keeps_the_summary_within_slacks_limits(board, clock, session_factory):
    from datetime import date as day

    from bot.services.plans import create_area
    from storage.boards import board_by_code, current_member_by_initials
    from storage.models import Action, ActionEvent

    clock.now = _utc(2026, 11, 25, 10, 0)
    board.command("/meeting", "schedule 18/11/2026 10:00", user="UCAROL")
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    long = "Audit the quality of direct work with children and the use of risk assessment tools " * 12
    with session_factory() as session, session.begin():
        sscb = board_by_code(session, "T1", "SSCB")
        lead = current_member_by_initials(session, sscb.id, "AF")
        number = 0
        for n in range(30):
            area = create_area(
                session, board=sscb, short_name=f"Area-{n}", name=f"Area {n} " + long[:150], lead=lead,
                recommendation=long, actor="UCAROL", now=clock.now, rag="red", opening_rag="green",
            )  # fmt: skip
            for _ in range(8):
                number += 1
                action = Action(
                    board_id=sscb.id, number=number, text=long, status="open", rag="red", due_kind="date",
                    due_date=day(2026, 10, 1), due_change_count=0, created_by="UCAROL", created_at=clock.now,
                    updated_at=clock.now, area_id=area.id,
                )  # fmt: skip
                action.owners = [lead]
                session.add(action)
                session.add(ActionEvent(action=action, at=clock.now, actor_user_id="UALICE", kind="update",
                                        note=long, data={"evidence": long}))  # fmt: skip
                session.add(ActionEvent(action=action, at=clock.now, actor_user_id="UALICE", kind="update",
                                        note=long, data={}))  # fmt: skip
        sscb.last_action_number = number
    calls = board.command("/summary", "post", user="UCAROL")
    sent = posts(calls)
    assert len(sent) > 2  # the exception entries went on in the thread
    text = "\n".join(c.text for c in sent)
    assert "Exception reports (30)" in text and "Exception report – Area-29" in text
    # The fake Slack fixture fails the test if any payload breaks Slack's limits.
