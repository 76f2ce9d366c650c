"""Retries of Slack Web API calls that can never post a message twice.

slack_sdk's `ConnectionErrorRetryHandler` sends the request again after `RemoteDisconnected` or
`ConnectionResetError`, which urllib raises while *waiting for the answer*: Slack may already have
posted the message, so a retry posts it a second time. Its `ServerErrorRetryHandler` retries a 500,
which Slack documents as "some aspect of the operation may have succeeded". A time-out while waiting
for the answer (`TimeoutError`) is not retried by either, and must stay so.

Here a method that creates something (a message) is retried only when Slack surely did not act on it:
the connection failed before the request was sent (urllib wraps those in `URLError`), or Slack
answered 503. Other methods (reads, and writes that replace, such as `views.publish`) are also retried
after a dropped connection and on 500/502/504. Time-outs are never retried: Slack is slow, and asking
again only doubles the wait. 429s are left to slack_sdk's `RateLimitErrorRetryHandler`.
"""

from __future__ import annotations

from http.client import HTTPException
from urllib.error import HTTPError, URLError
from urllib.parse import urlparse

from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

# Calling these twice makes two of something people see.
NON_IDEMPOTENT_METHODS = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.meMessage",
        "chat.scheduleMessage",
        "files.upload",
        "files.completeUploadExternal",
        "conversations.create",
    }
)
_SAFE_SERVER_ERRORS = frozenset({503})  # "unavailable": the request was not carried out
_SERVER_ERRORS = frozenset({500, 502, 503, 504})


def api_method(request: HttpRequest) -> str:
    """The Web API method a request calls, from its URL (`…/api/chat.postMessage?…` → `chat.postMessage`)."""
    return urlparse(request.url).path.rsplit("/", 1)[-1]


def idempotent(request: HttpRequest) -> bool:
    """False for methods that create a message (or a file, a channel) each time they are called."""
    return api_method(request) not in NON_IDEMPOTENT_METHODS


class SafeConnectionErrorRetryHandler(RetryHandler):
    """Retries a failed connection; after the request went out, only for methods safe to repeat."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if error is None or response is not None or isinstance(error, (HTTPError, TimeoutError)):
            return False
        if isinstance(error, URLError):
            # Raised by urllib while connecting or sending: Slack never got the whole request.
            # A connect time-out is not retried all the same: it would only double the wait.
            return not isinstance(error.reason, TimeoutError)
        if isinstance(error, (ConnectionError, HTTPException)):
            # The request was sent and the answer lost: Slack may have acted on it.
            return idempotent(request)
        return False


class SafeServerErrorRetryHandler(RetryHandler):
    """Retries 5xx answers; for methods that create something, only 503, which means "not done"."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None:
            return False
        allowed = _SERVER_ERRORS if idempotent(request) else _SAFE_SERVER_ERRORS
        return response.status_code in allowed
