"""Who people are in the workspace: admin status and time zone, from `users.info`."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Person:
    """What the bot needs to know of a workspace user."""

    user_id: str
    is_admin: bool
    tz: str | None
    is_bot: bool = False
    deleted: bool = False
    # The person's name as Slack shows it, so owners can be written by name (`Ann Flynn to …`).
    real_name: str | None = None


class Directory(Protocol):
    """Looks people up; services depend on this, not on Slack."""

    def person(self, user_id: str) -> Person | None:
        """The user, or None when Slack does not know them."""
        ...


class SlackDirectory:
    """`users.info` with a short cache: admin checks happen on every refused-looking change."""

    def __init__(self, client: WebClient, ttl_seconds: float = 600.0) -> None:
        self._client = client
        self._ttl = ttl_seconds
        self._cache: dict[str, tuple[float, Person | None]] = {}
        self._lock = threading.Lock()

    def person(self, user_id: str) -> Person | None:
        """Look `user_id` up, from the cache when fresh."""
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(user_id)
        if hit and now - hit[0] < self._ttl:
            return hit[1]
        try:
            user = self._client.users_info(user=user_id)["user"]
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            return None
        found = Person(
            user_id=user_id,
            is_admin=bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")),
            tz=user.get("tz"),
            is_bot=bool(user.get("is_bot")),
            deleted=bool(user.get("deleted")),
            real_name=(user.get("profile") or {}).get("real_name") or user.get("real_name") or None,
        )
        with self._lock:
            self._cache[user_id] = (now, found)
        return found
