"""Queries for everything held about one Slack user: subject access and erasure (UK GDPR)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, func, or_, select, update
from sqlalchemy.orm import Session

from storage.models import (
    Action,
    ActionEvent,
    ActionOwner,
    Board,
    BoardEvent,
    Member,
    OutboxMessage,
    PlanArea,
    PlanAreaEvent,
)


def memberships(session: Session, user_id: str) -> Sequence[tuple[Member, Board]]:
    """Every membership the user has or had, with its board."""
    return session.execute(
        select(Member, Board).join(Board, Member.board_id == Board.id).where(Member.slack_user_id == user_id)
    ).all()


def boards_led(session: Session, user_id: str) -> Sequence[Board]:
    """Boards the user chairs or set up."""
    return session.scalars(select(Board).where(or_(Board.chair_user_id == user_id, Board.created_by == user_id))).all()


def actions_touching(session: Session, user_id: str, member_ids: Sequence[int]) -> Sequence[tuple[Action, Board]]:
    """Actions the user owns (through a membership), logged, or closed, or whose text mentions them."""
    owned = select(ActionOwner.action_id).where(ActionOwner.member_id.in_(list(member_ids) or [-1]))
    return session.execute(
        select(Action, Board)
        .join(Board, Action.board_id == Board.id)
        .where(
            or_(
                Action.id.in_(owned),
                Action.created_by == user_id,
                Action.closed_by == user_id,
                Action.text.contains(f"<@{user_id}"),
                Action.source_text.contains(f"<@{user_id}"),
            )
        )
        .order_by(Board.code, Action.number)
    ).all()


def events_by_or_about(session: Session, user_id: str) -> Sequence[tuple[ActionEvent, Action, Board]]:
    """History rows the user wrote, or whose note or data mentions them."""
    return session.execute(
        select(ActionEvent, Action, Board)
        .join(Action, ActionEvent.action_id == Action.id)
        .join(Board, Action.board_id == Board.id)
        .where(
            or_(
                ActionEvent.actor_user_id == user_id,
                ActionEvent.note.contains(f"<@{user_id}"),
                func.cast(ActionEvent.data, String).contains(user_id),
            )
        )
        .order_by(ActionEvent.id)
    ).all()


def board_events_by_or_about(session: Session, user_id: str) -> Sequence[BoardEvent]:
    """Board audit rows the user made or that name them."""
    return session.scalars(
        select(BoardEvent)
        .where(or_(BoardEvent.actor_user_id == user_id, func.cast(BoardEvent.data, String).contains(user_id)))
        .order_by(BoardEvent.id)
    ).all()


def plan_areas_touching(session: Session, user_id: str, member_ids: Sequence[int]) -> Sequence[PlanArea]:
    """Plan areas the user leads, added, rated or removed, or whose texts mention them."""
    conditions = [
        PlanArea.created_by == user_id,
        PlanArea.rag_changed_by == user_id,
        PlanArea.removed_by == user_id,
        PlanArea.rag_reason.contains(user_id),
        PlanArea.recommendation.contains(user_id),
    ]
    if member_ids:
        conditions.append(PlanArea.lead_member_id.in_(list(member_ids)))
    return session.scalars(select(PlanArea).where(or_(*conditions)).order_by(PlanArea.id)).all()


def plan_events_by_or_about(session: Session, user_id: str) -> Sequence[PlanAreaEvent]:
    """Plan areas' history rows the user made or that name them."""
    return session.scalars(
        select(PlanAreaEvent)
        .where(
            or_(
                PlanAreaEvent.actor_user_id == user_id,
                PlanAreaEvent.note.contains(user_id),
                func.cast(PlanAreaEvent.data, String).contains(user_id),
            )
        )
        .order_by(PlanAreaEvent.id)
    ).all()


def messages_to(session: Session, user_id: str) -> Sequence[OutboxMessage]:
    """Scheduled messages addressed to the user (their DMs)."""
    return session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == user_id).order_by(OutboxMessage.id)
    ).all()


def replace_user_id(session: Session, user_id: str, placeholder: str) -> dict[str, int]:
    """Replace the user id in every id column that holds it; counts of rows changed, by column."""
    columns: list[tuple[str, Any, Any]] = [
        ("members.slack_user_id", Member, Member.slack_user_id),
        ("members.added_by", Member, Member.added_by),
        ("members.removed_by", Member, Member.removed_by),
        ("boards.chair_user_id", Board, Board.chair_user_id),
        ("boards.created_by", Board, Board.created_by),
        ("actions.created_by", Action, Action.created_by),
        ("actions.closed_by", Action, Action.closed_by),
        ("action_events.actor_user_id", ActionEvent, ActionEvent.actor_user_id),
        ("board_events.actor_user_id", BoardEvent, BoardEvent.actor_user_id),
        ("outbox.recipient", OutboxMessage, OutboxMessage.recipient),
        ("plan_areas.created_by", PlanArea, PlanArea.created_by),
        ("plan_areas.rag_changed_by", PlanArea, PlanArea.rag_changed_by),
        ("plan_areas.removed_by", PlanArea, PlanArea.removed_by),
        ("plan_area_events.actor_user_id", PlanAreaEvent, PlanAreaEvent.actor_user_id),
    ]
    counts: dict[str, int] = {}
    for name, model, column in columns:
        result = session.execute(update(model).where(column == user_id).values({column.key: placeholder}))
        counts[name] = int(result.rowcount or 0)  # type: ignore[attr-defined]
    return counts
