"""Scale-out: two `arising serve --no-clock` and two `arising clock` processes on one database.

Real processes (with their worker processes), the real HTTP endpoint, the fake Slack, and real
time: the clocks tick every 0.2 s (CLOCK_TICK_SECONDS), so the test takes a few seconds.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import session_scope
from storage.leases import lease_holder
from storage.models import Board, Meeting
from tests.conftest import SIGNING_SECRET
from tests.driver import SlackDriver, TrackingExecutor

TICK_S = 0.2
TICKED = "bot.scheduled.due_work tick "  # the log line of a tick that ran
START_TIMEOUT_S = 60.0
SERVING = re.compile(r"Serving on http://127\.0\.0\.1:(\d+)")


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `condition` until it holds; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class Process:
    """One `arising` process, its log in a file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.log = logs / f"{name}.log"
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", *args],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so teardown can end its workers with it
            )

    def text(self) -> str:
        """Everything it logged so far."""
        return self.log.read_text(errors="replace")

    def count(self, needle: str) -> int:
        """How many log lines contain `needle`."""
        return sum(needle in line for line in self.text().splitlines())

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, and its exit status once it has stopped."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        return self.popen.wait(timeout=timeout)


@pytest.fixture
def launch(engine, session_factory, fake_slack, tmp_path) -> Iterator[Callable[..., Process]]:
    """`launch(name, *args, **env)` starts an `arising` process against the test database and the fake Slack."""
    started: list[Process] = []
    base = {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "CLOCK_TICK_SECONDS": str(TICK_S),
        "WORKER_PROCESSES": "1",
        "WORKER_THREADS": "2",
        "LOG_LEVEL": "INFO",
    }
    base.pop("SLACK_APP_TOKEN", None)

    def start(name: str, *args: str, **env: str) -> Process:
        process = Process(name, list(args), {**base, **env}, tmp_path)
        started.append(process)
        return process

    yield start
    for process in started:
        # The whole group: a worker left running after its parent is killed would still hold database
        # connections when the next test empties the tables.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.popen.pid, signal.SIGKILL)
        process.popen.wait()


def web(launch: Callable[..., Process], name: str, tmp_path: Path) -> tuple[Process, str]:
    """An `arising serve --no-clock` with its own inbox directory; returns it and its URL.

    It binds port 0 and the URL is read from waitress's log line: a port picked here and bound there
    could be taken in between (by another server, or as the local port of any outgoing connection)."""
    process = launch(name, "serve", "--no-clock", "--host", "127.0.0.1", "--port", "0", INBOX_DIR=str(tmp_path / name))
    return process, serving_url(process.log, name)


def serving_url(log: Path, name: str) -> str:
    """The URL a server started with `--port 0` listens on, once waitress has logged it."""

    def logged() -> re.Match[str] | None:
        return SERVING.search(log.read_text(errors="replace"))

    wait_until(lambda: logged() is not None, START_TIMEOUT_S, f"{name} to listen")
    found = logged()
    assert found is not None
    return f"http://127.0.0.1:{found.group(1)}"


def healthy(url: str) -> bool:
    """True when GET /healthz answers 200."""
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def one_row_of(session_factory, model: type) -> Callable[[], bool]:
    """A condition: exactly one row of `model` is stored."""

    def holds() -> bool:
        with session_scope(session_factory) as session:
            return session.scalar(select(func.count()).select_from(model)) == 1

    return holds


def summaries(fake) -> list:
    return [c for c in fake.calls_to("chat.postMessage") if c.text.startswith("Matters arising")]


def test_two_clocks_and_two_web_processes_send_the_summary_once(launch, fake_slack, session_factory, tmp_path):
    web_a, url_a = web(launch, "web-a", tmp_path)
    web_b, url_b = web(launch, "web-b", tmp_path)
    clocks = [launch("clock-1", "clock"), launch("clock-2", "clock")]
    for url in (url_a, url_b):
        wait_until(lambda url=url: healthy(url), START_TIMEOUT_S, f"{url} to answer /healthz")

    # Set the board up through one web process and schedule through the other: their workers share the database.
    # The meeting is two days from now (real time), so its summary time has passed and it is due at once.
    meeting_day = (datetime.now(UTC) + timedelta(days=2)).strftime("%d/%m/%Y")
    driver = SlackDriver(url_a, SIGNING_SECRET, fake_slack, TrackingExecutor())
    # Each command is waited for by what it stored, not by "some call arrived": the clocks start in
    # parallel and their start-up auth.test could otherwise be taken for the setup's reply, sending the
    # schedule to web B before the board exists (it then answers "no board here", and no summary follows).
    for url, text, stored in (
        (url_a, "setup Safeguarding Children Board code SSCB chair <@UCAROL>", Board),
        (url_b, f"schedule {meeting_day} 23:00", Meeting),
    ):
        driver.bot_url = url  # one driver: its request ids (the replay keys) stay distinct
        assert driver.post(driver.command_body("/meeting", text, user="UCAROL", channel="CBOARD")).status == 200
        wait_until(one_row_of(session_factory, stored), START_TIMEOUT_S, f"one {stored.__name__} stored")

    # The summary goes to the channel and to the chair, once, whichever clock holds the lease.
    fake_slack.wait_for(lambda calls: len(summaries(fake_slack)) >= 2, timeout=START_TIMEOUT_S)
    with session_scope(session_factory) as session:
        holder = lease_holder(session, "clock", datetime.now(UTC))
    assert holder is not None
    [first] = [c for c in clocks if f":{c.popen.pid}:" in holder]
    [second] = [c for c in clocks if c is not first]
    ticks = first.count(TICKED)
    wait_until(lambda: first.count(TICKED) >= ticks + 5, 30, "five more ticks of the clock holding the lease")
    assert second.count(TICKED) == 0, second.text()
    assert "held by another clock; standing by" in second.text()

    # The holder stops (SIGTERM) and releases the lease: the other clock takes over and sends nothing again.
    assert first.stop() == 0, first.text()
    assert "clock lease released" in first.text()
    wait_until(lambda: second.count(TICKED) >= 5, 30, "the second clock to take over and tick")
    assert "clock lease taken" in second.text()

    assert len(summaries(fake_slack)) == 2
    assert sorted(c.args["channel"] for c in summaries(fake_slack)) == ["CBOARD", "UCAROL"]
    rest = (second, web_a, web_b)
    for process in rest:
        process.popen.send_signal(signal.SIGTERM)
    for process in rest:
        assert process.popen.wait(timeout=30) == 0, process.text()
    for process in (web_a, web_b):
        assert "stopped worker processes" in process.text()
