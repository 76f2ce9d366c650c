"""What went wrong in a call to Slack, in a few kinds the bot words for people and a short code for logs.

slack_sdk raises `SlackApiError` for an answer with `ok: false` or an HTTP error (its `error` may then be
a whole HTML error page), `TimeoutError` when Slack accepted the connection but did not answer in time,
and `URLError`/`OSError` when Slack could not be reached. Only `SlackFault.code` ever goes into a log line
or a message: it is Slack's error name, an HTTP status or an exception type, never a response body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from http.client import HTTPException
from urllib.error import URLError

from slack_sdk.errors import SlackApiError

# Slack's documented error names are short snake_case words; anything else (an HTML page) is not shown.
_ERROR_NAME = re.compile(r"^[a-z][a-z0-9_.]{0,63}$")
NOT_IN_CHANNEL_ERRORS = frozenset({"not_in_channel", "channel_not_found"})
REFUSED_TOKEN_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "no_permission",
        "missing_scope",
        "not_allowed_token_type",
        "team_access_not_granted",
        "ekm_access_denied",
    }
)
# Answered with ok=false, but the fault is on Slack's side, as with a 5xx.
SLACK_SIDE_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})


class FaultKind(Enum):
    """Why a Slack call did not succeed, as far as the user needs to know."""

    NOT_IN_CHANNEL = "not_in_channel"  # the bot is not in the channel, or it is gone: "invite me"
    ARCHIVED = "archived"  # the channel is archived
    REFUSED_TOKEN = "refused_token"  # the bot's token is wrong or revoked
    RATE_LIMITED = "rate_limited"  # 429 after the client's own waits
    SLACK_DOWN = "slack_down"  # 5xx, or an error Slack says is its own
    TIMEOUT = "timeout"  # Slack took the request but did not answer in time: it may have acted on it
    DROPPED = "dropped"  # the connection closed before an answer: it may have acted on it
    UNREACHABLE = "unreachable"  # no connection at all: Slack did not get the request
    REFUSED = "refused"  # any other ok=false answer (Slack's error name is in the code)


@dataclass(frozen=True)
class SlackFault:
    """The kind of fault and a short code that is safe to log and to show (never a response body)."""

    kind: FaultKind
    code: str

    @property
    def maybe_done(self) -> bool:
        """True when Slack may have carried the request out although no answer said so."""
        return self.kind in (FaultKind.TIMEOUT, FaultKind.DROPPED)


def classify(exc: BaseException) -> SlackFault:
    """Sort an exception raised by a slack_sdk call into a `SlackFault`."""
    if isinstance(exc, SlackApiError):
        return _api_error(exc)
    if isinstance(exc, TimeoutError):
        return SlackFault(FaultKind.TIMEOUT, "timeout")
    if isinstance(exc, URLError):
        # urllib wraps what failed before the request was sent: refused, unresolvable, connect time-out.
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            return SlackFault(FaultKind.UNREACHABLE, "connect_timeout")
        return SlackFault(FaultKind.UNREACHABLE, type(reason).__name__ if isinstance(reason, OSError) else "url_error")
    if isinstance(exc, (OSError, HTTPException)):
        # Raised while waiting for the answer (RemoteDisconnected, ConnectionResetError, a garbled
        # status line): the request went out.
        return SlackFault(FaultKind.DROPPED, type(exc).__name__)
    return SlackFault(FaultKind.REFUSED, type(exc).__name__)


def _api_error(exc: SlackApiError) -> SlackFault:
    response = exc.response
    status = int(getattr(response, "status_code", 200) or 200)
    raw = response.get("error") if hasattr(response, "get") else None
    name = raw if isinstance(raw, str) and _ERROR_NAME.match(raw) else None
    if status == 429 or name == "ratelimited":
        return SlackFault(FaultKind.RATE_LIMITED, name or "http_429")
    if status >= 500 or name in SLACK_SIDE_ERRORS:
        return SlackFault(FaultKind.SLACK_DOWN, name if status < 500 and name else f"http_{status}")
    if name is None:
        # An answer that is not Slack's JSON (a proxy's error page): its status is all we keep.
        return SlackFault(FaultKind.REFUSED, f"http_{status}")
    if name in NOT_IN_CHANNEL_ERRORS:
        return SlackFault(FaultKind.NOT_IN_CHANNEL, name)
    if name == "is_archived":
        return SlackFault(FaultKind.ARCHIVED, name)
    if name in REFUSED_TOKEN_ERRORS:
        return SlackFault(FaultKind.REFUSED_TOKEN, name)
    return SlackFault(FaultKind.REFUSED, name)
