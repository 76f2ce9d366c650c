"""Queries for retention: closed actions past a board's period, their deletion, daily runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import Action, ActionEvent, ActionOwner, Board, MaintenanceRun


def boards_with_retention(session: Session) -> Sequence[Board]:
    """Boards that have a retention period and are not on legal hold."""
    return session.scalars(
        select(Board).where(Board.retention_months.is_not(None), Board.legal_hold.is_(False)).order_by(Board.id)
    ).all()


def closed_before(session: Session, board_id: int, cutoff: datetime) -> Sequence[tuple[int, int]]:
    """(id, number) of the board's actions closed before `cutoff`."""
    rows = session.execute(
        select(Action.id, Action.number).where(
            Action.board_id == board_id, Action.status != "open", Action.closed_at < cutoff
        )
    ).all()
    return [(int(r[0]), int(r[1])) for r in rows]


def delete_actions(session: Session, action_ids: Sequence[int]) -> None:
    """Delete actions with their owners and history (the caller writes the audit row)."""
    ids = list(action_ids)
    session.execute(delete(ActionEvent).where(ActionEvent.action_id.in_(ids)))
    session.execute(delete(ActionOwner).where(ActionOwner.action_id.in_(ids)))
    session.execute(delete(Action).where(Action.id.in_(ids)))


def claim_daily_run(session: Session, name: str, day: date, now: datetime) -> bool:
    """True for the first caller on `day` (the primary key decides between processes)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    claimed = session.execute(
        insert(MaintenanceRun)
        .values(name=name, day=day, at=now)
        .on_conflict_do_nothing(index_elements=["name", "day"])
        .returning(MaintenanceRun.name)
    ).first()
    return claimed is not None
