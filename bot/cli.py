"""The `arising` command: run, serve, migrate."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot.settings import MissingSettingError, Settings
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade_to_head

log = logging.getLogger("arising")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="arising", description="The action log of multi-agency boards, in Slack.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="Socket Mode when SLACK_APP_TOKEN is set, else the HTTP server")
    serve = sub.add_parser("serve", help="the HTTP server: Slack posts to /slack/events; GET /healthz")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=None, help="default: $PORT, else 3000")
    sub.add_parser("migrate", help="bring the database schema up to date (Alembic upgrade head)")
    return parser


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "a setting"
        raise MissingSettingError(f"{name} is not valid: {first['msg']}") from None


def _start(settings: Settings, *, socket_mode: bool, host: str, port: int) -> None:
    from bot.app import create_app
    from bot.web import make_wsgi_app, serve

    settings.require("slack_bot_token", "slack_app_token" if socket_mode else "slack_signing_secret")
    engine = make_engine(settings.database_url)
    upgrade_to_head(engine)
    app = create_app(settings, session_factory=make_session_factory(engine))
    if socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        log.info("Starting in Socket Mode")
        SocketModeHandler(app, settings.slack_app_token).start()
        return
    log.info("Listening on %s:%s", host, port)
    serve(make_wsgi_app(app, engine), host=host, port=port, threads=settings.listener_threads)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `arising` console script."""
    args = _parser().parse_args(argv)
    try:
        settings = _settings()
        logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
        if args.command == "migrate":
            upgrade_to_head(make_engine(settings.database_url))
            print("Database is up to date.")
        elif args.command == "run":
            _start(settings, socket_mode=bool(settings.slack_app_token), host="0.0.0.0", port=settings.port)
        elif args.command == "serve":
            _start(settings, socket_mode=False, host=args.host, port=args.port or settings.port)
    except MissingSettingError as exc:
        print(f"arising: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
