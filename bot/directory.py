"""Who people are in the workspace: admin status and time zone, from `users.info`."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Protocol

from slack_sdk import WebClient

from bot.errors import DirectoryUnavailable
from bot.slack_faults import FaultKind, classify

log = logging.getLogger(__name__)
# users.info answers these for someone it does not know: a real "no", not a failure to ask.
_UNKNOWN_USER_ERRORS = frozenset({"user_not_found", "user_not_visible", "users_not_found"})


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
        """The user, or None when Slack does not know them.

        Raises DirectoryUnavailable when the directory could not be asked (Slack failing, slow, rate-limiting).
        """
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
        except Exception as exc:
            fault = classify(exc)
            log.warning("users.info failed for %s: %s", user_id, fault.code)
            if fault.kind is FaultKind.REFUSED and fault.code in _UNKNOWN_USER_ERRORS:
                return None
            raise DirectoryUnavailable(fault.code) from None
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
