"""A file shared in a board's channel with "import" as its message: previewed privately, confirmed as pasted minutes.

Slack sends a `message` event (subtype `file_share`) with the message's `text` and its `files`. The listener
only acks and queues; the job downloads `url_private_download` with the bot token (scope `files:read`),
reads it with the importer's readers and answers the person who shared it with the preview, ephemeral in
the channel, with the same `/action import confirm N` step as pasted minutes.
"""

from __future__ import annotations

import logging
import re
import urllib.request
from typing import Any
from urllib.parse import urlparse

from slack_bolt import Ack, App
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from bot import request_log
from bot.errors import UserError
from bot.importing.readers import UnreadableDocument, format_of
from bot.inbox import Job
from bot.rendering import importing as render
from bot.rendering.message import Message, section
from bot.services import importing as import_service
from bot.services.context import Caller
from bot.slack_faults import classify
from handlers.delivery import tell
from handlers.failures import failure_message
from handlers.intake import Intake, request_key
from handlers.reply import error_reply
from handlers.slash import importing as import_command
from handlers.slash.wording import slash_wording
from handlers.work import WorkContext

log = logging.getLogger(__name__)

# Minutes and action logs are small; a file larger than this is not a board paper worth reading whole.
MAX_FILE_BYTES = 5 * 1024 * 1024
# The message that asks for an import: `import`, optionally `import in SSCB meeting 2026-01-14`.
_IMPORT_MESSAGE = re.compile(r"^\s*import\b(?P<options>[^\n]*)$", re.IGNORECASE)
_SLACK_FILE_HOSTS = {"files.slack.com"}
USAGE = 'share the file in the board\'s channel with the message "import" (or "import meeting 2026-01-14")'


def _file_fields(file: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(file.get("id") or ""),
        "name": str(file.get("name") or file.get("title") or ""),
        "size": int(file.get("size") or 0),
        "url": str(file.get("url_private_download") or file.get("url_private") or ""),
    }


def _ack_file_share(intake: Intake):
    def listener(ack: Ack, event: dict[str, Any], body: dict[str, Any], request: BoltRequest) -> None:
        # Request thread: no database, no Slack, no download here.
        ack()
        text = str(event.get("text") or "")
        request_log.note(kind="event", name="file_share", team=str(body.get("team_id")), user=str(event.get("user")))
        m = _IMPORT_MESSAGE.match(text)
        if m is None or event.get("bot_id") or not event.get("user"):
            request_log.note(outcome="ignored")  # a file shared for people to read, not to import
            return
        job = {
            "team_id": str(body.get("team_id") or event.get("team") or ""),
            "user": str(event["user"]),
            "channel": str(event.get("channel") or ""),
            "options": m.group("options").strip(),
            "files": [_file_fields(f) for f in event.get("files") or [] if isinstance(f, dict)],
        }
        request_log.note(outcome=intake.accept("file_import", job, request_key(request, body)).value)

    return listener


def _ephemeral(client: WebClient, channel: str, user: str):
    def respond(**message: Any) -> Any:
        message.pop("response_type", None)
        message.pop("replace_original", None)
        return client.chat_postEphemeral(channel=channel, user=user, **message)

    return respond


def _allowed_host(client: WebClient, url: str) -> bool:
    # The bot token goes only to Slack's file host (or the API host the client is pointed at, in tests).
    host = urlparse(url).hostname or ""
    return urlparse(url).scheme in ("https", "http") and (
        host in _SLACK_FILE_HOSTS or host == urlparse(client.base_url).hostname
    )


def download(client: WebClient, url: str, *, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a shared file, fetched with the bot token; UserError when Slack does not give them."""
    if not url or not _allowed_host(client, url):
        raise UserError("Slack did not give me a link to download that file, so nothing was imported.")
    # The host was checked above: the token goes to Slack only.
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
    with urllib.request.urlopen(request, timeout=client.timeout) as response:
        kind = response.headers.get("Content-Type", "")
        data = response.read(limit + 1)
    if kind.startswith("text/html"):
        # Slack answers a download it refuses with its sign-in page, not an error code.
        raise UserError(
            "Slack would not let me download that file (the app may lack the `files:read` permission; "
            "tell your workspace admin). Nothing was imported."
        )
    if len(data) > limit:
        raise UserError(_too_large())
    return data


def _too_large() -> str:
    return f"That file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, so I didn't import it. Nothing was changed."


def work_file_import(ctx: WorkContext, job: Job) -> None:
    """Download the shared file, preview its actions to the person who shared it, keep it as a draft."""
    request = job.request
    caller = Caller(team_id=request["team_id"], user_id=request["user"], channel_id=request["channel"])
    respond = _ephemeral(ctx.client, request["channel"], request["user"])
    try:
        message = _preview(ctx, caller, request)
    except UserError as exc:
        # In a channel, the remedy names the slash commands (`/meeting setup`), as the commands' answers do.
        reply = error_reply(exc, None, wording=slash_wording)
        assert reply.private is not None
        message = reply.private
    except UnreadableDocument as exc:
        text = f":warning: {exc} Nothing was imported."
        message = Message(text=text, blocks=[section(text)])
    except Exception as exc:
        if ctx.already_handled(job.key):
            return
        log.exception("file import failed for team=%s user=%s: %s", caller.team_id, caller.user_id, classify(exc).code)
        message = failure_message(exc)
    tell(respond, message, caller=caller)


def _preview(ctx: WorkContext, caller: Caller, request: dict[str, Any]) -> Message:
    files = request["files"]
    if len(files) != 1:
        raise UserError(f"Share one file at a time to import it: {USAGE}. Nothing was imported.")
    file = files[0]
    if not file["url"] or not file["name"]:
        # Slack sends only the id when the event may not carry the file ("file_access": "check_file_info").
        try:
            file = _file_fields(ctx.client.files_info(file=file["id"])["file"])
        except Exception as exc:
            code = classify(exc).code
            raise UserError(f"Slack would not tell me about that file ({code}), so nothing was imported.") from exc
    format_of(file["name"])  # an unsupported type is refused before anything is downloaded
    if file["size"] > MAX_FILE_BYTES:
        raise UserError(_too_large())
    code, meeting, rest = import_command.parse_options(request["options"])
    if rest.strip():
        raise UserError(f"I read only `in CODE` and `meeting DATE` after import: {USAGE}. Nothing was imported.")
    # Who may import, before the file is fetched: the same people as `/action import`.
    import_service.check_can_import(ctx.deps, caller, code)
    data = download(ctx.client, file["url"])
    plan, draft_id = import_service.preview_import(
        ctx.deps, caller, code=code, meeting=meeting, name=file["name"], data=data
    )
    return render.preview(plan, draft_id)


JOBS = {"file_import": work_file_import}


def register(app: App, intake: Intake) -> None:
    """Wire `message` events of subtype `file_share` (bot events `message.channels`, `message.groups`)."""
    app.event({"type": "message", "subtype": "file_share"})(_ack_file_share(intake))
