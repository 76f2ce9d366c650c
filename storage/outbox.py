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


def sendable(
    session: Session, now: datetime, limit: int = 500, after: tuple[datetime, int] | None = None
) -> Sequence[tuple[int, str, datetime]]:
    """(id, recipient, due_at) of rows ready to send, in (due_at, id) order from just after `after`:
    pending and due, or left `sending` by a process whose claim expired."""
    query = select(OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.due_at).where(
        or_(
            and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now),
            and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_until < now),
        )
    )
    if after is not None:
        due_at, row_id = after
        query = query.where(
            or_(OutboxMessage.due_at > due_at, and_(OutboxMessage.due_at == due_at, OutboxMessage.id > row_id))
        )
    rows = session.execute(query.order_by(OutboxMessage.due_at, OutboxMessage.id).limit(limit)).all()
    return [(row_id, recipient, due_at) for row_id, recipient, due_at in rows]


def claim(session: Session, row_id: int, now: datetime, lease_from: datetime, lease: timedelta) -> datetime | None:
    """Take the row for sending; the conditional UPDATE lets only one process win.

    `now` decides whether the row is due; `lease_from` (the wall clock, when later) dates the claim
    and decides whether another process's claim has expired. Returns the claim's end, which is
    also its token: every later write by this claimant names it (`update_claimed`), so a process
    whose claim was taken over can no longer change the row.
    """
    until = lease_from + lease
    claimed = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row_id,
            or_(
                and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now),
                and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_until < lease_from),
            ),
        )
        .values(status=SENDING, claimed_until=until)
        .returning(OutboxMessage.id)
    ).scalar_one_or_none()
    return until if claimed is not None else None


def update_claimed(session: Session, row_id: int, token: datetime, **values: Any) -> bool:
    """Change a row this process holds (status `sending`, claim `token`); False if it no longer does.

    While a row is `sending`, `claimed_until` identifies the claim: taking over an expired claim
    always sets a later end, and a claimant that released its row writes to it no more.
    """
    changed = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == SENDING, OutboxMessage.claimed_until == token)
        .values(**values)
        .returning(OutboxMessage.id)
    ).scalar_one_or_none()
    return changed is not None


def by_status(session: Session, status: str) -> Sequence[OutboxMessage]:
    """Rows in one state (for operators and tests)."""
    return session.scalars(select(OutboxMessage).where(OutboxMessage.status == status).order_by(OutboxMessage.id)).all()
