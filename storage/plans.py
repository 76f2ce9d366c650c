"""Queries for improvement plans: plan areas, their history, and the actions that are their priorities."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage.meetings import meeting_starts_before
from storage.models import Action, ActionEvent, PlanArea, PlanAreaEvent


def area_key(short_name: str) -> str:
    """The form a short name is unique in: `MASH`, `mash` and `Mash` are one area."""
    return short_name.strip().lower()


def areas_of_board(session: Session, board_id: int) -> Sequence[PlanArea]:
    """The board's current plan areas (not removed) in the order they were added, leads loaded."""
    return session.scalars(
        select(PlanArea)
        .where(PlanArea.board_id == board_id, PlanArea.removed_at.is_(None))
        .options(selectinload(PlanArea.lead))
        .order_by(PlanArea.id)
    ).all()


def area_by_short_name(session: Session, board_id: int, short_name: str) -> PlanArea | None:
    """The board's current area with this short name (any case)."""
    return session.scalar(
        select(PlanArea)
        .where(PlanArea.board_id == board_id, PlanArea.key == area_key(short_name), PlanArea.removed_at.is_(None))
        .options(selectinload(PlanArea.lead))
    )


def reread_area(session: Session, area_id: int) -> PlanArea:
    """The area as stored now, removed or not (call after taking the board's lock: what was loaded before may
    be stale)."""
    return session.scalars(
        select(PlanArea)
        .where(PlanArea.id == area_id)
        .options(selectinload(PlanArea.lead))
        .execution_options(populate_existing=True)
    ).one()


def area_events(session: Session, area_ids: Sequence[int]) -> Sequence[PlanAreaEvent]:
    """Every history row of these areas, oldest first."""
    if not area_ids:
        return []
    return session.scalars(
        select(PlanAreaEvent).where(PlanAreaEvent.area_id.in_(list(area_ids))).order_by(PlanAreaEvent.id)
    ).all()


def area_actions(session: Session, area_ids: Sequence[int]) -> Sequence[Action]:
    """Every action that is a priority of these areas, by number, owners and board loaded."""
    if not area_ids:
        return []
    return session.scalars(
        select(Action)
        .where(Action.area_id.in_(list(area_ids)))
        .options(selectinload(Action.owners), selectinload(Action.board))
        .order_by(Action.number)
    ).all()


def action_events(session: Session, action_ids: Sequence[int], kinds: Sequence[str]) -> Sequence[ActionEvent]:
    """These actions' history rows of these kinds, oldest first."""
    if not action_ids:
        return []
    return session.scalars(
        select(ActionEvent)
        .where(ActionEvent.action_id.in_(list(action_ids)), ActionEvent.kind.in_(list(kinds)))
        .order_by(ActionEvent.action_id, ActionEvent.id)
    ).all()


def meeting_boundaries(session: Session, board_id: int, before: datetime) -> list[datetime]:
    """Start instants of the board's held (scheduled, not cancelled) meetings before `before`, ascending:
    each closes a reporting period."""
    return meeting_starts_before(session, board_id, before)


def actions_in_area(session: Session, area_id: int, statuses: Sequence[str] | None = None) -> Sequence[Action]:
    """The actions that are priorities of the area (only those of these statuses, if given), by number."""
    query = select(Action).where(Action.area_id == area_id)
    if statuses is not None:
        query = query.where(Action.status.in_(list(statuses)))
    return session.scalars(query.options(selectinload(Action.board)).order_by(Action.number)).all()
