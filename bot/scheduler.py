"""The clock: APScheduler ticks (once a minute by default) and runs what is due. It holds no state of its own."""

from __future__ import annotations

import gc
import logging
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.deps import Deps
from bot.lease import ClockLease
from bot.scheduled.due_work import run_due
from bot.scheduled.sender import Sender
from bot.walltime import utcnow

log = logging.getLogger(__name__)

TICK_EVERY = timedelta(minutes=1)
# A busy tick makes tens of thousands of short-lived objects (the dicts of 6,000 messages): with Python's
# default first threshold (700) the collector runs thousands of passes in one tick, 15-25 % of its CPU
# (benchmarks/summary_and_tick.py). Fewer, larger passes; what a tick leaves behind is still collected.
COLLECTOR_THRESHOLDS = (50_000, 20, 100)


def tune_collector_for_ticks() -> None:
    """Make the garbage collector run less often in a process that ticks (never more often than now)."""
    current = gc.get_threshold()
    gc.set_threshold(*(max(now, wanted) for now, wanted in zip(current, COLLECTOR_THRESHOLDS, strict=True)))


def tick(deps: Deps, sender: Sender, lease: ClockLease | None = None) -> None:
    """One tick at the current time, if this clock holds the lease; failures are logged and the next tick retries."""
    try:
        now = deps.clock()
        if lease is not None and not lease.hold(now):
            log.debug("tick skipped: another clock holds the lease")
            return
        run_due(deps, sender, now)
    except Exception:
        log.exception("tick failed; the next tick will retry")


def start_clock(
    deps: Deps, sender: Sender, *, every: timedelta = TICK_EVERY, lease: ClockLease | None = None
) -> BackgroundScheduler:
    """Start ticking every `every` in a background thread; with `lease`, only while holding it.

    Jobs live in memory only (no job store): every schedule is in our tables, so
    a restart loses nothing, and overlapping ticks are prevented by max_instances.
    """
    tune_collector_for_ticks()
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        tick,
        IntervalTrigger(seconds=every.total_seconds()),
        args=(deps, sender, lease),
        id="arising-tick",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=30,
        # First tick at once (APScheduler runs on the wall clock), then every interval.
        next_run_time=utcnow(),
    )
    scheduler.start()
    log.info("clock started: ticking every %s s", every.total_seconds())
    return scheduler


def stop_clock(scheduler: BackgroundScheduler, lease: ClockLease | None, deps: Deps) -> None:
    """Let the tick in hand finish (its outbox claims end sent or queued for retry), then release the lease."""
    scheduler.shutdown(wait=True)
    if lease is not None:
        lease.release(deps.clock())
    log.info("clock stopped")
