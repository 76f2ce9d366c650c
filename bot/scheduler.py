"""The clock: APScheduler ticks once a minute and runs what is due. It holds no state of its own."""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import utcnow
from bot.deps import Deps
from bot.services.due_work import run_due
from bot.services.outbox import Sender

log = logging.getLogger(__name__)


def tick(deps: Deps, sender: Sender) -> None:
    """One tick at the current time; failures are logged and the next tick tries again."""
    try:
        run_due(deps, sender, deps.clock())
    except Exception:
        log.exception("tick failed; the next tick will retry")


def start_clock(deps: Deps, sender: Sender) -> BackgroundScheduler:
    """Start ticking every minute in a background thread.

    Jobs live in memory only (no job store): every schedule is in our tables, so
    a restart loses nothing, and overlapping ticks are prevented by max_instances.
    """
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        tick,
        IntervalTrigger(minutes=1),
        args=(deps, sender),
        id="arising-tick",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=30,
        # First tick at once (APScheduler runs on the wall clock), then every minute.
        next_run_time=utcnow(),
    )
    scheduler.start()
    log.info("clock started: ticking every minute")
    return scheduler
