"""A Slack stand-in for `arising console`: the Web API methods the bot calls, on 127.0.0.1.

It answers like Slack does and keeps what the bot sent (channel posts, threads, private
replies, DMs, Home tabs) as `Delivery` records for the console to show. It is not a test
double: the console uses it so that a person can try the real bot without a workspace.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass(frozen=True)
class Delivery:
    """One thing the bot showed someone: where (`channel`, `dm`, `private`, `home`, `thread`) and to whom."""

    where: str
    target: str
    text: str
    blocks: list[dict[str, Any]]


@dataclass
class Workspace:
    """The people and channels the stand-in knows: `users` by id, with display names."""

    team_id: str = "TCONSOLE"
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)

    def person(self, handle: str, *, admin: bool = False) -> str:
        """The user id of `handle` (`carol` → UCAROL), adding them on first use."""
        user_id = "U" + "".join(ch for ch in handle.upper() if ch.isalnum())[:20]
        known = self.users.get(user_id)
        if known is None or (admin and not known["is_admin"]):
            self.users[user_id] = {
                "id": user_id,
                "team_id": self.team_id,
                "name": handle.lower(),
                "real_name": handle.capitalize(),
                "is_admin": admin,
                "tz": "Europe/London",
            }
        return user_id

    def channel(self, name: str) -> str:
        """The channel id of `#name`, adding it on first use."""
        channel_id = "C" + "".join(ch for ch in name.upper() if ch.isalnum())[:20]
        self.channels.setdefault(channel_id, name.lower())
        return channel_id

    def name_of(self, object_id: str) -> str:
        """`@name` for a user id, `#name` for a channel id, else the id itself."""
        if object_id in self.users:
            return "@" + self.users[object_id]["name"]
        if object_id in self.channels:
            return "#" + self.channels[object_id]
        return object_id


class SlackStandIn:
    """Serves the Web API on an ephemeral loopback port; `deliveries` grows as the bot talks."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> SlackStandIn:
        """Start serving in a daemon thread."""
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                body = standin.answer(self.path, _decode(raw, self.headers.get("Content-Type", "")))
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass  # the console shows what matters; nothing typed reaches a log

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        """What the bot's WebClient uses as `base_url`."""
        return self.base_url + "/api/"

    def response_url(self, user_id: str, serial: int) -> str:
        """A response_url whose posts are shown privately to `user_id`."""
        return f"{self.base_url}/respond/{user_id}/{serial}"

    def taken_since(self, start: int) -> list[Delivery]:
        """Deliveries from index `start` on."""
        with self._lock:
            return self.deliveries[start:]

    def answer(self, path: str, args: dict[str, Any]) -> dict[str, Any]:
        """The JSON answer Slack would give to a call of `path`, recording what it shows."""
        if path.startswith("/respond/"):
            user_id = path.split("/")[2]
            self._show("private", user_id, args)
            return {"ok": True}
        method = path.removeprefix("/api/")
        if method == "auth.test":
            return {"ok": True, "user_id": "UARISING", "bot_id": "BARISING", "team_id": self.workspace.team_id}
        if method == "users.info":
            user = self.workspace.users.get(str(args.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "conversations.open":
            user = str(args.get("users", "")).split(",")[0]
            return {"ok": True, "channel": {"id": "D" + user}}
        if method == "conversations.info":
            channel = str(args.get("channel"))
            return {"ok": True, "channel": {"id": channel, "is_ext_shared": False}}
        if method in ("chat.postMessage", "chat.update"):
            return self._post(args)
        if method == "chat.postEphemeral":
            self._show("private", str(args.get("user")), args)
            return {"ok": True, "message_ts": self._next_ts()}
        if method in ("views.publish", "views.open", "views.update", "views.push"):
            view = args.get("view") or {}
            self._show("home" if method == "views.publish" else "modal", str(args.get("user_id", "")), view)
            return {"ok": True, "view": {"id": "V1", **view}}
        return {"ok": False, "error": "unknown_method"}

    def _post(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel"))
        ts = self._next_ts()
        if channel.startswith(("U", "W")):
            self._show("dm", channel, args)
            return {"ok": True, "channel": "D" + channel, "ts": ts}
        if channel.startswith("D"):
            self._show("dm", channel[1:], args)
        else:
            self._show("thread" if args.get("thread_ts") else "channel", channel, args)
        return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}}

    def _show(self, where: str, target: str, args: dict[str, Any]) -> None:
        with self._lock:
            self.deliveries.append(Delivery(where, target, str(args.get("text") or ""), list(args.get("blocks") or [])))

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"


def _decode(raw: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        return json.loads(raw or "{}")
    args: dict[str, Any] = {k: v[0] for k, v in parse_qs(raw).items()}
    for key in ("blocks", "attachments", "view"):
        if isinstance(args.get(key), str):
            args[key] = json.loads(args[key])
    return args
