"""Drives the bot the way Slack does: signed requests POSTed to its real HTTP endpoint."""

from __future__ import annotations

import http.client
import itertools
import json
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlparse

from slack_sdk.signature import SignatureVerifier

from bot.workers import TrackingExecutor
from tests.fakeslack import Call, FakeSlack


@dataclass
class HttpAnswer:
    """What the bot's HTTP endpoint answered."""

    status: int
    body: str


class SlackDriver:
    """Sends slash commands as Slack would and collects what the bot then said."""

    def __init__(self, bot_url: str, signing_secret: str, fake: FakeSlack, executor: TrackingExecutor) -> None:
        self.bot_url = bot_url
        self.secret = signing_secret
        self.fake = fake
        self.executor = executor
        self._ids = itertools.count(1)

    def post(
        self,
        body: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        content_type: str = "application/x-www-form-urlencoded",
    ) -> HttpAnswer:
        """POST a raw body to /slack/events, signed with `secret` (the real one by default)."""
        ts = str(timestamp if timestamp is not None else int(time.time()))
        signature = SignatureVerifier(secret or self.secret).generate_signature(timestamp=ts, body=body)
        return self.request(
            "POST",
            "/slack/events",
            body,
            {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature},
        )

    def request(self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None) -> HttpAnswer:
        """A plain HTTP request to the bot."""
        url = urlparse(self.bot_url)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        try:
            conn.request(method, path, body=body.encode(), headers=headers or {})
            response = conn.getresponse()
            return HttpAnswer(response.status, response.read().decode())
        finally:
            conn.close()

    def command_body(self, command: str, text: str, *, user: str, channel: str, team: str | None = None) -> str:
        """The form body Slack sends for a slash command."""
        n = next(self._ids)
        return urlencode(
            {
                "token": "legacy",
                "team_id": team or self.fake.team_id,
                "team_domain": "board",
                "channel_id": channel,
                "channel_name": "board",
                "user_id": user,
                "user_name": user.lower(),
                "command": command,
                "text": text,
                "api_app_id": "A1",
                "response_url": self.fake.response_url(f"cmd{n}"),
                "trigger_id": f"trigger.{n}",
            }
        )

    def command(
        self,
        command: str,
        text: str = "",
        *,
        user: str = "UALICE",
        channel: str = "CBOARD",
        team: str | None = None,
    ) -> list[Call]:
        """Run a slash command to completion; return the calls the bot made for it."""
        before = len(self.fake.calls)
        answer = self.post(self.command_body(command, text, user=user, channel=channel, team=team))
        assert answer.status == 200, answer
        self.wait_idle()
        return self.fake.calls[before:]

    def event(self, event: dict, *, team: str | None = None) -> list[Call]:
        """Deliver an Events API event (signed JSON) and run its work to completion; the calls it made."""
        before = len(self.fake.calls)
        body = {
            "type": "event_callback",
            "team_id": team or self.fake.team_id,
            "api_app_id": "A1",
            "event_id": f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()),
            "event": event,
        }
        answer = self.post(json.dumps(body), content_type="application/json")
        assert answer.status == 200, answer
        self.wait_idle()
        return self.fake.calls[before:]

    def interact(self, payload: dict) -> HttpAnswer:
        """POST an interaction (block_actions, view_submission) as Slack does: form-encoded `payload=<json>`,
        signed. The HTTP answer is the ack, with any response_action; `wait_idle()` runs the queued work."""
        answer = self.post(urlencode({"payload": json.dumps(payload)}))
        assert answer.status == 200, answer
        return answer

    def wait_idle(self) -> None:
        """Wait until the work of every request acked so far has finished."""
        self.executor.wait_idle()


def replies(calls: list[Call]) -> list[Call]:
    """The private answers (response_url posts) among `calls`."""
    return [c for c in calls if c.method == "respond"]


def posts(calls: list[Call]) -> list[Call]:
    """The channel posts among `calls`."""
    return [c for c in calls if c.method == "chat.postMessage"]
