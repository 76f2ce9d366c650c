"""The Bolt app factory: one place that wires settings, storage, Slack client and handlers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import datetime

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import SlackChannels
from bot.deps import Deps
from bot.directory import SlackDirectory
from bot.inbox import Inbox
from bot.settings import Settings
from bot.slack_retry import SafeConnectionErrorRetryHandler, SafeServerErrorRetryHandler
from bot.walltime import utcnow
from bot.workers import ThreadWorkers, Workers
from handlers import home, slash, unhandled
from handlers.intake import Intake
from handlers.work import WorkContext, run_job

log = logging.getLogger(__name__)


def make_client(settings: Settings) -> WebClient:
    """A Web API client that waits out 429s (Retry-After) and retries transient failures.

    Each call gives up after SLACK_TIMEOUT_SECONDS; a post is never retried when Slack may already
    have made it (see bot/slack_retry.py).
    """
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.api_url,
        # slack_sdk types it int; urllib takes any number of seconds.
        timeout=settings.slack_timeout_seconds,  # type: ignore[arg-type]
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=5),
            SafeServerErrorRetryHandler(max_retry_count=2),
            SafeConnectionErrorRetryHandler(max_retry_count=2),
        ],
    )


def create_app(
    settings: Settings,
    *,
    session_factory: sessionmaker[Session],
    client: WebClient | None = None,
    clock: Callable[[], datetime] = utcnow,
    executor: Executor | None = None,
    inbox: Inbox | None = None,
    workers: Workers | None = None,
) -> App:
    """Build the Bolt app with every listener registered.

    Listeners run on the request thread (`process_before_response`): each parses its payload,
    queues it in the inbox and acks; the work runs on `workers`, by default a thread pool in
    this process (`executor`), or worker processes when `arising serve` passes them.
    """
    settings.require("slack_bot_token")
    client = client or make_client(settings)
    app = App(
        # No `token=`: the client carries it, and Bolt warns when given both.
        signing_secret=settings.slack_signing_secret or "",
        client=client,
        # The ack is the listener's whole job, so it runs on the request thread and never waits
        # behind slow work in a shared pool.
        process_before_response=True,
        # auth.test at start-up catches a wrong token before the first user does.
        token_verification_enabled=True,
    )
    inbox = inbox or Inbox(settings.inbox_dir, max_pending=settings.inbox_max_pending)
    if workers is None:
        deps = Deps(
            session_factory=session_factory,
            directory=SlackDirectory(client),
            clock=clock,
            channels=SlackChannels(client),
        )
        context = WorkContext(deps=deps, client=client)
        pool = executor or ThreadPoolExecutor(max_workers=settings.worker_threads, thread_name_prefix="work")
        thread_workers = ThreadWorkers(inbox, lambda job: run_job(context, job), pool)
        thread_workers.drain()
        workers = thread_workers
    intake = Intake(inbox, workers)
    slash.register(app, intake)
    home.register(app, intake)
    # Last: a catch-all that answers 200 to event types no listener above handles.
    unhandled.register(app)
    return app
