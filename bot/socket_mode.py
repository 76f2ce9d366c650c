"""Socket Mode with a watchdog: reconnect when nothing at all has arrived for too long.

slack_sdk's client already reconnects when a connection closes or stops answering pings. The
watchdog covers the quiet failure left: a connection that looks open but delivers nothing
(no messages and no pongs) for `idle_limit` seconds is replaced by a new one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import App

log = logging.getLogger(__name__)

IDLE_LIMIT_S = 300.0
CHECK_EVERY_S = 30.0


class Watchdog:
    """Knows when the Socket Mode client last heard anything, and reconnects it when that is too long ago."""

    def __init__(self, client: Any, idle_limit: float = IDLE_LIMIT_S, clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._idle_limit = idle_limit
        self._clock = clock
        self.last_heard = clock()
        self.restarts = 0

    def heard(self, *_: Any) -> None:
        """A message arrived (registered as one of the client's on_message listeners)."""
        self.last_heard = self._clock()

    def check(self) -> bool:
        """Reconnect if nothing (messages or ping/pong) arrived for too long; True when it did."""
        session = getattr(self._client, "current_session", None)
        pong = getattr(session, "last_ping_pong_time", None) or 0.0
        now = self._clock()
        if now - max(self.last_heard, pong) <= self._idle_limit:
            return False
        log.warning("socket mode: nothing heard for %.0f s, reconnecting", now - max(self.last_heard, pong))
        try:
            self._client.connect_to_new_endpoint(force=True)
        except Exception as exc:  # the next check tries again
            log.error("socket mode: reconnect failed: %s", type(exc).__name__)
            return False
        self.restarts += 1
        self.last_heard = self._clock()
        return True


def run_socket_mode(app: App, app_token: str, stop: threading.Event | None = None, stops: Any = None) -> None:
    """Connect in Socket Mode and serve until interrupted, with the watchdog running beside it.

    `stops` (bot.shutdown.Stops), when given, closes the connection on SIGTERM."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, app_token)
    if stops is not None:
        stops.add("Socket Mode", handler.close)
    watchdog = Watchdog(handler.client)
    handler.client.on_message_listeners.append(watchdog.heard)
    stopping = stop or threading.Event()

    def watch() -> None:
        while not stopping.wait(CHECK_EVERY_S):
            watchdog.check()

    threading.Thread(target=watch, name="socket-mode-watchdog", daemon=True).start()
    try:
        handler.start()
    finally:
        stopping.set()
