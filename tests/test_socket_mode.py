"""The Socket Mode watchdog: a connection that delivers nothing for too long is replaced."""

from __future__ import annotations

from types import SimpleNamespace

from bot.socket_mode import Watchdog


class StubClient:
    """Stands in for slack_sdk's SocketModeClient: counts forced reconnections."""

    def __init__(self) -> None:
        self.current_session = SimpleNamespace(last_ping_pong_time=None)
        self.reconnects = 0

    def connect_to_new_endpoint(self, force: bool = False) -> None:
        assert force
        self.reconnects += 1


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_watchdog_leaves_a_connection_that_hears_messages_alone():
    client, clock = StubClient(), Clock()
    dog = Watchdog(client, idle_limit=300, clock=clock)
    clock.now += 250
    dog.heard("{}")
    clock.now += 250
    assert dog.check() is False
    assert client.reconnects == 0


def test_watchdog_counts_pongs_as_signs_of_life():
    client, clock = StubClient(), Clock()
    dog = Watchdog(client, idle_limit=300, clock=clock)
    clock.now += 400
    client.current_session.last_ping_pong_time = clock.now - 10
    assert dog.check() is False


def test_watchdog_reconnects_a_connection_silent_for_too_long_once():
    client, clock = StubClient(), Clock()
    dog = Watchdog(client, idle_limit=300, clock=clock)
    clock.now += 301
    assert dog.check() is True
    assert dog.check() is False
    assert (client.reconnects, dog.restarts) == (1, 1)
