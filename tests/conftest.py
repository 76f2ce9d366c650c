"""Shared fixtures: a migrated database (SQLite, or PostgreSQL via TEST_DATABASE_URL), the fake
Slack server, and the bot itself served over HTTP by waitress."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from waitress.server import create_server

from bot.app import create_app
from bot.settings import Settings
from bot.web import make_wsgi_app
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade_to_head
from storage.models import Base
from tests.driver import SlackDriver, TrackingExecutor
from tests.fakeslack import FakeSlack

SIGNING_SECRET = "test-signing-secret"


class Clock:
    """The bot's clock in tests: `now` is whatever the test sets."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        engine = make_engine(url)
        with engine.begin() as conn:
            # A clean schema each run: leftovers from an earlier run must not leak in.
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        path = Path(tmp_path_factory.mktemp("db")) / "test.db"
        engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    yield make_session_factory(engine)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def clock() -> Clock:
    # Monday 23 November 2026, 10:00 in London (UTC in winter).
    return Clock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    for user in ("UALICE", "UBOB", "UCAROL", "UDAVE", "UEVE"):
        fake.add_user(user)
    fake.add_user("UADMIN", admin=True)
    yield fake
    fake.stop()
    assert not fake.violations, f"payloads Slack would reject: {fake.violations}"


@pytest.fixture
def settings(fake_slack: FakeSlack, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token="xoxb-test",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.api_url,
        database_url="sqlite://",
        scheduler_enabled=False,
        inbox_dir=str(tmp_path / "inbox"),
    )


@pytest.fixture
def slack(
    settings: Settings,
    session_factory: sessionmaker[Session],
    engine: Engine,
    clock: Clock,
    fake_slack: FakeSlack,
) -> Iterator[SlackDriver]:
    """The bot served on 127.0.0.1 exactly as in production, and a driver that talks to it."""
    executor = TrackingExecutor()
    app = create_app(settings, session_factory=session_factory, clock=clock, executor=executor)
    with served(make_wsgi_app(app, engine)) as url:
        driver = SlackDriver(url, SIGNING_SECRET, fake_slack, executor)
        yield driver
        executor.wait_idle()
    executor.shutdown(wait=True)


@contextmanager
def served(wsgi: Any) -> Iterator[str]:
    """Serve `wsgi` on 127.0.0.1 with waitress, as in production; yields its base URL."""
    # A short loop timeout lets the server thread notice close() at once in teardown.
    server = create_server(wsgi, host="127.0.0.1", port=0, threads=4, asyncore_loop_timeout=0.05)
    stopping = threading.Event()

    def run_server() -> None:
        try:
            server.run()
        except OSError:
            # close() from the test thread pulls the socket out from under select(); expected.
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=run_server, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stopping.set()
        server.close()
        thread.join(timeout=5)


@pytest.fixture
def board(slack: SlackDriver) -> SlackDriver:
    """A board SSCB in channel CBOARD chaired by UCAROL, with members AF (UALICE), EA (UBOB) and
    JB (no Slack account)."""
    slack.command("/meeting", "setup Safeguarding Children Board code SSCB chair <@UCAROL>", user="UCAROL")
    slack.command("/meeting", "member add <@UALICE|alice> AF Board Development Manager", user="UCAROL")
    slack.command("/meeting", "member add <@UBOB> EA Head of Strategy", user="UCAROL")
    slack.command("/meeting", 'member add "Jo Bloggs" JB Police lead', user="UCAROL")
    slack.fake.clear()
    return slack


@pytest.fixture
def tick(settings: Settings, session_factory: sessionmaker[Session], fake_slack: FakeSlack):
    """`tick(now)` runs the clock's due work at `now` against the fake Slack, as `arising tick` does."""
    from bot.app import make_client
    from bot.channels import SlackChannels
    from bot.deps import Deps
    from bot.directory import SlackDirectory
    from bot.scheduled.due_work import run_due
    from bot.slack_sender import SlackSender

    client = make_client(settings)

    def run(now: datetime):
        deps = Deps(
            session_factory=session_factory,
            directory=SlackDirectory(client),
            clock=lambda: now,
            channels=SlackChannels(client),
        )
        # The sender has its own client, without retry handlers, as `arising tick` builds it; the
        # fake Slack has no per-channel limit, so posts are not spaced (the pacing has its own tests).
        return run_due(deps, SlackSender.from_settings(settings, per_channel_interval=0), now)

    return run
