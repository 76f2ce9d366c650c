"""The edge of Slack's endpoint: requests Bolt would choke on are answered 4xx before it sees them.

Bolt reads the whole body whatever its size, parses it before checking the signature (invalid JSON
raises out of the WSGI app: a 500), and turns a timestamp header that is not a number into a 500.
This wrapper answers those requests itself, with a short JSON error and without echoing anything:

- no Content-Length: 411; one that is not a number: 400; more than Slack ever sends: 413, all
  before the body is read (the server is also told the limit, so it stops reading: see web.serve);
- a body that is not UTF-8, or that Bolt cannot parse (invalid JSON, a JSON body that is not an
  object, invalid JSON in a form's `payload` field): 400;
- a timestamp or signature header that is present but malformed: 401, as an unsigned request.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt.request import BoltRequest

log = logging.getLogger(__name__)

# Slack's payloads (a view submission with its state, a message shortcut with a 40,000-character
# message and its blocks) stay well under this.
MAX_BODY_BYTES = 3 * 1024 * 1024

_TIMESTAMP = re.compile(r"[0-9]{1,15}")
_SIGNATURE = re.compile(r"v0=[0-9a-fA-F]{64}")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _answer(start_response: Callable[..., Any], status: str, error: str) -> Iterable[bytes]:
    body = json.dumps({"error": error}).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {k[5:].lower().replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    return headers


def refusal(environ: dict[str, Any], *, max_bytes: int = MAX_BODY_BYTES) -> tuple[str, str, bytes]:
    """Read and check a POST to Slack's endpoint.

    Returns `("", "", body)` when Bolt may have the request, else `(status, error, b"")` to answer
    with. Nothing is read when the declared length is missing, malformed or over `max_bytes`.
    """
    raw_length = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not raw_length:
        return "411 Length Required", "a Content-Length is required", b""
    if not raw_length.isdigit():
        return "400 Bad Request", "invalid Content-Length", b""
    length = int(raw_length)
    if length > max_bytes:
        return "413 Content Too Large", "request body too large", b""
    body = environ["wsgi.input"].read(length) if length else b""
    if len(body) != length:
        return "400 Bad Request", "request body shorter than its Content-Length", b""
    headers = _headers(environ)
    timestamp = headers.get("x-slack-request-timestamp")
    signature = headers.get("x-slack-signature")
    # Present but malformed: Bolt would raise (int() of the timestamp, compare_digest of non-ASCII).
    if (timestamp is not None and not _TIMESTAMP.fullmatch(timestamp)) or (
        signature is not None and not _SIGNATURE.fullmatch(signature)
    ):
        return "401 Unauthorized", "invalid request", b""
    try:
        text = body.decode("utf-8")
        # Bolt parses the body (and builds its context) before verifying the signature, outside its
        # own error handling: what fails here would fail there as a 500.
        parsed = BoltRequest(body=text, query=environ.get("QUERY_STRING", ""), headers=dict(headers))
        if not isinstance(parsed.body, dict):
            raise ValueError("not an object")
    except Exception:
        return "400 Bad Request", "malformed request body", b""
    return "", "", body


def guard_slack_endpoint(app: WSGIApp, *, path: str, max_bytes: int = MAX_BODY_BYTES) -> WSGIApp:
    """Wrap `app` so that POSTs to `path` reach it only when Bolt can handle them."""

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != path:
            return app(environ, start_response)
        status, error, body = refusal(environ, max_bytes=max_bytes)
        if status:
            # The declared length and the answer only: never the body.
            declared = str(environ.get("CONTENT_LENGTH") or "")
            log.info(
                "refused a POST to %s: %s (Content-Length %s)", path, status, declared if declared.isdigit() else "-"
            )
            return _answer(start_response, status, error)
        inner = dict(environ)
        inner["wsgi.input"] = io.BytesIO(body)
        inner["CONTENT_LENGTH"] = str(len(body))
        return app(inner, start_response)

    return guarded
