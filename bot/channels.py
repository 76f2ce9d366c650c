"""Facts about channels the bot posts in: whether one is shared outside the workspace (Slack Connect)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


class Channels(Protocol):
    """Services ask this, not Slack."""

    def shared_externally(self, channel_id: str) -> bool | None:
        """True when people outside the workspace can read the channel; None when it could not be told."""
        ...


class SlackChannels:
    """`conversations.info` with a short cache (sharing changes rarely)."""

    def __init__(self, client: WebClient, ttl_seconds: float = 600.0) -> None:
        self._client = client
        self._ttl = ttl_seconds
        self._cache: dict[str, tuple[float, bool | None]] = {}
        self._lock = threading.Lock()

    def shared_externally(self, channel_id: str) -> bool | None:
        """Ask Slack (or the cache) whether the channel is a Slack Connect channel."""
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(channel_id)
        if hit and now - hit[0] < self._ttl:
            return hit[1]
        try:
            channel = self._client.conversations_info(channel=channel_id)["channel"]
            shared: bool | None = bool(channel.get("is_ext_shared") or channel.get("is_pending_ext_shared"))
        except (SlackApiError, OSError) as exc:
            error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
            log.warning("conversations.info for %s failed: %s", channel_id, error)
            return None
        with self._lock:
            self._cache[channel_id] = (now, shared)
        return shared
