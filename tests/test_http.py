"""The HTTP front: Slack's signed events endpoint, the health check, unknown paths, ack-then-work."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from io import BytesIO

import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import create_engine

from bot.web import make_wsgi_app
from tests.board_support import stored_boards
from tests.driver import replies

SETUP = "setup Safeguarding Children Board code SSCB chair <@UCAROL>"


class GatedClock:
    """The bot's clock, which can hold a listener at its first look at the time until the test lets go."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.entered = threading.Event()
        self._open = threading.Event()
        self._open.set()

    def hold(self) -> None:
        """From now on, listeners wait when they ask the time."""
        self._open.clear()

    def release(self) -> None:
        """Let held listeners go on."""
        self._open.set()

    def __call__(self) -> datetime:
        self.entered.set()
        # A bounded wait: a broken test must not hang the suite.
        self._open.wait(timeout=10)
        return self.now


@pytest.fixture
def clock() -> GatedClock:
    return GatedClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


def slack_calls(fake) -> list[str]:
    """Web API methods and responses the bot sent, ignoring the auth.test made at start-up."""
    return [c.method for c in fake.calls if c.method != "auth.test"]


# -- signatures ------------------------------------------------------------------------------


def test_request_with_a_bad_signature_gets_401_and_changes_nothing(slack, session_factory):
    body = slack.command_body("/meeting", SETUP, user="UCAROL", channel="CBOARD")

    answer = slack.post(body, secret="not-the-signing-secret")
    slack.executor.wait_idle()

    assert answer.status == 401
    assert stored_boards(session_factory) == []
    assert slack_calls(slack.fake) == []


def test_request_signed_more_than_5_minutes_ago_gets_401_and_changes_nothing(slack, session_factory):
    body = slack.command_body("/meeting", SETUP, user="UCAROL", channel="CBOARD")

    answer = slack.post(body, timestamp=int(time.time()) - 6 * 60)
    slack.executor.wait_idle()

    assert answer.status == 401
    assert stored_boards(session_factory) == []
    assert slack_calls(slack.fake) == []


def test_request_without_signature_headers_gets_401(slack, session_factory):
    body = slack.command_body("/meeting", SETUP, user="UCAROL", channel="CBOARD")

    answer = slack.request("POST", "/slack/events", body, {"Content-Type": "application/x-www-form-urlencoded"})
    slack.executor.wait_idle()

    assert answer.status == 401
    assert stored_boards(session_factory) == []
    assert slack_calls(slack.fake) == []


def test_body_changed_after_signing_gets_401(slack, session_factory):
    signed = slack.command_body("/meeting", SETUP, user="UEVE", channel="CBOARD")
    ts = str(int(time.time()))
    signature = SignatureVerifier(slack.secret).generate_signature(timestamp=ts, body=signed)
    tampered = signed.replace("UEVE", "UADMIN")

    answer = slack.request(
        "POST",
        "/slack/events",
        tampered,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
        },
    )
    slack.executor.wait_idle()

    assert answer.status == 401
    assert stored_boards(session_factory) == []


def test_request_signed_within_5_minutes_is_accepted(slack, session_factory):
    body = slack.command_body("/meeting", SETUP, user="UCAROL", channel="CBOARD")

    answer = slack.post(body, timestamp=int(time.time()) - 4 * 60)
    slack.executor.wait_idle()

    assert answer.status == 200
    assert [b.code for b in stored_boards(session_factory)] == ["SSCB"]


# -- health and unknown paths ------------------------------------------------------------------


def test_healthz_answers_200_json_with_database_status(slack):
    answer = slack.request("GET", "/healthz")

    assert answer.status == 200
    assert json.loads(answer.body) == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    # A SQLite file in a directory that does not exist: every connection fails.
    broken = create_engine(f"sqlite:///{tmp_path}/missing/dir/arising.db")
    wsgi = make_wsgi_app(app=None, engine=broken)  # type: ignore[arg-type]
    statuses: list[str] = []
    environ = {"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET", "wsgi.input": BytesIO()}

    body = b"".join(wsgi(environ, lambda status, headers: statuses.append(status)))

    assert statuses == ["503 Service Unavailable"]
    assert json.loads(body) == {"status": "degraded", "database": "unavailable"}


@pytest.mark.parametrize(("method", "path"), [("GET", "/"), ("GET", "/nope"), ("POST", "/slack/other")])
def test_unknown_path_answers_404(slack, method, path):
    answer = slack.request(method, path)

    assert answer.status == 404


def test_get_on_the_events_endpoint_answers_404(slack):
    assert slack.request("GET", "/slack/events").status == 404


# -- ack first, work after --------------------------------------------------------------------


def test_command_is_acked_before_its_work_and_the_reply_follows_via_response_url(slack, clock):
    body = slack.command_body("/mine", "", user="UALICE", channel="DUALICE")
    clock.hold()
    try:
        answer = slack.post(body)

        # Slack's 3-second deadline is met while the listener is still held mid-work.
        assert answer.status == 200
        assert clock.entered.wait(timeout=10)
        assert replies(slack.fake.calls) == []
    finally:
        clock.release()
    calls = slack.fake.wait_for(lambda calls: bool(replies(calls)))

    [reply] = replies(calls)
    assert "You have no outstanding actions" in reply.text
    assert reply.args["response_type"] == "ephemeral"


def test_a_failure_inside_a_command_gets_a_private_apology_and_changes_nothing(slack, session_factory, monkeypatch):
    from bot.services import boards

    def explode(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(boards, "setup_board", explode)

    calls = slack.command("/meeting", SETUP, user="UCAROL")

    [reply] = replies(calls)
    assert "Something went wrong on our side and nothing was changed" in reply.text
    assert "database went away" not in reply.text
    assert stored_boards(session_factory) == []


def test_events_url_verification_echoes_the_challenge(slack):
    body = json.dumps({"type": "url_verification", "token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV"})

    answer = slack.post(body, content_type="application/json")

    assert answer.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV" in answer.body


def test_app_home_shows_the_openers_actions(board):
    import json as _json

    board.command("/action", "add AF to circulate the report by 15/12/2026")
    event = {
        "token": "legacy",
        "team_id": "T1",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": "Ev1",
        "event_time": 1700000000,
        "event": {"type": "app_home_opened", "user": "UALICE", "channel": "DUALICE", "tab": "home"},
    }
    answer = board.post(_json.dumps(event), content_type="application/json")
    assert answer.status == 200
    board.executor.wait_idle()
    [publish] = board.fake.calls_to("views.publish")
    assert publish.args["user_id"] == "UALICE"
    texts = _json.dumps(publish.args["view"])
    assert "SSCB-1" in texts and "Circulate the report" in texts
