"""Queries for actions, their owners and their history."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage.boards import lock_board
from storage.models import Action, ActionEvent, ActionOwner, Member

_WITH_OWNERS_AND_BOARD = (selectinload(Action.owners), selectinload(Action.board))


def action_by_number(session: Session, board_id: int, number: int) -> Action | None:
    """The board's action with this number, owners and board loaded."""
    return session.scalar(
        select(Action).where(Action.board_id == board_id, Action.number == number).options(*_WITH_OWNERS_AND_BOARD)
    )


def lock_action(session: Session, action: Action) -> Action:
    """Lock the action for a change (its board first, then its row) and re-read it, owners included.

    What the caller loaded earlier may be stale; after this, `action` holds what is stored, and no
    one else can change it, its board's membership or its owners until the transaction ends.
    PostgreSQL: `SELECT … FOR NO KEY UPDATE` on the board and the action rows. SQLite: the write lock.
    """
    lock_board(session, action.board_id)
    locked = session.scalars(
        select(Action)
        .where(Action.id == action.id)
        .with_for_update(key_share=True, of=Action)
        .options(*_WITH_OWNERS_AND_BOARD)
        .execution_options(populate_existing=True)
    ).one()
    # The first lock in this unit of work sees the owners as they stood before its change.
    session.info.setdefault(_OWNERS_AT_LOCK, {}).setdefault(locked.id, tuple(locked.owners))
    return locked


_OWNERS_AT_LOCK = "arising.owners_at_lock"


def owners_when_locked(session: Session, action_id: int) -> tuple[Member, ...]:
    """The owners the action had when this unit of work first locked it (none if it has not)."""
    return session.info.get(_OWNERS_AT_LOCK, {}).get(action_id, ())


def open_actions_owned_by(session: Session, member_id: int) -> Sequence[Action]:
    """Open actions this member owns (checked before a member is removed)."""
    owned = select(ActionOwner.action_id).where(ActionOwner.member_id == member_id)
    return session.scalars(
        select(Action).where(Action.id.in_(owned), Action.status == "open").order_by(Action.number)
    ).all()


def action_history(session: Session, action_id: int) -> Sequence[ActionEvent]:
    """Every recorded change of the action, oldest first."""
    return session.scalars(select(ActionEvent).where(ActionEvent.action_id == action_id).order_by(ActionEvent.id)).all()


def recent_updates(session: Session, action_id: int, limit: int) -> Sequence[ActionEvent]:
    """The latest progress updates, newest first."""
    return session.scalars(
        select(ActionEvent)
        .where(ActionEvent.action_id == action_id, ActionEvent.kind == "update")
        .order_by(ActionEvent.id.desc())
        .limit(limit)
    ).all()


def set_owners(session: Session, action: Action, members: Sequence[Member]) -> None:
    """Replace the action's owners."""
    action.owners = list(members)
    session.flush()
