"""Queries for the exported log."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from storage.models import Action, ActionEvent


def latest_updates(session: Session, action_ids: Sequence[int]) -> dict[int, str]:
    """The note of each action's most recent progress update."""
    if not action_ids:
        return {}
    newest = (
        select(ActionEvent.action_id, func.max(ActionEvent.id).label("id"))
        .where(ActionEvent.action_id.in_(list(action_ids)), ActionEvent.kind == "update")
        .group_by(ActionEvent.action_id)
        .subquery()
    )
    rows = session.execute(select(ActionEvent.action_id, ActionEvent.note).join(newest, ActionEvent.id == newest.c.id))
    return {action_id: note for action_id, note in rows if note}


def board_log(session: Session, board_id: int, statuses: Sequence[str] | None) -> Sequence[Action]:
    """Every action of the board (of these statuses), by number, owners loaded: an export shows them all."""
    query = select(Action).where(Action.board_id == board_id).options(selectinload(Action.owners))
    if statuses is not None:
        query = query.where(Action.status.in_(list(statuses)))
    return session.scalars(query.order_by(Action.number)).all()
