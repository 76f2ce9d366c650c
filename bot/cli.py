"""The `arising` command: run, serve, clock, migrate, tick, summary."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import traceback
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from http.client import HTTPException
from pathlib import Path

from pydantic import ValidationError
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import SlackChannels
from bot.deps import Deps
from bot.directory import SlackDirectory
from bot.inbox import Inbox
from bot.lease import ClockLease
from bot.logs import configure_logging
from bot.scheduled.due_work import run_due
from bot.settings import MissingSettingError, Settings
from bot.shutdown import Stops, sigterm_stops
from bot.slack_faults import FaultKind, classify
from bot.slack_sender import SlackSender
from bot.walltime import utcnow
from bot.workers import ProcessWorkers
from storage.boards import boards_with_code
from storage.db import make_engine, make_session_factory, session_scope
from storage.models import Board

log = logging.getLogger("arising")
CONSOLE_DATABASE = "sqlite:///arising-console.db"
# Who the audit rows name when an import is run from the command line.
CLI_USER = "cli"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="arising", description="The action log of multi-agency boards, in Slack.")
    parser.add_argument(
        "--log-format", choices=("text", "json"), default=None, help="log lines as text or JSON (default: $LOG_FORMAT)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="Socket Mode when SLACK_APP_TOKEN is set, else the HTTP server")
    serve = sub.add_parser("serve", help="the HTTP server: Slack posts to /slack/events; GET /healthz")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=None, help="default: $PORT, else 3000; 0: any free port")
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
    data = sub.add_parser("data", help="subject access and erasure for one person (UK GDPR)")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    export = data_sub.add_parser("export", help="print everything held about one person, as JSON")
    export.add_argument("--user", required=True, help="the person's Slack user id (U…)")
    export.add_argument("-o", "--output", default=None, help="write to this file instead of standard output")
    erase = data_sub.add_parser("erase", help="replace one person's identity everywhere with a placeholder")
    erase.add_argument("--user", required=True, help="the person's Slack user id (U…)")
    erase.add_argument("--yes", action="store_true", help="really erase (without it, only says what would change)")
    erase.add_argument("--by", default=None, help="who is erasing, for the audit row (default: your login name)")
    console = sub.add_parser("console", help="try the bot in this terminal, without a Slack workspace")
    console.add_argument(
        "--database-url", default=CONSOLE_DATABASE, help=f"default: {CONSOLE_DATABASE} (not the bot's database)"
    )
    importing = sub.add_parser(
        "import", help="import actions from minutes or an action log (.txt .md .docx .csv .xlsx)"
    )
    importing.add_argument("file", help="the document; - reads text from standard input")
    importing.add_argument("--board", required=True, help="the board's code")
    importing.add_argument("--team", default=None, help="the Slack team id, when two workspaces use the same code")
    importing.add_argument("--meeting", type=_day, default=None, help="the meeting's date, YYYY-MM-DD")
    importing.add_argument("--dry-run", action="store_true", help="show what would be created, change nothing")
    importing.add_argument("--format", choices=("text", "json"), default="text")
    export = sub.add_parser("export", help="write a board's action log for board papers")
    export.add_argument("--board", required=True, help="the board's code")
    export.add_argument("--team", default=None, help="the Slack team id, when two workspaces use the same code")
    export.add_argument("--format", choices=("csv", "xlsx", "markdown", "docx"), required=True)
    export.add_argument("--status", choices=("open", "all"), default="open")
    export.add_argument(
        "--report",
        choices=("log", "exceptions", "rag-at-a-glance"),
        default="log",
        help="the action log (default), or the improvement plan's exception report or RAG at a glance",
    )
    export.add_argument(
        "--at", type=_instant, default=None, help="plan reports: ISO datetime to report as of (default: now)"
    )
    export.add_argument("-o", "--output", default=None, help="the file to write (default: standard output)")
    return parser


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date such as 2026-12-15") from None


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
    """An engine on DATABASE_URL with the schema brought up to date.

    While this process runs one thread the migration runs in a forked child, so Alembic (with Mako and
    Pygments, ~10 MB) is never loaded here: the web process, and the workers forked from it, stay smaller.
    """
    if threading.active_count() == 1 and hasattr(os, "fork") and not _in_memory(settings.database_url):
        _migrate_in_child(settings)
        return _engine(settings, migrate=False)
    return _engine(settings, migrate=True)


def _in_memory(database_url: str) -> bool:
    """True for an in-memory SQLite database: it lives in one engine, so it is migrated where it is used."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return False  # `_engine` says what is wrong with it
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _migrate_in_child(settings: Settings) -> None:
    """Bring the schema up to date in a forked child; its StartupError is raised here."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: migrate, say why not, and leave without running this process's exit handlers
        os.close(read)
        status = 0
        try:
            _engine(settings, migrate=True).dispose()
        except StartupError as exc:
            os.write(write, str(exc).encode())
            status = 2
        except BaseException:
            traceback.print_exc()
            status = 1
        finally:
            logging.shutdown()
            os._exit(status)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        message = pipe.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if code == 2:
        raise StartupError(message)
    if code != 0:
        raise StartupError(f"the database migration failed (exit status {code}): see the lines above")


def _engine(settings: Settings, *, migrate: bool) -> Engine:
    try:
        engine = make_engine(settings.database_url, timeouts=settings.database_timeouts())
        if migrate:
            from storage.migrate import upgrade_to_head

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
    from storage.migrate import current_revision, head_revision

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
    except (SlackApiError, OSError, HTTPException) as exc:
        raise _slack_startup_error(exc) from None
    return client


def _slack_startup_error(exc: BaseException) -> StartupError:
    """One line for a failed auth.test: a refused token only when Slack said so, else why Slack did not answer."""
    fault = classify(exc)
    if fault.kind is FaultKind.REFUSED_TOKEN:
        return StartupError(
            f"Slack refused SLACK_BOT_TOKEN ({fault.code}): use the app's Bot User OAuth Token (xoxb-…)."
        )
    if fault.kind is FaultKind.UNREACHABLE:
        # urllib's URLError and socket errors: wrong SLACK_API_URL, no network.
        reason = getattr(exc, "reason", None) or exc
        return StartupError(f"cannot reach Slack's Web API at SLACK_API_URL ({reason}).")
    if fault.kind is FaultKind.RATE_LIMITED:
        return StartupError(f"Slack is rate-limiting this app ({fault.code}): try again in a minute.")
    if fault.kind is FaultKind.REFUSED:
        return StartupError(
            f"Slack's Web API at SLACK_API_URL answered auth.test with an error ({fault.code}): check SLACK_API_URL."
        )
    what = {
        FaultKind.TIMEOUT: "Slack did not answer in time",
        FaultKind.DROPPED: "the connection dropped before Slack answered",
    }.get(fault.kind, "Slack answered with a server error")
    return StartupError(
        f"cannot reach Slack's Web API at SLACK_API_URL: {what} ({fault.code}); try again in a few minutes."
    )


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
            # Before any thread starts, so the workers are forked and share this process's memory; the pool's
            # connections closed first, so no child shares their sockets (the web process opens new ones).
            engine.dispose()
            workers.start()
            stops.add("worker processes", lambda: workers.stop(timeout=STOP_WORKERS_S))
            log.info(
                "Started %s worker processes (%s)", settings.worker_processes, "forked" if workers.forked else "spawned"
            )
        try:
            app = create_app(settings, session_factory=session_factory, client=client, inbox=inbox, workers=workers)
        except BoltError as exc:
            # Bolt checks the token again (auth.test) and words any failure as "token is invalid".
            if isinstance(exc.__context__, SlackApiError):
                raise _slack_startup_error(exc.__context__) from None
            raise
        except (OSError, HTTPException) as exc:
            raise _slack_startup_error(exc) from None
        if clock and settings.scheduler_enabled:
            _start_clock(settings, session_factory, client, stops)
        if socket_mode:
            from bot.socket_mode import run_socket_mode

            log.info("Starting in Socket Mode")
            run_socket_mode(app, settings.slack_app_token or "", stops=stops)
            return
        log.info("Listening on %s:%s", host, port)
        wsgi = make_wsgi_app(app, engine, inbox, health_timeout=settings.health_timeout_seconds)
        serve(wsgi, host=host, port=port, threads=settings.listener_threads)


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
    scheduler = start_clock(deps, SlackSender.from_settings(settings), every=every, lease=lease)
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
    return Deps(
        session_factory=session_factory, directory=SlackDirectory(client), clock=utcnow, channels=SlackChannels(client)
    )


def _tick(settings: Settings, now: datetime | None) -> None:
    settings.require("slack_bot_token")
    engine = _migrated_engine(settings)
    client = _checked_client(settings)
    deps = _deps(make_session_factory(engine), client)
    from bot.scheduler import tune_collector_for_ticks  # lazily: the web process never imports the clock

    tune_collector_for_ticks()
    report = run_due(deps, SlackSender.from_settings(settings), now or utcnow())
    sent = report.dispatch
    print(
        f"queued {report.summaries} summaries, {report.chasers} chasers, {report.reminders} reminders; "
        f"sent {sent.sent}, retrying {sent.retrying}, failed {sent.failed}, missed {report.missed + sent.missed}"
    )


def _one_board(session: Session, code: str, team: str | None) -> Board:
    boards = [b for b in boards_with_code(session, code.upper()) if team is None or b.team_id == team]
    if not boards:
        raise StartupError(f"there is no board with code {code.upper()}" + (f" in team {team}" if team else ""))
    if len(boards) > 1:
        raise StartupError(
            f"several workspaces have a board {code.upper()}: add --team with one of "
            + ", ".join(b.team_id for b in boards)
        )
    return boards[0]


def _import(settings: Settings, args: argparse.Namespace) -> None:
    from bot.importing.readers import UnreadableDocument, read_document, read_text
    from bot.rendering import importing as render
    from bot.services.context import Caller
    from bot.services.importing import apply_import, plan_import

    try:
        if args.file == "-":
            document = read_text("stdin.txt", sys.stdin.read())
        else:
            path = Path(args.file)
            document = read_document(path.name, path.read_bytes())
    except OSError as exc:
        raise StartupError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    except UnreadableDocument as exc:
        raise StartupError(str(exc)) from None
    engine = _existing_engine(settings)
    now = utcnow()
    with session_scope(make_session_factory(engine)) as session:
        board = _one_board(session, args.board, args.team)
        plan = plan_import(session, board=board, document=document, meeting=args.meeting, now=now)
        if not args.dry_run:
            apply_import(session, caller=Caller(team_id=board.team_id, user_id=CLI_USER), plan=plan, now=now)
        print(render.as_json(plan) if args.format == "json" else render.as_text(plan, dry_run=args.dry_run), end="")
        if args.format == "json":
            print()
        if args.dry_run:
            session.rollback()


def _export(settings: Settings, args: argparse.Namespace) -> None:
    from bot.rendering.export import render
    from bot.services.exporting import action_log

    if args.report != "log" and args.format == "csv":
        raise StartupError(f"the {args.report} report is written as docx, xlsx or markdown, not csv")
    engine = _existing_engine(settings)
    with session_scope(make_session_factory(engine)) as session:
        board = _one_board(session, args.board, args.team)
        if args.report == "log":
            data = render(action_log(session, board=board, status=args.status, now=utcnow()), args.format)
        else:
            data = _plan_report(session, board, args.report, args.format, args.at or utcnow())
    if args.output:
        try:
            Path(args.output).write_bytes(data)
        except OSError as exc:
            raise StartupError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        print(f"Wrote {args.output}.")
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


def _plan_report(session: Session, board: Board, kind: str, fmt: str, now: datetime) -> bytes:
    """The improvement plan's exception report or RAG at a glance as of `now` (its reporting period)."""
    from bot.rendering import plan_export
    from bot.services.plan_report import build_plan_report

    report = build_plan_report(session, board=board, now=now)
    if not report.areas:
        raise StartupError(f"{board.code} has no improvement plan areas: add them with /plan area add in Slack")
    return plan_export.render(report, kind, fmt)


def _summary(settings: Settings, code: str, team: str | None, fmt: str, at: datetime | None) -> None:
    from bot.rendering import summary as render
    from bot.services.meetings import next_meeting
    from bot.services.summary import build_summary

    engine = _existing_engine(settings)
    now = at or utcnow()
    with session_scope(make_session_factory(engine)) as session:
        board = _one_board(session, code, team)
        summary = build_summary(session, board=board, meeting=next_meeting(session, board, now), now=now)
        if fmt == "json":
            print(render.as_json(summary))
        else:
            print(render.as_text(summary, markdown=fmt == "markdown"), end="")


def _data(settings: Settings, args: argparse.Namespace) -> None:
    import getpass
    import json

    from bot.errors import UserError
    from bot.services.personal_data import erase_person, export_person

    engine = _existing_engine(settings)
    try:
        if args.data_command == "export":
            with session_scope(make_session_factory(engine)) as session:
                text = json.dumps(export_person(session, args.user), indent=2, ensure_ascii=False)
            if args.output:
                with open(args.output, "w", encoding="utf-8") as out:
                    out.write(text + "\n")
                print(f"wrote {args.output}")
            else:
                print(text)
            return
        actor = ("cli:" + (args.by or getpass.getuser()))[:32]
        session = make_session_factory(engine)()
        try:
            report = erase_person(session, user_id=args.user, actor=actor, now=utcnow())
            if args.yes:
                session.commit()
            else:
                session.rollback()
        finally:
            session.close()
    except UserError as exc:
        raise StartupError(exc.message.replace("`", "")) from None
    verb = "replaced" if args.yes else "would replace"
    print(
        f"{verb} {args.user} with {report.placeholder if args.yes else 'a placeholder'}: "
        f"{sum(report.ids_replaced.values())} ids, {report.names_erased} names, {report.texts_rewritten} texts, "
        f"{report.history_data_rewritten} history entries; {report.messages_cancelled} pending messages cancelled; "
        f"boards: {', '.join(report.boards) or 'none'}"
    )
    for column, rows in report.ids_replaced.items():
        if rows:
            print(f"  {column}: {rows}")
    if not args.yes:
        print("Nothing was changed. Run again with --yes to erase.")


def _console(settings: Settings, database_url: str) -> None:
    from bot.console.session import HELP, ConsoleSession

    # The terminal is the console's screen: only warnings and errors interrupt it.
    logging.getLogger().setLevel(max(logging.getLogger().level, logging.WARNING))
    engine = _migrated_engine(settings.model_copy(update={"database_url": database_url}))
    session = ConsoleSession(settings, engine)
    interactive = sys.stdin.isatty()
    print("Arising console: the real bot, with a stand-in for Slack. Type `help`, or `quit` to leave.")
    if interactive:
        print(HELP)
    try:
        while True:
            try:
                line = input("> " if interactive else "")
            except EOFError:
                break
            if line.strip().lower() in ("quit", "exit"):
                break
            if not interactive and line.strip():
                print(f"> {line.strip()}")
            output = session.execute(line)
            if output:
                print(output)
    finally:
        session.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `arising` console script."""
    args = _parser().parse_args(argv)
    try:
        settings = _settings()
        if args.log_format:
            # Kept in the settings so that worker processes log the same way.
            settings = settings.model_copy(update={"log_format": args.log_format})
        configure_logging(settings.log_level, settings.log_format)
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
                    # 0 is a port too: the system picks a free one, and waitress logs which.
                    port=settings.port if args.port is None else args.port,
                    clock=not args.no_clock,
                )
        elif args.command == "clock":
            with sigterm_stops():
                _clock(settings)
        elif args.command == "tick":
            _tick(settings, args.now)
        elif args.command == "summary":
            _summary(settings, args.board, args.team, args.format, args.at)
        elif args.command == "data":
            _data(settings, args)
        elif args.command == "console":
            _console(settings, args.database_url)
        elif args.command == "import":
            _import(settings, args)
        elif args.command == "export":
            _export(settings, args)
    except (MissingSettingError, StartupError) as exc:
        print(f"arising: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
