"""The work side of every surface: run a queued job with its own database sessions and Slack client.

A job records its request key in the same transaction as its changes (storage/requests.py),
so a job run again (a worker died mid-job, a replay that reached another process) finds the
key and changes nothing twice.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from multiprocessing.synchronize import Event, Semaphore
from typing import Any

from slack_sdk import WebClient

from bot.deps import Deps
from bot.inbox import Inbox, Job
from storage.db import session_scope
from storage.requests import forget_requests_before, keyed_session_factory, request_handled

log = logging.getLogger(__name__)

KEEP_KEYS = timedelta(days=1)
WORKER_NICENESS = 10


@dataclass(frozen=True)
class WorkContext:
    """What a job needs: the services' dependencies and a Web API client."""

    deps: Deps
    client: WebClient

    def already_handled(self, key: str) -> bool:
        """True when the work of request `key` is already committed."""
        with session_scope(self.deps.session_factory) as session:
            return request_handled(session, key)


JobRunner = Callable[[WorkContext, Job], None]


def job_runners() -> dict[str, JobRunner]:
    """Every kind of job, by name (imported here so that handlers register nothing at import)."""
    from handlers import buttons, file_import, home, import_modal, modals, shortcuts, slash

    return {
        **slash.JOBS,
        **home.JOBS,
        **buttons.JOBS,
        **modals.JOBS,
        **shortcuts.JOBS,
        **file_import.JOBS,
        **import_modal.JOBS,
    }


def run_job(ctx: WorkContext, job: Job, runners: dict[str, JobRunner] | None = None) -> None:
    """Run one job unless its work was already committed; never raises."""
    runner = (runners or job_runners()).get(job.kind)
    if runner is None:
        log.error("no runner for job kind=%s", job.kind)
        return
    try:
        if ctx.already_handled(job.key):
            log.info("job already handled: kind=%s", job.kind)
            return
    except Exception as exc:  # the runner meets the same fault and tells the user
        log.warning("could not check job key: %s", type(exc).__name__)
    now = ctx.deps.clock()
    keyed = replace(ctx.deps, session_factory=keyed_session_factory(ctx.deps.session_factory, job.key, now))
    started = time.perf_counter()
    try:
        runner(WorkContext(deps=keyed, client=ctx.client), job)
    except Exception:
        log.exception("job failed: kind=%s", job.kind)
        return
    # One line per job, like the web side's request log: what ran and how long it took, never its text.
    log.info("job done: kind=%s ms=%.1f", job.kind, (time.perf_counter() - started) * 1000)


def prune(ctx: WorkContext) -> None:
    """Forget old request keys."""
    with session_scope(ctx.deps.session_factory) as session:
        forget_requests_before(session, ctx.deps.clock() - KEEP_KEYS)


def worker_main(config: dict[str, Any], root: str, owner: str, wake: Semaphore, stop: Event) -> None:
    """A worker process: claim jobs from the inbox at `root` and run them until `stop` is set."""
    from bot.app import make_client
    from bot.channels import SlackChannels
    from bot.directory import SlackDirectory
    from bot.logs import configure_logging
    from bot.settings import Settings
    from bot.walltime import utcnow
    from storage.db import make_engine, make_session_factory

    # The supervisor stops workers with `stop`; Ctrl-C in a terminal reaches the whole group.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stopping = _StopOnSigterm(stop)
    # Acks are what Slack times; the work can wait a few milliseconds. On a machine with few cores
    # the scheduler then serves the web process first.
    os.nice(WORKER_NICENESS)
    settings = Settings(_env_file=None, **config)  # type: ignore[call-arg]
    configure_logging(settings.log_level, settings.log_format)
    engine = make_engine(settings.database_url, timeouts=settings.database_timeouts())
    client = make_client(settings)
    ctx = WorkContext(
        deps=Deps(
            session_factory=make_session_factory(engine),
            directory=SlackDirectory(client),
            clock=utcnow,
            channels=SlackChannels(client),
        ),
        client=client,
    )
    inbox = Inbox(root).for_owner(owner)
    runners = job_runners()
    threads = [
        threading.Thread(target=_work_loop, args=(ctx, inbox, runners, wake, stopping), name=f"work-{n}")
        for n in range(settings.worker_threads)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()


class _StopOnSigterm:
    """The supervisor's `stop`, also set by a SIGTERM sent to this worker alone or to the whole process group
    (systemd, `kill -- -pgid`): the job in hand finishes, and a second SIGTERM ends the process. A worker whose
    parent died stops too, instead of running on orphaned."""

    def __init__(self, stop: Event) -> None:
        self._stop = stop
        self._local = threading.Event()
        self._parent = os.getppid()
        signal.signal(signal.SIGTERM, self._on_sigterm)

    def _on_sigterm(self, signum: int, frame: Any) -> None:
        self._local.set()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def is_set(self) -> bool:
        """True when this worker should stop after the job in hand."""
        return self._local.is_set() or self._stop.is_set() or os.getppid() != self._parent


def _work_loop(ctx: WorkContext, inbox: Inbox, runners: dict[str, JobRunner], wake: Semaphore, stop: Any) -> None:
    handled = 0
    while not stop.is_set():
        ticket = inbox.claim_next()
        if ticket is None:
            wake.acquire(timeout=0.5)
            continue
        try:
            run_job(ctx, ticket.job, runners)
        finally:
            inbox.finish(ticket)
        handled += 1
        if handled % 500 == 0:
            try:
                prune(ctx)
            except Exception as exc:
                log.warning("prune failed: %s", type(exc).__name__)
