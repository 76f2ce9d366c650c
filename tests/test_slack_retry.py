"""Which failed Web API calls the client tries again: never a post Slack may already have made."""

from __future__ import annotations

from http.client import RemoteDisconnected
from urllib.error import URLError

from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.slack_retry import SafeConnectionErrorRetryHandler, SafeServerErrorRetryHandler


def request(method: str) -> HttpRequest:
    return HttpRequest(method="POST", url=f"https://slack.com/api/{method}", headers={})


def connection_retry(method: str, error: Exception) -> bool:
    return SafeConnectionErrorRetryHandler(max_retry_count=2).can_retry(
        state=RetryState(), request=request(method), error=error
    )


def server_retry(method: str, status: int) -> bool:
    return SafeServerErrorRetryHandler(max_retry_count=2).can_retry(
        state=RetryState(), request=request(method), response=HttpResponse(status_code=status, headers={})
    )


def test_a_post_whose_connection_failed_before_sending_is_retried():
    assert connection_retry("chat.postMessage", URLError(ConnectionRefusedError(111, "refused")))


def test_a_post_whose_answer_was_lost_is_not_retried():
    assert not connection_retry("chat.postMessage", RemoteDisconnected("closed"))


def test_a_read_whose_answer_was_lost_is_retried():
    assert connection_retry("users.info", RemoteDisconnected("closed"))


def test_a_time_out_is_never_retried():
    assert not connection_retry("users.info", TimeoutError("timed out"))


def test_a_post_answered_503_is_retried():
    assert server_retry("chat.postMessage", 503)


def test_a_post_answered_500_is_not_retried():
    assert not server_retry("chat.postMessage", 500)


def test_a_read_answered_502_is_retried():
    assert server_retry("users.info", 502)
