"""The clock's lease: one clock ticks at a time; another takes over when the lease expires or is released."""

from datetime import UTC, datetime, timedelta

from bot.lease import ClockLease
from bot.scheduler import tick
from storage.db import session_scope
from storage.leases import lease_holder

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TTL = timedelta(minutes=3)


def holder(session_factory, now):
    with session_scope(session_factory) as session:
        return lease_holder(session, "clock", now)


def test_the_first_clock_takes_the_lease(session_factory):
    first = ClockLease(session_factory, TTL, holder="first")

    assert first.hold(T0)
    assert holder(session_factory, T0) == "first"


def test_a_second_clock_stands_by_while_the_lease_is_held(session_factory):
    first, second = ClockLease(session_factory, TTL, holder="first"), ClockLease(session_factory, TTL, holder="second")
    first.hold(T0)

    assert not second.hold(T0 + timedelta(minutes=1))
    assert holder(session_factory, T0 + timedelta(minutes=1)) == "first"


def test_renewing_each_tick_keeps_the_lease(session_factory):
    first, second = ClockLease(session_factory, TTL, holder="first"), ClockLease(session_factory, TTL, holder="second")
    for minute in range(10):
        assert first.hold(T0 + timedelta(minutes=minute))
        assert not second.hold(T0 + timedelta(minutes=minute, seconds=30))


def test_an_expired_lease_is_taken_over(session_factory):
    first, second = ClockLease(session_factory, TTL, holder="first"), ClockLease(session_factory, TTL, holder="second")
    first.hold(T0)

    assert second.hold(T0 + TTL + timedelta(seconds=1))
    assert not first.hold(T0 + TTL + timedelta(seconds=2))
    assert holder(session_factory, T0 + TTL + timedelta(seconds=2)) == "second"


def test_a_released_lease_is_taken_at_once(session_factory):
    first, second = ClockLease(session_factory, TTL, holder="first"), ClockLease(session_factory, TTL, holder="second")
    first.hold(T0)

    first.release(T0 + timedelta(seconds=10))

    assert second.hold(T0 + timedelta(seconds=11))


def test_releasing_a_lease_held_by_another_changes_nothing(session_factory):
    first, second = ClockLease(session_factory, TTL, holder="first"), ClockLease(session_factory, TTL, holder="second")
    first.hold(T0)
    second.hold(T0)

    second.release(T0)

    assert holder(session_factory, T0) == "first"


def test_a_tick_without_the_lease_sends_nothing(board, settings, session_factory):
    from bot.app import make_client
    from bot.deps import Deps
    from bot.directory import SlackDirectory
    from bot.slack_sender import SlackSender

    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    summary_at = datetime(2026, 12, 11, 9, 0, tzinfo=UTC)
    ClockLease(session_factory, TTL, holder="other clock").hold(summary_at)
    client = make_client(settings)
    deps = Deps(session_factory=session_factory, directory=SlackDirectory(client), clock=lambda: summary_at)
    board.fake.clear()

    tick(deps, SlackSender.from_settings(settings), ClockLease(session_factory, TTL, holder="this clock"))
    assert board.fake.calls_to("chat.postMessage") == []

    tick(deps, SlackSender.from_settings(settings), ClockLease(session_factory, TTL, holder="other clock"))
    assert len(board.fake.calls_to("chat.postMessage")) == 2
