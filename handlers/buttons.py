"""Buttons (block_actions): Done, Add update, Change date and Snooze a week under an action, and
"Preview summary" on a chair's Home tab.

On the request thread a click is only read and acked: Done and Snooze queue a job; Add update and
Change date open their modal from a lazy listener at once (the trigger_id expires in 3 seconds),
with a view built from the payload alone. The job makes the change through the same service as the
slash command, under the action's locks, so a second click (or a click on an action someone has just
closed) changes nothing and is told what happened; then it redraws the message the click came from.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot import request_log
from bot.errors import UserError
from bot.inbox import Job
from bot.refs import parse_ref
from bot.rendering import actions as render
from bot.rendering import summary as summary_render
from bot.rendering import views
from bot.rendering.buttons import DONE, REDATE, SNOOZE, SNOOZE_DAYS, UPDATE
from bot.rendering.formatting import ref_of
from bot.rendering.home import PREVIEW_SUMMARY
from bot.rendering.message import Message
from bot.services import meetings as meeting_service
from bot.services.actions import find_action
from bot.services.boards import resolve_board
from bot.services.changes import ActionOutcome, change_action
from bot.services.context import Caller
from bot.services.requests import CloseAction, Snooze
from bot.services.summary import build_summary
from bot.slack_faults import classify
from bot.statuses import ActionStatus
from handlers.delivery import deliver, tell
from handlers.failures import failure_message
from handlers.intake import Intake, request_key
from handlers.not_taken import answer_not_taken
from handlers.origin import Origin, notice_message, publish_home, refresh, respond_to
from handlers.reply import Reply, to_channel
from handlers.work import WorkContext
from storage.db import read_scope

log = logging.getLogger(__name__)

FORM_DID_NOT_OPEN = (
    ":warning: The form didn't open (Slack gives a form 3 seconds to appear). Nothing was changed: click again."
)


def _click(body: dict[str, Any]) -> dict[str, Any]:
    actions = body.get("actions") or [{}]
    return actions[0] if isinstance(actions[0], dict) else {}


def _caller(body: dict[str, Any]) -> Caller:
    user = body.get("user") or {}
    team = (body.get("team") or {}).get("id") or user.get("team_id") or ""
    channel = (body.get("channel") or {}).get("id")
    return Caller(team_id=str(team), user_id=str(user.get("id") or ""), channel_id=channel)


def button_request(body: dict[str, Any]) -> dict[str, Any]:
    """The queued form of a click: who, which button, which action, and where it was shown."""
    click = _click(body)
    caller = _caller(body)
    return {
        "team_id": caller.team_id,
        "user_id": caller.user_id,
        "channel_id": caller.channel_id,
        "button": click.get("action_id"),
        "value": str(click.get("value") or ""),
        "origin": Origin.of_click(body, str(click.get("block_id") or "")).to_json(),
    }


def _queue(intake: Intake, kind: str) -> Callable[..., None]:
    def listener(ack: Ack, body: dict[str, Any], request: BoltRequest, client: WebClient) -> None:
        # Request thread: read and queue only; no database, no Slack.
        job = button_request(body)
        request_log.note(kind="action", name=str(job["button"]), team=job["team_id"], user=job["user_id"])
        outcome = intake.accept(kind, job, request_key(request, body))
        request_log.note(outcome=outcome.value)
        ack()
        # Not queued: the clicker is told so, off the request thread (the ack has gone).
        answer_not_taken(outcome, body, client)

    return listener


def _ack_only(ack: Ack, body: dict[str, Any]) -> None:
    ack()
    request_log.note(kind="action", name=str(_click(body).get("action_id")), outcome="modal")


def _open_form(intake: Intake, build: Callable[..., dict[str, Any]]) -> Callable[..., None]:
    def open_form(body: dict[str, Any], client: WebClient, request: BoltRequest) -> None:
        # A lazy listener: runs right after the ack, and opens the modal while the trigger_id is fresh.
        click = _click(body)
        ref = str(click.get("value") or "")
        origin = Origin.of_click(body, str(click.get("block_id") or ""))
        meta = {"ref": ref, "origin": origin.to_json()}
        try:
            opened = client.views_open(trigger_id=body.get("trigger_id"), view=build(ref, meta))
        except Exception as exc:
            log.warning("views.open failed: %s", classify(exc).code)
            respond = respond_to(origin)
            if respond is not None:
                tell(respond, notice_message(FORM_DID_NOT_OPEN))
            return
        # The action's line, or why it can't be changed, follows from the database.
        caller = _caller(body)
        job = {
            "team_id": caller.team_id,
            "user_id": caller.user_id,
            "button": click.get("action_id"),
            "meta": meta,
            "view_id": opened["view"]["id"],
            "hash": opened["view"]["hash"],
        }
        intake.accept("action_form", job, request_key(request, body) + "-form")

    return open_form


def _tell(ctx: WorkContext, caller: Caller, origin: Origin, message: Message) -> None:
    """Say something to the clicker where they clicked: privately under the message, or atop their Home tab."""
    respond = respond_to(origin)
    if respond is not None:
        tell(respond, message, caller=caller)
    else:
        publish_home(ctx, caller, message.text)


@dataclass(frozen=True)
class _Said:
    """What a click comes to: the board's confirmation, the clicker's notice, or why nothing changed."""

    reply: Reply = field(default_factory=Reply)
    notice: str | None = None
    refusal: str | None = None
    homes: tuple[str, ...] = ()  # the owners, whose Home tabs the change alters


def _present(caller: Caller) -> Callable[[Session, ActionOutcome], _Said]:
    def present(session: Session, outcome: ActionOutcome) -> _Said:
        now = outcome.at
        action = outcome.action
        if not outcome.changed:
            assert outcome.refusal is not None
            if action.status != ActionStatus.OPEN and not outcome.by_someone_else:
                # A button left on an older message: say who closed it, not only that it is closed.
                return _Said(refusal=f"{_closed_by(action)}. Nothing was changed.")
            return _Said(refusal=outcome.refusal.message)
        if isinstance(outcome.request, CloseAction):
            return _Said(
                reply=to_channel(action.board.channel_id, render.closed(action, caller.user_id, now)),
                notice=f":white_check_mark: *{ref_of(action)}* is marked done.",
                homes=outcome.owner_user_ids,
            )
        until = outcome.snoozed_until
        assert until is not None
        return _Said(
            notice=(
                f":zzz: No reminders about *{ref_of(action)}* until {until:%a} {until.day} {until:%b} inclusive. "
                "Its due date is unchanged."
            ),
            homes=outcome.owner_user_ids,
        )

    return present


def work_button(ctx: WorkContext, job: Job) -> None:
    """Done or Snooze a week, clicked on an action (the same step as `/action done` and `/mine snooze`);
    then the message it was clicked on is drawn again."""
    req = job.request
    caller = Caller(team_id=req["team_id"], user_id=req["user_id"], channel_id=req.get("channel_id"))
    origin = Origin.from_json(req.get("origin"))
    try:
        ref = parse_ref(req["value"])
        change = CloseAction(ref) if req["button"] == DONE else Snooze(ref, SNOOZE_DAYS)
        said = change_action(ctx.deps, caller, change, present=_present(caller))
    except UserError as exc:
        said = _Said(refusal=exc.message)
    except Exception as exc:
        if _committed_elsewhere(ctx, job):
            return
        log.exception("button %s failed for team=%s user=%s", req.get("button"), caller.team_id, caller.user_id)
        _tell(ctx, caller, origin, failure_message(exc))
        return
    assert isinstance(said, _Said)
    respond = respond_to(origin)
    if said.refusal is not None:
        # Nothing changed (already done, closed by someone else, not theirs…): say so, and show it as it is
        # (in the Home tab the warning goes atop the tab as it is redrawn, in one publish).
        warning = f":warning: {said.refusal}"
        if respond is not None:
            tell(respond, notice_message(warning), caller=caller)
        refresh(ctx, caller, origin, warning)
        return
    home_notes: list[str] = []
    deliver(said.reply, respond=respond or _noted(home_notes), client=ctx.client, caller=caller)
    if respond is not None and not said.reply.channel and said.notice:
        tell(respond, notice_message(said.notice), caller=caller)
    # The clicker's Home tab once, with anything delivery had to say; then the owners' (the change is saved).
    notice = "\n".join(n for n in (said.notice, *home_notes) if n) or None
    refresh(ctx, caller, origin, notice, others=said.homes)


def _closed_by(action: Any) -> str:
    verb = "marked done" if action.status == ActionStatus.DONE else action.status
    by = f" by <@{action.closed_by}>" if action.closed_by else ""
    return f"*{ref_of(action)}* was already {verb}{by}"


def _noted(notes: list[str]) -> Callable[..., Any]:
    """A stand-in for response_url in the Home tab: what would be said privately is kept, to go atop the tab."""

    def respond(**payload: Any) -> None:
        notes.append(str(payload.get("text") or ""))

    return respond


def _committed_elsewhere(ctx: WorkContext, job: Job) -> bool:
    try:
        return ctx.already_handled(job.key)
    except Exception:
        return False


def work_preview(ctx: WorkContext, job: Job) -> None:
    """ "Preview summary" on the Home tab: the board's summary for its next meeting, sent to the clicker's DM."""
    req = job.request
    caller = Caller(team_id=req["team_id"], user_id=req["user_id"])
    now = ctx.deps.clock()
    try:
        with read_scope(ctx.deps.session_factory) as session:
            board = resolve_board(session, caller, str(req["value"]))
            meeting = meeting_service.next_meeting(session, board, now)
            summary = build_summary(session, board=board, meeting=meeting, now=now)
            message = summary_render.slack_messages(
                summary, overflow_note=f"post it with `/summary {board.code} post`"
            )[0]
    except UserError as exc:
        publish_home(ctx, caller, f":warning: {exc.message}")
        return
    except Exception as exc:
        log.exception("summary preview failed for team=%s user=%s", caller.team_id, caller.user_id)
        publish_home(ctx, caller, failure_message(exc).text)
        return
    try:
        ctx.client.chat_postMessage(channel=caller.user_id, **message.payload())
    except Exception as exc:
        log.warning("summary preview DM to %s failed: %s", caller.user_id, classify(exc).code)
        publish_home(ctx, caller, f":warning: I couldn't send you the preview ({classify(exc).code}). Try again soon.")


_FORMS = {
    UPDATE: (views.ADD_UPDATE, "Add an update", "record progress on it", views.update_modal),
    REDATE: (views.CHANGE_DATE, "Change the due date", "re-date it", views.redate_modal),
}


def work_action_form(ctx: WorkContext, job: Job) -> None:
    """Fill an opened Add update / Change date modal in with the action's line (and its due date), or say
    there why it can't be changed (closed, gone, not found), guarded by the view's hash."""
    req = job.request
    caller = Caller(team_id=req["team_id"], user_id=req["user_id"])
    callback_id, title, doing, build = _FORMS[req["button"]]
    meta = req.get("meta") or {}
    ref = str(meta.get("ref") or "")
    now = ctx.deps.clock()
    with read_scope(ctx.deps.session_factory) as session:
        try:
            action = find_action(session, caller, parse_ref(ref))
        except UserError as exc:
            view = views.result_view(callback_id, title, f":warning: {exc.message}")
        else:
            if action.status != ActionStatus.OPEN:
                view = views.result_view(callback_id, title, f":warning: {_closed_by(action)}, so you can't {doing}.")
            else:
                values: dict[str, str] = {}
                if action.due_kind == "next_meeting":
                    values = {views.DUE_NEXT: "1"}
                elif action.due_date:
                    values = {views.DUE_DATE: action.due_date.isoformat()}
                about = render.action_line(action, now, with_board=True)
                view = build(ref, meta, about=about, values=values if req["button"] == REDATE else None)
    try:
        ctx.client.views_update(view_id=req["view_id"], hash=req.get("hash"), view=view)
    except Exception as exc:
        # hash_conflict: the modal moved on (submitted, closed) first; nothing to do.
        log.info("views.update of the %s form skipped: %s", callback_id, classify(exc).code)


JOBS = {"button": work_button, "preview_summary": work_preview, "action_form": work_action_form}


def register(app: App, intake: Intake) -> None:
    """Wire the buttons under actions and on the Home tab."""
    for action_id in (DONE, SNOOZE):
        app.action(action_id)(_queue(intake, "button"))
    app.action(UPDATE)(ack=_ack_only, lazy=[_open_form(intake, views.update_modal)])
    app.action(REDATE)(ack=_ack_only, lazy=[_open_form(intake, views.redate_modal)])
    app.action(PREVIEW_SUMMARY)(_queue(intake, "preview_summary"))
