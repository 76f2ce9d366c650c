"""The outbox's Slack sender: one request per post, every failure a SendError whose kind says what
Slack may have done."""

from __future__ import annotations

import socket
import threading

import pytest
from slack_sdk import WebClient

from bot.app import make_client
from bot.sending import SendError, SendErrorKind
from bot.slack_sender import SlackSender

MESSAGE = {"text": "Matters arising: SSCB"}


@pytest.fixture
def sender(settings) -> SlackSender:
    return SlackSender.from_settings(settings)


def _failure(sender: SlackSender, recipient: str = "CBOARD") -> SendError:
    with pytest.raises(SendError) as caught:
        sender.post(recipient, MESSAGE, None)
    return caught.value


def test_a_post_returns_the_channel_and_ts(sender, fake_slack):
    channel, ts = sender.post("UCAROL", MESSAGE, None)
    assert channel == "DUCAROL" and ts
    assert [c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")] == ["UCAROL"]


def test_429_is_rate_limited_with_retry_after_and_not_waited_out(sender, fake_slack):
    fake_slack.rate_limit_next("chat.postMessage", times=2, retry_after=130)
    error = _failure(sender)
    assert error.kind is SendErrorKind.RATE_LIMITED and error.retry_after == 130
    assert len(fake_slack.calls_to("chat.postMessage!429")) == 1  # the client did not retry


@pytest.mark.parametrize("code", ["channel_not_found", "invalid_auth", "is_archived"])
def test_a_refusal_that_needs_someone_to_act_is_permanent(sender, fake_slack, code):
    fake_slack.fail_next("chat.postMessage", code)
    error = _failure(sender)
    assert (error.kind, error.reason) == (SendErrorKind.PERMANENT, code)


def test_not_in_channel_is_permanent(sender, fake_slack):
    fake_slack.not_in_channels.add("CBOARD")
    assert _failure(sender).kind is SendErrorKind.PERMANENT


def test_internal_error_may_have_posted(sender, fake_slack):
    fake_slack.fail_next("chat.postMessage", "internal_error")
    error = _failure(sender)
    assert error.kind is SendErrorKind.UNCERTAIN and error.may_have_posted


def test_an_html_5xx_page_is_uncertain_and_its_text_is_not_kept(sender, fake_slack):
    fake_slack.http_error_next("chat.postMessage", 502)
    error = _failure(sender)
    assert (error.kind, error.reason) == (SendErrorKind.UNCERTAIN, "http_502")
    assert "html" not in str(error)


def test_a_dropped_connection_is_uncertain_and_not_posted_again_by_the_client(sender, fake_slack):
    fake_slack.drop_next("chat.postMessage", posted=True)
    error = _failure(sender)
    assert (error.kind, error.reason) == (SendErrorKind.UNCERTAIN, "connection_dropped")
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_time_out_is_uncertain(fake_slack):
    release = threading.Event()
    fake_slack.hang_next("chat.postMessage", release)
    client = WebClient(token="xoxb-test", base_url=fake_slack.api_url, timeout=0.5, retry_handlers=[])
    try:
        error = _failure(SlackSender(client))
    finally:
        release.set()
    assert (error.kind, error.reason) == (SendErrorKind.UNCERTAIN, "timeout")
    # Slack did post it: that is why a time-out is not taken as "not sent".
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_refused_connection_is_transient(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = WebClient(token="xoxb-test", base_url=f"http://127.0.0.1:{port}/api/", retry_handlers=[])
    error = _failure(SlackSender(client))
    assert (error.kind, error.reason) == (SendErrorKind.TRANSIENT, "connection_failed")


def test_a_client_that_retries_by_itself_is_refused(settings):
    with pytest.raises(ValueError, match="without retry handlers"):
        SlackSender(make_client(settings))
