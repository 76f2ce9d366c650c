"""Queries behind chasers and overdue reminders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage.models import Action, Board


def open_actions_of_board(session: Session, board_id: int) -> Sequence[Action]:
    """The board's open actions with owners."""
    return session.scalars(
        select(Action)
        .where(Action.board_id == board_id, Action.status == "open")
        .options(selectinload(Action.owners), selectinload(Action.board))
        .order_by(Action.number)
    ).all()


def open_actions_due_before(session: Session, before: date) -> Sequence[Action]:
    """Open dated actions of boards with reminders on, due before `before` (a superset of the overdue)."""
    return session.scalars(
        select(Action)
        .join(Board)
        .where(
            Action.status == "open",
            Action.due_date.is_not(None),
            Action.due_date < before,
            Board.reminders_enabled.is_(True),
        )
        .options(selectinload(Action.owners), selectinload(Action.board))
        .order_by(Action.board_id, Action.number)
    ).all()
