"""Logging, updating and closing actions. Every change writes an ActionEvent.

One change at a time: every change below runs in the caller's one transaction and first takes the
board's row lock and then the action's (`lock_for_change`, `storage.actions.lock_action`; adding takes
the board's, `storage.boards.lock_board`). Every check that decides the change (is it open, who owns
it, its RAG, its date) is made on the row as re-read under that lock, so of two racing changes the
second sees the first, and history rows never disagree with the action.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.clock import local_date
from bot.dates import DateParseError, Due, DueKind, extract_due, split_leading_due
from bot.directory import Directory
from bot.errors import UserError
from bot.owners import MENTION, OwnerToken, find_owners, owners_list_is_clean, split_owner_tokens
from bot.refs import Ref, format_ref
from bot.services.boards import can_manage_board
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


def _not_a_member(board: Board) -> UserError:
    return UserError(
        f"Only members of {board.code} can log actions on it (and its chair <@{board.chair_user_id}>, the person "
        f"who set it up, and workspace admins). Anyone may read its log. To be added, ask the chair to run "
        f"`/meeting member add @you INITIALS` in the board's channel. Nothing was stored."
    )


def _is_member(session: Session, board: Board, caller: Caller) -> bool:
    return board_store.current_member_by_user(session, board.id, caller.user_id) is not None


def add_action(
    session: Session, *, caller: Caller, board: Board, text: str, directory: Directory, now: datetime
) -> Action:
    """Log an action: owners and due date are read from the text as boards write them.

    Only the board's members, chair, creator and workspace admins may. Runs under the board's row lock
    (taken before the owners are read), so an owner can't be removed from the board meanwhile."""
    # Members need no lookup. For anyone else, whether they manage the board is asked before the lock
    # (it may ask Slack, and no lock is held while Slack answers); membership is asked again under it.
    manager = False
    if not _is_member(session, board, caller):
        manager = can_manage_board(board, caller.user_id, directory)
        if not manager:
            raise _not_a_member(board)
    board_store.lock_board(session, board.id)
    if not manager and not _is_member(session, board, caller):
        raise _not_a_member(board)
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


def lock_for_change(session: Session, action: Action, caller: Caller, directory: Directory) -> str:
    """Lock `action` (its board, then its row) for a change by `caller`, and re-read it.

    Who may change it is checked before the lock (the admin check may ask Slack, and no lock is held
    while Slack answers) and again on the locked row, whose owners may just have changed. Returns the
    status read before the lock: when the locked row's differs, someone else has just changed it."""
    ensure_may_change(action, caller.user_id, directory)
    seen = action.status
    store.lock_action(session, action)
    ensure_may_change(action, caller.user_id, directory)
    return seen


def closed_just_now(action: Action) -> str:
    """`SSCB-4 was dropped by <@U…> a moment ago`: what a change that lost a race to a close is told."""
    verb = "marked done" if action.status == DONE else action.status
    by = f"<@{action.closed_by}>" if action.closed_by else "someone else"
    return f"{format_ref(action.board.code, action.number)} was {verb} by {by} a moment ago"


def _ensure_open(action: Action, doing: str, seen: str) -> None:
    if action.status == OPEN:
        return
    if seen == OPEN:
        raise UserError(f"{closed_just_now(action)}, so you can't {doing}. Nothing was changed.")
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
    """Record progress, optionally with a new RAG and evidence (under the action's lock)."""
    seen = lock_for_change(session, action, caller, directory)
    _ensure_open(action, "record progress on it", seen)
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
    """Set the RAG rating, keeping the previous one (read under the action's lock, so it is the true one)."""
    seen = lock_for_change(session, action, caller, directory)
    _ensure_open(action, "change its RAG", seen)
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
    """Mark an action done, or dropped (a reason is then required), under the action's lock."""
    seen = lock_for_change(session, action, caller, directory)
    ref = format_ref(action.board.code, action.number)
    if action.status != OPEN and seen == OPEN:
        raise UserError(f"{closed_just_now(action)}. Nothing was changed.")
    if action.status == status:
        raise UserError(f"{ref} is already {status}.")
    _ensure_open(action, "close it again", seen)
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


def _owners_named(session: Session, board: Board, owners_text: str) -> list[Member]:
    """The current members `owners_text` names (initials or mentions); anything else is an error."""
    if not owners_list_is_clean(owners_text):
        raise UserError(
            f"`{escape(owners_text) or '(nothing)'}` is not a list of owners. Give members' initials or "
            "mentions, e.g. `AF & EA` or `@amy`."
        )
    return resolve_owners(session, board, split_owner_tokens(owners_text))


def reopen_action(
    session: Session,
    *,
    caller: Caller,
    action: Action,
    directory: Directory,
    now: datetime,
    owners_text: str | None = None,
) -> Action:
    """Reopen a done or dropped action, under the action's lock (and so its board's).

    An open action is never owned by someone who has left the board: owners who have left are taken
    off it (an `assigned` row records it), and when none is left the caller must name new owners,
    `owners_text`, which may also be given to reopen it for someone else."""
    seen = lock_for_change(session, action, caller, directory)
    ref = format_ref(action.board.code, action.number)
    if action.status == OPEN:
        raise UserError(f"{ref} is already open" + (" (reopened a moment ago)." if seen != OPEN else "."))
    before = [m.initials for m in action.owners]
    if owners_text:
        owners = _owners_named(session, action.board, owners_text)
    else:
        owners = [m for m in action.owners if m.removed_at is None]
        if not owners:
            raise UserError(
                f"{ref}'s owners ({', '.join(before) or 'none'}) are no longer members of {action.board.code}, "
                f"so it needs a new owner to be reopened. Name them as you reopen it, e.g. "
                f"`/action reopen {ref} INITIALS`. Nothing was changed."
            )
    session.add(_event(action, caller, "reopened", now, status_from=action.status))
    action.status = OPEN
    action.closed_at = None
    action.closed_by = None
    action.close_note = None
    after = [m.initials for m in owners]
    if sorted(after) != sorted(before):
        session.add(_event(action, caller, "assigned", now, owners_from=before, owners_to=after))
        store.set_owners(session, action, owners)
    session.flush()
    return action


def assign_action(
    session: Session, *, caller: Caller, action: Action, owners_text: str, directory: Directory, now: datetime
) -> Action:
    """Replace the owners with those named (initials or mentions of members).

    Under the action's lock, which is taken after its board's: a member can't be removed while they
    are being given the action (removal takes the board's lock and then finds the action open)."""
    seen = lock_for_change(session, action, caller, directory)
    _ensure_open(action, "reassign it", seen)
    owners = _owners_named(session, action.board, owners_text)
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

    The date it had, and so the count, are read under the action's lock. Returns the reason given,
    if any, for the confirmation."""
    seen = lock_for_change(session, action, caller, directory)
    _ensure_open(action, "re-date it", seen)
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


@dataclass(frozen=True)
class ListFilter:
    """What `/action list` asks for."""

    status: str = "open"  # open | overdue | done | dropped | closed | all
    rag: str | None = None
    owner: OwnerToken | None = None


def list_actions(session: Session, *, board: Board, wanted: ListFilter, now: datetime) -> Sequence[Action]:
    """The board's log, filtered by status, RAG and owner."""
    statuses = {
        "open": [OPEN],
        "overdue": [OPEN],
        "done": [DONE],
        "dropped": [DROPPED],
        "closed": [DONE, DROPPED],
        "all": None,
    }[wanted.status]
    owner_ids = None
    if wanted.owner is not None:
        owner_ids = [m.id for m in resolve_owners(session, board, [wanted.owner])]
    actions = store.board_actions(session, board.id, statuses=statuses, rag=wanted.rag, owner_member_ids=owner_ids)
    if wanted.status == "overdue":
        today = local_date(now, board.tz)
        actions = [a for a in actions if is_overdue(a, today)]
    return actions


def is_overdue(action: Action, today: date) -> bool:
    """Open and past its due date (board-local)."""
    return action.status == OPEN and action.due_date is not None and action.due_date < today


@dataclass(frozen=True)
class MyActions:
    """The caller's actions in the order `/mine` shows them."""

    overdue: list[Action]
    due_soon: list[Action]
    later: list[Action]
    undated: list[Action]
    closed: list[Action]

    @property
    def count(self) -> int:
        return sum(len(x) for x in (self.overdue, self.due_soon, self.later, self.undated, self.closed))


def my_actions(session: Session, *, caller: Caller, include_closed: bool, now: datetime) -> MyActions:
    """The caller's outstanding actions across the workspace's boards, grouped by urgency."""
    member_ids = board_store.member_ids_of_user(session, caller.team_id, caller.user_id)
    closed_since = now - timedelta(days=30) if include_closed else None
    groups = MyActions([], [], [], [], [])
    for action in store.actions_owned_by_members(session, member_ids, closed_since=closed_since):
        today = local_date(now, action.board.tz)
        if action.status != OPEN:
            groups.closed.append(action)
        elif action.due_date is None:
            groups.undated.append(action)
        elif action.due_date < today:
            groups.overdue.append(action)
        elif action.due_date <= today + timedelta(days=7):
            groups.due_soon.append(action)
        else:
            groups.later.append(action)
    for group in (groups.overdue, groups.due_soon, groups.later):
        group.sort(key=lambda a: (a.due_date, a.board.code, a.number))
    groups.closed.sort(key=lambda a: a.closed_at or now, reverse=True)
    return groups
