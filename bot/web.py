"""The HTTP front: Slack's events endpoint, a health check and metrics, served by waitress."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine

from bot import request_log
from bot.http_guard import MAX_BODY_BYTES, guard_slack_endpoint
from bot.inbox import Inbox
from bot.metrics import CONTENT_TYPE, Metrics
from bot.walltime import utcnow
from storage.db import HealthProbe, database_ok, make_session_factory

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
_KNOWN_PATHS = {EVENTS_PATH, HEALTH_PATH, METRICS_PATH}

log = logging.getLogger("arising.requests")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def make_wsgi_app(app: App, engine: Engine, inbox: Inbox | None = None, *, health_timeout: float = 2.0) -> WSGIApp:
    """Route `POST /slack/events` to Bolt, `GET /healthz` to a JSON health report, `GET /metrics` to
    Prometheus; every request ends with one log line of ids, outcome and latency.

    /healthz says 503 once the database has not answered within `health_timeout` seconds.
    """
    # Oversized or malformed requests are refused before Bolt reads them (bot/http_guard.py).
    slack = guard_slack_endpoint(SlackRequestHandler(app, path=EVENTS_PATH), path=EVENTS_PATH)
    metrics = Metrics(make_session_factory(engine), inbox, utcnow)
    database_answers = HealthProbe(lambda: database_ok(engine, health_timeout), health_timeout)

    def health(start_response: Callable[..., Any]) -> Iterable[bytes]:
        db = database_answers()
        body = json.dumps({"status": "ok" if db else "degraded", "database": "ok" if db else "unavailable"})
        status = "200 OK" if db else "503 Service Unavailable"
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body.encode()]

    def exposition(start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = metrics.exposition()
        start_response("200 OK", [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(body)))])
        return [body]

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        note = request_log.begin()
        answered: list[str] = []

        def recording(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answered.append(status)
            return start_response(status, headers) if exc_info is None else start_response(status, headers, exc_info)

        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            note.kind = "health"
            body = health(recording)
        elif path == METRICS_PATH and method == "GET":
            note.kind = "metrics"
            body = exposition(recording)
        else:
            body = slack(environ, recording)
        elapsed = time.perf_counter() - started
        code = answered[0].split()[0] if answered else "000"
        outcome = note.outcome or code
        # Ids, names Arising registered, status and time only: never the body or what was typed.
        log.info(
            "request path=%s status=%s kind=%s name=%s team=%s user=%s outcome=%s ms=%.1f",
            path if path in _KNOWN_PATHS else "other",
            code,
            note.kind,
            note.name,
            note.team,
            note.user,
            outcome,
            elapsed * 1000,
        )
        if note.kind != "metrics":
            metrics.observe(note.kind, outcome, elapsed)
        return body

    # Oversized, unparseable or malformed requests are answered 4xx before Bolt reads them.
    return wsgi


def serve(wsgi: WSGIApp, *, host: str, port: int, threads: int) -> None:
    """Serve until interrupted, with waitress (a production WSGI server, not a development one)."""
    from waitress import serve as waitress_serve

    # waitress refuses a body over the limit (413) from its Content-Length, before reading it.
    waitress_serve(
        wsgi, host=host, port=port, threads=threads, ident="arising", max_request_body_size=MAX_BODY_BYTES + 1
    )
