"""Queries behind /metrics: the outbox by status and how late the oldest due message is."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import OutboxMessage


def outbox_by_status(session: Session) -> dict[str, int]:
    """How many outbox rows are in each status."""
    rows = session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    return {str(status): int(count) for status, count in rows}


def oldest_due_unsent(session: Session, now: datetime) -> datetime | None:
    """The due time of the oldest message that should have gone by `now` and has not."""
    return session.scalar(
        select(func.min(OutboxMessage.due_at)).where(
            OutboxMessage.status.in_(("pending", "sending")), OutboxMessage.due_at <= now
        )
    )
