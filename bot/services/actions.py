"""Logging, updating and closing actions. Every change writes an ActionEvent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.clock import local_date
from bot.dates import DateParseError, Due, DueKind, find_due, is_plain_date, split_leading_due
from bot.directory import Directory
from bot.errors import UserError
from bot.owners import MENTION, OwnerToken, find_owners, owners_list_is_clean, split_owner_tokens
from bot.refs import Ref, format_ref
from bot.services.context import Caller
from bot.services.meetings import bind_next_meeting_actions, meeting_date
from bot.services.permissions import ensure_may_change
from bot.text import MAX_ACTION_TEXT, escape, squash
from bot.workdays import Nation
from storage import actions as store
from storage import boards as board_store
from storage import meetings as meeting_store
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


@dataclass(frozen=True)
class DueReading:
    """How a due-date phrase was read, said back privately to the person who typed it."""

    phrase: str
    notes: tuple[str, ...] = ()


def _board_context(board: Board) -> dict[str, Any]:
    # "next SSCB", "next Safeguarding ...": the words the board's meetings go by.
    return {"nation": Nation(board.nation), "meeting_names": [board.code, *board.name.split()]}


def _resolve_month_meeting(session: Session, board: Board, due: Due) -> Due:
    """ "The December meeting": the board's scheduled meeting that month, as a dated due date."""
    if due.kind is not DueKind.MONTH_MEETING or due.month is None:
        return due
    meetings = meeting_store.meetings_in_month(session, board.id, due.month.year, due.month.month)
    month = f"{due.month:%B %Y}"
    if not meetings:
        raise UserError(
            f"{board.code} has no meeting scheduled in {month}, so I can't date an action by it. "
            f"Schedule it with `/meeting schedule`, or give the date, e.g. `by 15/{due.month:%m}`."
        )
    day = meeting_date(meetings[0])
    note = f"the {month} meeting is on {day.day} {day:%b %Y}"
    if len(meetings) > 1:
        note += f" (the first of {len(meetings)} that month)"
    return Due(DueKind.DATE, day, notes=(*due.notes, note))


def _parse_due_clause(
    session: Session, board: Board, text: str, today: date
) -> tuple[str, Due | None, DueReading | None]:
    """The action text without its due-date phrase, the due date, and how to say it back."""
    try:
        found = find_due(text, today=today, **_board_context(board))
    except DateParseError as exc:
        # The parser quotes what was typed; it becomes a Slack message, so escape it.
        raise UserError(escape(str(exc))) from None
    if found.due is None or found.phrase is None:
        return found.text, None, None
    due = _resolve_month_meeting(session, board, found.due)
    return found.text, due, _reading(found.phrase, due, today)


def _reading(phrase: str, due: Due, today: date) -> DueReading | None:
    """Say back a phrase that was interpreted (not a plain date), or whose date has already passed."""
    if due.kind in (DueKind.NEXT_MEETING, DueKind.TBC, DueKind.NONE) and not due.notes:
        return None  # the confirmation's "due next meeting", "due TBC", "no due date" say it all
    plain = is_plain_date(phrase, today=today) and not due.notes
    if plain and (due.date is None or due.date >= today):
        return None
    return DueReading(phrase, due.notes)


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
    if due is not None and due.kind is DueKind.NONE:
        due = None  # "ongoing", "N/A": said to have no date
    action.due_kind = due.kind.value if due else None
    action.due_date = due.date if due else None
    action.due_meeting_id = None
    if action.due_kind == DueKind.NEXT_MEETING.value:
        # "next meeting" is the board's next scheduled meeting, dated from it (none yet: bound later).
        session.flush()
        bind_next_meeting_actions(session, action.board, now)


def _due_data(due: Due | None) -> dict[str, Any]:
    if due is None or due.kind is DueKind.NONE:
        return {"kind": None, "date": None}
    return {"kind": due.kind.value, "date": due.date.isoformat() if due.date else None}


def add_action(
    session: Session,
    *,
    caller: Caller,
    board: Board,
    text: str,
    now: datetime,
    readings: list[DueReading] | None = None,
) -> Action:
    """Log an action: owners and due date are read from the text as boards write them.

    When the due date was interpreted ("by half term"), how it was read is appended to `readings`
    (if given) for the caller to be told privately."""
    text = _check_text(text, "action text")
    today = local_date(now, board.tz)
    body, due, reading = _parse_due_clause(session, board, text, today)
    if reading is not None and readings is not None:
        readings.append(reading)
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
    session: Session,
    *,
    caller: Caller,
    action: Action,
    text: str,
    directory: Directory,
    now: datetime,
    readings: list[DueReading] | None = None,
) -> str | None:
    """Give a new due date (`<date> [reason]`); the original target and the count of changes are kept.

    Returns the reason given, if any, for the confirmation; an interpreted date's reading is
    appended to `readings` as in add_action."""
    ensure_may_change(action, caller.user_id, directory)
    _ensure_open(action, "re-date it")
    today = local_date(now, action.board.tz)
    try:
        due, reason = split_leading_due(text, today=today, **_board_context(action.board))
    except DateParseError as exc:
        raise UserError(escape(str(exc))) from None
    phrase = text[: len(text) - len(reason)].strip() if reason and text.endswith(reason) else text.strip()
    due = _resolve_month_meeting(session, action.board, due)
    reason = _check_text(reason, "reason") if reason.strip() else None
    ref = format_ref(action.board.code, action.number)
    same_meeting = due.kind is DueKind.NEXT_MEETING and action.due_kind == due.kind.value
    no_date = due.kind is DueKind.NONE and action.due_kind is None
    if no_date or same_meeting or (due.kind.value == action.due_kind and due.date == action.due_date):
        raise UserError(f"{ref} is already due then.")
    reading = _reading(phrase, due, today)
    if reading is not None and readings is not None:
        readings.append(reading)
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
