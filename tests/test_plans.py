"""`/plan`: areas of a board's improvement plan, their leads and RAG ratings; actions joining an area."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.text import escape
from storage.models import Action, PlanArea, PlanAreaEvent
from tests.action_support import snapshot
from tests.driver import SlackDriver, posts, replies

MASH_REC = "Decision making in the MASH adheres to local guidance"


def plan_rows(session_factory: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the board tables and the plan tables, to prove a refused command changed nothing."""
    rows = snapshot(session_factory)
    with session_factory() as session:
        for model in (PlanArea, PlanAreaEvent):
            table = model.__table__
            rows[table.name] = [tuple(r) for r in session.execute(select(*table.columns).order_by(table.c.id))]
    return rows


def stored_area(session_factory: Any, short_name: str) -> PlanArea:
    with session_factory() as session:
        area = session.scalar(select(PlanArea).where(PlanArea.short_name == short_name))
        session.expunge_all()
        return area


def area_events(session_factory: Any) -> list[PlanAreaEvent]:
    with session_factory() as session:
        events = list(session.scalars(select(PlanAreaEvent).order_by(PlanAreaEvent.id)))
        session.expunge_all()
        return events


def action_area(session_factory: Any, number: int) -> str | None:
    with session_factory() as session:
        action = session.scalar(select(Action).where(Action.number == number))
        if action.area_id is None:
            return None
        return session.get(PlanArea, action.area_id).short_name


@pytest.fixture
def planned(board: SlackDriver) -> SlackDriver:
    """SSCB with two plan areas: MASH led by AF (UALICE), Early-Help led by EA (UBOB)."""
    board.command("/plan", f"area add MASH lead <@UALICE|alice> recommendation {MASH_REC}", user="UCAROL")
    board.command("/plan", 'area add Early-Help "Early Help" lead EA', user="UCAROL")
    board.fake.clear()
    return board


def refused(slack: SlackDriver, session_factory: Any, text: str, *, says: str, usage: str | None, user: str) -> str:
    """Run `/plan <text>`: one private warning saying `says` (and the usage line), no post, nothing stored."""
    before = plan_rows(session_factory)
    calls = slack.command("/plan", text, user=user)
    assert posts(calls) == []
    [reply] = replies(calls)
    assert ":warning:" in reply.text and says in reply.text, reply.text
    if usage is not None:
        assert f"Usage: `{escape(usage)}`" in reply.text, reply.text
    assert plan_rows(session_factory) == before
    return reply.text


def test_area_add_posts_the_area_its_lead_and_recommendation_in_the_channel(board, session_factory):
    calls = board.command("/plan", f"area add MASH lead <@UALICE|alice> recommendation {MASH_REC}", user="UCAROL")
    [post] = posts(calls)
    assert post.args["channel"] == "CBOARD"
    assert "added the plan area *MASH*" in post.text and "<@UALICE>" in post.text and MASH_REC in post.text
    area = stored_area(session_factory, "MASH")
    assert (area.name, area.recommendation, area.rag) == ("MASH", MASH_REC, None)
    [created] = area_events(session_factory)
    assert (created.kind, created.actor_user_id, created.data["lead"]) == ("created", "UCAROL", "AF")


def test_area_add_with_a_full_name_and_initials_as_lead(board, session_factory):
    board.command("/plan", 'area add Early-Help "Early Help" lead EA', user="UCAROL")
    area = stored_area(session_factory, "Early-Help")
    assert area.name == "Early Help"
    with session_factory() as session:
        assert session.get(PlanArea, area.id).lead.initials == "EA"


def test_areas_lists_each_area_with_its_lead_and_rating(planned, clock):
    planned.command("/plan", "rag MASH amber learning circles delayed", user="UALICE")
    calls = planned.command("/plan", "areas", user="UDAVE")
    assert posts(calls) == []
    [reply] = replies(calls)
    assert "*MASH* · lead <@UALICE> · :large_orange_circle: Amber (new this period)" in reply.text
    assert "*Early-Help* · lead <@UBOB> · not rated yet" in reply.text


def test_rag_by_the_area_lead_is_posted_with_the_reason_and_recorded(planned, session_factory):
    calls = planned.command("/plan", "rag MASH red partner training delayed by Covid", user="UALICE")
    [post] = posts(calls)
    assert "rated plan area *MASH* :red_circle: Red: partner training delayed by Covid" in post.text
    area = stored_area(session_factory, "MASH")
    assert (area.rag, area.rag_reason, area.rag_changed_by) == ("red", "partner training delayed by Covid", "UALICE")
    rag = area_events(session_factory)[-1]
    assert (rag.kind, rag.data, rag.note) == ("rag", {"rag_from": None, "rag_to": "red"}, area.rag_reason)


def test_rag_change_says_the_rating_it_replaces(planned):
    planned.command("/plan", "rag MASH red training delayed", user="UALICE")
    [post] = posts(planned.command("/plan", "rag MASH amber training booked", user="UALICE"))
    assert "Amber (was Red): training booked" in post.text


@pytest.mark.parametrize("user", ["UCAROL", "UADMIN"])
def test_rag_by_the_chair_or_an_admin_is_allowed(planned, session_factory, user):
    assert posts(planned.command("/plan", "rag Early-Help green audit good", user=user))
    assert stored_area(session_factory, "Early-Help").rag == "green"


@pytest.mark.parametrize("user", ["UBOB", "UDAVE"])
def test_rag_by_anyone_else_is_refused_and_changes_nothing(planned, session_factory, user):
    # UBOB leads Early-Help and is a member, but not MASH's lead; UDAVE is not on the board.
    text = refused(planned, session_factory, "rag MASH red slipping", says="Only its lead (AF)", usage=None, user=user)
    assert "<@UCAROL>" in text


def test_rag_to_the_rating_it_has_is_refused(planned, session_factory):
    planned.command("/plan", "rag MASH red slipping", user="UALICE")
    refused(planned, session_factory, "rag MASH red still slipping", says="already Red", usage=None, user="UCAROL")


def test_area_add_by_a_member_who_does_not_manage_the_board_is_refused(board, session_factory):
    refused(board, session_factory, "area add MASH lead AF", says="Only the chair", usage=None, user="UALICE")


@pytest.mark.parametrize(
    ("text", "says", "usage"),
    [
        ("area add Youth", "short name and its lead", "area add"),
        ("area add Youth lead Bob", "is not a lead", "area add"),
        ("area add Youth lead ZZ", "No current member of SSCB has the initials `ZZ`", "area add"),
        ("area add Youth lead <@UDAVE>", "is not a member of SSCB", "area add"),
        ("area add 9lives lead AF", "can't be an area's short name", "area add"),
        ("area add Youth lead AF recommendation", "needs the recommendation's text", "area add"),
        ("rag MASH", "Name the area and the rating", "rag"),
        ("rag MASH purple slipping", "`purple` is not a RAG rating", "rag"),
        ("rag MASH red", "Say why MASH is Red", "rag"),
        ("rag Nowhere red slipping", "SSCB has no plan area `Nowhere`. Its areas: `MASH`, `Early-Help`", "rag"),
        ("show", "Name one area", "show"),
        ("show Nowhere", "`/plan areas` lists them", "show"),
        ("areas please", "is not understood here", "areas"),
        ("frobnicate", "is not a `/plan` command", None),
    ],
)
def test_bad_plan_input_gets_a_clear_private_answer_and_changes_nothing(planned, session_factory, text, says, usage):
    from handlers.slash.plan import USAGE

    refused(planned, session_factory, text, says=says, usage=USAGE.get(usage or ""), user="UCAROL")


def test_area_add_with_a_short_name_already_used_is_refused(planned, session_factory):
    says = "already has a plan area"
    refused(planned, session_factory, "area add mash lead EA", says=says, usage=None, user="UCAROL")


def test_plan_outside_a_board_channel_says_how_to_name_the_board(slack, session_factory):
    calls = slack.command("/plan", "areas", user="UALICE", channel="CNOWHERE")
    [reply] = replies(calls)
    assert ":warning:" in reply.text


def test_plan_help_lists_every_sub_command(board):
    [reply] = replies(board.command("/plan", "help"))
    for word in ("area add", "areas", "rag", "show", "/action move"):
        assert word in reply.text


def test_action_add_with_area_makes_it_a_priority_of_that_area(planned, session_factory):
    calls = planned.command("/action", "add AF to monitor the level of contacts by 31/10/2026 area MASH")
    [post] = posts(calls)
    assert "SSCB-1" in post.text and "priority of plan area *MASH*" in post.text
    assert action_area(session_factory, 1) == "MASH"
    with session_factory() as session:
        action = session.scalar(select(Action).where(Action.number == 1))
        assert action.text == "Monitor the level of contacts"
        assert [e.kind for e in action.events] == ["created", "area"]


def test_action_add_with_an_unknown_area_is_refused_and_logs_nothing(planned, session_factory):
    before = plan_rows(session_factory)
    [reply] = replies(planned.command("/action", "add AF to audit thresholds by 31/10/2026 area Nowhere"))
    assert "no plan area `Nowhere`" in reply.text
    assert plan_rows(session_factory) == before


def test_action_add_on_a_board_without_a_plan_keeps_area_in_its_text(board, session_factory):
    board.command("/action", "add AF to walk the area Northside by 31/10/2026")
    with session_factory() as session:
        action = session.scalar(select(Action).where(Action.number == 1))
        assert action.area_id is None and "area" in action.text


def test_action_move_puts_an_action_in_an_area_and_records_it(planned, session_factory):
    planned.command("/action", "add AF to audit thresholds by 31/10/2026")
    calls = planned.command("/action", "move SSCB-1 area mash")
    [post] = posts(calls)
    assert "moved SSCB-1 into plan area *MASH*" in post.text
    assert action_area(session_factory, 1) == "MASH"
    calls = planned.command("/action", "move SSCB-1 area Early-Help")
    assert "(from MASH)" in posts(calls)[0].text
    planned.command("/action", "move SSCB-1 area none")
    assert action_area(session_factory, 1) is None


def test_action_move_by_someone_who_may_not_change_it_is_refused(planned, session_factory):
    planned.command("/action", "add AF to audit thresholds by 31/10/2026")
    before = plan_rows(session_factory)
    [reply] = replies(planned.command("/action", "move SSCB-1 area MASH", user="UDAVE"))
    assert "You can't change SSCB-1" in reply.text
    assert plan_rows(session_factory) == before


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("move SSCB-1", "Say which area"),
        ("move SSCB-1 area Nowhere", "no plan area"),
        ("move SSCB-1 area none", "already in no area"),
    ],
)
def test_bad_action_move_is_refused_and_changes_nothing(planned, session_factory, text, says):
    planned.command("/action", "add AF to audit thresholds by 31/10/2026")
    before = plan_rows(session_factory)
    [reply] = replies(planned.command("/action", text))
    assert says in reply.text and "/action move" in reply.text
    assert plan_rows(session_factory) == before


def test_show_gives_the_area_its_lead_recommendation_and_priorities(planned):
    planned.command("/action", "add AF to monitor the level of contacts by 31/10/2026 area MASH")
    planned.command("/plan", "rag MASH amber audit delayed", user="UALICE")
    [reply] = replies(planned.command("/plan", "show MASH", user="UDAVE"))
    assert "SSCB plan: MASH" in reply.text
    assert MASH_REC in reply.text and "Why: audit delayed" in reply.text
    assert "SSCB-1 Monitor the level of contacts — target 31 Oct" in reply.text


def test_typed_text_in_a_plan_is_escaped(planned):
    calls = planned.command("/plan", "rag MASH red <!channel> look", user="UALICE")
    assert "<!channel>" not in posts(calls)[0].text and "&lt;!channel&gt;" in posts(calls)[0].text


@pytest.mark.parametrize("text", ["help", "rag MASH", "area add Youth lead Bob"])
def test_plan_help_and_usage_show_placeholders_as_text(planned, text):
    from tests.test_text_is_data import assert_no_markup_from_typing

    assert_no_markup_from_typing(planned.command("/plan", text, user="UCAROL"))
