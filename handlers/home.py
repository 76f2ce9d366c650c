"""The App Home tab, refreshed each time it is opened (and after changes that alter it, for people who open
it: see handlers/origin.py), and the Messages tab: a direct message to the bot gets a short help answer (the
slash commands and the Home tab are how people talk to it)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.request import BoltRequest

from bot import request_log
from bot.inbox import Job
from bot.rendering.message import Message, context, section
from bot.services.context import Caller
from bot.slack_faults import classify
from handlers.intake import Intake, request_key
from handlers.origin import publish_home
from handlers.work import WorkContext
from storage.db import session_scope
from storage.home_tabs import record_home_opened

log = logging.getLogger(__name__)

DM_HELP = (
    ":wave: I don't read messages typed here. Use the slash commands, here or in a board's channel:\n"
    "• `/action` opens a form to log an action (or `/action add AF to … by 15/12`)\n"
    "• `/mine` lists your actions, with buttons to mark them done, update, re-date or snooze\n"
    "• `/summary` previews your board's next matters arising\n"
    "Your actions and boards are also on my *Home* tab. `/action help` and `/meeting help` say more."
)


def work_home(ctx: WorkContext, job: Job) -> None:
    """Note that the user opens their Home tab (so later changes publish it again), then publish it."""
    caller = Caller(team_id=str(job.request["team_id"]), user_id=str(job.request["user"]))
    try:
        # An upsert of the person's own row: two opens at once both land (storage/home_tabs.py).
        with session_scope(ctx.deps.session_factory) as session:
            record_home_opened(session, caller.team_id, caller.user_id, ctx.deps.clock())
    except Exception as exc:
        # Not noted: the tab is still drawn now, and only refreshes after changes are missed.
        log.warning(
            "noting the Home tab of team=%s user=%s failed: %s", caller.team_id, caller.user_id, type(exc).__name__
        )
    publish_home(ctx, caller)


def work_dm_help(ctx: WorkContext, job: Job) -> None:
    """Answer a direct message with what the bot understands."""
    message = Message(text=DM_HELP, blocks=[section(DM_HELP), context("Nothing you type here is stored.")])
    try:
        ctx.client.chat_postMessage(channel=str(job.request["channel"]), **message.payload())
    except Exception as exc:
        log.warning("DM help to %s failed: %s", job.request.get("user"), classify(exc).code)


JOBS = {"home": work_home, "dm_help": work_dm_help}


def _is_person_in_dm(event: dict[str, Any]) -> bool:
    # A person's own new message in a DM with the bot: not the bot's messages, edits or other subtypes.
    return event.get("channel_type") == "im" and not event.get("bot_id") and not event.get("subtype")


def register(app: App, intake: Intake) -> None:
    """Wire `app_home_opened` and direct messages (`message.im`)."""

    @app.event("app_home_opened")
    def home_opened(ack: Ack, event: dict[str, Any], body: dict[str, Any], request: BoltRequest) -> None:
        ack()
        request_log.note(
            kind="event", name="app_home_opened", team=str(body.get("team_id")), user=str(event.get("user"))
        )
        # The Home tab only (not the Messages tab).
        if event.get("tab") != "home":
            request_log.note(outcome="ignored")
            return
        job = {"team_id": body.get("team_id"), "user": event.get("user")}
        request_log.note(outcome=intake.accept("home", job, request_key(request, body)).value)

    @app.event("message", matchers=[lambda event: _is_person_in_dm(event)])
    def direct_message(ack: Ack, event: dict[str, Any], body: dict[str, Any], request: BoltRequest) -> None:
        ack()
        request_log.note(kind="event", name="message.im", team=str(body.get("team_id")), user=str(event.get("user")))
        # Ids only: the message's text is neither queued nor logged.
        job = {"team_id": body.get("team_id"), "user": event.get("user"), "channel": event.get("channel")}
        request_log.note(outcome=intake.accept("dm_help", job, request_key(request, body)).value)
