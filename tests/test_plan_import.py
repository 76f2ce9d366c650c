"""Importing improvement-plan rows (No. / Action / Progress / Lead / Target) and RAG report rows (Area /
Previous RAG / Current RAG / Priorities / Target Date) into plan areas and their actions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.importing.readers import read_document
from bot.rendering import plan_export
from bot.services.context import Caller
from bot.services.importing import apply_import, plan_import
from bot.services.plan_report import build_plan_report
from storage.boards import board_by_code
from storage.models import Action, PlanArea
from tests.driver import replies

DATA = Path(__file__).parent / "data" / "import"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CAROL = Caller(team_id="T1", user_id="UCAROL", channel_id="CBOARD")


@pytest.fixture
def cli_env(monkeypatch, engine):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def _import(name: str, meeting: str, *, code: str = "SSCB") -> None:
    assert main(["import", str(DATA / name), "--board", code, "--meeting", meeting]) == 0


def areas_of(session_factory, code: str = "SSCB") -> dict[str, PlanArea]:
    with session_factory() as session:
        board = board_by_code(session, "T1", code)
        areas = list(session.scalars(select(PlanArea).where(PlanArea.board_id == board.id).order_by(PlanArea.id)))
        for area in areas:
            _ = area.lead
        session.expunge_all()
        return {a.short_name: a for a in areas}


def priorities(session_factory, short_name: str) -> list[tuple[str, date | None, str | None]]:
    with session_factory() as session:
        area = session.scalar(select(PlanArea).where(PlanArea.short_name == short_name))
        actions = session.scalars(select(Action).where(Action.area_id == area.id).order_by(Action.number))
        return [(a.text, a.due_date, a.rag) for a in actions]


def test_rag_report_rows_become_areas_with_their_leads_ratings_and_target_dates(board, session_factory, cli_env):
    _import("rag_report.md", "2023-10-10")
    areas = areas_of(session_factory)
    assert list(areas) == ["Front-Door", "Care-Leavers", "Permanence"]
    front = areas["Front-Door"]
    assert (front.name, front.lead.name, front.opening_rag, front.rag) == ("Front Door", "Amy Clarke", "amber", "green")
    assert (areas["Care-Leavers"].opening_rag, areas["Care-Leavers"].rag) == ("red", "amber")
    assert priorities(session_factory, "Front-Door") == [
        ("Reduce re-referrals within 12 months to below 20%", date(2023, 12, 31), "green"),
        ("Complete the MASH partnership audit", date(2024, 1, 31), "green"),
    ]


def test_imported_ratings_show_as_previous_and_current_at_a_glance(board, session_factory, cli_env):
    _import("rag_report.md", "2023-10-10")
    [reply] = replies(board.command("/plan", "areas", user="UCAROL"))
    assert "*Front-Door* · lead AC (Amy Clarke) · Amber → :large_green_circle: Green ↑" in reply.text
    assert "*Care-Leavers* · lead SP (Sam Patel) · Red → :large_orange_circle: Amber ↑" in reply.text
    assert "*Permanence* · lead OR (Omar Reid) · Green → :large_green_circle: Green →" in reply.text


def test_improvement_plan_rows_join_the_priority_heading_above_them(board, session_factory, cli_env):
    _import("improvement_plan.md", "2024-05-20")
    areas = areas_of(session_factory)
    assert [(a.short_name, a.name) for a in areas.values()] == [
        ("Leadership-management", "Leadership and management oversight"),
        ("Quality-practice", "Quality of practice"),
    ]
    assert areas["Leadership-management"].lead.name == "Dee Harper"
    assert [p[:2] for p in priorities(session_factory, "Leadership-management")] == [
        ("Establish weekly performance clinics for team managers", date(2024, 6, 30)),
        ("Refresh the supervision policy and audit compliance quarterly", date(2024, 7, 31)),
    ]


def test_seed_004_rag_exception_report_gives_its_areas_leads_and_recommendations(board, session_factory, cli_env):
    _import("seed004_rag_exception_report.txt", "2020-08-01")
    areas = areas_of(session_factory)
    assert {"Leadership-Stability", "MASH", "Assessment", "Adoption", "Early-Help"} <= set(areas)
    # Early Help's table came out of the extraction as lines: its RAGs were written under its lead.
    early_help = areas["Early-Help"]
    assert (early_help.lead.name, early_help.opening_rag, early_help.rag) == ("Julian Watkins", "green", "green")
    assert len(priorities(session_factory, "Early-Help")) == 8
    mash = areas["MASH"]
    assert mash.lead.name == "Jacqui Schofield"
    assert mash.recommendation.startswith("Decision making in the MASH adheres to local guidance")
    assert ("Monitor level of contacts received", date(2020, 10, 31), None) in priorities(session_factory, "MASH")
    assert (areas["Leadership-Stability"].lead.name, areas["Leadership-Stability"].name) == (
        "Grainne Siggins",
        "Leadership and Stability",
    )


def test_seed_001_improvement_plan_groups_actions_by_recommendation(board, session_factory, cli_env):
    _import("seed001_ofsted_improvement_plan.txt", "2012-10-01")
    areas = areas_of(session_factory)
    assert {"Rec-1", "Rec-2", "Rec-3"} <= set(areas)
    assert areas["Rec-1"].lead.name == "Felicity Budgen"
    texts = [p[0] for p in priorities(session_factory, "Rec-1")]
    assert texts[0].startswith("Secure a permanent workforce") and len(texts) == 3


def test_importing_the_same_report_twice_adds_no_area_again(board, session_factory, cli_env):
    _import("rag_report.md", "2023-10-10")
    _import("rag_report.md", "2023-10-10")
    assert list(areas_of(session_factory)) == ["Front-Door", "Care-Leavers", "Permanence"]


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "markdown"])
def test_an_exported_exception_report_re_imports_to_the_same_areas_and_ratings(board, session_factory, cli_env, fmt):
    _import("rag_report.md", "2023-10-10")
    with session_factory() as session:
        sscb = board_by_code(session, "T1", "SSCB")
        data = plan_export.render(build_plan_report(session, board=sscb, now=NOW), "exceptions", fmt)
    board.command("/meeting", "setup Second Board code TWO chair <@UCAROL>", user="UCAROL", channel="CTWO")
    name = f"report.{plan_export.EXTENSIONS[fmt]}"
    with session_factory() as session, session.begin():
        two = board_by_code(session, "T1", "TWO")
        plan = plan_import(session, board=two, document=read_document(name, data), meeting=None, now=NOW)
        apply_import(session, caller=CAROL, plan=plan, now=NOW)

    def shape(code: str) -> list[tuple[str, str | None, str | None, str | None]]:
        return [
            (a.name, a.lead.name if a.lead else None, a.opening_rag, a.rag)
            for a in areas_of(session_factory, code).values()
        ]

    # Every area has a target date passed by now, so each has an exception entry and comes back.
    assert shape("TWO") == shape("SSCB")
    with session_factory() as session:
        two = board_by_code(session, "T1", "TWO")
        texts = session.scalars(select(Action.text).where(Action.board_id == two.id, Action.area_id.is_not(None)))
        assert len(list(texts)) == 5


def test_subject_access_and_erasure_cover_plan_areas(board, session_factory, cli_env, capsys):
    import json

    board.command("/plan", "area add MASH lead AF", user="UCAROL")
    board.command("/plan", "rag MASH amber waiting for <@UALICE|alice> to report", user="UCAROL")
    assert main(["data", "export", "--user", "UALICE"]) == 0
    held = json.loads(capsys.readouterr().out)
    assert [(a["area"], a["lead"]) for a in held["plan_areas"]] == [("MASH", True)]
    assert main(["data", "erase", "--user", "UCAROL", "--yes", "--by", "dpo"]) == 0
    with session_factory() as session:
        area = session.scalar(select(PlanArea))
        assert "UCAROL" not in (area.created_by, area.rag_changed_by)
    assert main(["data", "erase", "--user", "UALICE", "--yes", "--by", "dpo"]) == 0
    with session_factory() as session:
        area = session.scalar(select(PlanArea))
        assert "UALICE" not in (area.rag_reason or "")
