"""What a message sender raises: one error type whose kind says what to do next.

It knows nothing of Slack: the Slack sender maps its client's exceptions onto
it, so the services that queue and retry messages never see `SlackApiError`.
"""

from __future__ import annotations

from enum import StrEnum


class SendErrorKind(StrEnum):
    """Why a post failed, as far as what to do next is concerned."""

    # Slack answered 429: nothing was posted; try again after `retry_after` seconds.
    RATE_LIMITED = "rate_limited"
    # Nothing was posted (connection refused, Slack briefly unavailable): try again later.
    TRANSIENT = "transient"
    # The request reached Slack but no clear answer came back (time-out, connection dropped,
    # 5xx, internal_error): the message may or may not have been posted.
    UNCERTAIN = "uncertain"
    # Slack refused the request itself (channel_not_found, not_in_channel, invalid_auth, …):
    # the same request fails again until someone acts (invites the bot, fixes the token).
    PERMANENT = "permanent"


class SendError(Exception):
    """A post that failed; `reason` is a short code safe to log and store (never message text)."""

    def __init__(self, kind: SendErrorKind, reason: str, retry_after: float | None = None) -> None:
        super().__init__(f"{kind}: {reason}")
        self.kind = kind
        self.reason = reason
        # Seconds to wait before the next try; set for RATE_LIMITED.
        self.retry_after = retry_after

    @property
    def may_have_posted(self) -> bool:
        """True when Slack may have posted the message although the call failed."""
        return self.kind is SendErrorKind.UNCERTAIN
