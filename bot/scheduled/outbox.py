"""Sending what the clock queued: each outbox row is claimed by one process and sent once.

Rows are written in one statement per batch (`Plan.write`), claimed in batches (one transaction
each), posted by a few workers at once (a meeting's messages, or one conversation's, per worker;
never faster than `Sender.per_channel_interval` in one conversation), and the outcome of each post
is committed before that worker posts again, in statements shared by every worker (group commit).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.rendering.message import Message
from bot.scheduled.sender import Sender
from bot.sending import SendError, SendErrorKind
from bot.walltime import utcnow
from storage import outbox as store
from storage.db import session_scope

log = logging.getLogger(__name__)

# A process that claimed a row and died leaves it `sending`; after this it may be claimed again.
# Renewed before each part, and far longer than one post can take (the sender's time-out), so a
# claimant is never still posting when another process takes its row over.
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 20
# Rows claimed per transaction.
BATCH = 200
# Workers posting at once. Slack's limit is per conversation (about one message a second),
# so more workers send more conversations in parallel without posting faster in any one.
CONCURRENCY = 8
# A claim with less than this left is renewed before the next post: a post (bounded by the
# sender's time-out) then always ends while the claim holds.
RENEW_WHEN_LEFT = timedelta(minutes=2)
# A pass that meets 429s in this many conversations stops: Slack is limiting the method, not a channel.
RATE_LIMITED_STOP = 3


def _row(
    *,
    key: str,
    kind: str,
    recipient: str,
    messages: list[dict[str, Any]],
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
        "payload": {"messages": messages},
        "status": status,
        "due_at": due_at,
        "not_after": not_after,
        "next_attempt_at": due_at,
        "attempts": 0,
        "parts_sent": 0,
        "last_error": note,
        "created_at": now,
    }


class Plan:
    """Messages planned by one step of a tick, written together by `write`: one multi-row
    `INSERT … ON CONFLICT DO NOTHING` per 500 rows instead of a statement per message."""

    def __init__(self) -> None:
        self._rows: list[dict[str, Any]] = []
        self._notes: dict[str, str] = {}
        # The same messages to several recipients (a summary to the channel and to the chair) are
        # turned into payloads once: building a block's dict validates it, which costs.
        self._payloads: dict[int, tuple[list[Message], list[dict[str, Any]]]] = {}

    def _payload(self, messages: list[Message]) -> list[dict[str, Any]]:
        cached = self._payloads.get(id(messages))
        if cached is None or cached[0] is not messages:
            cached = (messages, [m.payload() for m in messages])
            self._payloads[id(messages)] = cached
        return cached[1]

    def __len__(self) -> int:
        return len(self._rows)

    def add(
        self,
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
    ) -> None:
        """Plan a message under `key`; written unless that key was ever written."""
        self._rows.append(
            _row(
                key=key,
                kind=kind,
                recipient=recipient,
                messages=self._payload(messages),
                status=store.PENDING,
                now=now,
                due_at=due_at,
                board_id=board_id,
                meeting_id=meeting_id,
                not_after=not_after,
            )
        )

    def add_missed(
        self,
        *,
        key: str,
        kind: str,
        recipient: str,
        now: datetime,
        due_at: datetime,
        board_id: int | None = None,
        meeting_id: int | None = None,
        reason: str,
    ) -> None:
        """Plan a row saying the message was not sent in time, so the miss is on record once."""
        self._rows.append(
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
            )
        )
        self._notes[key] = reason

    def write(self, session: Session) -> dict[str, int]:
        """Insert what was planned; returns how many rows went in, by kind (`missed` for misses)."""
        inserted = store.insert_many(session, self._rows)
        counts: dict[str, int] = {}
        for row in self._rows:
            if row["key"] in inserted:
                kind = "missed" if row["status"] == store.MISSED else row["kind"]
                counts[kind] = counts.get(kind, 0) + 1
                if row["key"] in self._notes:
                    log.warning("outbox %s missed: %s", row["key"], self._notes[row["key"]])
        self._rows.clear()
        self._notes.clear()
        self._payloads.clear()
        return counts


def record_markers(session: Session, markers: list[tuple[str, int | None, int | None]], *, now: datetime) -> set[str]:
    """Write rows that only record that something was done once (e.g. a meeting's chasers planned),
    one per (key, board_id, meeting_id), in one statement; returns the keys this call wrote."""
    rows = [
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
        )
        for key, board_id, meeting_id in markers
    ]
    return store.insert_many(session, rows)


@dataclass
class DispatchReport:
    """What one dispatch pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    missed: int = 0
    # Of `retrying`: rows put back because Slack answered 429.
    rate_limited: int = 0


class ClaimLost(Exception):
    """This process's claim on a row ended (taken over after its lease): it writes and posts no more."""


class _Write:
    def __init__(self, row_id: int, token: datetime, values: dict[str, Any]) -> None:
        self.row_id = row_id
        self.token = token
        self.values = values
        self.done = False
        self.held = False
        self.error: BaseException | None = None


class _Recorder:
    """Commits the writes of every worker together (group commit).

    A worker hands in its write and waits until it is committed, so each worker has at most one
    post whose outcome is not yet on record; writes handed in while others are being committed
    go together in the next statement (one per set of columns written).
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._engine: Engine = session_factory.kw["bind"]
        # One connection for the pass, used by one commit at a time (`_busy`): no pool checkout
        # (with its ping) per commit. Dropped after a failure, so a broken one is not reused.
        # Autocommit: each statement is on record when it returns, with no BEGIN and COMMIT round
        # trips around it. Each write concerns its own row, so the writes of one group need not
        # commit together; what matters is that each is committed before its worker posts again.
        self._connection: Connection | None = None
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._pending: list[_Write] = []
        self._busy = False

    def write(self, row_id: int, token: datetime, **values: Any) -> bool:
        """Apply `values` to a row this process holds under `token`; False if the claim was lost."""
        write = _Write(row_id, token, values)
        with self._lock:
            self._pending.append(write)
            while not write.done:
                if not self._busy:
                    self._busy = True
                    batch, self._pending = self._pending, []
                    break
                self._changed.wait()
            else:
                batch = []
        if batch:
            self._commit(batch)
        if write.error is not None:
            raise write.error
        return write.held

    def close(self) -> None:
        """Give the pass's connection back (after the last write)."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _commit(self, batch: list[_Write]) -> None:
        try:
            if self._connection is None:
                self._connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            try:
                with Session(bind=self._connection) as session:
                    # Each row is changed only under its claim (status `sending`, `claimed_until`
                    # equal to the token): a row taken over by another process after its lease is
                    # left alone. One statement for the writes of the same columns, not one per write.
                    held = store.update_claimed_many(session, [(w.row_id, w.token, w.values) for w in batch])
                    session.commit()
            except BaseException:
                connection, self._connection = self._connection, None
                connection.close()
                raise
            for write in batch:
                write.held = write.row_id in held
        except BaseException as exc:
            for write in batch:
                write.error = exc
        finally:
            with self._lock:
                for write in batch:
                    write.done = True
                self._busy = False
                self._changed.notify_all()


class _Pacer:
    """Spaces the posts in one conversation by `interval` seconds (Slack allows about one a second),
    whichever worker makes them: each post reserves its slot under a lock, then waits for it."""

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, conversation: str) -> None:
        if self._interval <= 0:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(conversation, now))
            self._next[conversation] = slot + self._interval
        if slot > now:
            time.sleep(slot - now)


@dataclass
class _Pass:
    """State shared by the workers of one dispatch pass."""

    sender: Sender
    recorder: _Recorder
    pacer: _Pacer
    now: datetime
    wall: Callable[[], datetime]
    report: DispatchReport
    lock: threading.Lock
    limited: set[str]
    stop: threading.Event

    def count(self, **changes: int) -> None:
        with self.lock:
            for name, by in changes.items():
                setattr(self.report, name, getattr(self.report, name) + by)

    def rate_limited(self, recipient: str) -> None:
        with self.lock:
            self.limited.add(recipient)
            if len(self.limited) >= RATE_LIMITED_STOP and not self.stop.is_set():
                # 429s in several conversations: the limit is the whole method's; stop until the next tick.
                log.warning("outbox: 429 in %d conversations; the rest waits for the next tick", len(self.limited))
                self.stop.set()


def dispatch(
    session_factory: sessionmaker[Session], sender: Sender, now: datetime, wall: Callable[[], datetime] = utcnow
) -> DispatchReport:
    """Send every due outbox row this process manages to claim.

    `now` decides what is due; claims are leased from the later of `now` and the wall clock, so a
    long tick or a catch-up run for a past instant never claims a row another process is still
    sending. Nothing here sleeps out a 429: the row goes back with the time Slack gave, and the
    pass moves on to other conversations. The only wait is the pacing within one conversation.
    """
    state = _Pass(
        sender=sender,
        recorder=_Recorder(session_factory),
        pacer=_Pacer(float(getattr(sender, "per_channel_interval", 0.0))),
        now=now,
        wall=wall,
        report=DispatchReport(),
        lock=threading.Lock(),
        limited=set(),
        stop=threading.Event(),
    )
    try:
        _dispatch_batches(session_factory, state)
    finally:
        state.recorder.close()
    return state.report


def _dispatch_batches(session_factory: sessionmaker[Session], state: _Pass) -> None:
    now, wall = state.now, state.wall
    after: tuple[datetime, int] | None = None
    with ThreadPoolExecutor(max_workers=CONCURRENCY, thread_name_prefix="outbox") as pool:
        while not state.stop.is_set():
            with session_scope(session_factory) as session:
                # Going on from the last row claimed: a row put back just now (a 429 with no wait,
                # a failure) is not tried again in this pass.
                batch = store.claim_batch(
                    session,
                    now,
                    max(now, wall()),
                    LEASE,
                    limit=BATCH,
                    after=after,
                    skip_recipients=sorted(state.limited),
                )
                meetings = store.meeting_states(
                    session, [c.meeting_id for c in batch if c.meeting_id is not None and c.parts_sent == 0]
                )
            if not batch:
                break
            after = (batch[-1].due_at, batch[-1].id)
            groups: dict[tuple[str, object], list[store.Claimed]] = {}
            for row in batch:
                stale = _stale_reason(row, meetings, now)
                if stale is None:
                    # A meeting's messages go in their order (the chair's warning before the
                    # summary); other messages by conversation. Groups go in parallel.
                    group = ("meeting", row.meeting_id) if row.meeting_id is not None else ("to", row.recipient)
                    groups.setdefault(group, []).append(row)
                else:
                    _give_up(state, row, *stale)
            for future in [pool.submit(_send_rows, state, rows) for rows in groups.values()]:
                future.result()


def _stale_reason(
    row: store.Claimed, meetings: dict[int, tuple[str, datetime]], now: datetime
) -> tuple[str, str] | None:
    """(status, note) when the row must not be sent any more: too late, or its meeting changed."""
    if row.not_after is not None and now >= row.not_after:
        return store.MISSED, (row.last_error or "")[:150] + " | too late to send"
    if row.meeting_id is not None and row.parts_sent == 0:
        meeting = meetings.get(row.meeting_id)
        # Planned for a meeting since cancelled or moved (a moved one gets its own row): say nothing stale.
        moved = row.not_after is not None and meeting is not None and meeting[1].date() != row.not_after.date()
        if meeting is None or meeting[0] != "scheduled" or moved:
            return store.CANCELLED, "meeting cancelled or moved before this was sent"
    return None


def _give_up(state: _Pass, row: store.Claimed, status: str, note: str) -> None:
    if not state.recorder.write(row.id, row.token, status=status, last_error=note):
        return
    if status == store.MISSED:
        state.count(missed=1)
        log.warning("outbox %s missed: too late (not after %s)", row.key, row.not_after)
    else:
        log.info("outbox %s cancelled: its meeting was cancelled or moved", row.key)


def _send_rows(state: _Pass, rows: list[store.Claimed]) -> None:
    """Send claimed rows in order; a row not tried (the pass stopped, or Slack asked to wait in its
    conversation) goes back to the queue as it was, without counting an attempt."""
    for row in rows:
        if state.stop.is_set() or row.recipient in state.limited:
            state.recorder.write(row.id, row.token, status=store.PENDING)
            continue
        try:
            _send_row(state, row)
        except ClaimLost as lost:
            log.error("outbox %s: %s; left to its new claimant", row.key, lost)


def _send_row(state: _Pass, row: store.Claimed) -> None:
    """Send the parts of a row this process has claimed; every write names the claim (`token`)."""
    token = row.token
    thread: tuple[str, str] | None = None
    if row.thread:
        thread_channel, thread_ts = row.thread.split("|", 1)
        thread = (thread_channel, thread_ts)
    last = len(row.messages) - 1
    if last < 0:
        if state.recorder.write(row.id, token, status=store.SENT, sent_at=state.now):
            state.count(sent=1)
        return
    for index in range(row.parts_sent, last + 1):
        wall = max(state.now, state.wall())
        if token - wall < RENEW_WHEN_LEFT:
            # A long batch: renew before posting, so the post ends while the claim holds.
            until = wall + LEASE
            if not state.recorder.write(row.id, token, claimed_until=until):
                raise ClaimLost(f"claim lost before part {index}")
            token = until
        state.pacer.wait(row.recipient)
        try:
            channel, ts = state.sender.post(row.recipient, row.messages[index], thread)
        except Exception as exc:
            # A Sender raises SendError; anything else is a fault whose effect on Slack is unknown.
            error = exc if isinstance(exc, SendError) else SendError(SendErrorKind.UNCERTAIN, type(exc).__name__)
            _release(state, row, token, index, error)
            return
        if thread is None:
            thread = (channel, ts)
        done = {"status": store.SENT, "sent_at": state.now} if index == last else {}
        # Recorded before this worker posts again: a retry resumes after the last part Slack accepted.
        if not state.recorder.write(row.id, token, parts_sent=index + 1, thread=f"{thread[0]}|{thread[1]}", **done):
            raise ClaimLost(f"claim lost after part {index} was posted")
    state.count(sent=1)


def _release(state: _Pass, row: store.Claimed, token: datetime, part: int, error: SendError) -> None:
    """Put a row whose part `part` failed back in the queue (or give it up), ending this claim."""
    at = max(state.now, state.wall())
    values: dict[str, Any]
    if error.kind is SendErrorKind.RATE_LIMITED:
        # Slack said when to come back: not a failure, so not counted against MAX_ATTEMPTS.
        wait = timedelta(seconds=error.retry_after or 0)
        values = {"status": store.PENDING, "next_attempt_at": at + wait, "last_error": error.reason}
        log.warning("outbox %s part %d rate-limited; next try in %d s", row.key, part, wait.total_seconds())
        state.rate_limited(row.recipient)
    else:
        attempts = row.attempts + 1
        values = {"attempts": attempts, "last_error": error.reason}
        if attempts >= MAX_ATTEMPTS:
            values["status"] = store.FAILED
            log.error("outbox %s failed for good after %d attempts: %s", row.key, attempts, error.reason)
        else:
            values["status"] = store.PENDING
            values["next_attempt_at"] = at + timedelta(minutes=min(2 ** (attempts - 1), 30))
            log.warning("outbox %s part %d attempt %d failed (%s); will retry", row.key, part, attempts, error)
        if error.may_have_posted:
            # No idempotency key on chat.postMessage and no history scope to look: the retry posts
            # again, so a duplicate is possible only if Slack accepted this one (see README).
            log.warning(
                "outbox %s part %d: Slack may have posted it (%s); the retry posts it again", row.key, part, error
            )
    if not state.recorder.write(row.id, token, **values):
        log.error("outbox %s: claim lost before the failure of part %d was recorded", row.key, part)
        return
    if values["status"] == store.FAILED:
        state.count(failed=1)
    else:
        state.count(retrying=1, rate_limited=int(error.kind is SendErrorKind.RATE_LIMITED))
