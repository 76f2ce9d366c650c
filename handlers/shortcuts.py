"""Opening the log-action modal: `/action` with no text, the global shortcut "Log an action" and the
message shortcut "Log as action".

The ack goes back at once; a lazy listener then opens the modal while the trigger_id is fresh (it
expires after 3 seconds), with a view built from the payload alone: the boards section says it is
loading, and a message shortcut's text and mentions are already in. A queued job then fills in what
needs the database (the boards, defaulting to the channel's; members without Slack; the owners and
due date found in the message) with `views.update`, guarded by the view's hash so it never overwrites
a modal that has moved on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from bot import request_log
from bot.inbox import Job
from bot.owners import MENTION
from bot.rendering import views
from bot.services import actions as service
from bot.services.boards import log_choices
from bot.services.context import Caller
from bot.slack_faults import classify
from handlers.delivery import tell
from handlers.intake import Intake, request_key
from handlers.modals import log_form
from handlers.not_taken import show_in_opened_form
from handlers.origin import notice_message
from handlers.work import WorkContext
from storage.db import read_scope

log = logging.getLogger(__name__)

LOG_SHORTCUT = "log_action"
LOG_MESSAGE_SHORTCUT = "log_as_action"
FORM_DID_NOT_OPEN = (
    ":warning: The form didn't open in time (Slack gives it 3 seconds). Nothing was changed: try again, or type "
    "`/action add AF to … by 15/12`."
)


def _unescape(text: str) -> str:
    # Message text comes as Slack markup: &, <, > as entities. The form shows it as typed.
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _opening(body: dict[str, Any]) -> dict[str, Any]:
    """Who opens the form, from where, and with what (from any of the three payloads)."""
    if body.get("command"):
        return {
            "team_id": str(body.get("team_id") or ""),
            "user_id": str(body.get("user_id") or ""),
            "channel_id": body.get("channel_id"),
            "response_url": body.get("response_url"),
            "text": "",
        }
    user = body.get("user") or {}
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id")
    return {
        "team_id": str((body.get("team") or {}).get("id") or user.get("team_id") or ""),
        "user_id": str(user.get("id") or ""),
        "channel_id": channel,
        "response_url": body.get("response_url"),
        "text": _unescape(str(message.get("text") or ""))[: service.MAX_ACTION_TEXT],
        "source": {"channel": channel, "ts": message.get("ts")} if message.get("ts") and channel else None,
    }


def _ack(kind: str) -> Callable[..., None]:
    def ack_now(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        opening = _opening(body)
        request_log.note(kind=kind, name="log_action", team=opening["team_id"], user=opening["user_id"])
        request_log.note(outcome="modal")

    return ack_now


def _open_log_form(intake: Intake) -> Callable[..., None]:
    def open_log_form(body: dict[str, Any], client: WebClient, request: BoltRequest) -> None:
        # Lazy: right after the ack. No database here: the trigger_id is used at once.
        opening = _opening(body)
        meta = {"channel": opening["channel_id"]}
        if opening.get("source"):
            meta["source"] = opening["source"]
        users = list(dict.fromkeys(m.group(1) for m in MENTION.finditer(opening["text"])))
        form = views.LogForm(metadata=meta, text=opening["text"], user_ids=users)
        try:
            opened = client.views_open(trigger_id=body.get("trigger_id"), view=views.log_action_modal(form))
        except Exception as exc:
            log.warning("views.open failed: %s", classify(exc).code)
            if opening.get("response_url"):
                tell(Respond(response_url=opening["response_url"]), notice_message(FORM_DID_NOT_OPEN))
            return
        job = {
            "team_id": opening["team_id"],
            "user_id": opening["user_id"],
            "channel_id": opening["channel_id"],
            "text": opening["text"],
            "meta": meta,
            "view_id": opened["view"]["id"],
            "hash": opened["view"]["hash"],
        }
        outcome = intake.accept("log_form", job, request_key(request, body) + "-form")
        # Not queued: the form would wait for its boards forever; it says what happened instead.
        show_in_opened_form(outcome, client, opened["view"]["id"], opened["view"].get("hash"))

    return open_log_form


def work_log_form(ctx: WorkContext, job: Job) -> None:
    """Fill the opened log-action modal in: boards, members without Slack, and what the message says."""
    req = job.request
    caller = Caller(team_id=req["team_id"], user_id=req["user_id"], channel_id=req.get("channel_id"))
    now = ctx.deps.clock()
    with read_scope(ctx.deps.session_factory) as session:
        reading = None
        if req.get("text"):
            board = log_choices(session, caller).default
            if board is not None:
                reading = service.read_action_text(session, board=board, text=req["text"], now=now)
        view = log_form(session, caller, None, meta=req.get("meta") or {}, prefill=reading)
    try:
        ctx.client.views_update(view_id=req["view_id"], hash=req.get("hash"), view=view)
    except Exception as exc:
        # hash_conflict: the modal moved on (submitted, closed) before it was filled in; nothing to do.
        log.info("views.update of the log form skipped: %s", classify(exc).code)


JOBS = {"log_form": work_log_form}


def _no_text(body: dict[str, Any]) -> bool:
    return not str(body.get("text") or "").strip()


def register(app: App, intake: Intake) -> None:
    """Wire the shortcuts, and `/action` with no text (register before the slash commands: Bolt runs the first
    listener that matches)."""
    opener = _open_log_form(intake)
    app.shortcut(LOG_SHORTCUT)(ack=_ack("shortcut"), lazy=[opener])
    app.shortcut(LOG_MESSAGE_SHORTCUT)(ack=_ack("message_shortcut"), lazy=[opener])
    app.command("/action", matchers=[_no_text])(ack=_ack("command"), lazy=[opener])
