"""Posting outbox messages through the Slack Web API, with errors mapped to `SendError`."""

from __future__ import annotations

import re
from http.client import HTTPException
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.sending import SendError, SendErrorKind
from bot.settings import Settings

# Seconds per socket operation. Far below the outbox lease, so a post always ends (answered or
# timed out) while its claim still holds; long enough that a slow but healthy Slack answers.
POST_TIMEOUT = 20
# Seconds between two posts in one conversation: Slack allows about one message a second in each.
PER_CHANNEL_INTERVAL = 1.0
# When Slack answers 429 without a usable Retry-After.
DEFAULT_RETRY_AFTER = 60.0

# Errors Slack gives for a request it will refuse again until someone acts.
PERMANENT_ERRORS = frozenset(
    {
        "account_inactive",
        "cannot_dm_bot",
        "channel_not_found",
        "invalid_arguments",
        "invalid_auth",
        "invalid_blocks",
        "invalid_blocks_format",
        "is_archived",
        "missing_scope",
        "msg_too_long",
        "no_permission",
        "no_text",
        "not_allowed_token_type",
        "not_authed",
        "not_in_channel",
        "restricted_action",
        "team_access_not_granted",
        "token_expired",
        "token_revoked",
        "too_many_attachments",
        "user_not_found",
    }
)
# Slack's own words for these: "it's possible some aspect of the operation succeeded".
UNCERTAIN_ERRORS = frozenset({"internal_error", "fatal_error"})


def make_sender_client(settings: Settings) -> WebClient:
    """A Web API client for the outbox sender: no retry handlers at all, a bounded time-out.

    slack_sdk's RateLimitErrorRetryHandler sleeps out Retry-After inside the call, which may
    outlast the outbox claim; its ConnectionErrorRetryHandler re-posts after a dropped
    connection, when Slack may already have posted. The outbox decides about retries instead.
    """
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.api_url,
        timeout=POST_TIMEOUT,
        retry_handlers=[],
    )


def _code(value: object) -> str:
    """A short identifier from Slack's `error` field: never an HTML page or message text."""
    text = str(value or "")
    return text if re.fullmatch(r"[a-z0-9_.]{1,60}", text) else "unreadable_answer"


def _retry_after(headers: dict[str, Any]) -> float:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value[0] if isinstance(value, list) else value))
            except (TypeError, ValueError):
                break
    return DEFAULT_RETRY_AFTER


def send_error_from(exc: Exception) -> SendError:
    """Map what slack_sdk / urllib raised during a post to a SendError.

    urllib raises URLError only while connecting or sending the request, so Slack cannot have
    acted on it; a time-out or a dropped connection while waiting for the answer comes later,
    when Slack may already have posted.
    """
    if isinstance(exc, SendError):
        return exc
    if isinstance(exc, SlackApiError):
        response = exc.response
        status = response.status_code
        error = _code(response.get("error") if isinstance(response.data, dict) else None)
        if status == 429 or error in ("ratelimited", "rate_limited"):
            return SendError(SendErrorKind.RATE_LIMITED, "ratelimited", _retry_after(dict(response.headers)))
        if status >= 500:
            return SendError(SendErrorKind.UNCERTAIN, f"http_{status}")
        if error in UNCERTAIN_ERRORS:
            return SendError(SendErrorKind.UNCERTAIN, error)
        if error in PERMANENT_ERRORS:
            return SendError(SendErrorKind.PERMANENT, error)
        return SendError(SendErrorKind.TRANSIENT, error if status == 200 else f"http_{status}")
    if isinstance(exc, URLError):
        return SendError(SendErrorKind.TRANSIENT, "connection_failed")
    if isinstance(exc, TimeoutError):
        return SendError(SendErrorKind.UNCERTAIN, "timeout")
    if isinstance(exc, HTTPException | OSError):
        return SendError(SendErrorKind.UNCERTAIN, "connection_dropped")
    if isinstance(exc, SlackClientError):
        # Raised before any request is made (bad arguments, bad URL).
        return SendError(SendErrorKind.PERMANENT, "client_error")
    return SendError(SendErrorKind.UNCERTAIN, type(exc).__name__)


class SlackSender:
    """A Sender over `chat.postMessage`; a user id as recipient posts in the bot's DM with them.

    Every failure leaves as a SendError; the client must not retry by itself (see
    `make_sender_client`), so no call ever waits out a Retry-After or posts twice.
    """

    def __init__(self, client: WebClient, *, per_channel_interval: float = PER_CHANNEL_INTERVAL) -> None:
        if client.retry_handlers:
            raise ValueError("the outbox sender needs a WebClient without retry handlers: use make_sender_client")
        self._client = client
        # Read by the outbox, which spaces the posts in one conversation by this many seconds.
        self.per_channel_interval = per_channel_interval

    @classmethod
    def from_settings(cls, settings: Settings, *, per_channel_interval: float = PER_CHANNEL_INTERVAL) -> SlackSender:
        """A sender with its own client, built by `make_sender_client`."""
        return cls(make_sender_client(settings), per_channel_interval=per_channel_interval)

    def post(self, recipient: str, message: dict[str, Any], thread: tuple[str, str] | None) -> tuple[str, str]:
        """Post once and return (channel, ts); raises SendError, never retries."""
        try:
            if thread is not None:
                response = self._client.chat_postMessage(channel=thread[0], thread_ts=thread[1], **message)
            else:
                response = self._client.chat_postMessage(channel=recipient, **message)
        except Exception as exc:
            raise send_error_from(exc) from exc
        return str(response["channel"]), str(response["ts"])
