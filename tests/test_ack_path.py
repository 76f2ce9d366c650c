"""The ack never waits on Slack or the database; replays and retries are not worked twice; an acked
command survives a dead worker and is done once."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from bot.app import create_app
from bot.inbox import Inbox, Job, Put
from bot.web import make_wsgi_app
from bot.workers import ProcessWorkers
from handlers.intake import BUSY
from handlers.work import WorkContext, run_job, worker_main
from storage.models import Action, HandledRequest
from tests.conftest import SIGNING_SECRET, served
from tests.driver import SlackDriver, TrackingExecutor, posts, replies


def _count_actions(session_factory) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(Action)) or 0


def _add_body(slack: SlackDriver, what: str = "AF to circulate the report by 15/12/2026") -> str:
    return slack.command_body("/action", f"add {what}", user="UALICE", channel="CBOARD")


def test_command_is_acked_while_slack_does_not_answer(board):
    gate = board.fake.hold("chat.postMessage")
    answer = board.post(_add_body(board))
    # The HTTP answer came back although the confirmation post is still waiting on Slack.
    assert answer.status == 200
    assert not gate.is_set()
    gate.set()
    board.wait_idle()
    assert len(board.fake.calls_to("chat.postMessage")) == 1


def test_forty_commands_are_all_acked_while_slack_does_not_answer(board, session_factory):
    gate = board.fake.hold("chat.postMessage")
    barrier = threading.Barrier(40)
    statuses: list[int] = []

    def send(n: int) -> None:
        body = _add_body(board, f"AF to check case file {n} by 15/12/2026")
        barrier.wait()
        statuses.append(board.post(body).status)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert statuses == [200] * 40
    gate.set()
    board.wait_idle()
    assert _count_actions(session_factory) == 40
    assert len(board.fake.calls_to("chat.postMessage")) == 40


def _lock_database(engine: Engine) -> Any:
    """Hold a lock that stops every write (and, on PostgreSQL, every read) of actions."""
    conn = engine.connect()
    if engine.dialect.name == "postgresql":
        conn.execute(text("BEGIN"))
        conn.execute(text("LOCK TABLE actions IN ACCESS EXCLUSIVE MODE"))
    else:
        conn.exec_driver_sql("BEGIN EXCLUSIVE")
    return conn


def test_command_is_acked_while_the_database_is_locked(board, engine, session_factory):
    conn = _lock_database(engine)
    try:
        answer = board.post(_add_body(board))
        assert answer.status == 200
        assert _count_actions_in_flight(board) == 0
    finally:
        conn.rollback()
        conn.close()
    board.wait_idle()
    assert _count_actions(session_factory) == 1
    assert len(posts(board.fake.calls)) == 1


def _count_actions_in_flight(slack: SlackDriver) -> int:
    # While the database is held, nothing can have been confirmed yet.
    return len(posts(slack.fake.calls))


def test_replayed_request_is_acked_and_not_done_again(board, session_factory):
    body = _add_body(board)
    stamp = int(time.time())
    answers = [board.post(body, timestamp=stamp) for _ in range(3)]
    board.wait_idle()
    assert [a.status for a in answers] == [200, 200, 200]
    assert _count_actions(session_factory) == 1
    assert len(posts(board.fake.calls)) == 1


def test_same_text_sent_again_as_a_new_request_is_a_new_action(board, session_factory):
    body = _add_body(board)
    stamp = int(time.time())
    board.post(body, timestamp=stamp)
    board.post(body, timestamp=stamp - 1)
    board.wait_idle()
    assert _count_actions(session_factory) == 2


def _home_opened(event_id: str) -> str:
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": "T1",
            "api_app_id": "A1",
            "event_id": event_id,
            "event_time": 1,
            "event": {"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "home"},
        }
    )


def test_event_retried_by_slack_is_acked_and_published_once(board):
    first = board.post(_home_opened("Ev1"), content_type="application/json")
    retry = board.post(_home_opened("Ev1"), content_type="application/json", timestamp=int(time.time()) + 1)
    board.wait_idle()
    assert (first.status, retry.status) == (200, 200)
    assert len(board.fake.calls_to("views.publish")) == 1


class _IdleWorkers:
    """A work pool that never gets round to anything: the inbox fills up."""

    def notify(self, name: str) -> None:
        pass


def test_full_inbox_answers_busy_privately_and_stores_nothing(
    settings, session_factory, engine, clock, fake_slack, tmp_path
):
    inbox = Inbox(tmp_path / "busy", max_pending=1)
    app = create_app(settings, session_factory=session_factory, clock=clock, inbox=inbox, workers=_IdleWorkers())
    with served(make_wsgi_app(app, engine)) as url:
        driver = SlackDriver(url, SIGNING_SECRET, fake_slack, TrackingExecutor())
        first = driver.post(driver.command_body("/mine", "", user="UALICE", channel="CBOARD"))
        second = driver.post(driver.command_body("/mine", "", user="UBOB", channel="CBOARD"))
    assert (first.status, first.body) == (200, "")
    assert second.status == 200
    assert json.loads(second.body) == {"response_type": "ephemeral", "text": BUSY}
    assert inbox.pending() == 1
    assert _count_actions(session_factory) == 0


def _work_context(board_driver, session_factory, clock, settings) -> WorkContext:
    from bot.app import make_client
    from bot.deps import Deps
    from bot.directory import SlackDirectory

    client = make_client(settings)
    return WorkContext(Deps(session_factory=session_factory, directory=SlackDirectory(client), clock=clock), client)


def _queued_add(slack: SlackDriver, key: str) -> Job:
    from urllib.parse import parse_qsl

    request = dict(parse_qsl(_add_body(slack)))
    return Job(key=key, kind="command", request=request, received_at=time.time())


def test_job_run_again_after_its_work_committed_changes_nothing(board, session_factory, clock, settings):
    ctx = _work_context(board, session_factory, clock, settings)
    job = _queued_add(board, "rq-crash-after-commit")
    run_job(ctx, job)
    run_job(ctx, job)
    assert _count_actions(session_factory) == 1
    assert len(posts(board.fake.calls)) == 1
    with session_factory() as session:
        keys = session.scalars(select(HandledRequest.key).where(HandledRequest.key == "rq-crash-after-commit")).all()
    assert keys == ["rq-crash-after-commit"]


def test_job_claimed_by_a_dead_worker_is_recovered_and_done_once(board, session_factory, clock, settings, tmp_path):
    inbox = Inbox(tmp_path / "recover")
    inbox.put(_queued_add(board, "rq-dead-worker"))
    dead = inbox.for_owner("deadworker01")
    assert dead.claim_next() is not None  # claimed, then the worker "dies"
    assert inbox.claim_next() is None
    assert inbox.recover(["deadworker01"]) == 1
    ticket = inbox.claim_next()
    assert ticket is not None and ticket.attempt == 2
    run_job(_work_context(board, session_factory, clock, settings), ticket.job)
    inbox.finish(ticket)
    assert _count_actions(session_factory) == 1
    assert [c.method for c in replies(board.fake.calls)] == []
    assert len(posts(board.fake.calls)) == 1


def test_job_that_keeps_killing_its_worker_is_set_aside(tmp_path):
    inbox = Inbox(tmp_path / "poison")
    inbox.put(Job(key="rq-poison", kind="command", request={}, received_at=0.0))
    for attempt in range(3):
        worker = inbox.for_owner(f"worker{attempt}")
        assert worker.claim_next() is not None
        inbox.recover([f"worker{attempt}"])
    assert inbox.claim_next() is None
    assert len(list((tmp_path / "poison" / "failed").iterdir())) == 1


def test_worker_processes_do_the_work_of_acked_commands(board, engine, settings, tmp_path, session_factory):
    url = engine.url.render_as_string(hide_password=False)
    config = settings.model_dump() | {"database_url": url, "worker_threads": 2}
    inbox = Inbox(tmp_path / "procs")
    workers = ProcessWorkers(inbox, worker_main, config, count=2)
    app = create_app(settings, session_factory=session_factory, inbox=inbox, workers=workers)
    workers.start()
    try:
        with served(make_wsgi_app(app, engine)) as url:
            driver = SlackDriver(url, SIGNING_SECRET, board.fake, TrackingExecutor())
            for n in range(3):
                assert driver.post(_add_body(driver, f"AF to check case file {n} by 15/12/2026")).status == 200
            board.fake.wait_for(lambda calls: len(posts(calls)) == 3, timeout=60)
    finally:
        workers.stop()
    assert _count_actions(session_factory) == 3
    assert workers.alive == 0


def test_worker_process_that_dies_is_replaced(settings, tmp_path, engine):
    url = engine.url.render_as_string(hide_password=False)
    config = settings.model_dump() | {"database_url": url}
    workers = ProcessWorkers(Inbox(tmp_path / "restart"), worker_main, config, count=1)
    workers.start()
    try:
        first = next(iter(workers._procs.values()))
        first.kill()
        first.join(timeout=10)
        deadline = time.monotonic() + 30
        while workers.alive < 1 and time.monotonic() < deadline:
            time.sleep(0.1)  # waiting on a supervisor thread, not on the bot's clock
        assert workers.alive == 1
        assert next(iter(workers._procs.values())) is not first
    finally:
        workers.stop()


def test_inbox_keys_keep_out_path_separators(tmp_path: Path):
    with pytest.raises(ValueError):
        Inbox(tmp_path).put(Job(key="../etc", kind="command", request={}, received_at=0.0))


def _job(n: int) -> Job:
    return Job(key=f"k{n}", kind="command", request={}, received_at=0.0)


def test_inbox_lists_its_waiting_jobs_once_for_many_acks_under_the_limit(tmp_path: Path, monkeypatch):
    inbox = Inbox(tmp_path, max_pending=500)
    listed: list[int] = []
    count = inbox.pending
    monkeypatch.setattr(inbox, "pending", lambda: listed.append(1) or count())

    outcomes = [inbox.put(_job(n))[0] for n in range(50)]

    assert outcomes == [Put.QUEUED] * 50
    assert len(listed) <= 2  # once at the start, once more only if the puts outlast the recount interval
    assert count() == 50


def test_inbox_refuses_the_job_over_the_limit_and_takes_one_again_once_a_worker_claims(tmp_path: Path):
    inbox = Inbox(tmp_path, max_pending=3)
    assert [inbox.put(_job(n))[0] for n in range(4)] == [Put.QUEUED] * 3 + [Put.BUSY]

    assert inbox.claim_next() is not None

    assert inbox.put(_job(5))[0] is Put.QUEUED
    assert inbox.put(_job(6))[0] is Put.BUSY
    assert inbox.pending() == 3


def test_acks_released_together_never_queue_more_than_the_limit(tmp_path: Path):
    inbox = Inbox(tmp_path, max_pending=5)
    start = threading.Barrier(12)
    outcomes: list[Put] = []

    def ack(n: int) -> None:
        start.wait()
        outcomes.append(inbox.put(_job(n))[0])

    threads = [threading.Thread(target=ack, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(o.value for o in outcomes) == ["busy"] * 7 + ["queued"] * 5
    assert inbox.pending() == 5
