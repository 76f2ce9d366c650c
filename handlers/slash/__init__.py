"""Slash commands: parse and queue on the request thread, ack; run the command later, in the work pool."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_bolt.request import BoltRequest

from bot import request_log
from bot.deps import Deps
from bot.inbox import Job
from bot.services.context import Caller
from handlers import import_modal
from handlers.delivery import deliver, tell
from handlers.failures import failure_message
from handlers.intake import Intake, not_taken_text, request_key
from handlers.origin import refresh_homes
from handlers.payloads import SlashCommand
from handlers.reply import Reply
from handlers.slash import action, meeting, mine, plan, summary
from handlers.work import WorkContext

log = logging.getLogger(__name__)

Runner = Callable[[Deps, Caller, str], Reply]
RUNNERS: dict[str, Runner] = {
    "/action": action.run,
    "/meeting": meeting.run,
    "/mine": mine.run,
    "/plan": plan.run,
    "/summary": summary.run,
}
UNREADABLE = ":x: Slack sent this command in a form I can't read, so nothing was done. Please try again."


def _ack_command(intake: Intake) -> Callable[..., None]:
    def listener(ack: Ack, body: dict[str, Any], request: BoltRequest) -> None:
        # Runs on the request thread (process_before_response): no database, no Slack here.
        try:
            command = SlashCommand.model_validate(body)
        except ValidationError:
            request_log.note(kind="command", outcome="unreadable")
            ack(response_type="ephemeral", text=UNREADABLE)
            return
        request_log.note(kind="command", name=command.command, team=command.team_id, user=command.user_id)
        if import_modal.wants_modal(command):
            # `/action import` alone: the lazy listener opens the modal with the trigger; nothing to queue.
            request_log.note(outcome="modal")
            ack()
            return
        # The raw fields are queued; the worker parses them again (parsing unescapes `&amp;` once).
        raw = {name: body[name] for name in SlashCommand.model_fields if name in body}
        outcome = intake.accept("command", raw, request_key(request, body))
        request_log.note(outcome=outcome.value)
        if (text := not_taken_text(outcome)) is not None:
            ack(response_type="ephemeral", text=text)
        else:
            ack()

    return listener


def work_command(ctx: WorkContext, job: Job) -> None:
    """Run a queued slash command and deliver its reply; every failure ends with a word to the user. A command
    that changed what Home tabs show then publishes them again (its change is committed by then)."""
    command = SlashCommand.model_validate(job.request)
    respond = Respond(response_url=command.response_url)
    run = RUNNERS[command.command]
    try:
        reply = run(ctx.deps, command.caller, command.text)
    except Exception as exc:
        if _committed_elsewhere(ctx, job):
            return
        log.exception("%s failed for team=%s user=%s", command.command, command.team_id, command.user_id)
        # The true reason (database not answering, Slack not answering, our fault), never the exception text.
        tell(respond, failure_message(exc), caller=command.caller)
        return
    deliver(reply, respond=respond, client=ctx.client, caller=command.caller)
    refresh_homes(ctx, command.caller, reply.homes)


def _committed_elsewhere(ctx: WorkContext, job: Job) -> bool:
    # A second run of a job whose first run committed fails on the request key: stay quiet.
    try:
        return ctx.already_handled(job.key)
    except Exception:
        return False


JOBS = {"command": work_command}


def register(app: App, intake: Intake) -> None:
    """Wire /action, /meeting, /mine, /plan and /summary."""
    listener = _ack_command(intake)
    # Only `/action import` alone starts the lazy listener that opens the import form, and it is matched
    # first: Bolt deep-copies the request for every lazy start, on the ack thread (half a millisecond).
    app.command("/action", matchers=[import_modal.asks_for_form])(ack=listener, lazy=[import_modal.open_import_modal])
    for name in RUNNERS:
        app.command(name)(listener)
