"""`/action import` with no text: a modal to paste minutes, a preview, then Import (or Back to edit).

Slack's trigger_id expires 3 s after the command, so the slash command is acked first and the modal opened
from a Bolt lazy listener with a view built without the database. Every later step acks at once (a
"working" view, or input errors Slack shows under the field) and queues a job: the preview needs the board's
members, so it is computed in the job, which replaces the modal by its view id (views.update).
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from bot import request_log
from bot.errors import UserError
from bot.importing.readers import UnreadableDocument
from bot.inbox import Job
from bot.rendering import import_modal as views
from bot.rendering import importing as render
from bot.rendering.message import Message, section
from bot.services import importing as import_service
from bot.services.changes import owner_user_ids
from bot.services.context import Caller
from bot.slack_faults import classify
from handlers.delivery import deliver, tell
from handlers.failures import failure_message
from handlers.intake import Intake, not_taken_text, request_key
from handlers.origin import refresh_homes
from handlers.payloads import SlashCommand
from handlers.reply import to_channel
from handlers.work import WorkContext

log = logging.getLogger(__name__)

# `/action import` alone (or `/action import in CODE`): the modal. With minutes after it, the paste path.
_IMPORT_ONLY = re.compile(r"^\s*import(?:\s+in\s+(?P<code>[A-Za-z0-9]{2,10}))?\s*$", re.IGNORECASE)
EMPTY = "Paste the minutes here: the lines with actions, or the whole text."
NOT_OPENED = (
    ":warning: I couldn't open the import form ({code}). Paste the minutes after `/action import` instead: "
    "`/action import` then a new line, then the minutes."
)


def _asks_for_form(text: str, trigger_id: str | None) -> bool:
    return bool(trigger_id) and _IMPORT_ONLY.match(text) is not None


def wants_modal(command: SlashCommand) -> bool:
    """True for `/action import` with nothing to import after it, when Slack gave a trigger to open a modal."""
    return command.command == "/action" and _asks_for_form(command.text, command.trigger_id)


def asks_for_form(body: dict[str, Any]) -> bool:
    """Bolt matcher of `/action` requests that `wants_modal` (read from the raw body: the text it matches
    has no character Slack escapes)."""
    text = body.get("text")
    return isinstance(text, str) and _asks_for_form(text, body.get("trigger_id"))


def open_import_modal(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
    """Lazy listener of `/action`: open the import modal (after the ack; no database work)."""
    try:
        command = SlashCommand.model_validate(body)
    except ValidationError:
        return
    if not wants_modal(command):
        return
    m = _IMPORT_ONLY.match(command.text)
    code = m.group("code").upper() if m and m.group("code") else None
    state = views.ModalState(command.channel_id, code)
    try:
        client.views_open(trigger_id=command.trigger_id, view=views.edit_view(state))
    except Exception as exc:
        fault = classify(exc)
        log.warning("views.open for %s failed: %s", command.user_id, fault.code)
        text = NOT_OPENED.format(code=fault.code)
        tell(respond, Message(text=text, blocks=[section(text)]), caller=command.caller)


def _who(body: dict[str, Any]) -> tuple[str, str]:
    user = body.get("user") or {}
    team = (body.get("team") or {}).get("id") or user.get("team_id") or ""
    return str(team), str(user.get("id") or "")


def _state(view: dict[str, Any]) -> views.ModalState | None:
    try:
        return views.ModalState.load(str(view.get("private_metadata") or ""))
    except (ValueError, TypeError):
        return None


def _submit_minutes(intake: Intake) -> Callable[..., None]:
    def listener(ack: Ack, body: dict[str, Any], view: dict[str, Any], request: BoltRequest) -> None:
        # Request thread: read the form, queue, ack; the preview is the job's.
        state = _state(view)
        values = (view.get("state") or {}).get("values") or {}
        text = str(((values.get(views.MINUTES_BLOCK) or {}).get(views.MINUTES_ACTION) or {}).get("value") or "")
        meeting = ((values.get(views.MEETING_BLOCK) or {}).get(views.MEETING_ACTION) or {}).get("selected_date")
        team, user = _who(body)
        request_log.note(kind="view", name=views.EDIT_CALLBACK, team=team, user=user)
        if state is None:
            ack(response_action="errors", errors={views.MINUTES_BLOCK: "This form is out of date: close it."})
            return
        if not text.strip():
            ack(response_action="errors", errors={views.MINUTES_BLOCK: EMPTY})
            return
        job = {
            "team_id": team,
            "user": user,
            "view_id": str(view.get("id") or ""),
            "state": state.dump(),
            "text": text,
            "meeting": meeting if isinstance(meeting, str) else None,
        }
        outcome = intake.accept("import_modal_preview", job, request_key(request, body))
        request_log.note(outcome=outcome.value)
        if (text := not_taken_text(outcome)) is not None:
            ack(response_action="errors", errors={views.MINUTES_BLOCK: text})
            return
        ack(response_action="update", view=views.working_view(state, "Reading the minutes…"))

    return listener


def _submit_preview(intake: Intake) -> Callable[..., None]:
    def listener(ack: Ack, body: dict[str, Any], view: dict[str, Any], request: BoltRequest) -> None:
        state = _state(view)
        team, user = _who(body)
        request_log.note(kind="view", name=views.PREVIEW_CALLBACK, team=team, user=user)
        if state is None or state.draft_id is None:
            stale = views.problem_view(views.ModalState(""), "This form is out of date.", can_go_back=False)
            ack(response_action="update", view=stale)
            return
        job = {"team_id": team, "user": user, "view_id": str(view.get("id") or ""), "state": state.dump()}
        outcome = intake.accept("import_modal_confirm", job, request_key(request, body))
        request_log.note(outcome=outcome.value)
        if (text := not_taken_text(outcome)) is not None:
            ack(response_action="update", view=views.problem_view(state, text, can_go_back=True))
            return
        ack(response_action="update", view=views.working_view(state, "Importing…"))

    return listener


def _back(intake: Intake) -> Callable[..., None]:
    def listener(ack: Ack, body: dict[str, Any], request: BoltRequest) -> None:
        ack()
        view = body.get("view") or {}
        state = _state(view)
        team, user = _who(body)
        request_log.note(kind="action", name=views.BACK_ACTION, team=team, user=user)
        if state is None:
            request_log.note(outcome="ignored")
            return
        job = {"team_id": team, "user": user, "view_id": str(view.get("id") or ""), "state": state.dump()}
        request_log.note(outcome=intake.accept("import_modal_back", job, request_key(request, body)).value)

    return listener


# --- jobs ---------------------------------------------------------------------------------------------------


def _job_state(job: Job) -> tuple[Caller, views.ModalState, str]:
    state = views.ModalState.load(job.request["state"])
    caller = Caller(team_id=job.request["team_id"], user_id=job.request["user"], channel_id=state.channel_id)
    return caller, state, job.request["view_id"]


def _show(ctx: WorkContext, view_id: str, view: dict[str, Any], caller: Caller) -> None:
    try:
        ctx.client.views_update(view_id=view_id, view=view)
    except Exception as exc:
        # The modal was closed meanwhile, or Slack failed: nothing else to tell it with; ids and code only.
        log.warning("views.update for %s failed: %s", caller.user_id, classify(exc).code)


def _failed(ctx: WorkContext, job: Job, caller: Caller, exc: Exception) -> str | None:
    if ctx.already_handled(job.key):
        return None  # a second run of a job whose first run committed
    log.exception("%s failed for team=%s user=%s", job.kind, caller.team_id, caller.user_id)
    return failure_message(exc).text


def work_preview(ctx: WorkContext, job: Job) -> None:
    """Read the pasted minutes against the board and show the preview in the modal (kept as a draft)."""
    caller, state, view_id = _job_state(job)
    meeting = job.request.get("meeting")
    try:
        plan, draft_id = import_service.preview_import(
            ctx.deps,
            caller,
            code=state.code,
            meeting=datetime.date.fromisoformat(meeting) if meeting else None,
            name=import_service.PASTED,
            text=job.request["text"],
            keep_always=True,
        )
        view = views.preview_view(plan, views.ModalState(state.channel_id, state.code, draft_id))
    except (UserError, UnreadableDocument) as exc:
        view = views.problem_view(state, getattr(exc, "message", str(exc)), can_go_back=False)
    except Exception as exc:
        if (text := _failed(ctx, job, caller, exc)) is None:
            return
        view = views.problem_view(state, text, can_go_back=False)
    _show(ctx, view_id, view, caller)


def work_back(ctx: WorkContext, job: Job) -> None:
    """Back from the preview: the edit step again, with the minutes as pasted."""
    caller, state, view_id = _job_state(job)
    fresh = views.ModalState(state.channel_id, state.code)
    try:
        text, meeting = import_service.edit_again(ctx.deps, caller, state.draft_id) if state.draft_id else ("", None)
        view = views.edit_view(fresh, text=text, meeting=meeting)
    except UserError as exc:
        view = views.problem_view(fresh, exc.message, can_go_back=False)
    except Exception as exc:
        if (message := _failed(ctx, job, caller, exc)) is None:
            return
        view = views.problem_view(fresh, message, can_go_back=False)
    _show(ctx, view_id, view, caller)


def _ephemeral(client: WebClient, channel: str, user: str) -> Callable[..., Any]:
    def respond(**message: Any) -> Any:
        message.pop("response_type", None)
        message.pop("replace_original", None)
        return client.chat_postEphemeral(channel=channel, user=user, **message)

    return respond


def work_confirm(ctx: WorkContext, job: Job) -> None:
    """Import the previewed draft (once), tell the board's channel, and show the result in the modal."""
    caller, state, view_id = _job_state(job)
    assert state.draft_id is not None  # the listener queues only previews with a draft
    try:
        channel_id, result = import_service.confirm_import(ctx.deps, caller, state.draft_id)
    except UserError as exc:
        _show(ctx, view_id, views.problem_view(state, exc.message, can_go_back=False), caller)
        return
    except Exception as exc:
        if (text := _failed(ctx, job, caller, exc)) is not None:
            _show(ctx, view_id, views.problem_view(state, text, can_go_back=False), caller)
        return
    _show(ctx, view_id, views.done_view(result, state), caller)
    deliver(
        to_channel(channel_id, render.imported(result)),
        respond=_ephemeral(ctx.client, channel_id, caller.user_id),
        client=ctx.client,
        caller=caller,
    )
    # The importer's and the new actions' owners' Home tabs, once the import is saved.
    owners = [user for action in result.created for user in owner_user_ids(action)]
    refresh_homes(ctx, caller, [caller.user_id, *owners])


JOBS = {"import_modal_preview": work_preview, "import_modal_back": work_back, "import_modal_confirm": work_confirm}


def register(app: App, intake: Intake) -> None:
    """Wire the modal's submissions and its Back button (the slash command's lazy opener is wired with
    the commands, see handlers/commands.py)."""
    app.view(views.EDIT_CALLBACK)(_submit_minutes(intake))
    app.view(views.PREVIEW_CALLBACK)(_submit_preview(intake))
    app.action(views.BACK_ACTION)(_back(intake))
