"""Slash-command listeners: read the payload, ack at once, run the command, deliver the reply."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.commands import action, meeting, mine, summary
from bot.commands.reply import Reply
from bot.deps import Deps
from bot.services.context import Caller
from handlers.delivery import deliver, tell
from handlers.failures import failure_message
from handlers.payloads import SlashCommand

log = logging.getLogger(__name__)

Runner = Callable[[Deps, Caller, str], Reply]


def _listener(deps: Deps, run: Runner) -> Callable[..., None]:
    def listener(ack: Ack, body: dict[str, object], respond: Respond, client: WebClient) -> None:
        # Ack first: Slack gives up after 3 s, and everything below may wait on the DB or Slack.
        ack()
        command = SlashCommand.model_validate(body)
        try:
            reply = run(deps, command.caller, command.text)
        except Exception as exc:
            log.exception("%s failed for team=%s user=%s", command.command, command.team_id, command.user_id)
            # The true reason (database not answering, Slack not answering, our fault), never the exception text.
            tell(respond, failure_message(exc), caller=command.caller)
            return
        deliver(reply, respond=respond, client=client)

    return listener


def register(app: App, deps: Deps) -> None:
    """Wire /action, /meeting, /mine and /summary."""
    app.command("/action")(_listener(deps, action.run))
    app.command("/meeting")(_listener(deps, meeting.run))
    app.command("/mine")(_listener(deps, mine.run))
    app.command("/summary")(_listener(deps, summary.run))
