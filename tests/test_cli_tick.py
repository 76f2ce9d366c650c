"""`arising tick`: runs what is due at an instant once; two processes at once never double-send."""

import os
import subprocess
import sys

import pytest

from bot.cli import main


@pytest.fixture
def tick_env(engine, fake_slack, monkeypatch):
    env = {
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": fake_slack.api_url,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def _summaries(fake):
    return [c for c in fake.calls_to("chat.postMessage") if c.text.startswith("Matters arising")]


def test_tick_at_the_summary_time_sends_it_once(board, tick_env, capsys):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    assert main(["tick", "--now", "2026-12-11T09:00:00Z"]) == 0
    assert main(["tick", "--now", "2026-12-11T09:00:00Z"]) == 0
    assert len(_summaries(board.fake)) == 2
    assert "queued 2 summaries" in capsys.readouterr().out


def test_tick_with_a_bad_instant_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["tick", "--now", "next tuesday"])
    assert exit_info.value.code == 2
    assert "not an ISO datetime" in capsys.readouterr().err


def test_two_tick_processes_at_once_send_each_message_once(board, tick_env):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    board.command("/action", "add AF to circulate the report by 14/12/2026")
    env = {**os.environ, **tick_env}
    command = [sys.executable, "-m", "bot.cli", "tick", "--now", "2026-12-11T09:00:00Z"]
    processes = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], outputs
    assert len(_summaries(board.fake)) == 2
    assert len([c for c in board.fake.calls_to("chat.postMessage") if c.args["channel"] == "UALICE"]) == 1
