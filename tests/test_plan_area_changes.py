"""`/plan area lead` and `/plan area remove`: an area's lead changed, an area taken out of the plan, by the
chair, whoever set the board up or an admin; bad input answered clearly with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from storage.models import Action, PlanArea
from tests.action_support import events
from tests.driver import SlackDriver, posts, replies
from tests.test_plans import MASH_REC, action_area, area_events, refused, stored_area


@pytest.fixture
def planned(board: SlackDriver) -> SlackDriver:
    """SSCB with two plan areas: MASH led by AF (UALICE), Early-Help led by EA (UBOB)."""
    board.command("/plan", f"area add MASH lead <@UALICE|alice> recommendation {MASH_REC}", user="UCAROL")
    board.command("/plan", 'area add Early-Help "Early Help" lead EA', user="UCAROL")
    board.fake.clear()
    return board


def lead_of(session_factory: Any, short_name: str) -> str | None:
    with session_factory() as session:
        area = session.scalar(select(PlanArea).where(PlanArea.short_name == short_name))
        return area.lead.initials if area.lead else None


def test_area_lead_by_the_chair_changes_the_lead_posts_it_and_records_it(planned, session_factory):
    calls = planned.command("/plan", "area lead MASH EA", user="UCAROL")
    [post] = posts(calls)
    assert post.args["channel"] == "CBOARD"
    assert "<@UCAROL> made <@UBOB> the lead of plan area *MASH* (was AF)." in post.text
    assert lead_of(session_factory, "MASH") == "EA"
    change = area_events(session_factory)[-1]
    assert (change.kind, change.actor_user_id, change.data) == ("lead", "UCAROL", {"lead_from": "AF", "lead_to": "EA"})


def test_area_lead_by_mention(planned, session_factory):
    planned.command("/plan", "area lead Early-Help <@UALICE|alice>", user="UCAROL")
    assert lead_of(session_factory, "Early-Help") == "AF"


def test_area_lead_by_a_members_name_without_slack(planned, session_factory):
    calls = planned.command("/plan", "area lead MASH Jo Bloggs", user="UCAROL")
    assert "made JB (Jo Bloggs) the lead of plan area *MASH*" in posts(calls)[0].text
    assert lead_of(session_factory, "MASH") == "JB"


def test_area_lead_by_initials_in_any_case(planned, session_factory):
    planned.command("/plan", "area lead mash jb", user="UCAROL")
    assert lead_of(session_factory, "MASH") == "JB"


def test_area_lead_by_an_admin_is_allowed(planned, session_factory):
    assert posts(planned.command("/plan", "area lead MASH EA", user="UADMIN"))
    assert lead_of(session_factory, "MASH") == "EA"


@pytest.mark.parametrize("user", ["UALICE", "UDAVE"])
def test_area_lead_by_anyone_else_is_refused_and_changes_nothing(planned, session_factory, user):
    # UALICE leads MASH but does not manage the board; UDAVE is not on it.
    text = refused(planned, session_factory, "area lead MASH EA", says="Only the chair", usage=None, user=user)
    assert "<@UCAROL>" in text and "Nothing was changed" in text


def test_area_lead_to_the_current_lead_is_refused(planned, session_factory):
    says = "MASH is already led by <@UALICE> (AF). Nothing was changed."
    refused(planned, session_factory, "area lead MASH <@UALICE>", says=says, usage=None, user="UCAROL")


def test_area_remove_takes_it_out_of_the_plan_and_keeps_its_history(planned, session_factory, clock):
    planned.command("/plan", "rag MASH amber audit delayed", user="UALICE")
    calls = planned.command("/plan", "area remove MASH", user="UCAROL")
    [post] = posts(calls)
    assert "<@UCAROL> removed plan area *MASH* from SSCB's improvement plan" in post.text
    area = stored_area(session_factory, "MASH")
    assert (area.removed_at, area.removed_by, area.rag) == (clock.now, "UCAROL", "amber")
    kinds = [(e.kind, e.data.get("short_name")) for e in area_events(session_factory) if e.area_id == area.id]
    assert kinds == [("created", "MASH"), ("rag", None), ("removed", "MASH")]
    [listing] = replies(planned.command("/plan", "areas", user="UDAVE"))
    assert "MASH" not in listing.text and "Early-Help" in listing.text


def test_area_remove_with_open_actions_is_refused_naming_them_and_how_to_move_them(planned, session_factory):
    planned.command("/action", "add AF to audit thresholds by 31/10/2026 area MASH")
    planned.command("/action", "add AF to monitor contacts by 31/10/2026 area MASH")
    text = refused(planned, session_factory, "area remove MASH", says="MASH still has 2 open actions", usage=None,
                   user="UCAROL")  # fmt: skip
    assert "SSCB-1, SSCB-2" in text and "`/action move SSCB-1 area none`" in text
    assert stored_area(session_factory, "MASH").removed_at is None


def test_area_remove_after_its_open_actions_moved_out_unlinks_the_closed_ones_with_history(planned, session_factory):
    planned.command("/action", "add AF to audit thresholds by 31/10/2026 area MASH")
    planned.command("/action", "add AF to monitor contacts by 31/10/2026 area MASH")
    planned.command("/action", "done SSCB-1 audit done")
    planned.command("/action", "move SSCB-2 area none")
    calls = planned.command("/plan", "area remove MASH", user="UCAROL")
    assert "The closed action that was its priority is no longer in an area" in posts(calls)[0].text
    assert action_area(session_factory, 1) is None and action_area(session_factory, 2) is None
    last = events(session_factory, "SSCB", 1)[-1]
    assert (last.kind, last.note, last.data["area_to"]) == ("area", "plan area MASH removed", None)
    history = replies(planned.command("/action", "history SSCB-1"))[0].text
    assert "area: plan area MASH removed" in history


def test_a_removed_areas_short_name_can_be_used_again(planned, session_factory):
    planned.command("/plan", "area remove MASH", user="UCAROL")
    calls = planned.command("/plan", "area add mash lead EA", user="UCAROL")
    assert "added the plan area *mash*" in posts(calls)[0].text
    with session_factory() as session:
        assert session.scalars(select(PlanArea.short_name).order_by(PlanArea.id)).all() == [
            "MASH",
            "Early-Help",
            "mash",
        ]


def test_a_removed_area_takes_no_more_actions_nor_ratings(planned, session_factory):
    planned.command("/plan", "area remove MASH", user="UCAROL")
    [reply] = replies(planned.command("/action", "add AF to audit thresholds by 31/10/2026 area MASH"))
    assert "no plan area `MASH`" in reply.text
    refused(planned, session_factory, "rag MASH red slipping", says="no plan area `MASH`", usage=None, user="UCAROL")
    with session_factory() as session:
        assert session.scalars(select(Action)).all() == []


def test_area_remove_by_the_area_lead_is_refused(planned, session_factory):
    refused(planned, session_factory, "area remove MASH", says="Only the chair", usage=None, user="UALICE")


@pytest.mark.parametrize(
    ("text", "says", "usage"),
    [
        ("area lead", "Name the area and its new lead", "area lead"),
        ("area lead MASH", "Name the area and its new lead", "area lead"),
        ("area lead Nowhere EA", "SSCB has no plan area `Nowhere`. Its areas: `MASH`, `Early-Help`", "area lead"),
        ("area lead MASH ZZ", "No current member of SSCB has the initials or the name `ZZ`", "area lead"),
        ("area lead MASH Nobody Known", "the name `Nobody Known`", "area lead"),
        ("area lead MASH <@UDAVE>", "<@UDAVE> is not a member of SSCB", "area lead"),
        ("area lead MASH <#CBOARD>", "is not a member: mention them", "area lead"),
        ("area remove", "Name the one area to remove", "area remove"),
        ("area remove MASH Early-Help", "Name the one area to remove", "area remove"),
        ("area remove Nowhere", "SSCB has no plan area `Nowhere`", "area remove"),
        ("area rename MASH", "is not a `/plan` command", None),
    ],
)
def test_bad_area_lead_or_remove_gets_a_clear_answer_and_changes_nothing(planned, session_factory, text, says, usage):
    from handlers.slash.plan import USAGE

    refused(planned, session_factory, text, says=says, usage=USAGE.get(usage or ""), user="UCAROL")


def test_plan_help_says_who_may_change_leads_and_remove_areas(board):
    [reply] = replies(board.command("/plan", "help"))
    for words in ("area lead", "area remove", "/action move SSCB-12 area none", "chair, whoever set the board up"):
        assert words in reply.text


def test_removed_area_stays_in_a_subject_access_export(planned, session_factory):
    from bot.services.personal_data import export_person

    planned.command("/plan", "area remove MASH", user="UCAROL")
    with session_factory() as session:
        held = export_person(session, "UALICE")
    assert [(a["area"], a["lead"]) for a in held["plan_areas"]] == [("MASH", True)]


def test_erasing_who_removed_an_area_replaces_their_id(planned, session_factory, clock):
    from bot.services.personal_data import erase_person, export_person

    planned.command("/plan", "area remove MASH", user="UCAROL")
    with session_factory() as session:
        [held] = export_person(session, "UCAROL")["plan_areas"][:1]
        assert (held["area"], held["removed_by_them"]) == ("MASH", True)
        report = erase_person(session, user_id="UCAROL", actor="cli:dpo", now=clock.now)
        session.commit()
    assert report.ids_replaced["plan_areas.removed_by"] == 1
    assert stored_area(session_factory, "MASH").removed_by == report.placeholder
