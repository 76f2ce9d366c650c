"""The HTTP front: Slack's events endpoint and a health check, served by waitress."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine

from storage.db import HealthProbe

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def make_wsgi_app(app: App, engine: Engine, *, health_timeout: float = 2.0) -> WSGIApp:
    """Route `POST /slack/events` to Bolt and `GET /healthz` to a JSON health report.

    /healthz says 503 once the database has not answered within `health_timeout` seconds.
    """
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    database_ok = HealthProbe(engine, health_timeout)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            db = database_ok()
            body = json.dumps({"status": "ok" if db else "degraded", "database": "ok" if db else "unavailable"})
            status = "200 OK" if db else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body.encode()]
        return slack(environ, start_response)

    return wsgi


def serve(wsgi: WSGIApp, *, host: str, port: int, threads: int) -> None:
    """Serve until interrupted, with waitress (a production WSGI server, not a development one)."""
    from waitress import serve as waitress_serve

    waitress_serve(wsgi, host=host, port=port, threads=threads, ident="arising")
