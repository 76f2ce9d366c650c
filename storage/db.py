"""Engines, sessions and the unit-of-work scope every service call runs in."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker

# SQLite runs its progress handler every this many virtual-machine steps (cheap: well under 1% of a query).
_SQLITE_PROGRESS_STEPS = 10_000


@dataclass(frozen=True)
class DatabaseTimeouts:
    """How long to wait, in seconds, before a stalled database becomes an error instead of a hang.

    `connect`: opening a connection (PostgreSQL; libpq counts whole seconds, at least 2).
    `pool`: waiting for a free connection from the pool.
    `statement`: one SQL statement, lock waits included (PostgreSQL `statement_timeout`; on SQLite the
    busy timeout for locks and a progress-handler limit for a statement that runs too long).
    """

    connect: float = 5.0
    pool: float = 10.0
    statement: float = 10.0


def make_engine(url: str, *, timeouts: DatabaseTimeouts | None = None, **kwargs: Any) -> Engine:
    """Create an engine with time limits; SQLite gets WAL, a busy timeout and enforced foreign keys.

    Every engine hides SQL parameters from its error messages: they hold what users typed.
    """
    timeouts = timeouts or DatabaseTimeouts()
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        in_memory = parsed.database in (None, "", ":memory:") or "mode=memory" in str(parsed.query)
        if not in_memory:
            # In-memory SQLite uses a single-connection pool that takes no timeout.
            kwargs.setdefault("pool_timeout", timeouts.pool)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        _limit_sqlite(engine, timeouts.statement)
        return engine
    if parsed.get_backend_name() == "postgresql":
        connect_args = dict(kwargs.pop("connect_args", {}))
        if "connect_timeout" not in parsed.query:
            connect_args.setdefault("connect_timeout", max(2, round(timeouts.connect)))
        # Set per session by the server: a statement (or its wait for a lock) past the limit is
        # cancelled with an error, and the transaction rolls back. Options in the URL are kept.
        ms = max(1, round(timeouts.statement * 1000))
        in_url = parsed.query.get("options")
        options = " ".join([*([in_url] if isinstance(in_url, str) else in_url or []), f"-c statement_timeout={ms}"])
        connect_args.setdefault("options", options)
        kwargs["connect_args"] = connect_args
    kwargs.setdefault("pool_timeout", timeouts.pool)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _limit_sqlite(engine: Engine, statement_seconds: float) -> None:
    """Busy timeout for locks held by others; a progress handler interrupts a statement past its limit."""
    busy_ms = max(1, round(statement_seconds * 1000))
    deadlines: dict[int, float] = {}

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        # WAL lets readers run while a writer commits; the busy timeout makes
        # concurrent writers wait instead of failing with "database is locked".
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        key = id(dbapi_conn)

        def _past_deadline() -> int:
            # A non-zero answer makes SQLite abort the statement with "interrupted".
            deadline = deadlines.get(key)
            return 1 if deadline is not None and time.monotonic() > deadline else 0

        dbapi_conn.set_progress_handler(_past_deadline, _SQLITE_PROGRESS_STEPS)

    @event.listens_for(engine, "before_cursor_execute")
    def _start_clock(conn: Any, _cursor: Any, _stmt: Any, _params: Any, _context: Any, _many: Any) -> None:
        deadlines[id(conn.connection.dbapi_connection)] = time.monotonic() + statement_seconds

    @event.listens_for(engine, "after_cursor_execute")
    def _stop_clock(conn: Any, _cursor: Any, _stmt: Any, _params: Any, _context: Any, _many: Any) -> None:
        deadlines.pop(id(conn.connection.dbapi_connection), None)

    @event.listens_for(engine, "handle_error")
    def _stop_clock_on_error(context: Any) -> None:
        # A failed statement never reaches after_cursor_execute; its deadline must not outlive it.
        if context.connection is not None and not context.connection.closed:
            deadlines.pop(id(context.connection.connection.dbapi_connection), None)

    @event.listens_for(engine, "checkout")
    def _no_clock_on_checkout(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        deadlines.pop(id(dbapi_conn), None)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit (rendering happens then)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit if the block succeeds, roll everything back if it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A look-up that changes nothing: rolled back, never committed, so it records no request key
    (storage/requests.py records a job's key at its first commit, which must be the one with the work)."""
    session = factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def lock_for_write(session: Session) -> None:
    """Make the rest of this unit of work run under the database's write lock, on SQLite.

    SQLite has one writer at a time, and pysqlite starts a transaction only at the first write, so
    a read that decides a change would otherwise see a state another writer is about to replace.
    `BEGIN IMMEDIATE` takes the write lock up front (waiting up to the busy timeout), and every read
    after it is current until commit. A transaction that has already written holds the lock already.
    On PostgreSQL this does nothing: the rows are locked by `SELECT … FOR UPDATE` (see the
    `lock_*` queries in storage/actions.py and storage/boards.py).
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    dbapi = connection.connection.dbapi_connection
    if dbapi is not None and not dbapi.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` (or what caused it) says the database did not answer: unreachable, locked or timed out.

    These are faults of the moment, unlike a bug in a query; the unit of work has been rolled back.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (OperationalError, PoolTimeoutError, DisconnectionError)):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__ or current.__context__
    return False


def database_ok(engine: Engine, timeout_seconds: float = 2.0) -> bool:
    """True when the database answers a read of the action log within about `timeout_seconds` (for /healthz).

    The probe sets its own short limits, so a stalled database makes it fail rather than wait; on
    SQLite it also takes (and at once gives back) the write lock, as a stalled SQLite still serves
    readers from its write-ahead log while every write waits.
    """
    ms = max(1, round(timeout_seconds * 1000))
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {ms}")
                conn.execute(text("SELECT 1 FROM actions LIMIT 1"))
            elif conn.dialect.name == "sqlite":
                _sqlite_write_probe(conn.connection.dbapi_connection, ms)
            else:
                conn.execute(text("SELECT 1 FROM actions LIMIT 1"))
        return True
    except Exception:
        return False


def _sqlite_write_probe(dbapi_conn: Any, busy_ms: int) -> None:
    cursor = dbapi_conn.cursor()
    (previous,) = cursor.execute("PRAGMA busy_timeout").fetchone()
    try:
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        if dbapi_conn.in_transaction:
            dbapi_conn.rollback()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            cursor.execute("SELECT 1 FROM actions LIMIT 1").fetchall()
        finally:
            dbapi_conn.rollback()
    finally:
        cursor.execute(f"PRAGMA busy_timeout={int(previous)}")
        cursor.close()


class HealthProbe:
    """Answers "does the database answer?" within a bounded time, whatever the database does.

    `check` runs on its own thread and the caller waits at most `timeout_seconds`. Callers that
    arrive while a check is under way wait for that check instead of starting another, so a stalled
    database does not collect one stuck thread per health check. A check that began before the
    caller arrived and failed says nothing about the database now (the stall may have ended just as
    it gave up), so the caller then runs a fresh check within what is left of its own time.
    """

    def __init__(self, check: Callable[[], bool], timeout_seconds: float = 2.0) -> None:
        self._check = check
        self._timeout = timeout_seconds
        self._lock = threading.Lock()
        self._current: _Probe | None = None

    def __call__(self) -> bool:
        """True when the database answered a check in time."""
        arrived = time.monotonic()
        deadline = arrived + self._timeout
        probe = self._probe_since(None)
        if not probe.done.wait(max(0.0, deadline - time.monotonic())):
            return False
        if probe.ok or probe.started >= arrived:
            return probe.ok
        # A stale failure: ask again, once, with a check that began after this caller arrived.
        fresh = self._probe_since(arrived)
        return fresh.done.wait(max(0.0, deadline - time.monotonic())) and fresh.ok

    def _probe_since(self, arrived: float | None) -> _Probe:
        """The check under way (one that began at or after `arrived`, when given), or a new one."""
        with self._lock:
            probe = self._current
            stale = arrived is not None and (probe is None or probe.started < arrived)
            if probe is None or probe.done.is_set() or stale:
                probe = self._current = _Probe(started=time.monotonic())
                threading.Thread(target=self._run, args=(probe,), name="health-probe", daemon=True).start()
            return probe

    def _run(self, probe: _Probe) -> None:
        try:
            probe.ok = self._check()
        finally:
            probe.done.set()


@dataclass
class _Probe:
    started: float
    done: threading.Event = field(default_factory=threading.Event)
    ok: bool = False
