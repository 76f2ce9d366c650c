"""Queries behind the pre-meeting summary: the columns it shows, one query per kind of row.

Nothing here loads ORM objects: a board with thousands of open actions costs one row per
action, one per owner and one per RAG change, read without identity-map or relationship work.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Row, func, or_, select
from sqlalchemy.orm import Session

from storage.models import Action, ActionEvent, ActionOwner, Member


def _shown(board_id: int, closed_since: datetime | None) -> ColumnElement[bool]:
    """Open actions and those closed since `closed_since` (all closed ones when None)."""
    closed = Action.status != "open"
    if closed_since is not None:
        closed = closed & (Action.closed_at >= closed_since)
    return (Action.board_id == board_id) & or_(Action.status == "open", closed)


def actions(session: Session, board_id: int, closed_since: datetime | None) -> Sequence[Row]:  # type: ignore[type-arg]
    """The summary's actions, by number: the columns it shows and sorts by."""
    return session.execute(
        select(
            Action.id,
            Action.number,
            Action.text,
            Action.status,
            Action.rag,
            Action.due_date,
            Action.due_meeting_id,
            Action.due_change_count,
            Action.created_at,
            Action.last_progress_at,
            Action.closed_at,
            Action.close_note,
            Action.all_members,
            Action.reminders_snoozed_until,
        )
        .where(_shown(board_id, closed_since))
        .order_by(Action.number)
    ).all()


def owners(session: Session, board_id: int, closed_since: datetime | None) -> Sequence[Row]:  # type: ignore[type-arg]
    """(action_id, initials, name, slack_user_id) of the owners of those actions, by initials."""
    return session.execute(
        select(ActionOwner.action_id, Member.initials, Member.name, Member.slack_user_id)
        .join(Member, Member.id == ActionOwner.member_id)
        .join(Action, Action.id == ActionOwner.action_id)
        .where(_shown(board_id, closed_since))
        .order_by(ActionOwner.action_id, Member.initials)
    ).all()


def rag_changes(session: Session, board_id: int, closed_since: datetime | None) -> Sequence[Row]:  # type: ignore[type-arg]
    """(action_id, at, rag_from, rag_to, note) of the RAG changes of those actions, oldest first.

    The ratings are read out of the event's JSON by the database (`json_extract` / `->>`), not
    decoded in Python."""
    return session.execute(
        select(
            ActionEvent.action_id,
            ActionEvent.at,
            ActionEvent.data["rag_from"].as_string().label("rag_from"),
            ActionEvent.data["rag_to"].as_string().label("rag_to"),
            ActionEvent.note,
        )
        .join(Action, Action.id == ActionEvent.action_id)
        .where(_shown(board_id, closed_since), ActionEvent.kind == "rag")
        .order_by(ActionEvent.action_id, ActionEvent.id)
    ).all()


def latest_updates(session: Session, board_id: int, closed_since: datetime | None) -> Sequence[Row]:  # type: ignore[type-arg]
    """(action_id, at, note) of the newest progress update of each of those actions that has one."""
    newest = (
        select(func.max(ActionEvent.id))
        .join(Action, Action.id == ActionEvent.action_id)
        .where(_shown(board_id, closed_since), ActionEvent.kind == "update")
        .group_by(ActionEvent.action_id)
    )
    return session.execute(
        select(ActionEvent.action_id, ActionEvent.at, ActionEvent.note).where(ActionEvent.id.in_(newest))
    ).all()
