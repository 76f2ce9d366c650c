"""Sending what the clock queued: each outbox row is claimed by one process and sent once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utcnow
from bot.rendering.message import Message
from storage import outbox as store
from storage.db import session_scope
from storage.models import Meeting, OutboxMessage

log = logging.getLogger(__name__)

# A process that claimed a row and died leaves it `sending`; after this it may be claimed again.
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 20
BATCH = 200


class Sender(Protocol):
    """Posts one message; returns the channel and ts of the posted message."""

    def post(self, recipient: str, message: dict[str, Any], thread: tuple[str, str] | None) -> tuple[str, str]:
        """Post `message` to a channel or a user's DM, in `thread` (channel, ts) when given."""
        ...


def _row(
    *,
    key: str,
    kind: str,
    recipient: str,
    messages: list[Message],
    status: str,
    now: datetime,
    due_at: datetime,
    board_id: int | None,
    meeting_id: int | None,
    not_after: datetime | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    return {
        "key": key,
        "kind": kind,
        "board_id": board_id,
        "meeting_id": meeting_id,
        "recipient": recipient,
        "payload": {"messages": [m.payload() for m in messages]},
        "status": status,
        "due_at": due_at,
        "not_after": not_after,
        "next_attempt_at": due_at,
        "attempts": 0,
        "parts_sent": 0,
        "last_error": note,
        "created_at": now,
    }


def enqueue(
    session: Session,
    *,
    key: str,
    kind: str,
    recipient: str,
    messages: list[Message],
    now: datetime,
    due_at: datetime,
    board_id: int | None = None,
    meeting_id: int | None = None,
    not_after: datetime | None = None,
) -> bool:
    """Write a message to the outbox under `key`, unless that key was ever written. True if written."""
    return store.insert_once(
        session,
        _row(
            key=key,
            kind=kind,
            recipient=recipient,
            messages=messages,
            status=store.PENDING,
            now=now,
            due_at=due_at,
            board_id=board_id,
            meeting_id=meeting_id,
            not_after=not_after,
        ),
    )


def record_missed(
    session: Session,
    *,
    key: str,
    kind: str,
    recipient: str,
    now: datetime,
    due_at: datetime,
    board_id: int | None = None,
    meeting_id: int | None = None,
    reason: str,
) -> bool:
    """Write a row saying the message was not sent in time, so the miss is on record once."""
    written = store.insert_once(
        session,
        _row(
            key=key,
            kind=kind,
            recipient=recipient,
            messages=[],
            status=store.MISSED,
            now=now,
            due_at=due_at,
            board_id=board_id,
            meeting_id=meeting_id,
            note=reason,
        ),
    )
    if written:
        log.warning("outbox %s missed: %s", key, reason)
    return written


def record_marker(session: Session, *, key: str, now: datetime, board_id: int | None, meeting_id: int | None) -> bool:
    """Write a row that only records that something was done once (e.g. a meeting's chasers planned)."""
    return store.insert_once(
        session,
        _row(
            key=key,
            kind="marker",
            recipient="-",
            messages=[],
            status=store.SENT,
            now=now,
            due_at=now,
            board_id=board_id,
            meeting_id=meeting_id,
        ),
    )


@dataclass
class DispatchReport:
    """What one dispatch pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    missed: int = 0


def dispatch(
    session_factory: sessionmaker[Session], sender: Sender, now: datetime, wall: Callable[[], datetime] = utcnow
) -> DispatchReport:
    """Send every due outbox row this process manages to claim.

    `now` decides what is due; claims are leased from the later of `now` and the wall clock, read
    afresh for each row, so a long tick or a catch-up run for a past instant never claims a row
    another process is still sending.
    """
    report = DispatchReport()
    seen: set[int] = set()
    while True:
        with session_scope(session_factory) as session:
            # Batches keep memory flat; `seen` stops a row that failed just now being retried in this pass.
            ids = [i for i in store.sendable_ids(session, now, limit=BATCH) if i not in seen]
        if not ids:
            return report
        for row_id in ids:
            seen.add(row_id)
            with session_scope(session_factory) as session:
                if not store.claim(session, row_id, now, max(now, wall()), LEASE):
                    continue  # another process has it
            with session_scope(session_factory) as session:
                row = session.get(OutboxMessage, row_id)
                assert row is not None
                _send_row(session, row, sender, now, report)


def _send_row(session: Session, row: OutboxMessage, sender: Sender, now: datetime, report: DispatchReport) -> None:
    if row.not_after is not None and now >= row.not_after:
        row.status = store.MISSED
        row.last_error = (row.last_error or "")[:150] + " | too late to send"
        report.missed += 1
        log.warning("outbox %s missed: too late (not after %s)", row.key, row.not_after.isoformat())
        return
    if row.meeting_id is not None and row.parts_sent == 0:
        meeting = session.get(Meeting, row.meeting_id)
        # Planned for a meeting since cancelled or moved (a moved one gets its own row): say nothing stale.
        moved = row.not_after is not None and meeting is not None and meeting.starts_at.date() != row.not_after.date()
        if meeting is None or meeting.status != "scheduled" or moved:
            row.status = store.CANCELLED
            row.last_error = "meeting cancelled or moved before this was sent"
            log.info("outbox %s cancelled: its meeting was cancelled or moved", row.key)
            return
    messages = row.payload.get("messages", [])
    try:
        for index in range(row.parts_sent, len(messages)):
            thread = tuple(row.thread.split("|", 1)) if row.thread else None
            channel, ts = sender.post(row.recipient, messages[index], thread)  # type: ignore[arg-type]
            if row.thread is None:
                row.thread = f"{channel}|{ts}"
            row.parts_sent = index + 1
            # Commit each part: a retry resumes after the last part Slack accepted.
            session.commit()
    except Exception as exc:
        error = (exc.response.get("error") if isinstance(exc, SlackApiError) else None) or type(exc).__name__
        row.attempts += 1
        row.last_error = str(error)[:200]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = store.FAILED
            report.failed += 1
            log.error("outbox %s failed for good after %d attempts: %s", row.key, row.attempts, error)
        else:
            row.status = store.PENDING
            row.next_attempt_at = now + timedelta(minutes=min(2 ** (row.attempts - 1), 30))
            report.retrying += 1
            log.warning("outbox %s attempt %d failed (%s); will retry", row.key, row.attempts, error)
        return
    row.status = store.SENT
    row.sent_at = now
    report.sent += 1
