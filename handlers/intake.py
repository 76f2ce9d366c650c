"""The ack side of every surface: turn a verified request into a queued job, then ack.

Nothing here touches the database or Slack: the inbox is a local spool (bot/inbox.py), so the
HTTP answer goes back within Slack's 3 seconds whatever the database or Slack's API is doing.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from typing import Any

from slack_bolt.request import BoltRequest

from bot.inbox import Inbox, Job, Put
from bot.workers import Workers

log = logging.getLogger(__name__)

BUSY = (
    ":hourglass: I'm handling a lot of requests right now and couldn't take this one. "
    "Nothing was changed: please try again in a minute."
)
NOT_TAKEN = (
    ":x: I couldn't take this request just now (the server could not store it). "
    "Nothing was changed: please try again in a minute."
)


def not_taken_text(outcome: Put) -> str | None:
    """What to tell the user when nothing was queued (busy, or the inbox could not be written); None when
    the request was queued, or was a replay (which the first delivery answers)."""
    return {Put.BUSY: BUSY, Put.FAILED: NOT_TAKEN}.get(outcome)


class Intake:
    """Queues jobs in the inbox and wakes the work pool."""

    def __init__(self, inbox: Inbox, workers: Workers) -> None:
        self.inbox = inbox
        self.workers = workers

    def accept(self, kind: str, request: dict[str, Any], key: str) -> Put:
        """Queue one job of `kind`; a key seen before is a replay and is not queued again."""
        outcome, name = self.inbox.put(Job(key=key, kind=kind, request=request, received_at=time.time()))
        if outcome is Put.QUEUED and name is not None:
            self.workers.notify(name)
        elif outcome is not Put.QUEUED:
            log.warning("request not queued: kind=%s outcome=%s", kind, outcome.value)
        return outcome


def request_key(request: BoltRequest, body: dict[str, Any]) -> str:
    """A key that is the same for a replay of the same delivery and different otherwise.

    Events use Slack's event_id, so a retry (X-Slack-Retry-Num) of an event already queued is
    recognised even though its timestamp and signature are new. Other HTTP requests use their
    timestamp and signature: a byte-identical replay has both, a new request cannot.
    """
    event_id = body.get("event_id")
    if isinstance(event_id, str) and event_id:
        return "ev-" + hashlib.sha256(event_id.encode()).hexdigest()[:40]
    timestamp = _header(request, "x-slack-request-timestamp")
    signature = _header(request, "x-slack-signature")
    if timestamp and signature:
        return "rq-" + hashlib.sha256(f"{timestamp}:{signature}".encode()).hexdigest()[:40]
    # Socket Mode: no signature; Slack's envelope is acked once, so a fresh key is enough.
    return "sm-" + uuid.uuid4().hex


def _header(request: BoltRequest, name: str) -> str:
    values = request.headers.get(name) or []
    return values[0] if values else ""
