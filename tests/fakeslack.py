"""A fake Slack Web API on 127.0.0.1 that records every call and checks Slack's message limits."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

MAX_BLOCKS_MESSAGE = 50
MAX_BLOCKS_SURFACE = 100
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_TEXT = 40000
# Views (modals and the Home tab): https://api.slack.com/reference/surfaces/views
MAX_VIEW_TITLE = 24
MAX_VIEW_BUTTON = 24
MAX_PRIVATE_METADATA = 3000
MAX_CALLBACK_ID = 255
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
MAX_ACTIONS_ELEMENTS = 25
MAX_OPTIONS = 100
MAX_INPUT_LABEL = 2000
# A status `_handle` returns to close the connection without answering.
DROP = -1


@dataclass
class Call:
    """One request the bot made: a Web API method, or a post to a response_url."""

    method: str
    args: dict[str, Any]

    @property
    def text(self) -> str:
        """Everything a user would read: the fallback text and the text of every block."""
        parts = [str(self.args.get("text") or "")]
        parts += _block_texts(self.args.get("blocks") or [])
        return "\n".join(parts)


def _block_texts(blocks: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            out.append(block["text"].get("text", ""))
        for element in block.get("elements", []) or []:
            if isinstance(element, dict) and "text" in element:
                text = element["text"]
                out.append(text.get("text", "") if isinstance(text, dict) else str(text))
        for f in block.get("fields", []) or []:
            out.append(f.get("text", ""))
    return out


def limit_problems(args: dict[str, Any], max_blocks: int = MAX_BLOCKS_MESSAGE) -> list[str]:
    """What Slack would reject in this payload."""
    problems = []
    blocks = args.get("blocks") or []
    if len(blocks) > max_blocks:
        problems.append(f"{len(blocks)} blocks > {max_blocks}")
    if len(str(args.get("text") or "")) > MAX_TEXT:
        problems.append("text over 40000 characters")
    for block in blocks:
        text = (block.get("text") or {}).get("text", "") if isinstance(block.get("text"), dict) else ""
        if block.get("type") == "section" and len(text) > MAX_SECTION:
            problems.append(f"section of {len(text)} characters")
        if block.get("type") == "header" and len(text) > MAX_HEADER:
            problems.append(f"header of {len(text)} characters")
        if block.get("type") == "input" and len((block.get("label") or {}).get("text", "")) > MAX_INPUT_LABEL:
            problems.append("input label over 2000 characters")
        if block.get("type") == "actions" and len(block.get("elements") or []) > MAX_ACTIONS_ELEMENTS:
            problems.append(f"actions block of {len(block['elements'])} elements")
        elements = list(block.get("elements") or []) + [block[k] for k in ("accessory", "element") if k in block]
        problems += [p for e in elements if isinstance(e, dict) for p in _element_problems(e)]
    return problems


def _element_problems(element: dict[str, Any]) -> list[str]:
    problems = []
    if len(str(element.get("action_id") or "")) > MAX_ACTION_ID:
        problems.append("action_id over 255 characters")
    if element.get("type") == "button":
        if len((element.get("text") or {}).get("text", "")) > MAX_BUTTON_TEXT:
            problems.append("button text over 75 characters")
        if len(str(element.get("value") or "")) > MAX_BUTTON_VALUE:
            problems.append("button value over 2000 characters")
    if len(element.get("options") or []) > MAX_OPTIONS:
        problems.append(f"select of {len(element['options'])} options")
    return problems


def view_problems(view: dict[str, Any]) -> list[str]:
    """What Slack would reject in a modal or Home view (views.open/update/push/publish, response_action)."""
    problems = limit_problems(view, MAX_BLOCKS_SURFACE)
    kind = view.get("type")
    if kind not in ("modal", "home"):
        problems.append(f"view type {kind!r}")
    if kind == "modal":
        title = (view.get("title") or {}).get("text", "")
        if not title or len(title) > MAX_VIEW_TITLE:
            problems.append(f"modal title of {len(title)} characters")
        for key in ("submit", "close"):
            if len((view.get(key) or {}).get("text", "")) > MAX_VIEW_BUTTON:
                problems.append(f"{key} text over 24 characters")
        if any(b.get("type") == "input" for b in view.get("blocks") or []) and not view.get("submit"):
            problems.append("input blocks without a submit button")
    if len(str(view.get("private_metadata") or "")) > MAX_PRIVATE_METADATA:
        problems.append("private_metadata over 3000 characters")
    if len(str(view.get("callback_id") or "")) > MAX_CALLBACK_ID:
        problems.append("callback_id over 255 characters")
    block_ids = [b["block_id"] for b in view.get("blocks") or [] if b.get("block_id")]
    if len(block_ids) != len(set(block_ids)):
        problems.append("repeated block_id")
    return problems


@dataclass
class FakeSlack:
    """Start with `start()`; point WebClient(base_url=fake.api_url) at it."""

    team_id: str = "T1"
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    # method -> list of scripted failures, each ("error", name), ("429", retry_after), ("http", status),
    # ("drop", posted), ("hang", release) or ("pass", None) (answered as usual): see the scripting methods.
    failures: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    not_in_channels: set[str] = field(default_factory=set)
    # Channels shared with other organisations (Slack Connect): conversations.info says is_ext_shared.
    shared_channels: set[str] = field(default_factory=set)
    # method (or "respond") -> an Event the answer waits for: Slack being slow, for as long as a test likes
    holds: dict[str, threading.Event] = field(default_factory=dict)
    # Calls of these methods, once the count of calls let through is spent, wait for the event,
    # then their connection drops: never acted on.
    freezes: dict[str, tuple[threading.Event, list[int]]] = field(default_factory=dict)
    # Benchmarks: every call but auth.test answers after `latency` seconds, or with 429 when `throttle` is set.
    latency: float = 0.0
    throttle: int | None = None
    # files upload v2: file id -> {"filename", "length", "content" (bytes), "title", "channel_id"}
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Files people shared (add_file): file id -> bytes, served at url_private_download to `bot_token`.
    shared: dict[str, bytes] = field(default_factory=dict)
    shared_info: dict[str, dict[str, Any]] = field(default_factory=dict)
    bot_token: str = "xoxb-test"

    def __post_init__(self) -> None:
        self._cond = threading.Condition()
        self._ts = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        # Released when the fake stops: what `slow_next` holds answers then at the latest.
        self._release = threading.Event()
        # views.open/push/update: view id -> (view, hash); a stale hash is refused as Slack does.
        self.views: dict[str, tuple[dict[str, Any], str]] = {}
        self._view_ids = itertools.count(1)

    # -- lifecycle -------------------------------------------------------
    def start(self) -> FakeSlack:
        """Listen on an ephemeral port of 127.0.0.1."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length)
                if self.path.startswith("/upload/"):
                    # files upload v2, step 2: the file's bytes, posted to the URL step 1 gave.
                    status, headers, body = fake._handle_upload(self.path.removeprefix("/upload/"), data)
                else:
                    args = _decode(data.decode(), self.headers.get("Content-Type", ""))
                    status, headers, body = fake._handle(self.path, args, self.headers.get("Authorization"))
                if status == DROP:
                    self.close_connection = True  # no answer at all: the client sees the connection drop
                    return
                html = isinstance(body, str)
                data = body.encode() if html else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Type", "text/html" if html else "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up waiting (a time-out test)

            def do_GET(self) -> None:
                # A shared file's url_private_download: its bytes for the bot token, else a sign-in page.
                status, kind, data = fake._download(self.path, self.headers.get("Authorization"))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        """Shut the server down (releasing any call still held)."""
        self._release.set()
        for gate in [*self.holds.values(), *(g for g, _ in self.freezes.values())]:
            gate.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self, key: str) -> str:
        """A response_url that lands here, recorded as method `respond`."""
        return f"{self.url}/respond/{key}"

    # -- scripting -------------------------------------------------------
    def add_user(self, user_id: str, *, admin: bool = False, tz: str = "Europe/London", name: str = "") -> None:
        """Make `users.info` know this user."""
        self.users[user_id] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name or user_id.lower(),
            # Only users given a name have one, as in a workspace where profiles are filled in.
            "real_name": name,
            "is_admin": admin,
            "is_owner": False,
            "tz": tz,
        }

    def fail_next(self, method: str, error: str, times: int = 1, *, after: int = 0) -> None:
        """The next `times` calls of `method` answer ok=false with `error` (after `after` calls that succeed)."""
        self.failures.setdefault(method, []).extend([("pass", None)] * after + [("error", error)] * times)

    def rate_limit_next(self, method: str, times: int = 1, retry_after: int = 0) -> None:
        """The next `times` calls of `method` answer HTTP 429 with Retry-After."""
        self.failures.setdefault(method, []).extend([("429", retry_after)] * times)

    def http_error_next(self, method: str, status: int, times: int = 1) -> None:
        """The next `times` calls of `method` answer HTTP `status` with an HTML page, as a proxy does."""
        self.failures.setdefault(method, []).extend([("http", status)] * times)

    def drop_next(self, method: str, *, posted: bool, times: int = 1) -> None:
        """The next `times` calls of `method` get no answer: the connection is closed.

        With `posted`, Slack acted first (a chat.postMessage is recorded as posted): the answer was lost.
        """
        self.failures.setdefault(method, []).extend([("drop", posted)] * times)

    def slow_next(self, method: str) -> None:
        """The next call of `method` is acted on, then answered only when the fake stops (Slack answering
        after 35 s): the bot's client, with its shorter time-out, gives up first."""
        self.hang_next(method, self._release)

    def fail_respond_next(self, times: int = 1) -> None:
        """The next `times` posts to a response_url answer HTTP 404 `expired_url`, as Slack does."""
        self.failures.setdefault("respond", []).extend([("expired", None)] * times)

    def hang_next(self, method: str, release: threading.Event) -> None:
        """The next call of `method` is acted on (a post is recorded), then answered only once
        `release` is set: a client with a shorter time-out gives up first."""
        self.failures.setdefault(method, []).append(("hang", release))

    def add_file(self, name: str, content: bytes, *, size: int | None = None) -> dict[str, Any]:
        """A file someone shared: the file object Slack puts in a `file_share` message event."""
        file_id = f"F{next(self._ts):08d}"
        with self._cond:
            self.shared[file_id] = content
            self.shared_info[file_id] = self._file_object(file_id, name, content, size)
        return dict(self.shared_info[file_id])

    def _file_object(self, file_id: str, name: str, content: bytes, size: int | None) -> dict[str, Any]:
        return {
            "id": file_id,
            "name": name,
            "title": name,
            "filetype": name.rsplit(".", 1)[-1],
            "size": len(content) if size is None else size,
            "url_private": f"{self.url}/files-pri/{file_id}/{name}",
            "url_private_download": f"{self.url}/files-pri/{file_id}/download/{name}",
        }

    def _api_files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        self._record("files.info", args, None)
        with self._cond:
            info = self.shared_info.get(str(args.get("file")))
        return {"ok": True, "file": dict(info)} if info else {"ok": False, "error": "file_not_found"}

    def _download(self, path: str, auth: str | None) -> tuple[int, str, bytes]:
        parts = path.split("/")
        file_id = parts[2] if len(parts) > 2 and parts[1] == "files-pri" else ""
        self._record("files.download", {"file_id": file_id, "authorized": auth == f"Bearer {self.bot_token}"}, None)
        with self._cond:
            content = self.shared.get(file_id)
        if content is None or auth != f"Bearer {self.bot_token}":
            return 200, "text/html", b"<html><body>Sign in to Slack</body></html>"
        return 200, "application/octet-stream", content

    # -- reading what happened ------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls of one method, in order."""
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, predicate: Callable[[list[Call]], bool], timeout: float = 10.0) -> list[Call]:
        """Block until `predicate(calls)` holds (a condition, not a sleep); fail after `timeout`."""
        with self._cond:
            if not self._cond.wait_for(lambda: predicate(self.calls), timeout=timeout):
                raise AssertionError(f"timed out waiting; calls so far: {[c.method for c in self.calls]}")
            return list(self.calls)

    def clear(self) -> None:
        """Forget recorded calls."""
        with self._cond:
            self.calls.clear()

    # -- serving ---------------------------------------------------------
    def hold(self, method: str) -> threading.Event:
        """Calls of `method` (or "respond") get no answer until the returned event is set."""
        gate = threading.Event()
        self.holds[method] = gate
        return gate

    def freeze(self, method: str, *, after: int = 0) -> threading.Event:
        """After `after` more calls, calls of `method` hang, unanswered and not acted on (as if Slack
        stalled before posting), until the returned event is set; then their connections drop."""
        gate = threading.Event()
        self.freezes[method] = (gate, [after])
        return gate

    def _handle(self, path: str, args: dict[str, Any], auth: str | None) -> tuple[int, dict[str, str], Any]:
        frozen = self.freezes.get(path.removeprefix("/api/"))
        if frozen is not None:
            gate, passes = frozen
            with self._cond:
                passes[0] -= 1
                stop = passes[0] < 0
            if stop:
                gate.wait(timeout=60)
                return DROP, {}, None
        gate = self.holds.get("respond" if path.startswith("/respond/") else path.removeprefix("/api/"))
        if gate is not None:
            gate.wait(timeout=30)
        if path != "/api/auth.test":
            if self.latency:
                time.sleep(self.latency)
            if self.throttle is not None:
                return 429, {"Retry-After": str(self.throttle)}, {"ok": False, "error": "ratelimited"}
        if path.startswith("/respond/"):
            with self._cond:
                scripted = self.failures.get("respond")
                expired = scripted.pop(0) if scripted else None
            if expired:
                self._record("respond!expired", args, None)
                return 404, {}, "expired_url"
            self._record("respond", args, MAX_BLOCKS_MESSAGE)
            return 200, {}, {"ok": True}
        method = path.removeprefix("/api/")
        with self._cond:
            scripted = self.failures.get(method)
            kind, value = scripted.pop(0) if scripted else ("", None)
        kind = "" if kind == "pass" else kind
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if kind in ("drop", "hang"):
            if kind == "hang" or value:
                answer = handler(args) if handler else {"ok": False, "error": "unknown_method"}
            else:
                self._record(f"{method}!drop", args, None)
            if kind == "drop":
                return DROP, {}, None
            value.wait(timeout=10)
            return 200, {}, answer
        if kind:
            self._record(f"{method}!{kind}", args, None)
            if kind == "429":
                return 429, {"Retry-After": str(value)}, {"ok": False, "error": "ratelimited"}
            if kind == "http":
                return value, {}, f"<html><body><h1>{value}</h1>Something went wrong</body></html>"
            return 200, {}, {"ok": False, "error": value}
        if handler is None:
            self._record(method, args, None)
            return 200, {}, {"ok": False, "error": "unknown_method"}
        return 200, {}, handler(args)

    def _record(self, method: str, args: dict[str, Any], max_blocks: int | None) -> None:
        with self._cond:
            if max_blocks is not None:
                self.violations += [f"{method}: {p}" for p in limit_problems(args, max_blocks)]
            self.calls.append(Call(method, args))
            self._cond.notify_all()

    def _api_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        self._record("auth.test", args, None)
        return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": self.team_id, "user": "arising"}

    def _api_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel"))
        if channel in self.not_in_channels:
            self._record("chat.postMessage!error", args, None)
            return {"ok": False, "error": "not_in_channel"}
        self._record("chat.postMessage", args, MAX_BLOCKS_MESSAGE)
        ts = f"1700000000.{next(self._ts):06d}"
        if channel.startswith(("U", "W")):
            channel = "D" + channel  # a bot posting to a user id lands in their DM
        return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}}

    def _api_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        self._record("chat.postEphemeral", args, MAX_BLOCKS_MESSAGE)
        return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}

    def _api_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        self._record("conversations.open", args, None)
        return {"ok": True, "channel": {"id": "D" + str(args.get("users", "")).split(",")[0]}}

    def _api_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        self._record("conversations.info", args, None)
        channel = str(args.get("channel"))
        return {"ok": True, "channel": {"id": channel, "is_ext_shared": channel in self.shared_channels}}

    def _api_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        self._record("users.info", args, None)
        user = self.users.get(str(args.get("user")))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _api_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        self._record("files.getUploadURLExternal", args, None)
        file_id = f"F{next(self._ts):08d}"
        with self._cond:
            self.files[file_id] = {"filename": args.get("filename"), "length": int(args.get("length") or 0)}
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _handle_upload(self, file_id: str, data: bytes) -> tuple[int, dict[str, str], Any]:
        with self._cond:
            if file_id not in self.files:
                return 404, {}, {"ok": False}
            self.files[file_id]["content"] = data
        self._record("upload", {"file_id": file_id, "length": len(data)}, None)
        return 200, {}, {"ok": True}

    def _api_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        self._record("files.completeUploadExternal", args, None)
        listed = args.get("files")
        listed = json.loads(listed) if isinstance(listed, str) else listed or []
        done = []
        with self._cond:
            for item in listed:
                stored = self.files.get(item.get("id"))
                if stored is None or "content" not in stored:
                    return {"ok": False, "error": "file_not_found"}
                stored.update(title=item.get("title"), channel_id=args.get("channel_id"))
                done.append({"id": item["id"], "title": item.get("title"), "name": stored["filename"]})
        return {"ok": True, "files": done}

    def uploaded(self) -> list[dict[str, Any]]:
        """Files whose upload was completed, in order: filename, title, channel_id and content (bytes)."""
        with self._cond:
            return [f for f in self.files.values() if "channel_id" in f]

    def _api_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        self._record("views.publish", args, None)
        view = args.get("view") or {}
        self.violations += [f"views.publish: {p}" for p in view_problems(view)]
        return {"ok": True}

    def _store_view(self, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        view_id = view_id or f"V{next(self._view_ids):06d}"
        view_hash = f"{time.time():.6f}.{next(self._ts)}"
        with self._cond:
            self.views[view_id] = (view, view_hash)
        return {"ok": True, "view": {**view, "id": view_id, "hash": view_hash}}

    def _api_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id"):
            self._record("views.open!error", args, None)
            return {"ok": False, "error": "invalid_trigger_id"}
        view = args.get("view") or {}
        answer = self._store_view(view)
        # The id Slack gave the new view is kept with the call, so a test can submit that modal.
        self._record("views.open", {**args, "opened_view_id": answer["view"]["id"]}, None)
        self.violations += [f"views.open: {p}" for p in view_problems(view)]
        return answer

    def _api_views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        view = args.get("view") or {}
        self._record("views.push", args, None)
        self.violations += [f"views.push: {p}" for p in view_problems(view)]
        return self._store_view(view)

    def _api_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = str(args.get("view_id") or "")
        with self._cond:
            known = self.views.get(view_id)
        if known is None:
            self._record("views.update!error", args, None)
            return {"ok": False, "error": "not_found"}
        if args.get("hash") and args["hash"] != known[1]:
            self._record("views.update!error", args, None)
            return {"ok": False, "error": "hash_conflict"}
        view = args.get("view") or {}
        self._record("views.update", args, None)
        self.violations += [f"views.update: {p}" for p in view_problems(view)]
        return self._store_view(view, view_id)

    def submitted(self, view_id: str, view: dict[str, Any]) -> None:
        """What Slack does when a view_submission is answered with `response_action: update`."""
        self._store_view(view, view_id)

    def current_view(self, view_id: str) -> dict[str, Any]:
        """The view (with its hash) a modal shows now."""
        with self._cond:
            view, view_hash = self.views[view_id]
        return {**view, "id": view_id, "hash": view_hash}

    def _api_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel") or not args.get("ts"):
            self._record("chat.update!error", args, None)
            return {"ok": False, "error": "message_not_found"}
        self._record("chat.update", args, MAX_BLOCKS_MESSAGE)
        return {"ok": True, "channel": args["channel"], "ts": args["ts"], "text": args.get("text", "")}

    def _api_chat_getPermalink(self, args: dict[str, Any]) -> dict[str, Any]:
        self._record("chat.getPermalink", args, None)
        channel, ts = str(args.get("channel")), str(args.get("message_ts"))
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://board.slack.com/archives/{channel}/p{ts.replace('.', '')}",
        }


def _decode(raw: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        return json.loads(raw or "{}")
    args: dict[str, Any] = {k: v[0] for k, v in parse_qs(raw).items()}
    for key in ("blocks", "attachments", "view"):
        if isinstance(args.get(key), str):
            args[key] = json.loads(args[key])
    return args
