"""Modal submissions (view_submission): log an action, add an update, change a due date.

On the request thread, what the payload alone can tell is checked and answered inline
(`response_action: errors`, nothing queued). Otherwise the modal is switched to "Saving…"
(`response_action: update`) and a job does the rest with the same services as the slash commands:
it then updates the modal (`views.update`) to what was done, or back to the form with what was wrong
shown in it, so a submission never fails in silence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.request import BoltRequest
from sqlalchemy.orm import Session

from bot import request_log
from bot.case_identifiers import find_identifiers
from bot.dates import Due, DueKind
from bot.errors import Field, UserError
from bot.inbox import Job
from bot.refs import Ref, parse_ref
from bot.rendering import actions as render
from bot.rendering import views
from bot.rendering.care import identifier_warning
from bot.rendering.formatting import ref_of
from bot.services import actions as service
from bot.services.boards import log_choices
from bot.services.changes import ActionOutcome, AddOutcome, change_action, log_action
from bot.services.context import Caller
from bot.services.requests import ActionChange, AddAction, Owners, Redate, UpdateAction
from bot.slack_faults import classify
from bot.statuses import Rag
from bot.text import MAX_ACTION_TEXT, escape_prose, squash, truncate
from handlers.delivery import deliver
from handlers.failures import failure_message
from handlers.intake import Intake, not_taken_text, request_key
from handlers.origin import Origin, refresh, refresh_homes
from handlers.reply import Reply, to_channel, touching_homes, with_private
from handlers.work import WorkContext
from storage.db import read_scope

log = logging.getLogger(__name__)

EARLIEST_DUE = date(2000, 1, 1)
UNREADABLE = "Slack sent this form in a shape I can't read, so nothing was saved. Please try again."


# -- reading a submission ------------------------------------------------------------------------


def _state(values: dict[str, Any], block: str) -> dict[str, Any]:
    state = (values.get(block) or {}).get(block) or {}
    return state if isinstance(state, dict) else {}


def _text(values: dict[str, Any], block: str) -> str:
    return str(_state(values, block).get("value") or "")


def _selected(values: dict[str, Any], block: str) -> str | None:
    option = _state(values, block).get("selected_option") or {}
    return str(option["value"]) if option.get("value") else None


def _options(values: dict[str, Any], block: str) -> list[str]:
    return [str(o.get("value")) for o in _state(values, block).get("selected_options") or [] if o.get("value")]


def _date(values: dict[str, Any], block: str) -> date | None:
    picked = _state(values, block).get("selected_date")
    return date.fromisoformat(picked) if picked else None


@dataclass
class LogSubmission:
    """The log-action form as submitted."""

    board: str | None = None
    text: str = ""
    user_ids: list[str] = field(default_factory=list)
    member_ids: list[int] = field(default_factory=list)
    due: date | None = None
    next_meeting: bool = False
    rag: str | None = None

    @classmethod
    def read(cls, values: dict[str, Any]) -> LogSubmission:
        """From `view.state.values`; raises ValueError when a value is not of its kind."""
        return cls(
            board=_selected(values, views.BOARD),
            text=_text(values, views.WHAT),
            user_ids=[str(u) for u in _state(values, views.OWNERS).get("selected_users") or []],
            member_ids=[int(v) for v in _options(values, views.OTHERS)],
            due=_date(values, views.DUE_DATE),
            next_meeting=views.NEXT_MEETING in _options(values, views.DUE_NEXT),
            rag=_selected(values, views.RAG),
        )

    def to_json(self) -> dict[str, Any]:
        """The queued form of the submission."""
        return {**self.__dict__, "due": self.due.isoformat() if self.due else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LogSubmission:
        """Read back what `to_json` wrote."""
        return cls(**{**data, "due": date.fromisoformat(data["due"]) if data.get("due") else None})

    def picked_due(self) -> Due | None:
        """The due date picked (None: read it from the text)."""
        if self.next_meeting:
            return Due(DueKind.NEXT_MEETING)
        return Due(DueKind.DATE, self.due) if self.due else None

    def errors(self) -> dict[str, str]:
        """What the form alone shows to be wrong, by block id."""
        errors = {}
        if not self.text.strip():
            errors[views.WHAT] = "Say what is to be done."
        elif len(self.text) > MAX_ACTION_TEXT:
            errors[views.WHAT] = f"Keep it to {MAX_ACTION_TEXT:,} characters; put the detail in a linked document."
        errors.update(_due_errors(self.due, self.next_meeting, required=False))
        return errors


def _due_errors(due: date | None, next_meeting: bool, *, required: bool) -> dict[str, str]:
    if due and next_meeting:
        return {views.DUE_DATE: "Pick a date or tick the next meeting, not both."}
    if due and due < EARLIEST_DUE:
        return {views.DUE_DATE: f"{due:%d/%m/%Y} is before {EARLIEST_DUE.year}: check the year."}
    if required and not due and not next_meeting:
        return {views.DUE_DATE: "Pick the new date, or tick the next meeting."}
    return {}


# -- the ack side ----------------------------------------------------------------------------------


def _ids(body: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    user = body.get("user") or {}
    team = (body.get("team") or {}).get("id") or user.get("team_id") or ""
    return str(team), str(user.get("id") or ""), body.get("view") or {}


_FIRST_INPUT = {"log_action": views.WHAT, "add_update": views.PROGRESS, "change_date": views.DUE_DATE}


def _queue_or_say(intake: Intake, ack: Ack, kind: str, job: dict[str, Any], key: str, saving: dict[str, Any]) -> None:
    """Switch the modal to "Saving…" and queue the work; if it can't be queued, say so in the modal."""
    outcome = intake.accept(kind, job, key)
    request_log.note(outcome=outcome.value)
    if (text := not_taken_text(outcome)) is not None:
        # Shown under the form's first input (an error must name a block the view has).
        ack(response_action="errors", errors={_FIRST_INPUT[kind]: text})
        return
    ack(response_action="update", view=saving)


def _submitted(
    intake: Intake, kind: str, read: Callable[[dict[str, Any]], tuple[dict[str, Any], dict[str, str]]], title: str
) -> Callable[..., None]:
    def listener(ack: Ack, body: dict[str, Any], request: BoltRequest) -> None:
        # Request thread: read the form and answer; no database, no Slack.
        team, user, view = _ids(body)
        request_log.note(kind="view", name=str(view.get("callback_id")), team=team, user=user)
        meta = views.read_metadata(view.get("private_metadata"))
        try:
            submission, errors = read((view.get("state") or {}).get("values") or {})
        except (ValueError, TypeError, KeyError):
            request_log.note(outcome="unreadable")
            ack(response_action="errors", errors={views.WHAT: UNREADABLE})
            return
        if errors:
            request_log.note(outcome="invalid")
            ack(response_action="errors", errors=errors)
            return
        job = {"team_id": team, "user_id": user, "view_id": view.get("id"), "meta": meta, "form": submission}
        saving = views.saving_view(str(view.get("callback_id")), title, meta)
        _queue_or_say(intake, ack, kind, job, request_key(request, body), saving)

    return listener


def _read_log(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    form = LogSubmission.read(values)
    return form.to_json(), form.errors()


def _read_update(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    form = {
        "progress": _text(values, views.PROGRESS),
        "rag": _selected(values, views.RAG),
        "evidence": _text(values, views.EVIDENCE),
    }
    errors = {} if form["progress"].strip() else {views.PROGRESS: "Say what progress has been made."}
    return form, errors


def _read_redate(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    due = _date(values, views.DUE_DATE)
    next_meeting = views.NEXT_MEETING in _options(values, views.DUE_NEXT)
    form = {
        "due_date": due.isoformat() if due else None,
        "due_next": next_meeting,
        "reason": _text(values, views.REASON),
    }
    return form, _due_errors(due, next_meeting, required=True)


# -- the work side ---------------------------------------------------------------------------------

# The input of a form each part of a request is shown at (the services name the part: errors.Field).
_BLOCK_OF = {
    Field.BOARD: views.BOARD,
    Field.TEXT: views.WHAT,
    Field.OWNERS: views.OWNERS,
    Field.DUE: views.DUE_DATE,
    Field.RAG: views.RAG,
    Field.PROGRESS: views.PROGRESS,
    Field.EVIDENCE: views.EVIDENCE,
    Field.REASON: views.REASON,
}
SEE_BELOW = "Nothing was saved: put right what is marked below."


def inline_errors(error: UserError) -> dict[str, str]:
    """A refusal as a form shows it: under the input it is about, or above the form."""
    block = _BLOCK_OF.get(error.field) if error.field else None
    if block is None:
        return {"": error.message}
    return {"": SEE_BELOW, block: error.message}


def _update_view(ctx: WorkContext, view_id: str | None, view: dict[str, Any]) -> None:
    try:
        ctx.client.views_update(view_id=view_id, view=view)
    except Exception as exc:
        # The modal was closed meanwhile, or Slack failed: the channel post and Home tab still say it.
        log.warning("views.update failed: %s", classify(exc).code)


class _Notes:
    """Collects what `deliver` would say privately, to show it in the modal instead."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, **payload: Any) -> None:
        self.texts.append(str(payload.get("text") or ""))


def log_form(
    session: Any,
    caller: Caller,
    form: LogSubmission | None,
    *,
    meta: dict[str, Any],
    errors: dict[str, str] | None = None,
    prefill: service.TextReading | None = None,
) -> dict[str, Any]:
    """The log-action modal with its choices loaded from the database, showing `form` (as submitted) or
    `prefill` (read from a message)."""
    choices = log_choices(session, caller)
    boards = [views.Choice(b.code, f"{b.code} · {b.name}") for b in choices.boards]
    code_of = {b.id: b.code for b in choices.boards}
    others = [
        views.Choice(
            str(m.id), f"{m.initials}" + (f" · {m.name}" if m.name else "") + f" ({code_of.get(m.board_id, '')})"
        )
        for m in choices.without_slack
    ]
    default = choices.default.code if choices.default else None
    note = (
        None
        if boards
        else (
            ":information_source: You are not a member of any board yet. Ask a board's chair to add you with "
            "`/meeting member add`, or log the action from the board's channel."
        )
    )
    if form is not None:
        return views.log_action_modal(
            views.LogForm(
                metadata=meta,
                boards=boards,
                board=form.board or default,
                text=form.text,
                user_ids=form.user_ids,
                others=others,
                chosen_others=[str(i) for i in form.member_ids],
                due=form.due,
                next_meeting=form.next_meeting,
                rag=form.rag,
                errors=errors or {},
                note=note,
            )
        )
    reading = prefill
    return views.log_action_modal(
        views.LogForm(
            metadata=meta,
            boards=boards,
            board=default,
            text=reading.task if reading else str(meta.get("text") or ""),
            user_ids=[m.slack_user_id for m in reading.owners if m.slack_user_id]
            if reading
            else list(meta.get("users") or []),
            others=others,
            chosen_others=[str(m.id) for m in reading.owners if not m.slack_user_id] if reading else [],
            due=reading.due.date if reading and reading.due and reading.due.kind is DueKind.DATE else None,
            next_meeting=bool(reading and reading.due and reading.due.kind is DueKind.NEXT_MEETING),
            errors=errors or {},
            note=note,
        )
    )


def _logged(caller: Caller, form: LogSubmission) -> Callable[[Session, AddOutcome], tuple[Reply, str]]:
    def present(session: Session, outcome: AddOutcome) -> tuple[Reply, str]:
        now = outcome.at
        action, board = outcome.action, outcome.board
        reply = to_channel(board.channel_id, render.logged(action, caller.user_id, now))
        if outcome.readings:
            reply = with_private(reply, render.due_read_back(action, outcome.readings[0], now))
        findings = find_identifiers(form.text, board.case_pattern)
        if findings:
            reply = with_private(reply, identifier_warning(ref_of(action), findings))
        reply = touching_homes(reply, caller.user_id, *outcome.owner_user_ids)
        done = (
            f":memo: Logged *{ref_of(action)}*: {escape_prose(truncate(action.text, 300))}\n"
            f"Owners: {render.owner_mentions(action)}"
        )
        return reply, done

    return present


def work_log_action(ctx: WorkContext, job: Job) -> None:
    """Log the action the modal describes, with the rules of `/action add` (the same step); the modal says
    how it went."""
    req = job.request
    meta = dict(req.get("meta") or {})
    caller = Caller(team_id=req["team_id"], user_id=req["user_id"], channel_id=meta.get("channel"))
    form = LogSubmission.from_json(req["form"])
    source_url = _permalink(ctx, meta.get("source"))
    picked = bool(form.user_ids or form.member_ids)
    request = AddAction(
        text=form.text,
        board_code=form.board,
        owners=Owners(slack_user_ids=tuple(form.user_ids), member_ids=tuple(form.member_ids)) if picked else None,
        due=form.picked_due(),
        rag=Rag(form.rag) if form.rag else None,
        source_url=source_url,
    )
    try:
        said = log_action(ctx.deps, caller, request, present=_logged(caller, form))
    except UserError as exc:
        with read_scope(ctx.deps.session_factory) as session:
            view = log_form(session, caller, form, meta=meta, errors=inline_errors(exc))
        _update_view(ctx, req.get("view_id"), view)
        return
    except Exception as exc:
        if _committed_elsewhere(ctx, job):
            return
        log.exception("log_action failed for team=%s user=%s", caller.team_id, caller.user_id)
        _update_view(
            ctx, req.get("view_id"), views.result_view(views.LOG_ACTION, "Log an action", failure_message(exc).text)
        )
        return
    assert isinstance(said, tuple)
    reply, done = said
    if meta.get("source") and source_url is None:
        done += "\n:warning: Slack didn't give me a link to the message, so the action was logged without its source."
    _finish(ctx, req.get("view_id"), views.LOG_ACTION, "Log an action", reply, done, caller)
    refresh_homes(ctx, caller, reply.homes)


def _finish(
    ctx: WorkContext, view_id: str | None, callback_id: str, title: str, reply: Reply, done: str, caller: Caller
) -> None:
    """Post the board's confirmation, then show in the modal what was done and anything said privately."""
    notes = _Notes()
    deliver(reply, respond=notes, client=ctx.client, caller=caller)
    if reply.channel_id and not any(":warning:" in n for n in notes.texts):
        done += f"\nPosted in <#{reply.channel_id}>."
    text = "\n\n".join([done, *notes.texts])
    _update_view(ctx, view_id, views.result_view(callback_id, title, truncate(text, 2900)))


def _permalink(ctx: WorkContext, source: Any) -> str | None:
    """The permalink of the message an action is logged from (None if Slack can't say: logged without it)."""
    if not isinstance(source, dict) or not source.get("channel") or not source.get("ts"):
        return None
    try:
        return str(ctx.client.chat_getPermalink(channel=source["channel"], message_ts=source["ts"])["permalink"])
    except Exception as exc:
        log.warning("chat.getPermalink failed: %s", classify(exc).code)
        return None


def _committed_elsewhere(ctx: WorkContext, job: Job) -> bool:
    try:
        return ctx.already_handled(job.key)
    except Exception:
        return False


Present = Callable[[Session, ActionOutcome], tuple[Reply, str]]


def _action_change(
    title: str,
    callback_id: str,
    build: Callable[..., dict[str, Any]],
    request: Callable[[Ref, dict[str, Any]], ActionChange],
    present: Callable[[Caller, dict[str, Any]], Present],
) -> Callable[[WorkContext, Job], None]:
    def work(ctx: WorkContext, job: Job) -> None:
        req = job.request
        meta = dict(req.get("meta") or {})
        origin = Origin.from_json(meta.get("origin"))
        caller = Caller(team_id=req["team_id"], user_id=req["user_id"], channel_id=origin.channel)
        ref = str(meta.get("ref") or "")
        form = dict(req["form"])
        try:
            outcome = change_action(
                ctx.deps,
                caller,
                request(parse_ref(ref), form),
                present=_unless_refused(present(caller, form)),
            )
        except UserError as exc:
            outcome = exc
        except Exception as exc:
            if _committed_elsewhere(ctx, job):
                return
            log.exception("%s failed for team=%s user=%s", callback_id, caller.team_id, caller.user_id)
            _update_view(ctx, req.get("view_id"), views.result_view(callback_id, title, failure_message(exc).text))
            return
        if isinstance(outcome, UserError):
            # Nothing changed: the form again, with the reason in it, and the message it came from as it is now.
            _update_view(ctx, req.get("view_id"), build(ref, meta, errors=inline_errors(outcome), values=form))
            refresh(ctx, caller, origin)
            return
        assert isinstance(outcome, tuple)
        reply, done = outcome
        _finish(ctx, req.get("view_id"), callback_id, title, reply, done, caller)
        refresh(ctx, caller, origin, done, others=reply.homes)

    return work


def _unless_refused(present: Present) -> Callable[[Session, ActionOutcome], tuple[Reply, str] | UserError]:
    def wrapped(session: Session, outcome: ActionOutcome) -> tuple[Reply, str] | UserError:
        if not outcome.changed and outcome.refusal is not None:
            return outcome.refusal
        reply, done = present(session, outcome)
        # The owners' Home tabs (before and after) follow the change, as the clicker's does.
        return touching_homes(reply, *outcome.owner_user_ids), done

    return wrapped


def _update_request(ref: Ref, form: dict[str, Any]) -> ActionChange:
    rag = form.get("rag")
    return UpdateAction(ref, form["progress"], rag=Rag(rag) if rag else None, evidence=form.get("evidence") or None)


def _updated(caller: Caller, form: dict[str, Any]) -> Present:
    def present(session: Session, outcome: ActionOutcome) -> tuple[Reply, str]:
        now = outcome.at
        action = outcome.action
        evidence = form.get("evidence") or None
        message = render.updated(action, caller.user_id, now, squash(form["progress"]), evidence)
        reply = to_channel(action.board.channel_id, message)
        findings = find_identifiers(f"{form['progress']} {evidence or ''}", action.board.case_pattern)
        if findings:
            reply = with_private(reply, identifier_warning(ref_of(action), findings))
        return reply, f":arrows_counterclockwise: Update saved on *{ref_of(action)}*."

    return present


def _redate_request(ref: Ref, form: dict[str, Any]) -> ActionChange:
    if form.get("due_next"):
        due = Due(DueKind.NEXT_MEETING)
    else:
        due = Due(DueKind.DATE, date.fromisoformat(form["due_date"]))
    return Redate(ref, due, reason=(form.get("reason") or "").strip() or None)


def _redated(caller: Caller, form: dict[str, Any]) -> Present:
    def present(session: Session, outcome: ActionOutcome) -> tuple[Reply, str]:
        now = outcome.at
        action = outcome.action
        reply = to_channel(action.board.channel_id, render.redated(action, caller.user_id, now, outcome.reason))
        return reply, f":calendar: *{ref_of(action)}* re-dated."

    return present


def _redate_values(form: dict[str, Any]) -> dict[str, str]:
    return {
        views.DUE_DATE: form.get("due_date") or "",
        views.DUE_NEXT: "1" if form.get("due_next") else "",
        views.REASON: form.get("reason") or "",
    }


JOBS = {
    "log_action": work_log_action,
    "add_update": _action_change("Add an update", views.ADD_UPDATE, views.update_modal, _update_request, _updated),
    "change_date": _action_change(
        "Change the due date",
        views.CHANGE_DATE,
        lambda ref, meta, errors, values: views.redate_modal(ref, meta, errors=errors, values=_redate_values(values)),
        _redate_request,
        _redated,
    ),
}


def register(app: App, intake: Intake) -> None:
    """Wire the submissions of the three modals."""
    app.view(views.LOG_ACTION)(_submitted(intake, "log_action", _read_log, "Log an action"))
    app.view(views.ADD_UPDATE)(_submitted(intake, "add_update", _read_update, "Add an update"))
    app.view(views.CHANGE_DATE)(_submitted(intake, "change_date", _read_redate, "Change the due date"))
