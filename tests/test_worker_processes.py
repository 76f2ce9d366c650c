"""How `arising serve` starts its worker processes: forked from the web process while it runs one thread, so
they share its memory (benchmarks/serve_rss.py), and spawned when threads already run (a restart).

Real processes against the test database and the fake Slack; Linux /proc tells how each worker was started
(a forked worker keeps its parent's command line, a spawned one runs multiprocessing's `spawn_main`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.inbox import Inbox
from bot.workers import ProcessWorkers
from handlers.work import worker_main
from tests.conftest import SIGNING_SECRET
from tests.driver import SlackDriver, TrackingExecutor
from tests.test_scale_out import START_TIMEOUT_S, healthy, serving_url, wait_until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


def command_line(pid: int) -> str:
    """The command line process `pid` was started with ("" once it has ended)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def workers_of(pid: int) -> list[int]:
    """The worker processes of web process `pid` (not multiprocessing's resource tracker)."""
    lines = {child: command_line(child) for child in children(pid)}
    # A worker that has ended but is not yet reaped has an empty command line.
    return [child for child, line in lines.items() if line and "resource_tracker" not in line]


class Serve:
    """One `arising serve --no-clock` with two worker processes, its log in a file."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.log = logs / "serve.log"
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "serve", "--no-clock", "--host", "127.0.0.1", "--port", "0"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so teardown can end its workers with it
            )
        self.url = serving_url(self.log, "arising serve")

    def text(self) -> str:
        """Everything it logged so far."""
        return self.log.read_text(errors="replace")


@pytest.fixture
def serve(engine, session_factory, fake_slack, tmp_path) -> Iterator[Serve]:
    env = {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "INBOX_DIR": str(tmp_path / "inbox"),
        "WORKER_PROCESSES": "2",
        "WORKER_THREADS": "2",
        "LOG_LEVEL": "INFO",
    }
    env.pop("SLACK_APP_TOKEN", None)
    process = Serve(env, tmp_path)
    try:
        wait_until(lambda: healthy(process.url), START_TIMEOUT_S, "arising serve to answer /healthz")
        wait_until(lambda: len(workers_of(process.popen.pid)) == 2, START_TIMEOUT_S, "two worker processes")
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.popen.pid, signal.SIGKILL)
        process.popen.wait()


def setup_board(serve: Serve, fake_slack) -> None:
    """`/meeting setup` through the server; returns once a worker has answered in Slack."""
    driver = SlackDriver(serve.url, SIGNING_SECRET, fake_slack, TrackingExecutor())
    before = len(fake_slack.calls)
    text = "setup Safeguarding Board code SB chair <@UCAROL>"
    body = driver.command_body("/meeting", text, user="UCAROL", channel="C1")
    assert driver.post(body).status == 200
    fake_slack.wait_for(lambda calls: len(calls) > before, timeout=START_TIMEOUT_S)


def test_serve_forks_its_worker_processes_from_the_web_process(serve, fake_slack):
    web = command_line(serve.popen.pid)
    assert [command_line(pid) for pid in workers_of(serve.popen.pid)] == [web, web]
    setup_board(serve, fake_slack)
    serve.popen.send_signal(signal.SIGTERM)
    assert serve.popen.wait(timeout=30) == 0, serve.text()
    assert "stopped worker processes" in serve.text()


def test_a_worker_restarted_once_the_server_runs_is_spawned_and_works(serve, fake_slack):
    first, second = workers_of(serve.popen.pid)
    os.kill(first, signal.SIGKILL)
    wait_until(
        lambda: any("spawn_main" in command_line(pid) for pid in workers_of(serve.popen.pid)),
        START_TIMEOUT_S,
        "the supervisor to start a replacement",
    )
    # The forked worker left is stopped too, so the command is worked by the spawned replacement.
    os.kill(second, signal.SIGKILL)
    wait_until(
        lambda: [("spawn_main" in command_line(pid)) for pid in workers_of(serve.popen.pid)] == [True, True],
        START_TIMEOUT_S,
        "two spawned replacements",
    )
    setup_board(serve, fake_slack)
    serve.popen.send_signal(signal.SIGTERM)
    assert serve.popen.wait(timeout=30) == 0, serve.text()


def test_workers_started_after_a_thread_are_spawned(settings, tmp_path, engine):
    # Forking a process that runs other threads is unsafe: the pool falls back to spawning.
    idle = threading.Event()
    other = threading.Thread(target=idle.wait)
    other.start()
    config = settings.model_dump() | {"database_url": engine.url.render_as_string(hide_password=False)}
    workers = ProcessWorkers(Inbox(tmp_path / "threads"), worker_main, config, count=1)
    try:
        workers.start()
        assert workers.forked is False
        [proc] = workers._procs.values()
        wait_until(lambda: proc.pid is not None and "spawn_main" in command_line(proc.pid), 30, "the spawned worker")
    finally:
        workers.stop()
        idle.set()
        other.join()


def test_the_web_process_migrates_without_loading_alembic(engine, session_factory):
    # What `arising serve` imports and runs before it serves: the migration runs in a forked child, so Alembic
    # (with Mako and Pygments) is never loaded in the web process nor in the workers forked from it.
    script = (
        "import sys\n"
        "import bot.app, bot.web, handlers.work\n"
        "from bot.cli import _migrated_engine\n"
        "from bot.settings import Settings\n"
        f"engine = _migrated_engine(Settings(_env_file=None, database_url={engine.url.render_as_string(False)!r}))\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('alembic', 'mako', 'pygments')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]", done.stderr


def test_an_in_memory_database_is_migrated_in_the_process_that_uses_it():
    # It lives in one engine: migrated in a child, it would be gone in the parent.
    script = (
        "from sqlalchemy import inspect\n"
        "from bot.cli import _migrated_engine\n"
        "from bot.settings import Settings\n"
        "engine = _migrated_engine(Settings(_env_file=None, database_url='sqlite://'))\n"
        "print('actions' in inspect(engine).get_table_names())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "True", done.stderr
