"""The outbox: scheduled messages written before they are sent, claimed atomically to send."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import OutboxMessage

PENDING, SENDING, SENT, FAILED, MISSED = "pending", "sending", "sent", "failed", "missed"
CANCELLED = "cancelled"


def insert_once(session: Session, values: dict[str, Any]) -> bool:
    """Insert an outbox row unless its key exists; True if this call inserted it.

    ON CONFLICT DO NOTHING makes two processes planning the same message at
    once safe: exactly one insert wins, neither fails.
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["key"])
        # RETURNING tells reliably whether a row went in; rowcount does not on every driver.
        .returning(OutboxMessage.id)
    )
    return session.execute(statement).scalar_one_or_none() is not None


def key_exists(session: Session, key: str) -> bool:
    """True if a row with this key was ever written."""
    return session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None


def sendable_ids(session: Session, now: datetime, limit: int = 500) -> Sequence[int]:
    """Rows ready to send: pending and due, or left `sending` by a process whose claim expired."""
    return session.scalars(
        select(OutboxMessage.id)
        .where(
            or_(
                and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now),
                and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_until < now),
            )
        )
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
    ).all()


def claim(session: Session, row_id: int, now: datetime, lease_from: datetime, lease: timedelta) -> bool:
    """Take the row for sending; the conditional UPDATE lets only one process win.

    `now` decides whether the row is due; `lease_from` (the wall clock, when later) dates the claim
    and decides whether another process's claim has expired.
    """
    claimed = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row_id,
            or_(
                and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now),
                and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_until < lease_from),
            ),
        )
        .values(status=SENDING, claimed_until=lease_from + lease)
        .returning(OutboxMessage.id)
    ).scalar_one_or_none()
    return claimed is not None


def by_status(session: Session, status: str) -> Sequence[OutboxMessage]:
    """Rows in one state (for operators and tests)."""
    return session.scalars(select(OutboxMessage).where(OutboxMessage.status == status).order_by(OutboxMessage.id)).all()
