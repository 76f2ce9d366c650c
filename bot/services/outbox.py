"""Sending what the clock queued: each outbox row is claimed by one process and sent once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from bot.rendering.message import Message
from bot.sending import SendError, SendErrorKind
from bot.walltime import utcnow
from storage import outbox as store
from storage.db import session_scope
from storage.models import Meeting, OutboxMessage

log = logging.getLogger(__name__)

# A process that claimed a row and died leaves it `sending`; after this it may be claimed again.
# Renewed before each part, and far longer than one post can take (the sender's time-out), so a
# claimant is never still posting when another process takes its row over.
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 20
BATCH = 200
# A pass that meets 429s in this many conversations stops: Slack is limiting the method, not a channel.
RATE_LIMITED_STOP = 3


class Sender(Protocol):
    """Posts one message; returns the channel and ts of the posted message."""

    def post(self, recipient: str, message: dict[str, Any], thread: tuple[str, str] | None) -> tuple[str, str]:
        """Post `message` to a channel or a user's DM, in `thread` (channel, ts) when given.

        Posts once, never sleeps or retries; any failure is raised as a SendError.
        """
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
    # Of `retrying`: rows put back because Slack answered 429.
    rate_limited: int = 0


def dispatch(
    session_factory: sessionmaker[Session], sender: Sender, now: datetime, wall: Callable[[], datetime] = utcnow
) -> DispatchReport:
    """Send every due outbox row this process manages to claim.

    `now` decides what is due; claims are leased from the later of `now` and the wall clock, read
    afresh for each row, so a long tick or a catch-up run for a past instant never claims a row
    another process is still sending. Nothing here sleeps: a 429 puts the row back with the time
    Slack gave, and the pass moves on to other conversations.
    """
    report = DispatchReport()
    after: tuple[datetime, int] | None = None
    limited: set[str] = set()
    while True:
        with session_scope(session_factory) as session:
            # Batches keep memory flat; going on from the last row seen means a row that failed
            # just now, or was skipped, is not tried again in this pass.
            due = store.sendable(session, now, limit=BATCH, after=after)
        if not due:
            return report
        for row_id, recipient, due_at in due:
            after = (due_at, row_id)
            if recipient in limited:
                continue  # Slack asked us to wait in this conversation; the row stays pending
            with session_scope(session_factory) as session:
                token = store.claim(session, row_id, now, max(now, wall()), LEASE)
            if token is None:
                continue  # another process has it
            error = _send_claimed(session_factory, row_id, token, sender, now, wall, report)
            if error is not None and error.kind is SendErrorKind.RATE_LIMITED:
                limited.add(recipient)
                if len(limited) >= RATE_LIMITED_STOP:
                    # 429s in several conversations: the limit is the whole method's; stop until the next tick.
                    log.warning("outbox: 429 in %d conversations; the rest waits for the next tick", len(limited))
                    return report


def _stale_reason(session: Session, row: OutboxMessage, now: datetime) -> tuple[str, str] | None:
    """(status, note) when the row must not be sent any more: too late, or its meeting changed."""
    if row.not_after is not None and now >= row.not_after:
        return store.MISSED, (row.last_error or "")[:150] + " | too late to send"
    if row.meeting_id is not None and row.parts_sent == 0:
        meeting = session.get(Meeting, row.meeting_id)
        # Planned for a meeting since cancelled or moved (a moved one gets its own row): say nothing stale.
        moved = row.not_after is not None and meeting is not None and meeting.starts_at.date() != row.not_after.date()
        if meeting is None or meeting.status != "scheduled" or moved:
            return store.CANCELLED, "meeting cancelled or moved before this was sent"
    return None


def _send_claimed(
    session_factory: sessionmaker[Session],
    row_id: int,
    token: datetime,
    sender: Sender,
    now: datetime,
    wall: Callable[[], datetime],
    report: DispatchReport,
) -> SendError | None:
    """Send the parts of a row this process has claimed; every write names the claim (`token`)."""
    with session_scope(session_factory) as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        stale = _stale_reason(session, row, now)
        if stale is not None:
            status, note = stale
            if store.update_claimed(session, row_id, token, status=status, last_error=note):
                if status == store.MISSED:
                    report.missed += 1
                    log.warning("outbox %s missed: too late (not after %s)", row.key, row.not_after)
                else:
                    log.info("outbox %s cancelled: its meeting was cancelled or moved", row.key)
            return None
        key, recipient, attempts = row.key, row.recipient, row.attempts
        messages: list[dict[str, Any]] = row.payload.get("messages", [])
        first = row.parts_sent
        thread: tuple[str, str] | None = None
        if row.thread:
            thread_channel, thread_ts = row.thread.split("|", 1)
            thread = (thread_channel, thread_ts)
    for index in range(first, len(messages)):
        # Renew the claim before each part, so a post (bounded by the client's time-out) always
        # ends while the claim holds, however many parts came before it.
        until = max(now, wall()) + LEASE
        with session_scope(session_factory) as session:
            if not store.update_claimed(session, row_id, token, claimed_until=until):
                log.error("outbox %s: claim lost before part %d; left to its new claimant", key, index)
                return None
        token = until
        try:
            channel, ts = sender.post(recipient, messages[index], thread)
        except Exception as exc:
            # A Sender raises SendError; anything else is a fault whose effect on Slack is unknown.
            error = exc if isinstance(exc, SendError) else SendError(SendErrorKind.UNCERTAIN, type(exc).__name__)
            _release(session_factory, row_id, token, key, index, attempts, error, max(now, wall()), report)
            return error
        if thread is None:
            thread = (channel, ts)
        with session_scope(session_factory) as session:
            # Record each part at once: a retry resumes after the last part Slack accepted.
            if not store.update_claimed(
                session, row_id, token, parts_sent=index + 1, thread=f"{thread[0]}|{thread[1]}"
            ):
                log.error("outbox %s: claim lost after part %d was posted", key, index)
                return None
    with session_scope(session_factory) as session:
        if store.update_claimed(session, row_id, token, status=store.SENT, sent_at=now):
            report.sent += 1
    return None


def _release(
    session_factory: sessionmaker[Session],
    row_id: int,
    token: datetime,
    key: str,
    part: int,
    attempts: int,
    error: SendError,
    at: datetime,
    report: DispatchReport,
) -> None:
    """Put a row whose part `part` failed back in the queue (or give it up), ending this claim."""
    values: dict[str, Any]
    if error.kind is SendErrorKind.RATE_LIMITED:
        # Slack said when to come back: not a failure, so not counted against MAX_ATTEMPTS.
        wait = timedelta(seconds=error.retry_after or 0)
        values = {"status": store.PENDING, "next_attempt_at": at + wait, "last_error": error.reason}
        log.warning("outbox %s part %d rate-limited; next try in %d s", key, part, wait.total_seconds())
    else:
        attempts += 1
        values = {"attempts": attempts, "last_error": error.reason}
        if attempts >= MAX_ATTEMPTS:
            values["status"] = store.FAILED
            log.error("outbox %s failed for good after %d attempts: %s", key, attempts, error.reason)
        else:
            values["status"] = store.PENDING
            values["next_attempt_at"] = at + timedelta(minutes=min(2 ** (attempts - 1), 30))
            log.warning("outbox %s part %d attempt %d failed (%s); will retry", key, part, attempts, error)
        if error.may_have_posted:
            # No idempotency key on chat.postMessage and no history scope to look: the retry posts
            # again, so a duplicate is possible only if Slack accepted this one (see README).
            log.warning("outbox %s part %d: Slack may have posted it (%s); the retry posts it again", key, part, error)
    with session_scope(session_factory) as session:
        if not store.update_claimed(session, row_id, token, **values):
            log.error("outbox %s: claim lost before the failure of part %d was recorded", key, part)
            return
    if values["status"] == store.FAILED:
        report.failed += 1
    else:
        report.retrying += 1
        report.rate_limited += error.kind is SendErrorKind.RATE_LIMITED
