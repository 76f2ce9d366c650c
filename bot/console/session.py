"""`arising console`: play a board without a Slack workspace.

The real app (Bolt, the handlers, the services, the clock) is served on 127.0.0.1 and driven
the way Slack drives it, with signed requests; its Web API calls go to the stand-in, and the
console prints what each person would see. Nothing here is a second implementation of the bot.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from http.client import HTTPConnection
from itertools import count
from urllib.parse import urlencode, urlparse

from dateutil import parser as dateparser
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine
from waitress.server import create_server

from bot.app import create_app, make_client
from bot.channels import SlackChannels
from bot.console.screen import show
from bot.console.standin import SlackStandIn, Workspace
from bot.deps import Deps
from bot.directory import SlackDirectory
from bot.scheduled.due_work import run_due
from bot.settings import Settings
from bot.slack_sender import SlackSender
from bot.walltime import DEFAULT_TZ, zone
from bot.workers import TrackingExecutor
from storage.db import make_session_factory

HELP = """\
Type slash commands as in Slack: /meeting setup Safeguarding Board code SSCB chair @carol
  @name and #channel are turned into mentions, as Slack does.
Console commands:
  as @name [admin]    act as this person (created on first use; `admin` makes a workspace admin)
  in #channel         type in this channel (a DM is not a channel: boards live in channels)
  at <date> [time]    move the clock, e.g. `at 11/12/2026 09:00` (day first, board time)
  tick                run the clock now: summaries, chasers and reminders that are due go out
  home                open the App Home tab
  who                 who and where you are, and the time
  help, quit"""

_MENTION = re.compile(r"(?<![\w<|])@([A-Za-z][\w.-]*)")
_CHANNEL = re.compile(r"(?<![\w<|])#([A-Za-z][\w-]*)")


class ConsoleClock:
    """The bot's clock in the console: the real time until `at` moves it, then that instant."""

    def __init__(self) -> None:
        self.fixed: datetime | None = None

    def __call__(self) -> datetime:
        return self.fixed or datetime.now(UTC)


class ConsoleSession:
    """One console: the bot served locally, the stand-in, who is typing, where, and when."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.workspace = Workspace()
        self.standin = SlackStandIn(self.workspace).start()
        self.clock = ConsoleClock()
        self._secret = secrets.token_hex(16)
        self._serial = count(1)
        self._shown = 0
        settings = settings.model_copy(
            update={
                "slack_bot_token": "xoxb-console",
                "slack_signing_secret": self._secret,
                "slack_api_url": self.standin.api_url,
                "scheduler_enabled": False,
                "inbox_dir": tempfile.mkdtemp(prefix="arising-console-"),
            }
        )
        self._pool = TrackingExecutor(max_workers=4)
        session_factory = make_session_factory(engine)
        client = make_client(settings)
        app = create_app(
            settings, session_factory=session_factory, client=client, clock=self.clock, executor=self._pool
        )
        self._deps = Deps(
            session_factory=session_factory,
            directory=SlackDirectory(client),
            clock=self.clock,
            channels=SlackChannels(client),
        )
        # The stand-in Slack has no per-channel limit: the clock's posts are not spaced.
        self._sender = SlackSender.from_settings(settings, per_channel_interval=0)
        from bot.web import make_wsgi_app

        self._server = create_server(
            make_wsgi_app(app, engine), host="127.0.0.1", port=0, threads=4, asyncore_loop_timeout=0.05
        )
        threading.Thread(target=self._serve, daemon=True).start()
        self._shown = len(self.standin.deliveries)  # auth.test and the like show nothing
        self.user = self.workspace.person("alice")
        self.channel = self.workspace.channel("board")

    def _serve(self) -> None:
        with contextlib.suppress(OSError):  # close() pulls the socket from under the loop
            self._server.run()

    def close(self) -> None:
        """Stop the local server, the work pool and the stand-in."""
        self._pool.wait_idle()
        self._server.close()
        self._pool.shutdown(wait=True)
        self.standin.stop()

    # -- one line typed ------------------------------------------------------------------------
    def execute(self, line: str) -> str:
        """Do what one typed line says; return what to print."""
        line = line.strip()
        if not line:
            return ""
        word, _, rest = line.partition(" ")
        word = word.lower()
        if word.startswith("/"):
            return self._slash(word, rest)
        handler = {
            "as": self._as,
            "in": self._in,
            "at": self._at,
            "tick": self._tick,
            "home": self._home,
            "who": self._who,
            "help": lambda _: HELP,
        }.get(word)
        if handler is None:
            return f"I don't know `{word}`. Slash commands start with /; type `help` for the rest."
        return handler(rest.strip())

    def _as(self, rest: str) -> str:
        words = rest.split()
        if not words or not words[0].lstrip("@"):
            return "Say who you are, e.g. `as @carol` or `as @dave admin`."
        self.user = self.workspace.person(words[0].lstrip("@"), admin="admin" in words[1:])
        return self._who("")

    def _in(self, rest: str) -> str:
        name = rest.lstrip("#").strip()
        if not name or " " in name:
            return "Say which channel, e.g. `in #board`."
        self.channel = self.workspace.channel(name)
        return self._who("")

    def _at(self, rest: str) -> str:
        try:
            local = dateparser.parse(rest, dayfirst=True)
        except (ValueError, OverflowError):
            return f"`{rest}` is not a date I can read: e.g. `at 11/12/2026 09:00`."
        if local.tzinfo is None:
            local = local.replace(tzinfo=zone(DEFAULT_TZ))
        self.clock.fixed = local.astimezone(UTC)
        return self._who("")

    def _tick(self, _: str) -> str:
        run_due(replace(self._deps, clock=self.clock), self._sender, self.clock())
        return self._news() or "(nothing was due)"

    def _home(self, _: str) -> str:
        event_id = f"EvConsole{next(self._serial)}"
        event = {"type": "app_home_opened", "user": self.user, "channel": "D" + self.user, "tab": "home"}
        body = {"type": "event_callback", "team_id": self.workspace.team_id, "api_app_id": "ACONSOLE"}
        self._post(json.dumps(body | {"event_id": event_id, "event_time": 1, "event": event}), "application/json")
        return self._news()

    def _who(self, _: str) -> str:
        local = self.clock().astimezone(zone(DEFAULT_TZ))
        return (
            f"You are {self.workspace.name_of(self.user)} in {self.workspace.name_of(self.channel)}; "
            f"it is {local:%a %d %b %Y %H:%M} ({'set with `at`' if self.clock.fixed else 'the real time'})."
        )

    def _slash(self, command: str, text: str) -> str:
        serial = next(self._serial)
        form = urlencode(
            {
                "team_id": self.workspace.team_id,
                "channel_id": self.channel,
                "channel_name": self.workspace.channels[self.channel],
                "user_id": self.user,
                "user_name": self.workspace.users[self.user]["name"],
                "command": command,
                "text": self._as_slack_sends(text),
                "response_url": self.standin.response_url(self.user, serial),
                "trigger_id": f"console.{serial}",
            }
        )
        status, answer = self._post(form, "application/x-www-form-urlencoded")
        if status != 200:
            return f"Slack would show: `{command}` failed (HTTP {status})."
        immediate = f"── only you see ──\n    {answer}\n" if answer else ""
        return immediate + self._news()

    def _as_slack_sends(self, text: str) -> str:
        # Slack escapes &, <, > and sends mentions as <@U…|name> (should_escape in the manifest).
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = _MENTION.sub(lambda m: f"<@{self.workspace.person(m.group(1))}|{m.group(1).lower()}>", text)
        return _CHANNEL.sub(lambda m: f"<#{self.workspace.channel(m.group(1))}|{m.group(1).lower()}>", text)

    def _post(self, body: str, content_type: str) -> tuple[int, str]:
        ts = str(int(time.time()))
        url = urlparse(f"http://127.0.0.1:{self._server.effective_port}")
        conn = HTTPConnection(url.hostname, url.port, timeout=30)
        try:
            conn.request(
                "POST",
                "/slack/events",
                body=body.encode(),
                headers={
                    "Content-Type": content_type,
                    "X-Slack-Request-Timestamp": ts,
                    "X-Slack-Signature": SignatureVerifier(self._secret).generate_signature(timestamp=ts, body=body),
                },
            )
            response = conn.getresponse()
            raw = response.read().decode()
        finally:
            conn.close()
        self._pool.wait_idle()
        return response.status, _ack_text(raw)

    def _news(self) -> str:
        fresh = self.standin.taken_since(self._shown)
        self._shown += len(fresh)
        return "\n".join(show(d, self.workspace.name_of) for d in fresh)


def _ack_text(raw: str) -> str:
    if not raw.strip():
        return ""
    try:
        return str(json.loads(raw).get("text") or "")
    except ValueError:
        return raw
