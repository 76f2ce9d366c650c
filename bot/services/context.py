"""Who is asking, and from where."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    """The person making a request, in their workspace and (when known) channel."""

    team_id: str
    user_id: str
    channel_id: str | None = None
