"""The `arising` command line and its settings: migrate, refusing to start without what it needs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from bot.cli import main
from bot.settings import SLACK_PUBLIC_API_URL, Settings

VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "DATABASE_URL",
    "SLACK_API_URL",
    "PORT",
    "LISTENER_THREADS",
    "SCHEDULER_ENABLED",
    "LOG_LEVEL",
    "SLACK_TIMEOUT_SECONDS",
    "DB_CONNECT_TIMEOUT_SECONDS",
    "DB_POOL_TIMEOUT_SECONDS",
    "DB_STATEMENT_TIMEOUT_SECONDS",
    "HEALTH_TIMEOUT_SECONDS",
    "WORKER_PROCESSES",
    "INBOX_DIR",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No developer settings leak in: none of our variables set, and a working directory without a .env."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    return workdir


def schema_tables(url: str) -> set[str]:
    """The tables in the database at `url`."""
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def one_line(text: str) -> str:
    """The single line a failed command printed, checking it printed no traceback."""
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


# -- migrate ---------------------------------------------------------------------------------------


def test_migrate_creates_the_schema_in_database_url(monkeypatch, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'arising-test.db'}"
    monkeypatch.setenv("DATABASE_URL", url)

    assert main(["migrate"]) == 0

    assert {"boards", "members", "actions", "action_owners", "action_events", "board_events"} <= schema_tables(url)
    assert "alembic_version" in schema_tables(url)
    assert "Database is up to date." in capsys.readouterr().out


def test_migrate_twice_is_harmless(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'arising-test.db'}")

    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0


def test_migrate_without_database_url_uses_arising_db_in_the_working_directory(clean_environment):
    assert main(["migrate"]) == 0

    assert "boards" in schema_tables(f"sqlite:///{clean_environment / 'arising.db'}")


def test_migrate_does_not_need_slack_settings(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'arising-test.db'}")

    assert main(["migrate"]) == 0
    assert "SLACK" not in capsys.readouterr().err


@pytest.mark.parametrize("url", ["nonsense", "sqlite:////no/such/directory/arising.db", "mysql://db/arising"])
def test_migrate_with_an_unusable_database_url_says_so_in_one_line(monkeypatch, capsys, url):
    monkeypatch.setenv("DATABASE_URL", url)

    assert main(["migrate"]) == 2

    line = one_line(capsys.readouterr().err)
    assert line.startswith("arising: ")
    assert "DATABASE_URL" in line


# -- serve / run refuse to start without their settings ---------------------------------------------


@pytest.mark.parametrize("command", ["serve", "run"])
def test_start_without_bot_token_prints_one_line_naming_it_and_returns_2(capsys, command):
    assert main([command]) == 2

    captured = capsys.readouterr()
    line = one_line(captured.err)
    assert line.startswith("arising: SLACK_BOT_TOKEN is not set")
    assert captured.out == ""


def test_serve_without_signing_secret_names_it(monkeypatch, capsys):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")

    assert main(["serve"]) == 2

    assert one_line(capsys.readouterr().err).startswith("arising: SLACK_SIGNING_SECRET is not set")


def test_run_in_socket_mode_without_bot_token_names_it(monkeypatch, capsys):
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")

    assert main(["run"]) == 2

    assert one_line(capsys.readouterr().err).startswith("arising: SLACK_BOT_TOKEN is not set")


def test_start_without_settings_leaves_no_database_behind(clean_environment):
    assert main(["serve"]) == 2

    assert not (clean_environment / "arising.db").exists()


@pytest.mark.parametrize("port", ["abc", "0", "70000"])
def test_invalid_port_gives_one_clear_line(monkeypatch, capsys, port):
    monkeypatch.setenv("PORT", port)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")

    assert main(["serve"]) == 2

    assert one_line(capsys.readouterr().err).startswith("arising: PORT is not valid")


def test_invalid_log_level_gives_one_clear_line(monkeypatch, capsys):
    monkeypatch.setenv("LOG_LEVEL", "verbose")

    assert main(["migrate"]) == 2

    assert one_line(capsys.readouterr().err).startswith("arising: LOG_LEVEL is not valid")


# -- settings --------------------------------------------------------------------------------------


def test_settings_defaults():
    settings = Settings()

    assert settings.slack_bot_token is None
    assert settings.slack_signing_secret is None
    assert settings.slack_app_token is None
    assert settings.database_url == "sqlite:///arising.db"
    assert settings.slack_api_url == SLACK_PUBLIC_API_URL == "https://slack.com/api/"
    assert settings.port == 3000


def test_settings_read_the_issue_variable_names_from_the_environment(monkeypatch):
    values = {
        "SLACK_BOT_TOKEN": "xoxb-env",
        "SLACK_SIGNING_SECRET": "secret-env",
        "SLACK_APP_TOKEN": "xapp-env",
        "DATABASE_URL": "postgresql+psycopg://arising@db:5432/arising",
        "SLACK_API_URL": "https://slack-gov.com/api/",
        "PORT": "8080",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)

    settings = Settings()

    assert settings.slack_bot_token == "xoxb-env"
    assert settings.slack_signing_secret == "secret-env"
    assert settings.slack_app_token == "xapp-env"
    assert settings.database_url == "postgresql+psycopg://arising@db:5432/arising"
    assert settings.slack_api_url == "https://slack-gov.com/api/"
    assert settings.port == 8080


def test_settings_read_a_dot_env_file_in_the_working_directory(clean_environment):
    (clean_environment / ".env").write_text(
        "SLACK_BOT_TOKEN=xoxb-dotenv\n"
        "SLACK_SIGNING_SECRET=secret-dotenv\n"
        "SLACK_APP_TOKEN=xapp-dotenv\n"
        "DATABASE_URL=sqlite:///from-dotenv.db\n"
        "SLACK_API_URL=http://127.0.0.1:9999/api\n"
        "PORT=4000\n"
        "SOMETHING_ELSE=ignored\n"
    )

    settings = Settings()

    assert settings.slack_bot_token == "xoxb-dotenv"
    assert settings.slack_signing_secret == "secret-dotenv"
    assert settings.slack_app_token == "xapp-dotenv"
    assert settings.database_url == "sqlite:///from-dotenv.db"
    assert settings.port == 4000
    # slack_sdk wants the trailing slash; api_url adds it.
    assert settings.api_url == "http://127.0.0.1:9999/api/"


def test_environment_wins_over_dot_env(clean_environment, monkeypatch):
    (clean_environment / ".env").write_text("PORT=4000\n")
    monkeypatch.setenv("PORT", "5000")

    assert Settings().port == 5000


def test_migrate_uses_database_url_from_dot_env(clean_environment, tmp_path):
    url = f"sqlite:///{tmp_path / 'dotenv.db'}"
    (clean_environment / ".env").write_text(f"DATABASE_URL={url}\n")

    assert main(["migrate"]) == 0

    assert "boards" in schema_tables(url)


def test_bot_token_in_dot_env_satisfies_serve_until_the_next_missing_setting(clean_environment, capsys):
    (clean_environment / ".env").write_text("SLACK_BOT_TOKEN=xoxb-dotenv\n")

    assert main(["serve"]) == 2

    assert one_line(capsys.readouterr().err).startswith("arising: SLACK_SIGNING_SECRET is not set")


# -- starting (the server itself is replaced by a recorder: these tests check the wiring) --------------


@pytest.fixture
def slack_env(monkeypatch, tmp_path, fake_slack):
    """Valid Slack settings pointing at the fake Slack, and a fresh database file."""
    url = f"sqlite:///{tmp_path / 'served.db'}"
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.api_url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("WORKER_PROCESSES", "0")  # the work pool is tested in test_ack_path.py
    return url


@pytest.fixture
def started(monkeypatch) -> list[tuple[str, dict]]:
    """Record what would have been started instead of serving forever."""
    calls: list[tuple[str, dict]] = []
    monkeypatch.setattr("bot.web.serve", lambda wsgi, **kw: calls.append(("http", kw)))
    monkeypatch.setattr(
        "slack_bolt.adapter.socket_mode.SocketModeHandler.start",
        lambda self: calls.append(("socket", {"app_token": self.app_token})),
    )
    return calls


def test_serve_migrates_the_database_and_serves_http_on_the_given_port(slack_env, started):
    assert main(["serve", "--host", "127.0.0.1", "--port", "4567"]) == 0

    [(kind, options)] = started
    assert kind == "http"
    assert (options["host"], options["port"]) == ("127.0.0.1", 4567)
    assert "boards" in schema_tables(slack_env)


def test_serve_port_defaults_to_the_port_variable(slack_env, started, monkeypatch):
    monkeypatch.setenv("PORT", "8123")

    assert main(["serve"]) == 0

    assert started[0][1]["port"] == 8123


def test_run_without_app_token_serves_http(slack_env, started):
    assert main(["run"]) == 0

    assert [(kind, options["port"]) for kind, options in started] == [("http", 3000)]


def test_run_with_app_token_uses_socket_mode(slack_env, started, monkeypatch):
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")
    monkeypatch.delenv("SLACK_SIGNING_SECRET")  # Socket Mode needs no signing secret

    assert main(["run"]) == 0

    assert started == [("socket", {"app_token": "xapp-test"})]


def test_start_with_a_token_slack_refuses_says_so_in_one_line(slack_env, started, fake_slack, capsys):
    fake_slack.fail_next("auth.test", "invalid_auth")

    assert main(["serve"]) == 2

    line = one_line(capsys.readouterr().err)
    assert line.startswith("arising: Slack refused SLACK_BOT_TOKEN (invalid_auth)")
    assert "xoxb-test" not in line
    assert started == []


def test_start_with_an_unreachable_slack_api_url_says_so_in_one_line(slack_env, started, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:1/api/")

    assert main(["serve"]) == 2

    assert one_line(capsys.readouterr().err).startswith("arising: cannot reach Slack's Web API at SLACK_API_URL")
    assert started == []


def test_start_when_slack_answers_with_a_server_error_says_slack_could_not_be_reached(
    slack_env, started, fake_slack, capsys
):
    fake_slack.http_error_next("auth.test", 502, times=3)  # the first try and both retries

    assert main(["serve"]) == 2

    line = one_line(capsys.readouterr().err)
    assert line.startswith("arising: cannot reach Slack's Web API at SLACK_API_URL: Slack answered with a server error")
    assert "(http_502)" in line
    assert "refused" not in line and "<html" not in line
    assert started == []


def test_start_when_slack_does_not_answer_in_time_says_so(slack_env, started, fake_slack, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_TIMEOUT_SECONDS", "0.5")
    fake_slack.slow_next("auth.test")

    assert main(["serve"]) == 2

    line = one_line(capsys.readouterr().err)
    assert line.startswith("arising: cannot reach Slack's Web API at SLACK_API_URL: Slack did not answer in time")
    assert started == []


def test_start_when_slack_fails_the_apps_own_token_check_says_slack_could_not_be_reached(
    slack_env, started, fake_slack, capsys
):
    # Our auth.test passes; the Bolt app's own check at construction then meets a proxy's error page.
    fake_slack.failures["auth.test"] = [("pass", None)] + [("http", 502)] * 3

    assert main(["serve"]) == 2

    line = one_line(capsys.readouterr().err)
    assert line.startswith("arising: cannot reach Slack's Web API at SLACK_API_URL: Slack answered with a server error")
    assert started == []
