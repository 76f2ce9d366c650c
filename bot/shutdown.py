"""Stopping cleanly on SIGTERM (docker stop, systemd, Kubernetes) as on Ctrl-C.

SIGTERM raises `Terminated` in the main thread. It is a KeyboardInterrupt, so waitress stops
accepting, lets the requests in hand finish and returns, exactly as on Ctrl-C; a blocking wait
(the clock, Socket Mode) is interrupted too. The command then runs its `Stops` in reverse order
of start: worker processes finish the job in hand, the clock finishes its tick and releases its
lease. Only the first SIGTERM interrupts: a second one during the clean-up is logged, not raised, and
one after it is ignored, so neither cuts the clean-up or the exit short (the supervisor's SIGKILL
after its grace period still does).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

log = logging.getLogger(__name__)


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stop as on Ctrl-C."""


@contextmanager
def sigterm_stops() -> Iterator[None]:
    """While inside, the first SIGTERM raises `Terminated` in the main thread (elsewhere: no change)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    raised = False

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        nonlocal raised
        if raised:
            log.info("SIGTERM again: already stopping")
            return
        raised = True
        log.info("SIGTERM: stopping")
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        # Once stopping, the process is on its way out: a repeated SIGTERM must not kill it mid-exit.
        signal.signal(signal.SIGTERM, signal.SIG_IGN if raised else previous)


class Stops:
    """What to stop on the way out, run once in reverse order of registration; each step's failure is logged."""

    def __init__(self) -> None:
        self._steps: list[tuple[str, Callable[[], None]]] = []

    def add(self, name: str, step: Callable[[], None]) -> None:
        """Run `step` on the way out (before the steps added earlier)."""
        self._steps.append((name, step))

    def run(self) -> None:
        """Run every step, latest first."""
        while self._steps:
            name, step = self._steps.pop()
            started = time.monotonic()
            try:
                step()
            except Exception:
                log.exception("stopping %s failed", name)
            else:
                log.info("stopped %s in %.1f s", name, time.monotonic() - started)

    def __enter__(self) -> Stops:
        return self

    def __exit__(self, *exc: object) -> None:
        self.run()
