"""The clock in batches: claims never shared, a process killed mid-batch, pacing, the next look."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.rendering.message import Message
from bot.scheduled import outbox as outbox_service
from bot.scheduled.outbox import Plan
from storage import outbox as store
from storage.db import session_scope
from storage.models import OutboxMessage

T = datetime(2026, 12, 11, 9, 0, tzinfo=UTC)  # the summary time of a meeting on 16/12/2026 09:00
BOARDS = 12


def _posts(fake) -> list[Any]:
    return fake.calls_to("chat.postMessage")


def _status_counts(session_factory) -> Counter[str]:
    with session_factory() as session:
        rows = session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.kind != "marker")
            .group_by(OutboxMessage.status)
        ).all()
    return Counter({status: count for status, count in rows})


def _parts_recorded(session_factory) -> int:
    with session_factory() as session:
        return int(session.scalar(select(func.coalesce(func.sum(OutboxMessage.parts_sent), 0))) or 0)


@pytest.fixture
def boards_due(slack):
    """At T, 12 boards' summaries are due: 24 messages, each to its own conversation."""
    for n in range(BOARDS):
        chair = f"UCH{n:02d}"
        slack.fake.add_user(chair)
        slack.command("/meeting", f"setup Board {n} code B{n:02d} chair <@{chair}>", user=chair, channel=f"C{n:03d}")
        slack.command("/meeting", "schedule 16/12/2026 09:00", user=chair, channel=f"C{n:03d}")
    slack.fake.clear()
    return slack


@pytest.fixture
def tick_env(engine, fake_slack):
    return {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": fake_slack.api_url,
    }


def _wait_until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)


def test_a_clock_killed_in_the_middle_of_a_batch_loses_nothing_and_posts_nothing_twice(
    boards_due, tick_env, tick, session_factory
):
    fake = boards_due.fake
    # Slack takes 5 posts, then stalls: the process is killed with the rest of its batch claimed.
    stalled = fake.freeze("chat.postMessage", after=5)
    command = [sys.executable, "-m", "bot.cli", "tick", "--now", T.isoformat()]
    process = subprocess.Popen(command, env=tick_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_until(lambda: len(_posts(fake)) == 5 and _parts_recorded(session_factory) == 5)
        process.kill()
        process.communicate(timeout=30)
    finally:
        stalled.set()
        del fake.freezes["chat.postMessage"]
    statuses = _status_counts(session_factory)
    assert statuses["sent"] == 5 and statuses["sending"] > 0  # killed mid-batch, its claims still held
    assert len(_posts(fake)) == 5

    tick(T + timedelta(minutes=1))  # the dead process's claims still hold: nothing is posted twice
    assert len(_posts(fake)) == 5
    tick(T + outbox_service.LEASE + timedelta(minutes=1))
    posted = Counter(c.args["channel"] for c in _posts(fake))
    expected = {f"C{n:03d}" for n in range(BOARDS)} | {f"UCH{n:02d}" for n in range(BOARDS)}
    assert set(posted) == expected and set(posted.values()) == {1}
    assert _status_counts(session_factory)["sent"] == 2 * BOARDS


def _due_rows(session_factory, count: int) -> None:
    with session_scope(session_factory) as session:
        plan = Plan()
        for n in range(count):
            plan.add(
                key=f"test:{n}", kind="chaser", recipient=f"U{n:04d}", messages=[Message(text="x")], now=T, due_at=T
            )
        plan.write(session)


def test_two_claimers_released_together_never_claim_the_same_row(board, session_factory):
    _due_rows(session_factory, 100)
    barrier = threading.Barrier(2)
    claimed: list[list[int]] = [[], []]
    errors: list[BaseException] = []

    def claim(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            with session_scope(session_factory) as session:
                claimed[index] = [c.id for c in store.claim_batch(session, T, T, outbox_service.LEASE, limit=70)]
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    first, second = set(claimed[0]), set(claimed[1])
    assert not first & second
    assert len(first) + len(second) == 100
    assert _status_counts(session_factory)["sending"] == 100


def test_planning_the_same_rows_twice_writes_each_once(board, session_factory):
    _due_rows(session_factory, 30)
    with session_scope(session_factory) as session:
        plan = Plan()
        for n in range(25, 35):
            plan.add(key=f"test:{n}", kind="chaser", recipient="U1", messages=[Message(text="x")], now=T, due_at=T)
        assert plan.write(session) == {"chaser": 5}
    assert _status_counts(session_factory)["pending"] == 35


def test_posts_recorded_together_change_only_the_rows_this_process_still_holds(board, session_factory):
    _due_rows(session_factory, 4)
    with session_scope(session_factory) as session:
        mine = store.claim_batch(session, T, T, outbox_service.LEASE, limit=4)
    # Another process takes the last row over once this process's lease has run out.
    later = T + outbox_service.LEASE + timedelta(minutes=1)
    with session_scope(session_factory) as session:
        taken = store.claim_batch(session, later, later, outbox_service.LEASE, limit=1, after=(T, mine[2].id))
    assert [c.id for c in taken] == [mine[3].id]

    posted = {"parts_sent": 1, "thread": "C1|1.0", "status": store.SENT, "sent_at": T}
    with session_scope(session_factory) as session:
        held = store.update_claimed_many(session, [(c.id, c.token, posted) for c in mine])

    assert held == {c.id for c in mine[:3]}
    with session_factory() as session:
        rows = {r.id: r for r in session.scalars(select(OutboxMessage))}
    assert [rows[c.id].status for c in mine] == ["sent", "sent", "sent", "sending"]
    assert [rows[c.id].parts_sent for c in mine] == [1, 1, 1, 0]
    assert rows[mine[3].id].claimed_until == taken[0].token


class _FakeTime:
    """A monotonic clock that only moves when slept on (shared by the worker threads)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


class _PacedSender:
    per_channel_interval = 1.0

    def __init__(self, clock: _FakeTime) -> None:
        self.clock = clock
        self.posts: list[tuple[str, float]] = []
        self._lock = threading.Lock()

    def post(self, recipient: str, message: dict[str, Any], thread: tuple[str, str] | None) -> tuple[str, str]:
        with self._lock:
            self.posts.append((recipient, self.clock.monotonic()))
            return recipient, f"1700000000.{len(self.posts):06d}"


def test_posts_in_one_conversation_are_a_second_apart_and_other_conversations_do_not_wait(
    board, session_factory, monkeypatch
):
    clock = _FakeTime()
    monkeypatch.setattr(outbox_service, "time", clock)
    with session_scope(session_factory) as session:
        plan = Plan()
        plan.add(
            key="long",
            kind="summary",
            recipient="CBOARD",
            messages=[Message(text=str(n)) for n in range(4)],
            now=T,
            due_at=T,
        )
        for n in range(5):
            plan.add(key=f"dm:{n}", kind="chaser", recipient=f"U{n}", messages=[Message(text="x")], now=T, due_at=T)
        plan.write(session)
    sender = _PacedSender(clock)
    report = outbox_service.dispatch(session_factory, sender, T, wall=lambda: T)
    assert report.sent == 6
    channel = [at for recipient, at in sender.posts if recipient == "CBOARD"]
    assert len(channel) == 4 and all(b - a >= 1.0 for a, b in pairwise(channel))
    # Only the conversation with several parts ever waited.
    assert len(clock.sleeps) == 3


def test_a_summary_brought_forward_after_the_clock_looked_goes_at_the_new_time(board, tick):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    # The clock looks on 1 Dec and notes that nothing is due before the chasers (9 Dec).
    tick(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    board.command("/meeting", "settings summary 10 days before at 09:00", user="UCAROL")
    board.fake.clear()
    tick(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    summaries = [c for c in _posts(board.fake) if c.text.startswith("Matters arising")]
    assert sorted(c.args["channel"] for c in summaries) == ["CBOARD", "UCAROL"]
