"""The outbox under 429s and lost answers: nothing is slept out inside a claim, nothing is posted
twice by two clock processes, nothing is posted before Slack's Retry-After, nothing is lost."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.scheduled import outbox as outbox_service
from bot.scheduled.due_work import TickReport, plan_meeting_messages
from storage import outbox as store
from storage.db import session_scope
from storage.models import OutboxMessage

T = datetime(2026, 12, 11, 9, 0, tzinfo=UTC)  # the summary time of a meeting on 16/12/2026 09:00
RETRY_AFTER = 130


def _posts(fake, channel: str | None = None):
    return [c for c in fake.calls_to("chat.postMessage") if channel is None or c.args["channel"] == channel]


def _rows(session_factory) -> list[OutboxMessage]:
    with session_factory() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind != "marker")))


def _two_clocks_at(tick: Callable[[datetime], Any], at: datetime) -> None:
    """Two clock processes tick at the same instant, released together by a barrier."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            tick(at)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.fixture
def summary_due(board):
    """At T the board's summary is due: in channel CBOARD and in the chair's DM (UCAROL)."""
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    board.fake.clear()
    return board


@pytest.fixture
def due_messages(summary_due):
    """At T the summary (CBOARD, UCAROL) and AF's chaser (DM to UALICE) are due."""
    summary_due.command("/action", "add AF to circulate the report by 14/12/2026")
    summary_due.fake.clear()
    return summary_due


def test_two_clocks_under_three_429s_post_each_message_once_and_never_before_retry_after(
    summary_due, tick, session_factory
):
    fake = summary_due.fake
    fake.rate_limit_next("chat.postMessage", times=3, retry_after=RETRY_AFTER)

    _two_clocks_at(tick, T)
    assert len(fake.calls_to("chat.postMessage!429")) == 2 and _posts(fake) == []
    assert {r.next_attempt_at for r in _rows(session_factory)} == {T + timedelta(seconds=RETRY_AFTER)}
    for at in (T + timedelta(seconds=10), T + timedelta(seconds=RETRY_AFTER - 1)):
        _two_clocks_at(tick, at)
        # Retry-After has not passed: Slack is not even asked.
        assert len(fake.calls_to("chat.postMessage!429")) == 2 and _posts(fake) == []

    _two_clocks_at(tick, T + timedelta(seconds=RETRY_AFTER + 1))
    third = fake.calls_to("chat.postMessage!429")[2].args["channel"]
    [other] = {"CBOARD", "UCAROL"} - {third}
    assert [c.args["channel"] for c in _posts(fake)] == [other]
    _two_clocks_at(tick, T + timedelta(seconds=2 * RETRY_AFTER))
    assert [c.args["channel"] for c in _posts(fake)] == [other]

    _two_clocks_at(tick, T + timedelta(seconds=2 * RETRY_AFTER + 1))
    _two_clocks_at(tick, T + timedelta(minutes=20))  # long past any claim's lease
    assert sorted(c.args["channel"] for c in _posts(fake)) == ["CBOARD", "UCAROL"]
    assert len(fake.calls_to("chat.postMessage!429")) == 3
    rows = _rows(session_factory)
    assert {r.status for r in rows} == {"sent"}
    assert all(r.attempts == 0 for r in rows)  # a 429 is not a failed attempt


def test_a_dm_answered_429_three_times_past_the_lease_is_posted_once(summary_due, tick, session_factory):
    # The case: the client used to sleep 3 x 130 s inside a 5-minute claim.
    with session_scope(session_factory) as session:
        plan_meeting_messages(session, T, TickReport())
    with session_scope(session_factory) as session:
        for row in session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "CBOARD")):
            row.status = "cancelled"  # only the chair's DM is left to send
    fake = summary_due.fake
    at = T
    for _ in range(3):
        fake.rate_limit_next("chat.postMessage", times=1, retry_after=RETRY_AFTER)
        _two_clocks_at(tick, at)
        _two_clocks_at(tick, at + timedelta(seconds=RETRY_AFTER - 1))
        assert _posts(fake) == []
        at += timedelta(seconds=RETRY_AFTER)
    assert at - T > outbox_service.LEASE
    assert len(fake.calls_to("chat.postMessage!429")) == 3
    _two_clocks_at(tick, at)
    _two_clocks_at(tick, at + timedelta(minutes=10))
    assert [c.args["channel"] for c in _posts(fake)] == ["UCAROL"]
    [dm] = [r for r in _rows(session_factory) if r.recipient == "UCAROL"]
    assert dm.status == "sent"


def test_a_429_in_one_conversation_does_not_hold_up_the_others(due_messages, tick, session_factory):
    fake = due_messages.fake
    fake.rate_limit_next("chat.postMessage", times=1, retry_after=RETRY_AFTER)
    tick(T)
    [limited] = fake.calls_to("chat.postMessage!429")
    posted = {c.args["channel"] for c in _posts(fake)}
    assert posted == {"CBOARD", "UALICE", "UCAROL"} - {limited.args["channel"]}
    [waiting] = [r for r in _rows(session_factory) if r.status == "pending"]
    assert waiting.recipient == limited.args["channel"]
    assert waiting.next_attempt_at == T + timedelta(seconds=RETRY_AFTER)


def test_a_row_put_back_due_at_once_does_not_stop_the_pass_reaching_later_batches(
    due_messages, tick, session_factory, monkeypatch
):
    monkeypatch.setattr(outbox_service, "BATCH", 1)
    fake = due_messages.fake
    fake.rate_limit_next("chat.postMessage", times=1, retry_after=0)
    tick(T)
    [limited] = fake.calls_to("chat.postMessage!429")
    # The others are sent in this pass; the one put back is not tried again in it.
    assert {c.args["channel"] for c in _posts(fake)} == {"CBOARD", "UALICE", "UCAROL"} - {limited.args["channel"]}
    tick(T + timedelta(seconds=1))
    assert sorted(c.args["channel"] for c in _posts(fake)) == ["CBOARD", "UALICE", "UCAROL"]
    assert {r.status for r in _rows(session_factory)} == {"sent"}


def test_a_long_message_rate_limited_mid_thread_resumes_in_its_thread_after_retry_after(board, tick, session_factory):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    for n in range(60):
        board.command("/action", f"add AF to review case file {n} by 14/12/2026")
    board.fake.clear()
    with session_scope(session_factory) as session:
        plan_meeting_messages(session, T, TickReport())
    rows = _rows(session_factory)
    [channel_row] = [r for r in rows if r.recipient == "CBOARD"]
    parts = len(channel_row.payload["messages"])
    assert parts >= 2
    with session_scope(session_factory) as session:
        # Only the channel's row is due at T, so the scripted answers below are its own.
        for row in rows:
            if row.id != channel_row.id:
                session.get(OutboxMessage, row.id).next_attempt_at = T + timedelta(days=1)  # type: ignore[union-attr]
    # The first part goes through, the second is answered 429.
    board.fake.failures["chat.postMessage"] = [("pass", None), ("429", RETRY_AFTER)]
    tick(T)
    [first] = _posts(board.fake, "CBOARD")
    assert "thread_ts" not in first.args
    tick(T + timedelta(seconds=RETRY_AFTER - 1))
    assert len(_posts(board.fake, "CBOARD")) == 1
    tick(T + timedelta(seconds=RETRY_AFTER))
    rest = _posts(board.fake, "CBOARD")[1:]
    assert len(rest) == parts - 1
    [after] = [r for r in _rows(session_factory) if r.id == channel_row.id]
    assert after.status == "sent" and after.parts_sent == parts
    assert {f"CBOARD|{c.args.get('thread_ts')}" for c in rest} == {after.thread}


def test_an_answer_lost_before_slack_posted_is_retried_and_posted_once(due_messages, tick, session_factory):
    fake = due_messages.fake
    fake.drop_next("chat.postMessage", posted=False)
    tick(T)
    [failed] = [r for r in _rows(session_factory) if r.status == "pending"]
    assert failed.attempts == 1 and failed.last_error == "connection_dropped"
    assert failed.next_attempt_at == T + timedelta(minutes=1)
    _two_clocks_at(tick, T + timedelta(minutes=1))
    assert len(_posts(fake, failed.recipient)) == 1
    assert {r.status for r in _rows(session_factory)} == {"sent"}


def test_an_answer_lost_after_slack_posted_is_posted_again_by_one_process_only(due_messages, tick, session_factory):
    # Slack has no idempotency key and the bot has no history scope to look: a post whose answer
    # was lost is posted again once (a failure is retried, not lost), never once per process.
    fake = due_messages.fake
    fake.drop_next("chat.postMessage", posted=True)
    tick(T)
    [failed] = [r for r in _rows(session_factory) if r.status == "pending"]
    assert len(_posts(fake, failed.recipient)) == 1
    _two_clocks_at(tick, T + timedelta(minutes=1))
    _two_clocks_at(tick, T + timedelta(minutes=10))
    assert len(_posts(fake, failed.recipient)) == 2
    assert {r.status for r in _rows(session_factory)} == {"sent"}


class _TakenOverMidway:
    """A sender for a process that stalls after posting part 1: meanwhile its lease ends and another
    process claims the row."""

    def __init__(self, session_factory, row_id: int, takeover_at: datetime) -> None:
        self.session_factory = session_factory
        self.row_id = row_id
        self.takeover_at = takeover_at
        self.posted: list[int] = []

    def post(self, recipient: str, message: dict[str, Any], thread: tuple[str, str] | None) -> tuple[str, str]:
        self.posted.append(len(self.posted))
        with session_scope(self.session_factory) as session:
            assert store.claim(session, self.row_id, self.takeover_at, self.takeover_at, outbox_service.LEASE)
        return "CBOARD", "1700000000.000001"


def test_a_process_whose_claim_was_taken_over_posts_nothing_more(board, session_factory):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    for n in range(60):
        board.command("/action", f"add AF to review case file {n} by 14/12/2026")
    with session_scope(session_factory) as session:
        plan_meeting_messages(session, T, TickReport())
    [row] = [r for r in _rows(session_factory) if r.recipient == "CBOARD"]
    assert len(row.payload["messages"]) >= 2
    late = T + outbox_service.LEASE + timedelta(minutes=1)
    sender = _TakenOverMidway(session_factory, row.id, late)
    with session_scope(session_factory) as session:
        for other in _rows(session_factory):
            if other.id != row.id:
                session.get(OutboxMessage, other.id).status = "cancelled"  # type: ignore[union-attr]
    report = outbox_service.dispatch(session_factory, sender, T, wall=lambda: T)
    # Part 1 went out; the stalled process then finds its claim gone and stops.
    assert sender.posted == [0]
    assert report.sent == 0
    [after] = [r for r in _rows(session_factory) if r.id == row.id]
    assert after.status == "sending" and after.claimed_until == late + outbox_service.LEASE
    assert after.parts_sent == 0  # its record of part 1 was refused too: the new claimant owns the row


def test_a_claim_whose_lease_ended_cannot_write_to_the_row(board, session_factory):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    with session_scope(session_factory) as session:
        plan_meeting_messages(session, T, TickReport())
    row = _rows(session_factory)[0]
    with session_scope(session_factory) as session:
        old = store.claim(session, row.id, T, T, outbox_service.LEASE)
    with session_scope(session_factory) as session:
        # Still leased: nobody else can claim it.
        assert store.claim(session, row.id, T, T + timedelta(minutes=4), outbox_service.LEASE) is None
    late = T + outbox_service.LEASE + timedelta(seconds=1)
    with session_scope(session_factory) as session:
        new = store.claim(session, row.id, late, late, outbox_service.LEASE)
    assert old is not None and new is not None and new > old
    with session_scope(session_factory) as session:
        assert not store.update_claimed(session, row.id, old, status="sent")
        assert store.update_claimed(session, row.id, new, status="sent")


@pytest.fixture
def tick_env(engine, fake_slack):
    return {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": fake_slack.api_url,
    }


def _two_tick_processes_at(env: dict[str, str], at: datetime) -> None:
    command = [sys.executable, "-m", "bot.cli", "tick", "--now", at.isoformat()]
    processes = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs


def test_two_tick_processes_under_three_429s_post_each_message_once(summary_due, tick_env, session_factory):
    fake = summary_due.fake
    fake.rate_limit_next("chat.postMessage", times=3, retry_after=RETRY_AFTER)
    _two_tick_processes_at(tick_env, T)
    assert len(fake.calls_to("chat.postMessage!429")) == 2 and _posts(fake) == []
    _two_tick_processes_at(tick_env, T + timedelta(seconds=RETRY_AFTER + 1))
    assert len(fake.calls_to("chat.postMessage!429")) == 3 and len(_posts(fake)) == 1
    _two_tick_processes_at(tick_env, T + timedelta(seconds=2 * RETRY_AFTER + 1))
    assert sorted(c.args["channel"] for c in _posts(fake)) == ["CBOARD", "UCAROL"]
    assert {r.status for r in _rows(session_factory)} == {"sent"}
