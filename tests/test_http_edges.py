"""The edges of Slack's endpoint: oversized, malformed and unexpected requests get a 4xx (or 200 for
events we do not use), never a 500, and change nothing."""

from __future__ import annotations

import json
import time
from io import BytesIO
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import create_engine

from bot.http_guard import MAX_BODY_BYTES
from bot.web import make_wsgi_app
from tests.board_support import stored_boards

SETUP = "setup Safeguarding Children Board code SSCB chair <@UCAROL>"
FORM = "application/x-www-form-urlencoded"


def work_done(fake) -> list[str]:
    """Calls the bot made to Slack, apart from the auth.test at start-up."""
    return [c.method for c in fake.calls if c.method != "auth.test"]


def signed_headers(secret: str, body: str, content_type: str = FORM, timestamp: str | None = None) -> dict[str, str]:
    ts = timestamp or str(int(time.time()))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body),
    }


def call_wsgi(environ_extra: dict, body: bytes = b"") -> tuple[str, bytes]:
    """Call the WSGI app directly, for requests no HTTP client sends (no Content-Length, bad UTF-8)."""
    wsgi = make_wsgi_app(app=None, engine=create_engine("sqlite://"))  # type: ignore[arg-type]
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": BytesIO(body),
        **environ_extra,
    }
    statuses: list[str] = []
    answer = b"".join(wsgi(environ, lambda status, headers: statuses.append(status)))
    return statuses[0], answer


# -- sizes ------------------------------------------------------------------------------------------


def test_a_10_mb_unsigned_body_is_refused_with_413(slack, session_factory):
    body = "text=" + "x" * (10 * 1024 * 1024)

    answer = slack.request("POST", "/slack/events", body, {"Content-Type": FORM})

    assert answer.status == 413
    assert stored_boards(session_factory) == []
    assert work_done(slack.fake) == []


def test_a_body_just_over_the_limit_is_refused_even_when_signed(slack, session_factory):
    body = slack.command_body("/meeting", SETUP, user="UCAROL", channel="CBOARD")
    body += "&padding=" + "x" * (MAX_BODY_BYTES + 1 - len(body) - len("&padding="))
    assert len(body) == MAX_BODY_BYTES + 1

    answer = slack.request("POST", "/slack/events", body, signed_headers(slack.secret, body))

    assert answer.status == 413
    assert stored_boards(session_factory) == []


def test_a_signed_command_is_accepted_at_the_size_limit(slack, session_factory):
    body = slack.command_body("/meeting", SETUP, user="UCAROL", channel="CBOARD")
    body += "&padding=" + "x" * (MAX_BODY_BYTES - len(body) - len("&padding="))
    assert len(body) == MAX_BODY_BYTES

    answer = slack.request("POST", "/slack/events", body, signed_headers(slack.secret, body))
    slack.wait_idle()

    assert answer.status == 200
    assert [b.code for b in stored_boards(session_factory)] == ["SSCB"]


def test_a_post_without_content_length_is_refused_with_411_and_nothing_is_read():
    class Unreadable(BytesIO):
        def read(self, *args):  # type: ignore[override]
            raise AssertionError("the body must not be read")

    status, _ = call_wsgi({"CONTENT_TYPE": FORM, "wsgi.input": Unreadable()})

    assert status.startswith("411")


def test_a_content_length_over_the_limit_is_refused_before_the_body_is_read():
    class Unreadable(BytesIO):
        def read(self, *args):  # type: ignore[override]
            raise AssertionError("the body must not be read")

    status, _ = call_wsgi({"CONTENT_LENGTH": str(10 * 1024 * 1024), "wsgi.input": Unreadable()})

    assert status.startswith("413")


@pytest.mark.parametrize("length", ["abc", "-5", "1e3"])
def test_an_invalid_content_length_is_refused_with_400(length):
    status, _ = call_wsgi({"CONTENT_LENGTH": length}, b"text=x")

    assert status.startswith("400")


def test_an_invalid_content_length_through_the_server_is_refused_with_400(slack):
    answer = slack.request("POST", "/slack/events", "text=x", {"Content-Type": FORM, "Content-Length": "abc"})

    assert answer.status == 400


def test_a_body_that_is_not_utf8_is_refused_with_400():
    body = b"text=\xff\xfe"

    status, _ = call_wsgi({"CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": FORM}, body)

    assert status.startswith("400")


# -- malformed headers ------------------------------------------------------------------------------


@pytest.mark.parametrize("timestamp", ["soon", "1.5e9", "", " 12", "9" * 40])
def test_a_malformed_timestamp_header_gets_401_and_changes_nothing(slack, session_factory, timestamp):
    body = slack.command_body("/meeting", SETUP, user="UCAROL", channel="CBOARD")
    headers = signed_headers(slack.secret, body)
    headers["X-Slack-Request-Timestamp"] = timestamp

    answer = slack.request("POST", "/slack/events", body, headers)
    slack.wait_idle()

    assert answer.status == 401
    assert stored_boards(session_factory) == []
    assert work_done(slack.fake) == []


def test_a_signature_header_with_non_ascii_characters_gets_401(slack, session_factory):
    body = slack.command_body("/meeting", SETUP, user="UCAROL", channel="CBOARD")
    headers = signed_headers(slack.secret, body)
    headers["X-Slack-Signature"] = "v0=" + "é" * 64

    answer = slack.request("POST", "/slack/events", body, headers)

    assert answer.status == 401
    assert stored_boards(session_factory) == []


# -- bodies Bolt cannot parse -----------------------------------------------------------------------

MALFORMED = [
    pytest.param(FORM, '{"type": "event_callback", "event": ', id="broken-json-on-the-form-endpoint"),
    pytest.param(FORM, '{"command": "/meeting", "text": "x"', id="json-command-cut-short"),
    pytest.param("application/json", "[1, 2, 3]", id="json-array"),
    pytest.param("application/json", '"just a string"', id="json-string"),
    pytest.param("application/json", "not json at all", id="json-content-type-not-json"),
    pytest.param(FORM, "payload=" + "%7Bnot-json", id="invalid-json-in-payload"),
    pytest.param(FORM, urlencode({"payload": "[1, 2]"}), id="payload-not-an-object"),
    pytest.param(FORM, urlencode({"payload": json.dumps({"type": "block_actions", "authorizations": "x"})}), id="odd"),
]


@pytest.mark.parametrize(("content_type", "body"), MALFORMED)
def test_a_signed_body_bolt_cannot_parse_gets_400_and_changes_nothing(slack, session_factory, content_type, body):
    answer = slack.request("POST", "/slack/events", body, signed_headers(slack.secret, body, content_type))
    slack.wait_idle()

    assert answer.status == 400
    assert json.loads(answer.body) == {"error": "malformed request body"}
    assert work_done(slack.fake) == []


@pytest.mark.parametrize(("content_type", "body"), MALFORMED)
def test_an_unsigned_body_bolt_cannot_parse_gets_a_4xx_not_500(slack, content_type, body):
    answer = slack.request("POST", "/slack/events", body, {"Content-Type": content_type})

    assert answer.status in (400, 401)


def test_the_refusal_does_not_echo_the_body(slack):
    body = "payload=%7BQuokkaSecretWord"

    answer = slack.request("POST", "/slack/events", body, signed_headers(slack.secret, body))

    assert answer.status == 400
    assert "Quokka" not in answer.body


# -- events we do not use ---------------------------------------------------------------------------


def event_body(event: dict) -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": "Ev9",
            "event_time": 1700000000,
            "event": event,
        }
    )


@pytest.mark.parametrize(
    "event",
    [
        {"type": "reaction_added", "user": "UALICE", "reaction": "thumbsup", "item": {"type": "message"}},
        {"type": "message", "channel": "CBOARD", "user": "UALICE", "text": "hello", "ts": "1.2"},
        {"type": "member_joined_channel", "user": "UALICE", "channel": "CBOARD"},
        {"type": "app_home_opened", "user": "UALICE", "channel": "DUALICE", "tab": "messages"},
    ],
    ids=lambda e: e["type"],
)
def test_an_event_type_without_a_listener_gets_200_and_no_answer_in_slack(slack, event):
    body = event_body(event)

    answer = slack.post(body, content_type="application/json")
    slack.wait_idle()

    assert answer.status == 200
    assert work_done(slack.fake) == []


def test_app_home_opened_still_reaches_its_own_listener(slack):
    body = event_body({"type": "app_home_opened", "user": "UALICE", "channel": "DUALICE", "tab": "home"})

    answer = slack.post(body, content_type="application/json")
    slack.wait_idle()

    assert answer.status == 200
    assert [c.args["user_id"] for c in slack.fake.calls_to("views.publish")] == ["UALICE"]
