"""One log line per request: ids, what was asked, how long the answer took, the outcome. Never text.

The listener (on the request thread) notes what the request was; the WSGI front writes the line
when the answer has gone, so the latency is the ack latency Slack sees.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass
class RequestNote:
    """What the handlers learnt about the request being answered."""

    kind: str = "other"  # command | event | interactive | health | metrics | other
    name: str = ""  # the command, event type or action id
    team: str = ""
    user: str = ""
    outcome: str = ""  # queued | duplicate | busy | failed | refused | …


_current: contextvars.ContextVar[RequestNote | None] = contextvars.ContextVar("arising_request", default=None)


def begin() -> RequestNote:
    """Start noting a request on this thread."""
    note = RequestNote()
    _current.set(note)
    return note


def note(**fields: str) -> None:
    """Record facts about the current request (ids and names only)."""
    current = _current.get()
    if current is not None:
        for key, value in fields.items():
            setattr(current, key, value)
