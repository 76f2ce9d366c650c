"""A database that stalls is a fault, not a hang: /healthz says 503 at once, a command is told so and
changes nothing, and no log line carries what the user typed.

The stall is another connection holding the lock every write needs: `LOCK TABLE actions IN ACCESS
EXCLUSIVE MODE` on PostgreSQL, `BEGIN EXCLUSIVE` on SQLite. The bot's engine has one-second limits.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from handlers.failures import DATABASE_NOT_ANSWERING
from storage.db import DatabaseTimeouts, make_engine, make_session_factory
from tests.action_support import action_count, only_reply, snapshot

SHORT = DatabaseTimeouts(connect=2, pool=2, statement=1)
SECRET_TEXT = "visit the Smith children at home"


@pytest.fixture(scope="module")
def short_engine(engine: Engine) -> Iterator[Engine]:
    """The session's migrated test database, opened again with short time limits for the bot."""
    short = make_engine(engine.url.render_as_string(hide_password=False), timeouts=SHORT)
    yield short
    short.dispose()


@pytest.fixture
def session_factory(session_factory: sessionmaker[Session], short_engine: Engine) -> sessionmaker[Session]:
    # The bot's work runs on the short-limit engine; the shared fixture still clears the tables
    # afterwards on the ordinary engine, whose statements may take their time.
    return make_session_factory(short_engine)


@pytest.fixture
def stall(short_engine: Engine):
    """`with stall():` another connection holds the write lock of the action log until the block ends."""

    @contextmanager
    def hold() -> Iterator[None]:
        if short_engine.dialect.name == "postgresql":
            holder = make_engine(short_engine.url.render_as_string(hide_password=False))
            with holder.connect() as conn:
                conn.execute(text("LOCK TABLE actions IN ACCESS EXCLUSIVE MODE"))
                try:
                    yield
                finally:
                    conn.rollback()
            holder.dispose()
        else:
            conn = sqlite3.connect(short_engine.url.database, isolation_level=None)
            conn.execute("BEGIN EXCLUSIVE")
            try:
                yield
            finally:
                conn.rollback()
                conn.close()

    return hold


def add_action(board):
    return board.command("/action", f"add AF to {SECRET_TEXT} by 15/12/2026")


def test_healthz_answers_503_within_5_seconds_while_the_database_stalls(slack, stall):
    with stall():
        started = time.monotonic()
        answer = slack.request("GET", "/healthz")
        elapsed = time.monotonic() - started

    assert answer.status == 503
    assert elapsed < 5


def test_healthz_answers_200_again_once_the_database_answers(slack, stall):
    with stall():
        slack.request("GET", "/healthz")

    assert slack.request("GET", "/healthz").status == 200


def test_a_command_while_the_database_stalls_is_acked_and_told_the_database_is_not_answering(board, stall):
    with stall():
        answer = board.post(board.command_body("/action", f"add AF to {SECRET_TEXT}", user="UALICE", channel="CBOARD"))
        board.wait_idle()
    calls = board.fake.calls

    assert answer.status == 200
    assert only_reply(calls).args["text"] == DATABASE_NOT_ANSWERING


def test_a_command_while_the_database_stalls_stores_nothing(board, session_factory, stall):
    before = snapshot(session_factory)

    with stall():
        add_action(board)

    assert snapshot(session_factory) == before
    assert action_count(session_factory) == 0


def test_a_stalled_command_logs_no_sql_parameters(board, stall, caplog):
    with caplog.at_level(logging.DEBUG), stall():
        add_action(board)

    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "failed for team=T1 user=UALICE" in logged
    assert "Smith" not in logged


# -- the engine's own limits -----------------------------------------------------------------------------


def test_a_statement_past_its_limit_is_cancelled_with_an_operational_error(short_engine):
    if short_engine.dialect.name == "postgresql":
        slow = "SELECT pg_sleep(5)"
    else:
        # A query that counts to a hundred million: seconds of work for SQLite's virtual machine.
        slow = (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) SELECT count(*) FROM n"
        )

    with pytest.raises(OperationalError), short_engine.connect() as conn:
        conn.execute(text(slow))


def test_every_engine_hides_sql_parameters_from_its_errors(short_engine):
    assert short_engine.hide_parameters
