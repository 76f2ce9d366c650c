"""The APScheduler clock: ticks every minute from start-up and survives a failing tick."""

from datetime import UTC, datetime

from apscheduler.triggers.interval import IntervalTrigger

from bot.app import make_client
from bot.deps import Deps
from bot.directory import SlackDirectory
from bot.scheduler import start_clock, tick
from bot.slack_sender import SlackSender

SUMMARY_AT = datetime(2026, 12, 11, 9, 0, tzinfo=UTC)


def test_clock_ticks_at_start_and_every_minute(board, settings, session_factory):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    client = make_client(settings)
    deps = Deps(session_factory=session_factory, directory=SlackDirectory(client), clock=lambda: SUMMARY_AT)
    scheduler = start_clock(deps, SlackSender.from_settings(settings))
    try:
        [job] = scheduler.get_jobs()
        assert isinstance(job.trigger, IntervalTrigger) and job.trigger.interval.total_seconds() == 60
        assert job.max_instances == 1
        # The first tick runs at start-up: the summary due now goes out without waiting a minute.
        board.fake.wait_for(lambda calls: sum("Matters arising" in c.text for c in calls) == 2)
    finally:
        scheduler.shutdown(wait=True)


def test_a_failing_tick_is_logged_not_raised(session_factory, caplog):
    def broken_clock() -> datetime:
        raise RuntimeError("clock broke")

    deps = Deps(session_factory=session_factory, directory=None, clock=broken_clock)  # type: ignore[arg-type]
    tick(deps, sender=None)  # type: ignore[arg-type]
    assert "tick failed" in caplog.text
