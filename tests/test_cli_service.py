"""Running as a service: read-only commands refuse a database they would otherwise create, the clock runs
alone or not at all in a web process, and SIGTERM stops `arising serve` after the work in hand."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys

import pytest
from alembic import command

from bot.cli import main
from storage.db import make_engine
from storage.migrate import alembic_config
from tests.conftest import SIGNING_SECRET
from tests.driver import SlackDriver, TrackingExecutor
from tests.test_cli import clean_environment, one_line, slack_env, started  # noqa: F401  (fixtures)
from tests.test_scale_out import healthy, serving_url, wait_until

# -- read-only commands never create or migrate a database -------------------------------------------


def test_summary_on_a_missing_database_file_says_so_and_creates_nothing(monkeypatch, tmp_path, capsys):
    path = tmp_path / "mistyped.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")

    assert main(["summary", "--board", "SSCB"]) == 2

    line = one_line(capsys.readouterr().err)
    assert line.startswith("arising: there is no database file") and "mistyped.db" in line
    assert not path.exists()


def test_summary_on_a_database_never_migrated_is_refused(monkeypatch, tmp_path, capsys):
    path = tmp_path / "empty.db"
    make_engine(f"sqlite:///{path}").connect().close()  # an empty SQLite file
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")

    assert main(["summary", "--board", "SSCB"]) == 2

    assert "holds no Arising schema" in one_line(capsys.readouterr().err)


def test_summary_on_an_older_schema_asks_for_migrate(monkeypatch, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    command.upgrade(alembic_config(engine), "0002")
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)

    assert main(["summary", "--board", "SSCB"]) == 2

    line = one_line(capsys.readouterr().err)
    assert "at schema 0002" in line and "run `arising migrate`" in line


def test_summary_on_an_unreachable_postgresql_says_so_in_one_line(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/arising")

    assert main(["summary", "--board", "SSCB"]) == 2

    assert one_line(capsys.readouterr().err).startswith("arising: cannot open the database in DATABASE_URL")


# -- where the clock runs ------------------------------------------------------------------------------


@pytest.fixture
def clocks(monkeypatch) -> list[dict]:
    """Record the clocks started instead of starting them."""
    calls: list[dict] = []
    monkeypatch.setattr("bot.scheduler.start_clock", lambda deps, sender, **kw: calls.append(kw))
    return calls


def test_serve_starts_the_clock_with_a_lease(slack_env, started, clocks):  # noqa: F811
    assert main(["serve"]) == 0

    [options] = clocks
    assert options["lease"] is not None
    assert options["every"].total_seconds() == 60


def test_serve_no_clock_starts_no_clock(slack_env, started, clocks):  # noqa: F811
    assert main(["serve", "--no-clock"]) == 0

    assert clocks == []
    assert [kind for kind, _ in started] == ["http"]


def test_run_no_clock_starts_no_clock(slack_env, started, clocks):  # noqa: F811
    assert main(["run", "--no-clock"]) == 0

    assert clocks == []


def test_clock_tick_interval_comes_from_clock_tick_seconds(slack_env, started, clocks, monkeypatch):  # noqa: F811
    monkeypatch.setenv("CLOCK_TICK_SECONDS", "5")

    assert main(["serve"]) == 0

    assert clocks[0]["every"].total_seconds() == 5


def test_clock_without_bot_token_names_it(capsys):
    assert main(["clock"]) == 2

    assert one_line(capsys.readouterr().err).startswith("arising: SLACK_BOT_TOKEN is not set")


# -- SIGTERM -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("to_group", [False, True], ids=["to the process (docker, tini)", "to its group (systemd)"])
def test_sigterm_lets_serve_finish_the_command_in_hand_then_exit_0(
    engine, session_factory, fake_slack, tmp_path, to_group
):
    inbox = tmp_path / "inbox"
    env = {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "INBOX_DIR": str(inbox),
        "WORKER_PROCESSES": "1",
        "LOG_LEVEL": "INFO",
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "0"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, with its worker processes
        )
    try:
        url = serving_url(log, "the server")
        wait_until(lambda: healthy(url), 60, "the server to answer /healthz")
        # Slack is slow to take the answer: the worker is mid-command when SIGTERM arrives.
        gate = fake_slack.hold("chat.postMessage")
        driver = SlackDriver(url, SIGNING_SECRET, fake_slack, TrackingExecutor())
        body = driver.command_body(
            "/meeting", "setup Safeguarding Children Board code SSCB chair <@UCAROL>", user="UCAROL", channel="CBOARD"
        )
        assert driver.post(body).status == 200
        wait_until(lambda: any((inbox / "work").iterdir()), 30, "a worker to claim the command")

        if to_group:
            os.killpg(server.pid, signal.SIGTERM)  # the worker process gets it too
        else:
            server.send_signal(signal.SIGTERM)
        wait_until(lambda: "SIGTERM: stopping" in log.read_text(), 30, "the server to see SIGTERM")
        gate.set()

        assert server.wait(timeout=30) == 0, log.read_text()
    finally:
        if server.poll() is None:
            server.kill()
    [post] = fake_slack.calls_to("chat.postMessage")
    assert "SSCB" in post.text
    assert "stopped worker processes" in log.read_text()
    assert not any((inbox / "work").iterdir()) and not any((inbox / "new").iterdir())


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "--board", "SSCB", "--format", "csv"],
        ["data", "export", "--user", "U0123ABCD"],
        ["import", "-", "--board", "SSCB", "--dry-run"],
    ],
)
def test_commands_on_existing_data_refuse_a_database_that_does_not_exist(argv, tmp_path, monkeypatch, capsys):
    missing = tmp_path / "typo.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    monkeypatch.setattr("sys.stdin", io.StringIO("Action: AF to circulate the report"))
    assert main(argv) == 2
    assert "arising:" in capsys.readouterr().err
    assert not missing.exists()
