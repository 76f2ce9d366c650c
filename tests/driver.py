"""Drives the bot the way Slack does: signed requests POSTed to its real HTTP endpoint."""

from __future__ import annotations

import http.client
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlparse

from slack_sdk.signature import SignatureVerifier

from bot.workers import TrackingExecutor
from tests.fakeslack import Call, FakeSlack, view_problems


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

    # -- interactivity: what Slack POSTs as `payload=<json>` ------------------------------------
    def interact(self, payload: dict[str, Any]) -> HttpAnswer:
        """POST an interactive payload (block_actions, view_submission, shortcut, message_action) as Slack
        sends it: form-encoded `payload=<json>`, signed. Checks any view the bot answers with."""
        answer = self.post(urlencode({"payload": json.dumps(payload)}))
        assert answer.status == 200, answer
        if answer.body.strip().startswith("{"):
            body = json.loads(answer.body)
            if isinstance(body.get("view"), dict):
                problems = view_problems(body["view"])
                assert not problems, f"response_action view Slack would reject: {problems}"
        return answer

    def _base(self, kind: str, user: str, team: str | None) -> dict[str, Any]:
        n = next(self._ids)
        return {
            "type": kind,
            "token": "legacy",
            "api_app_id": "A1",
            "team": {"id": team or self.fake.team_id, "domain": "board"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team or self.fake.team_id},
            "trigger_id": f"trigger.{n}",
            "is_enterprise_install": False,
        }

    def shortcut(self, callback_id: str, *, user: str = "UALICE", team: str | None = None) -> list[Call]:
        """A global shortcut (from the search bar or the + menu); runs to completion."""
        before = len(self.fake.calls)
        self.interact({**self._base("shortcut", user, team), "callback_id": callback_id, "action_ts": "1700000000.1"})
        self.wait_idle()
        return self.fake.calls[before:]

    def message_shortcut(
        self,
        callback_id: str,
        message: dict[str, Any],
        *,
        user: str = "UALICE",
        channel: str = "CBOARD",
        team: str | None = None,
    ) -> list[Call]:
        """A message shortcut on `message` (its `text`, `ts`, `user`) in `channel`; runs to completion."""
        n = next(self._ids)
        payload = {
            **self._base("message_action", user, team),
            "callback_id": callback_id,
            "action_ts": "1700000000.2",
            "message_ts": message.get("ts", "1699999999.000100"),
            "message": {"type": "message", "ts": "1699999999.000100", **message},
            "channel": {"id": channel, "name": "board"},
            "response_url": self.fake.response_url(f"msg{n}"),
        }
        before = len(self.fake.calls)
        self.interact(payload)
        self.wait_idle()
        return self.fake.calls[before:]

    def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str = "UALICE",
        message: Call | None = None,
        view: dict[str, Any] | None = None,
        team: str | None = None,
        wait: bool = True,
    ) -> list[Call]:
        """Click a button: on a message the bot sent (`message`, a recorded chat.postMessage, or a private
        `respond` answer), or in a view (`view`, the Home tab or a modal as the bot published it)."""
        n = next(self._ids)
        payload = self._base("block_actions", user, team)
        block_id = _find_block_id(
            message.args.get("blocks") if message else (view or {}).get("blocks"), action_id, value
        )
        payload["actions"] = [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "action_ts": "1700000000.3",
                "text": {"type": "plain_text", "text": action_id},
            }
        ]
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id", "VHOME")}
            payload["view"] = {**view, "id": view.get("id", "VHOME"), "hash": view.get("hash", "h1")}
        elif message is not None and message.method == "respond":
            # A private (ephemeral) answer: Slack sends no message, and a response_url that replaces it.
            payload["container"] = {"type": "message", "message_ts": "1700000000.000009", "is_ephemeral": True}
            payload["channel"] = {"id": "CBOARD"}
            payload["response_url"] = self.fake.response_url(f"click{n}")
        else:
            assert message is not None
            channel = str(message.args.get("channel"))
            channel = "D" + channel if channel.startswith(("U", "W")) else channel
            ts = str(message.args.get("ts") or "1700000000.000001")
            payload["container"] = {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False}
            payload["channel"] = {"id": channel}
            payload["message"] = {
                "type": "message",
                "ts": ts,
                "text": message.args.get("text"),
                "blocks": message.args.get("blocks"),
            }
            payload["response_url"] = self.fake.response_url(f"click{n}")
        before = len(self.fake.calls)
        self.interact(payload)
        if wait:
            self.wait_idle()
        return self.fake.calls[before:]

    def submit(
        self,
        view: dict[str, Any],
        values: dict[str, dict[str, Any]],
        *,
        user: str = "UALICE",
        team: str | None = None,
    ) -> tuple[HttpAnswer, list[Call]]:
        """Submit a modal the bot opened: `view` as the fake Slack holds it, `values` as
        {block_id: {action_id: state}} (e.g. {"what": {"what": {"type": "plain_text_input", "value": "…"}}}).
        Returns the HTTP answer (the response_action) and the calls the work made."""
        payload = self._base("view_submission", user, team)
        payload["view"] = {**view, "state": {"values": values}}
        before = len(self.fake.calls)
        answer = self.interact(payload)
        if answer.body.strip().startswith("{"):
            body = json.loads(answer.body)
            if body.get("response_action") == "update":
                self.fake.submitted(view["id"], body["view"])
        self.wait_idle()
        return answer, self.fake.calls[before:]

    def home_opened(self, *, user: str = "UALICE", tab: str = "home", team: str | None = None) -> list[Call]:
        """The `app_home_opened` event Slack sends when someone opens the app's Home tab."""
        event = {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": tab, "event_ts": "1.2"}
        return self.event(event, team=team)

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

    def wait_idle(self) -> None:
        """Wait until the work of every request acked so far has finished."""
        self.executor.wait_idle()


def replies(calls: list[Call]) -> list[Call]:
    """The private answers (response_url posts) among `calls`."""
    return [c for c in calls if c.method == "respond"]


def posts(calls: list[Call]) -> list[Call]:
    """The channel posts among `calls`."""
    return [c for c in calls if c.method == "chat.postMessage"]


def _find_block_id(blocks: list[dict[str, Any]] | None, action_id: str, value: str) -> str:
    """The block that holds the button (Slack sends its block_id with the click); fails if it is not there."""
    for block in blocks or []:
        for element in [*(block.get("elements") or []), block.get("accessory") or {}]:
            if element.get("action_id") == action_id and element.get("value") == value:
                return str(block.get("block_id") or "")
    raise AssertionError(f"no button {action_id}={value} in what the user sees")


def views(calls: list[Call], method: str = "views.open") -> list[dict[str, Any]]:
    """The views sent with `method` among `calls`."""
    return [c.args["view"] for c in calls if c.method == method]


def view_text(view: dict[str, Any]) -> str:
    """Everything a user reads in a view: every block's text, labels and hints."""
    parts = [str((view.get("title") or {}).get("text", ""))]
    for block in view.get("blocks") or []:
        for key in ("text", "label", "hint"):
            if isinstance(block.get(key), dict):
                parts.append(str(block[key].get("text", "")))
        for element in block.get("elements") or []:
            text = element.get("text") if isinstance(element, dict) else None
            if isinstance(text, dict):
                parts.append(str(text.get("text", "")))
            elif isinstance(text, str):
                parts.append(text)
        for f in block.get("fields") or []:
            parts.append(str(f.get("text", "")))
    return "\n".join(parts)
