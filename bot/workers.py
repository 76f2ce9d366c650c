"""The work pool: what runs the jobs the inbox holds, after the ack.

Two pools share one contract (`notify` after a job is queued):
- `ThreadWorkers` runs jobs on a bounded thread pool in this process: tests, `arising console`,
  and small installations.
- `ProcessWorkers` runs them in worker processes, so the database and Slack work never holds
  the GIL against the thread that acks (measured: in-process work threads pushed the ack
  latency to 2-16x a bare app; see benchmarks/ack_latency.py). A supervisor thread restarts a
  worker that died and puts its claimed jobs back in the queue.

Memory: the first workers are forked from the web process at start-up, while it still runs one
thread, so they share its imported modules page for page instead of importing the application
again (a spawned worker costs ~80 MB of its own; see benchmarks/serve_rss.py). Forking a process
that runs other threads is unsafe (a lock another thread holds stays locked in the child), so a
worker restarted later, when the web process serves requests on many threads, is spawned.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from multiprocessing.synchronize import Semaphore
from typing import Any, Protocol

from bot.inbox import Inbox, Job

log = logging.getLogger(__name__)

RunJob = Callable[[Job], None]
POLL_S = 0.5  # a worker looks at the queue at least this often, even without a wake-up


class Workers(Protocol):
    """Something that will run a job queued in the inbox."""

    def notify(self, name: str) -> None:
        """Job `name` was just queued."""


class ThreadWorkers:
    """Run each queued job on `executor`, in this process."""

    def __init__(self, inbox: Inbox, run: RunJob, executor: Executor) -> None:
        self._inbox = inbox
        self._run = run
        self._executor = executor

    def notify(self, name: str) -> None:
        """Hand job `name` to the pool (the ack does not wait for it)."""
        self._executor.submit(self._work, name)

    def _work(self, name: str) -> None:
        ticket = self._inbox.claim(name)
        if ticket is None:
            return
        try:
            self._run(ticket.job)
        finally:
            self._inbox.finish(ticket)

    def drain(self) -> None:
        """Run jobs left by an earlier run of this process (recovered at start-up)."""
        self._inbox.recover()
        while (ticket := self._inbox.claim_next()) is not None:
            self._executor.submit(self._run_ticket, ticket)

    def _run_ticket(self, ticket: Any) -> None:
        try:
            self._run(ticket.job)
        finally:
            self._inbox.finish(ticket)


class TrackingExecutor(ThreadPoolExecutor):
    """A thread pool that can wait until everything submitted so far has finished (console, tests)."""

    def __init__(self, max_workers: int = 8) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="work")
        self._futures: list[Future[Any]] = []
        self._lock = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:  # type: ignore[override]
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._futures = [f for f in self._futures if not f.done()] + [future]
        return future

    def wait_idle(self, timeout: float = 15.0) -> None:
        """Wait for every job submitted so far, re-raising what one raised."""
        while True:
            with self._lock:
                pending = [f for f in self._futures if not f.done()]
            if not pending:
                return
            for future in pending:
                future.result(timeout=timeout)


WorkerMain = Callable[[Any, str, str, Semaphore, Any], None]


class ProcessWorkers:
    """`count` worker processes, each running `target(config, inbox_root, owner, wake, stop)`."""

    def __init__(self, inbox: Inbox, target: WorkerMain, config: Any, count: int) -> None:
        self._inbox = inbox
        self._target = target
        self._config = config
        self._count = count
        self._ctx = multiprocessing.get_context("spawn")
        # Made by the spawn context: a spawned replacement must be able to open them by name; forked workers
        # inherit them.
        self._wake = self._ctx.Semaphore(0)
        self._stop = self._ctx.Event()
        self._procs: dict[str, Any] = {}
        self._supervisor: threading.Thread | None = None
        self._stopping = threading.Event()
        self.forked = False  # whether `start` forked the first workers (else they were spawned)

    def start(self) -> None:
        """Recover jobs left by a previous run, then start the workers and their supervisor.

        Call it before this process starts any thread (the server, the clock) so that the workers are forked
        and share its memory; otherwise they are spawned. Close pooled database connections first: a forked
        child must not share a connection's socket with its parent.
        """
        self._inbox.recover()
        self.forked = threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
        if self.forked:
            # Garbage collected now, and what is left frozen: the collector then never walks (and so never
            # writes to) the objects the children share, which would copy their pages one by one.
            gc.collect()
            gc.freeze()
        first = multiprocessing.get_context("fork") if self.forked else self._ctx
        for _ in range(self._count):
            self._spawn(first)
        self._supervisor = threading.Thread(target=self._supervise, name="workers-supervisor", daemon=True)
        self._supervisor.start()

    def notify(self, name: str) -> None:
        """Wake one worker (a semaphore release: no I/O on the ack thread)."""
        self._wake.release()

    def stop(self, timeout: float = 10.0) -> None:
        """Let workers finish the job in hand, within `timeout` seconds for all of them, then end them."""
        self._stopping.set()
        self._stop.set()
        for _ in self._procs:
            self._wake.release()
        deadline = time.monotonic() + timeout
        for proc in self._procs.values():
            proc.join(max(0.0, deadline - time.monotonic()))
        for proc in self._procs.values():
            if proc.is_alive():
                # A worker's first SIGTERM only asks it to stop after its job: the job is stuck, so kill it.
                # Its claimed job goes back to the queue at the next start (Inbox.recover).
                proc.kill()
                proc.join(1.0)

    @property
    def alive(self) -> int:
        """How many workers are running."""
        return sum(1 for p in self._procs.values() if p.is_alive())

    def _spawn(self, ctx: Any = None) -> None:
        owner = uuid.uuid4().hex[:12]
        proc = (ctx or self._ctx).Process(
            target=self._target,
            args=(self._config, str(self._inbox.root), owner, self._wake, self._stop),
            name=f"arising-worker-{owner}",
            daemon=True,
        )
        proc.start()
        self._procs[owner] = proc

    def _supervise(self) -> None:
        while not self._stopping.wait(1.0):
            dead = [owner for owner, proc in self._procs.items() if not proc.is_alive()]
            for owner in dead:
                log.error("worker %s stopped (exit code %s); restarting it", owner, self._procs[owner].exitcode)
                del self._procs[owner]
                self._inbox.recover([owner])
                # Spawned, not forked: this process runs threads now (see the module docstring).
                self._spawn()
                self._wake.release()
