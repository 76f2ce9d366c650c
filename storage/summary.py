"""Queries behind the pre-meeting summary."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from storage.models import Action, ActionEvent


def board_actions_for_summary(session: Session, board_id: int, closed_since: datetime | None) -> Sequence[Action]:
    """Open actions and those closed since `closed_since` (all closed ones when None), owners loaded."""
    closed = Action.status != "open"
    if closed_since is not None:
        closed = closed & (Action.closed_at >= closed_since)
    return session.scalars(
        select(Action)
        .where(Action.board_id == board_id, or_(Action.status == "open", closed))
        .options(selectinload(Action.owners), selectinload(Action.board))
        .order_by(Action.number)
    ).all()


def rag_events(session: Session, action_ids: Sequence[int]) -> Sequence[ActionEvent]:
    """RAG changes of these actions, oldest first."""
    if not action_ids:
        return []
    return session.scalars(
        select(ActionEvent)
        .where(ActionEvent.action_id.in_(action_ids), ActionEvent.kind == "rag")
        .order_by(ActionEvent.action_id, ActionEvent.id)
    ).all()


def latest_updates(session: Session, action_ids: Sequence[int]) -> dict[int, ActionEvent]:
    """The newest progress update of each action that has one."""
    if not action_ids:
        return {}
    latest: dict[int, ActionEvent] = {}
    for event in session.scalars(
        select(ActionEvent)
        .where(ActionEvent.action_id.in_(action_ids), ActionEvent.kind == "update")
        .order_by(ActionEvent.id)
    ):
        latest[event.action_id] = event
    return latest
