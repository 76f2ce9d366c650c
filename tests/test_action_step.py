"""The one "do this to an action" step (bot/services/changes.py) every surface calls, with typed requests:
what it changes, what it says when the change is already made, and the domain errors it raises in words
free of slash-command syntax."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.dates import Due, DueKind
from bot.deps import Deps
from bot.errors import ActionNotOpen, Field, NotAllowed, NotFound, UserError
from bot.refs import Ref
from bot.services.changes import change_action, log_action
from bot.services.context import Caller
from bot.services.requests import (
    AddAction,
    ChangeRag,
    CloseAction,
    Owners,
    Reassign,
    Redate,
    Snooze,
    UpdateAction,
)
from bot.services.summary import ensure_may_post
from bot.statuses import ActionStatus, Rag
from storage.boards import board_by_code
from storage.models import Member
from tests.action_support import events, load_action

ALICE = Caller("T1", "UALICE", "CBOARD")
SSCB_1 = Ref("SSCB", 1)


class _Directory:
    """Nobody is a workspace admin."""

    def person(self, user_id):
        return None


@pytest.fixture
def deps(board, session_factory, clock):
    """The services' dependencies on the `board` fixture's database, with SSCB-1 logged for AF."""
    deps = Deps(session_factory=session_factory, directory=_Directory(), clock=clock)
    log_action(deps, ALICE, AddAction(text="AF to circulate the report by 15/12/2026"))
    return deps


def _member_id(session_factory, initials: str) -> int:
    with session_factory() as session:
        return session.scalars(select(Member.id).where(Member.initials == initials)).one()


def test_close_returns_the_closed_action_and_its_history_row(deps, session_factory):
    outcome = change_action(deps, ALICE, CloseAction(SSCB_1, note="sent"))

    assert outcome.changed and outcome.refusal is None
    assert outcome.action.status == ActionStatus.DONE
    assert outcome.kinds == ("done",)
    assert [e.kind for e in events(session_factory, "SSCB", 1)] == ["created", "done"]


def test_done_twice_changes_nothing_the_second_time_and_says_so(deps, session_factory):
    change_action(deps, ALICE, CloseAction(SSCB_1))

    again = change_action(deps, ALICE, CloseAction(SSCB_1))

    assert not again.changed and again.events == ()
    assert again.refusal is not None and "SSCB-1 is already done" in again.refusal.message
    assert [e.kind for e in events(session_factory, "SSCB", 1)] == ["created", "done"]


def test_a_change_to_a_closed_action_is_refused_in_plain_words(deps):
    change_action(deps, ALICE, CloseAction(SSCB_1))

    with pytest.raises(ActionNotOpen) as refused:
        change_action(deps, ALICE, UpdateAction(SSCB_1, progress="more"))

    assert refused.value.ref == "SSCB-1" and not refused.value.just_now
    assert "Reopen it first." in refused.value.message
    assert "/action" not in refused.value.message


def test_update_with_a_rag_writes_both_history_rows(deps):
    outcome = change_action(deps, ALICE, UpdateAction(SSCB_1, progress="draft out", rag=Rag.AMBER, evidence="link"))

    assert outcome.kinds == ("update", "rag")
    assert outcome.action.rag == Rag.AMBER


def test_rag_already_set_is_an_outcome_not_an_error(deps):
    change_action(deps, ALICE, ChangeRag(SSCB_1, Rag.RED))

    again = change_action(deps, ALICE, ChangeRag(SSCB_1, Rag.RED))

    assert not again.changed and "already Red" in again.refusal.message


def test_redate_takes_a_due_read_on_the_surface(deps, session_factory):
    outcome = change_action(deps, ALICE, Redate(SSCB_1, Due(DueKind.DATE, date(2027, 1, 20)), reason="waiting"))

    assert outcome.reason == "waiting"
    assert load_action(session_factory, "SSCB", 1).due_date == date(2027, 1, 20)


def test_snooze_takes_a_number_of_days(deps):
    outcome = change_action(deps, ALICE, Snooze(SSCB_1, 7))

    assert outcome.snoozed_until == date(2026, 11, 29)
    assert outcome.kinds == ("snoozed",)


def test_reassign_to_picked_slack_users_and_members_without_slack(deps, session_factory):
    jb = _member_id(session_factory, "JB")

    outcome = change_action(deps, ALICE, Reassign(SSCB_1, Owners(slack_user_ids=("UBOB",), member_ids=(jb,))))

    assert sorted(m.initials for m in outcome.action.owners) == ["EA", "JB"]
    assert outcome.kinds == ("assigned",)


def test_reassign_by_owner_text_as_typed(deps):
    outcome = change_action(deps, ALICE, Reassign(SSCB_1, Owners(text="EA & JB")))

    assert sorted(m.initials for m in outcome.action.owners) == ["EA", "JB"]


def test_a_picked_user_who_is_not_a_member_is_refused_without_command_syntax(deps):
    with pytest.raises(UserError) as refused:
        change_action(deps, ALICE, Reassign(SSCB_1, Owners(slack_user_ids=("UDAVE",))))

    assert "<@UDAVE> is not a member of SSCB" in refused.value.message
    assert "to the board first" in refused.value.message and "/meeting" not in refused.value.message


def test_log_an_action_with_picked_owners_a_date_and_a_rag(deps, session_factory):
    jb = _member_id(session_factory, "JB")
    request = AddAction(
        text="check the DBS returns",
        owners=Owners(slack_user_ids=("UBOB",), member_ids=(jb,)),
        due=Due(DueKind.DATE, date(2026, 12, 18)),
        rag=Rag.GREEN,
    )

    outcome = log_action(deps, ALICE, request)

    action = load_action(session_factory, "SSCB", outcome.action.number)
    assert action.text == "Check the DBS returns"
    assert sorted(m.initials for m in action.owners) == ["EA", "JB"]
    assert (action.due_date, action.rag) == (date(2026, 12, 18), "green")
    assert [e.kind for e in action.events] == ["created", "rag"]


def test_log_an_action_due_next_meeting_or_with_no_date(deps, session_factory):
    for due in (Due(DueKind.NEXT_MEETING), Due(DueKind.NONE)):
        outcome = log_action(deps, ALICE, AddAction(text="book the venue", owners=Owners(text="AF"), due=due))
        action = load_action(session_factory, "SSCB", outcome.action.number)
        assert action.due_kind == (None if due.kind is DueKind.NONE else "next_meeting")


def test_an_unknown_action_is_not_found(deps):
    with pytest.raises(NotFound):
        change_action(deps, ALICE, CloseAction(Ref("SSCB", 99)))


def test_someone_who_may_not_change_it_is_refused(deps):
    with pytest.raises(NotAllowed):
        change_action(deps, Caller("T1", "UDAVE", "CBOARD"), CloseAction(SSCB_1))


def test_only_the_chair_may_post_the_summary(deps, session_factory):
    with session_factory() as session:
        sscb = board_by_code(session, "T1", "SSCB")
        ensure_may_post(sscb, Caller("T1", "UCAROL"), deps.directory)
        with pytest.raises(NotAllowed) as refused:
            ensure_may_post(sscb, ALICE, deps.directory)
    assert "/summary" not in refused.value.message


def test_an_error_names_the_part_of_the_request_it_is_about(deps):
    with pytest.raises(UserError) as owners:
        log_action(deps, ALICE, AddAction(text="book the venue", owners=Owners(slack_user_ids=("UDAVE",))))
    with pytest.raises(UserError) as text:
        log_action(deps, ALICE, AddAction(text="   ", owners=Owners(text="AF"), due=Due(DueKind.NONE)))
    with pytest.raises(UserError) as due:
        log_action(deps, ALICE, AddAction(text="x", owners=Owners(text="AF"), due=Due(DueKind.DATE, date(1926, 1, 1))))
    with pytest.raises(UserError) as note:
        change_action(deps, ALICE, CloseAction(SSCB_1, status=ActionStatus.DROPPED))

    assert (owners.value.field, text.value.field, due.value.field, note.value.field) == (
        Field.OWNERS,
        Field.TEXT,
        Field.DUE,
        Field.NOTE,
    )
