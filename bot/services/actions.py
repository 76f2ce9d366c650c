"""Logging, updating and closing actions. Every change writes an ActionEvent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.clock import local_date
from bot.dates import DateParseError, Due, DueKind, extract_due, split_leading_due
from bot.directory import Directory
from bot.errors import UserError
from bot.owners import MENTION, OwnerToken, find_owners, owners_list_is_clean, split_owner_tokens
from bot.refs import Ref, format_ref
from bot.services.context import Caller
from bot.services.meetings import bind_next_meeting_actions
from bot.services.permissions import ensure_may_change
from bot.text import MAX_ACTION_TEXT, escape, squash
from storage import actions as store
from storage import boards as board_store
from storage.models import Action, ActionEvent, Board, Member

RAGS = ("red", "amber", "green")
OPEN, DONE, DROPPED = "open", "done", "dropped"


@dataclass(frozen=True)
class ActionDetail:
    """An action with the updates `/action show` displays."""

    action: Action
    updates: Sequence[ActionEvent]


def find_action(session: Session, caller: Caller, ref: Ref) -> Action:
    """The action `ref` names in the caller's workspace; a bare number needs the board's channel."""
    if ref.code:
        board = board_store.board_by_code(session, caller.team_id, ref.code)
        if board is None:
            raise UserError(f"There is no board `{escape(ref.code)}` in this workspace, so no action `{ref}`.")
    else:
        board = board_store.board_by_channel(session, caller.team_id, caller.channel_id or "")
        if board is None:
            raise UserError(
                f"`{ref}` on its own only works in a board's channel. Use the full reference, e.g. `SSCB-{ref}`."
            )
    action = store.action_by_number(session, board.id, ref.number)
    if action is None:
        raise UserError(f"There is no action {format_ref(board.code, ref.number)} on {board.code}.")
    return action


def _check_text(text: str, what: str) -> str:
    text = squash(text)
    if not text:
        raise UserError(f"The {what} is empty.")
    if len(text) > MAX_ACTION_TEXT:
        raise UserError(
            f"The {what} is {len(text):,} characters long; the limit is {MAX_ACTION_TEXT:,}. "
            "Shorten it, or put the detail in a document and link to it."
        )
    return text


def _parse_due_clause(text: str, today: date) -> tuple[str, Due | None]:
    try:
        return extract_due(text, today=today)
    except DateParseError as exc:
        # The parser quotes what was typed; it becomes a Slack message, so escape it.
        raise UserError(escape(str(exc))) from None


def resolve_owners(session: Session, board: Board, tokens: Sequence[OwnerToken]) -> list[Member]:
    """The board's current members the tokens name; unknown initials or non-members are errors."""
    members: list[Member] = []
    for token in tokens:
        if token.user_id:
            member = board_store.current_member_by_user(session, board.id, token.user_id)
            if member is None:
                raise UserError(
                    f"<@{token.user_id}> is not a member of {board.code}, and owners must be members so the "
                    f"log can show their initials. Add them with `/meeting member add @user INITIALS`."
                )
        else:
            member = board_store.current_member_by_initials(session, board.id, token.initials or "")
            if member is None:
                known = ", ".join(m.initials for m in board_store.current_members(session, board.id))
                raise UserError(
                    f"`{escape(token.initials or '')}` is not the initials of a member of {board.code} "
                    f"(members: {known or 'none yet'}). Add them with `/meeting member add`."
                )
        if member not in members:
            members.append(member)
    return members


def _mentions_as_initials(text: str, owners: Sequence[Member]) -> str:
    """Replace `<@U…>` of owners with their initials, so the stored text reads like the minutes."""
    by_user = {m.slack_user_id: m.initials for m in owners if m.slack_user_id}

    def swap(match: Any) -> str:
        return by_user.get(match.group(1), match.group(0))

    return MENTION.sub(swap, text)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _event(
    action: Action, caller: Caller, kind: str, now: datetime, note: str | None = None, **data: Any
) -> ActionEvent:
    event = ActionEvent(action=action, at=now, actor_user_id=caller.user_id, kind=kind, note=note, data=data)
    action.updated_at = now
    return event


def _apply_due(session: Session, action: Action, due: Due | None, now: datetime) -> None:
    action.due_kind = due.kind.value if due else None
    action.due_date = due.date if due else None
    action.due_meeting_id = None
    if action.due_kind == DueKind.NEXT_MEETING.value:
        # "next meeting" is the board's next scheduled meeting, dated from it (none yet: bound later).
        session.flush()
        bind_next_meeting_actions(session, action.board, now)


def _due_data(due: Due | None) -> dict[str, Any]:
    if due is None:
        return {"kind": None, "date": None}
    return {"kind": due.kind.value, "date": due.date.isoformat() if due.date else None}


def add_action(session: Session, *, caller: Caller, board: Board, text: str, now: datetime) -> Action:
    """Log an action: owners and due date are read from the text as boards write them."""
    text = _check_text(text, "action text")
    today = local_date(now, board.tz)
    body, due = _parse_due_clause(text, today)
    owned = find_owners(body)
    owners = resolve_owners(session, board, owned.owners)
    if not owners:
        me = board_store.current_member_by_user(session, board.id, caller.user_id)
        if me is None:
            raise UserError(
                "Who owns this action? Start with the owner's initials or mention them, "
                "e.g. `/action add AF to circulate the report by 15/12`."
            )
        owners = [me]
    task = _capitalise(_mentions_as_initials(owned.task, owners).strip())
    if not task:
        raise UserError("The action has owners but no task: say what is to be done.")
    action = Action(
        board_id=board.id,
        number=board_store.take_next_action_number(session, board.id),
        text=task,
        status=OPEN,
        due_change_count=0,
        created_by=caller.user_id,
        created_at=now,
        updated_at=now,
        source_channel_id=caller.channel_id,
        source_text=text,
    )
    action.owners = owners
    action.board = board
    session.add(action)
    _apply_due(session, action, due, now)
    session.add(
        _event(action, caller, "created", now, note=task, owners=[m.initials for m in owners], due=_due_data(due))
    )
    session.flush()
    return action


def _ensure_open(action: Action, doing: str) -> None:
    if action.status != OPEN:
        raise UserError(
            f"{format_ref(action.board.code, action.number)} is {action.status}, so you can't {doing}. "
            f"Reopen it first with `/action reopen {format_ref(action.board.code, action.number)}`."
        )


def _set_rag(action: Action, caller: Caller, rag: str, reason: str | None, now: datetime) -> ActionEvent:
    event = _event(action, caller, "rag", now, note=reason, rag_from=action.rag, rag_to=rag)
    action.previous_rag = action.rag
    action.rag = rag
    action.rag_reason = reason
    action.rag_changed_at = now
    return event


def record_update(
    session: Session,
    *,
    caller: Caller,
    action: Action,
    text: str,
    rag: str | None,
    evidence: str | None,
    directory: Directory,
    now: datetime,
) -> Action:
    """Record progress, optionally with a new RAG and evidence."""
    ensure_may_change(action, caller.user_id, directory)
    _ensure_open(action, "record progress on it")
    text = _check_text(text, "progress update")
    if evidence is not None:
        evidence = _check_text(evidence, "evidence")
    session.add(_event(action, caller, "update", now, note=text, evidence=evidence, rag=rag))
    if rag and rag != action.rag:
        session.add(_set_rag(action, caller, rag, text, now))
    action.last_progress_at = now
    session.flush()
    return action


def change_rag(
    session: Session,
    *,
    caller: Caller,
    action: Action,
    rag: str,
    reason: str | None,
    directory: Directory,
    now: datetime,
) -> Action:
    """Set the RAG rating, keeping the previous one."""
    ensure_may_change(action, caller.user_id, directory)
    _ensure_open(action, "change its RAG")
    if reason is not None:
        reason = _check_text(reason, "reason")
    if rag == action.rag:
        raise UserError(f"{format_ref(action.board.code, action.number)} is already {rag.capitalize()}.")
    session.add(_set_rag(action, caller, rag, reason, now))
    session.flush()
    return action


def close_action(
    session: Session,
    *,
    caller: Caller,
    action: Action,
    status: str,
    note: str | None,
    directory: Directory,
    now: datetime,
) -> Action:
    """Mark an action done, or dropped (a reason is then required)."""
    ensure_may_change(action, caller.user_id, directory)
    ref = format_ref(action.board.code, action.number)
    if action.status == status:
        raise UserError(f"{ref} is already {status}.")
    _ensure_open(action, "close it again")
    if note is not None:
        note = _check_text(note, "note")
    if status == DROPPED and not note:
        raise UserError(f"Say why {ref} is being dropped: boards need the reason on the record.")
    action.status = status
    action.closed_at = now
    action.closed_by = caller.user_id
    action.close_note = note
    session.add(_event(action, caller, status, now, note=note))
    session.flush()
    return action


def reopen_action(session: Session, *, caller: Caller, action: Action, directory: Directory, now: datetime) -> Action:
    """Reopen a done or dropped action."""
    ensure_may_change(action, caller.user_id, directory)
    if action.status == OPEN:
        raise UserError(f"{format_ref(action.board.code, action.number)} is already open.")
    session.add(_event(action, caller, "reopened", now, status_from=action.status))
    action.status = OPEN
    action.closed_at = None
    action.closed_by = None
    action.close_note = None
    session.flush()
    return action


def assign_action(
    session: Session, *, caller: Caller, action: Action, owners_text: str, directory: Directory, now: datetime
) -> Action:
    """Replace the owners with those named (initials or mentions of members)."""
    ensure_may_change(action, caller.user_id, directory)
    _ensure_open(action, "reassign it")
    if not owners_list_is_clean(owners_text):
        raise UserError(
            f"`{escape(owners_text) or '(nothing)'}` is not a list of owners. Give members' initials or "
            "mentions, e.g. `AF & EA` or `@amy`."
        )
    owners = resolve_owners(session, action.board, split_owner_tokens(owners_text))
    before = [m.initials for m in action.owners]
    after = [m.initials for m in owners]
    if sorted(before) == sorted(after):
        raise UserError(f"{format_ref(action.board.code, action.number)} is already owned by {', '.join(after)}.")
    session.add(_event(action, caller, "assigned", now, owners_from=before, owners_to=after))
    store.set_owners(session, action, owners)
    return action


def redate_action(
    session: Session, *, caller: Caller, action: Action, text: str, directory: Directory, now: datetime
) -> str | None:
    """Give a new due date (`<date> [reason]`); the original target and the count of changes are kept.

    Returns the reason given, if any, for the confirmation."""
    ensure_may_change(action, caller.user_id, directory)
    _ensure_open(action, "re-date it")
    today = local_date(now, action.board.tz)
    try:
        due, reason = split_leading_due(text, today=today)
    except DateParseError as exc:
        raise UserError(escape(str(exc))) from None
    reason = _check_text(reason, "reason") if reason.strip() else None
    ref = format_ref(action.board.code, action.number)
    same_meeting = due.kind is DueKind.NEXT_MEETING and action.due_kind == due.kind.value
    if same_meeting or (due.kind.value == action.due_kind and due.date == action.due_date):
        raise UserError(f"{ref} is already due then.")
    old = {"kind": action.due_kind, "date": action.due_date.isoformat() if action.due_date else None}
    # Slippage is counted from the first real target date the board agreed.
    if action.due_date is not None:
        if action.original_due_date is None:
            action.original_due_date = action.due_date
        action.due_change_count += 1
    _apply_due(session, action, due, now)
    session.add(_event(action, caller, "redated", now, note=reason, due_from=old, due_to=_due_data(due)))
    session.flush()
    return reason


def action_detail(session: Session, action: Action, updates: int = 3) -> ActionDetail:
    """The action with its latest progress updates."""
    return ActionDetail(action, store.recent_updates(session, action.id, updates))


def history(session: Session, action: Action) -> Sequence[ActionEvent]:
    """Every change made to the action."""
    return store.action_history(session, action.id)
