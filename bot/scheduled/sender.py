"""What the outbox sends through: the one call it needs, whatever carries it (Slack, a test stub)."""

from __future__ import annotations

from typing import Any, Protocol


class Sender(Protocol):
    """Posts one message; returns the channel and ts of the posted message.

    A sender may say how long to leave between two posts in one conversation with a float attribute
    `per_channel_interval` (seconds); without it the outbox does not wait.
    """

    def post(self, recipient: str, message: dict[str, Any], thread: tuple[str, str] | None) -> tuple[str, str]:
        """Post `message` to a channel or a user's DM, in `thread` (channel, ts) when given.

        Posts once, never sleeps or retries; any failure is raised as a SendError.
        """
        ...
