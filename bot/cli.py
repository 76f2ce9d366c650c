"""The `arising` command: run, serve, clock, migrate, tick, summary."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utcnow
from bot.deps import Deps
from bot.directory import SlackDirectory
from bot.inbox import Inbox
from bot.lease import ClockLease
from bot.services.due_work import run_due
from bot.settings import MissingSettingError, Settings
from bot.shutdown import Stops, sigterm_stops
from bot.slack_sender import SlackSender
from bot.workers import ProcessWorkers
from storage.boards import boards_with_code
from storage.db import make_engine, make_session_factory, session_scope
from storage.migrate import current_revision, head_revision, upgrade_to_head

log = logging.getLogger("arising")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="arising", description="The action log of multi-agency boards, in Slack.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="Socket Mode when SLACK_APP_TOKEN is set, else the HTTP server")
    serve = sub.add_parser("serve", help="the HTTP server: Slack posts to /slack/events; GET /healthz")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=None, help="default: $PORT, else 3000")
    for command in (run, serve):
        command.add_argument("--no-clock", action="store_true", help="no clock here: run `arising clock` elsewhere")
    sub.add_parser("clock", help="the clock alone: sends summaries, chasers and reminders when due")
    sub.add_parser("migrate", help="bring the database schema up to date (Alembic upgrade head)")
    tick = sub.add_parser("tick", help="run everything due at one instant once, then exit")
    tick.add_argument("--now", type=_instant, default=None, help="ISO datetime (default: now); naive means UTC")
    summary = sub.add_parser("summary", help="print a board's pre-meeting summary")
    summary.add_argument("--board", required=True, help="the board's code")
    summary.add_argument("--team", default=None, help="the Slack team id, when two workspaces use the same code")
    summary.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    summary.add_argument("--at", type=_instant, default=None, help="ISO datetime to summarise as of (default: now)")
    return parser


def _instant(text: str) -> datetime:
    """An ISO 8601 instant; without an offset it is taken as UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO datetime such as 2026-12-11T09:00:00Z") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class StartupError(RuntimeError):
    """Something outside the code stops the command (bad setting, unreachable database): one line, exit 2."""


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "a setting"
        reason = str(first["msg"]).removeprefix("Value error, ")
        raise MissingSettingError(f"{name} is not valid: {reason}") from None


def _migrated_engine(settings: Settings) -> Engine:
    """An engine on DATABASE_URL with the schema brought up to date."""
    try:
        engine = make_engine(settings.database_url)
        upgrade_to_head(engine)
    except ArgumentError:
        # The URL itself is not repeated: it may hold a password.
        raise StartupError(
            "DATABASE_URL is not a database URL I can use: e.g. sqlite:///arising.db or "
            "postgresql+psycopg://user@host:5432/arising"
        ) from None
    except ImportError as exc:
        raise StartupError(
            f"DATABASE_URL names a database whose driver is not installed ({exc}): "
            "use sqlite:///… or postgresql+psycopg://…"
        ) from None
    except OperationalError as exc:
        lines = str(exc.orig or exc).strip().splitlines()
        reason = lines[0] if lines else "no answer"
        raise StartupError(f"cannot open the database in DATABASE_URL: {reason}") from None
    return engine


def _existing_engine(settings: Settings) -> Engine:
    """An engine on DATABASE_URL for a command that only reads: the database must exist and be migrated.

    Never creates or migrates anything, so a mistyped path or name is an error, not a new empty database.
    """
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        raise StartupError("DATABASE_URL is not a database URL I can use") from None
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database)
        if not path.is_file():
            # SQLite would create the file on connect. A file path holds no password, so it is shown.
            raise StartupError(
                f"there is no database file {path} (DATABASE_URL): check the path, or run `arising migrate`"
            )
    try:
        engine = make_engine(settings.database_url)
        current = current_revision(engine)
    except ImportError as exc:
        raise StartupError(f"DATABASE_URL names a database whose driver is not installed ({exc})") from None
    except OperationalError as exc:
        lines = str(exc.orig or exc).strip().splitlines()
        raise StartupError(f"cannot open the database in DATABASE_URL: {lines[0] if lines else 'no answer'}") from None
    head = head_revision(engine)
    if current is None:
        engine.dispose()
        raise StartupError("the database in DATABASE_URL holds no Arising schema: check it, or run `arising migrate`")
    if current != head:
        engine.dispose()
        raise StartupError(f"the database in DATABASE_URL is at schema {current}, not {head}: run `arising migrate`")
    return engine


def _checked_client(settings: Settings) -> WebClient:
    """A Web API client whose token Slack accepts (auth.test), or one line saying what is wrong."""
    from bot.app import make_client

    client = make_client(settings)
    try:
        client.auth_test()
    except SlackApiError as exc:
        raise StartupError(
            f"Slack refused SLACK_BOT_TOKEN ({exc.response.get('error')}): use the app's Bot User OAuth Token (xoxb-…)."
        ) from None
    except OSError as exc:
        # urllib's URLError and socket errors: wrong SLACK_API_URL, no network.
        reason = getattr(exc, "reason", None) or exc
        raise StartupError(f"cannot reach Slack's Web API at SLACK_API_URL ({reason}).") from None
    return client


def _start(settings: Settings, *, socket_mode: bool, host: str, port: int, clock: bool) -> None:
    from bot.app import create_app
    from bot.web import make_wsgi_app, serve

    settings.require("slack_bot_token", "slack_app_token" if socket_mode else "slack_signing_secret")
    engine = _migrated_engine(settings)
    client = _checked_client(settings)
    session_factory = make_session_factory(engine)
    inbox = Inbox(settings.inbox_dir, max_pending=settings.inbox_max_pending)
    # On SIGTERM or Ctrl-C the server has stopped by the time these run (latest first).
    with Stops() as stops:
        stops.add("database connections", engine.dispose)
        workers = None
        if settings.worker_processes:
            from handlers.work import worker_main

            workers = ProcessWorkers(inbox, worker_main, settings.model_dump(), settings.worker_processes)
            workers.start()
            stops.add("worker processes", lambda: workers.stop(timeout=STOP_WORKERS_S))
            log.info("Started %s worker processes", settings.worker_processes)
        app = create_app(settings, session_factory=session_factory, client=client, inbox=inbox, workers=workers)
        if clock and settings.scheduler_enabled:
            _start_clock(settings, session_factory, client, stops)
        if socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            log.info("Starting in Socket Mode")
            handler = SocketModeHandler(app, settings.slack_app_token)
            stops.add("Socket Mode", handler.close)
            handler.start()
            return
        log.info("Listening on %s:%s", host, port)
        serve(make_wsgi_app(app, engine), host=host, port=port, threads=settings.listener_threads)


LEASE_MIN = timedelta(seconds=30)
# Worker processes get this long to finish the job in hand: within Docker's default 10 s grace period.
STOP_WORKERS_S = 8.0


def _start_clock(settings: Settings, session_factory: sessionmaker[Session], client: WebClient, stops: Stops) -> None:
    """Start the clock (ticking only while it holds the database lease) and register its stop."""
    from bot.scheduler import start_clock, stop_clock

    deps = _deps(session_factory, client)
    every = timedelta(seconds=settings.clock_tick_seconds)
    # Three missed renewals (and at least LEASE_MIN) before another clock takes over: a slow tick is not a dead clock.
    lease = ClockLease(session_factory, ttl=max(every * 3, LEASE_MIN))
    scheduler = start_clock(deps, SlackSender(client), every=every, lease=lease)
    stops.add("clock", lambda: stop_clock(scheduler, lease, deps))


def _clock(settings: Settings) -> None:
    """The clock alone, until SIGTERM or Ctrl-C."""
    settings.require("slack_bot_token")
    engine = _migrated_engine(settings)
    client = _checked_client(settings)
    with Stops() as stops:
        stops.add("database connections", engine.dispose)
        _start_clock(settings, make_session_factory(engine), client, stops)
        threading.Event().wait()


def _deps(session_factory: sessionmaker[Session], client: WebClient) -> Deps:
    return Deps(session_factory=session_factory, directory=SlackDirectory(client), clock=utcnow)


def _tick(settings: Settings, now: datetime | None) -> None:
    settings.require("slack_bot_token")
    engine = _migrated_engine(settings)
    client = _checked_client(settings)
    deps = _deps(make_session_factory(engine), client)
    report = run_due(deps, SlackSender(client), now or utcnow())
    sent = report.dispatch
    print(
        f"queued {report.summaries} summaries, {report.chasers} chasers, {report.reminders} reminders; "
        f"sent {sent.sent}, retrying {sent.retrying}, failed {sent.failed}, missed {report.missed + sent.missed}"
    )


def _summary(settings: Settings, code: str, team: str | None, fmt: str, at: datetime | None) -> None:
    from bot.rendering import summary as render
    from bot.services.meetings import next_meeting
    from bot.services.summary import build_summary

    engine = _existing_engine(settings)
    now = at or utcnow()
    with session_scope(make_session_factory(engine)) as session:
        boards = [b for b in boards_with_code(session, code.upper()) if team is None or b.team_id == team]
        if not boards:
            raise StartupError(f"there is no board with code {code.upper()}" + (f" in team {team}" if team else ""))
        if len(boards) > 1:
            raise StartupError(
                f"several workspaces have a board {code.upper()}: add --team with one of "
                + ", ".join(b.team_id for b in boards)
            )
        board = boards[0]
        summary = build_summary(session, board=board, meeting=next_meeting(session, board, now), now=now)
        if fmt == "json":
            print(render.as_json(summary))
        else:
            print(render.as_text(summary, markdown=fmt == "markdown"), end="")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `arising` console script."""
    args = _parser().parse_args(argv)
    try:
        settings = _settings()
        logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
        if args.command == "migrate":
            _migrated_engine(settings).dispose()
            print("Database is up to date.")
        elif args.command == "run":
            with sigterm_stops():
                _start(
                    settings,
                    socket_mode=bool(settings.slack_app_token),
                    host="0.0.0.0",
                    port=settings.port,
                    clock=not args.no_clock,
                )
        elif args.command == "serve":
            with sigterm_stops():
                _start(
                    settings,
                    socket_mode=False,
                    host=args.host,
                    port=args.port or settings.port,
                    clock=not args.no_clock,
                )
        elif args.command == "clock":
            with sigterm_stops():
                _clock(settings)
        elif args.command == "tick":
            _tick(settings, args.now)
        elif args.command == "summary":
            _summary(settings, args.board, args.team, args.format, args.at)
    except (MissingSettingError, StartupError) as exc:
        print(f"arising: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
