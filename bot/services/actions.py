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
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.dates import DateParseError, Due, DueKind, TermDates, find_due, is_plain_date
from bot.directory import Directory
from bot.errors import ActionNotOpen, Field, NotAllowed, NotFound, NothingToChange, Remedy, RemedyKind, UserError, about
from bot.owners import MENTION, OwnerToken, find_owners
from bot.refs import Ref, format_ref
from bot.services.audit import record_action_event
from bot.services.boards import can_manage_board
from bot.services.context import Caller
from bot.services.meetings import bind_next_meeting_actions, meeting_date
from bot.services.owner_resolution import resolve_choice, resolve_text, resolve_tokens
from bot.services.permissions import ensure_may_change
from bot.services.requests import AddAction, Owners
from bot.statuses import ActionStatus, Rag
from bot.text import MAX_ACTION_TEXT, escape, squash, unreadable, visible_text
from bot.walltime import local_date
from bot.workdays import Nation
from storage import actions as store
from storage import boards as board_store
from storage import meetings as meeting_store
from storage.models import Action, ActionEvent, Board, Member

RAGS = tuple(Rag)
OPEN, DONE, DROPPED = ActionStatus.OPEN, ActionStatus.DONE, ActionStatus.DROPPED


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
            raise NotFound(f"There is no board `{escape(ref.code)}` in this workspace, so no action `{ref}`.")
    else:
        board = board_store.board_by_channel(session, caller.team_id, caller.channel_id or "")
        if board is None:
            raise NotFound(
                f"`{ref}` on its own only works in a board's channel. Use the full reference, e.g. `SSCB-{ref}`."
            )
    action = store.action_by_number(session, board.id, ref.number)
    if action is None:
        raise NotFound(f"There is no action {format_ref(board.code, ref.number)} on {board.code}.")
    return action


def _check_text(text: str, what: str) -> str:
    if problem := unreadable(text, what):
        raise UserError(problem)
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


def board_calendar(board: Board) -> dict[str, Any]:
    """What bot/dates.py needs to read a due phrase for `board` (`find_due(text, today=…, **calendar)`):
    its nation's bank holidays, the words its meetings go by ("next SSCB") and its term dates."""
    return {
        "nation": Nation(board.nation),
        "meeting_names": [board.code, *board.name.split()],
        "terms": TermDates.from_json(board.term_dates),
    }


def _resolve_month_meeting(session: Session, board: Board, due: Due) -> Due:
    """ "The December meeting": the board's scheduled meeting that month, as a dated due date."""
    if due.kind is not DueKind.MONTH_MEETING or due.month is None:
        return due
    meetings = meeting_store.meetings_in_month(session, board.id, due.month.year, due.month.month)
    month = f"{due.month:%B %Y}"
    if not meetings:
        raise UserError(
            (
                f"{board.code} has no meeting scheduled in {month}, so I can't date an action by it. ",
                Remedy(
                    RemedyKind.SCHEDULE_MEETING, "Schedule it first, or give the date.", {"month": f"{due.month:%m}"}
                ),
            )
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
        found = find_due(text, today=today, **board_calendar(board))
    except DateParseError as exc:
        # The parser quotes what was typed; it becomes a Slack message, so escape it.
        raise UserError(escape(str(exc)), field=Field.DUE) from None
    if found.due is None or found.phrase is None:
        return found.text, None, None
    with about(Field.DUE):
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
    return resolve_tokens(session, board, tokens)


def _mentions_as_initials(text: str, owners: Sequence[Member]) -> str:
    """Replace `<@U…>` of owners with their initials, so the stored text reads like the minutes."""
    by_user = {m.slack_user_id: m.initials for m in owners if m.slack_user_id}

    def swap(match: Any) -> str:
        return by_user.get(match.group(1), match.group(0))

    return MENTION.sub(swap, text)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _event(
    session: Session, action: Action, caller: Caller, kind: str, now: datetime, note: str | None = None, **data: Any
) -> ActionEvent:
    return record_action_event(session, action, caller.user_id, kind, now, note=note, **data)


# Boards' logs start this century: an earlier year is a typo (`15/12/1926`) or a mis-read date.
EARLIEST_DUE = date(2000, 1, 1)


def _ensure_plausible_due(due: Due | None) -> None:
    if due is not None and due.date is not None and due.date < EARLIEST_DUE:
        raise UserError(
            f"{due.date.day} {due.date:%B} {due.date.year} is before {EARLIEST_DUE.year}, so it can't be a due date: "
            "check the year, e.g. `by 15/12/2026`."
        )


def _apply_due(session: Session, action: Action, due: Due | None, now: datetime) -> None:
    if due is not None and due.kind is DueKind.NONE:
        due = None  # "ongoing", "N/A": said to have no date
    # The one check for every way a due date is set; raised inside the caller's transaction, which
    # is then rolled back, so nothing of the command is stored.
    _ensure_plausible_due(due)
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


def _not_a_member(board: Board) -> UserError:
    return NotAllowed(
        (
            f"Only members of {board.code} can log actions on it (and its chair <@{board.chair_user_id}>, the "
            "person who set it up, and workspace admins). Anyone may read its log. To be added, ask the chair",
            Remedy(RemedyKind.JOIN_BOARD, " to add you as a member."),
            " Nothing was stored.",
        ),
        field=Field.BOARD,
    )


def _is_member(session: Session, board: Board, caller: Caller) -> bool:
    return board_store.current_member_by_user(session, board.id, caller.user_id) is not None


def add_action(
    session: Session,
    *,
    caller: Caller,
    board: Board,
    request: AddAction,
    directory: Directory,
    now: datetime,
    readings: list[DueReading] | None = None,
) -> Action:
    """Log an action. Owners and due date are read from the text as boards write them, unless the
    request gives them (a modal's selects and date picker).

    When the due date was interpreted ("by half term"), how it was read is appended to `readings`
    (if given) for the caller to be told privately.

    `directory` fills in the names of Slack members added without one. Only the board's members, chair,
    creator and workspace admins may. Runs under the board's row lock (taken before the owners are read),
    so an owner can't be removed from the board meanwhile."""
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
    with about(Field.TEXT):
        text = _check_text(request.text, "action text")
    today = local_date(now, board.tz)
    if request.due is None:
        body, due, reading = _parse_due_clause(session, board, text, today)
    else:
        with about(Field.DUE):
            body, due = text, _resolve_month_meeting(session, board, request.due)
            _ensure_plausible_due(due)
        reading = _reading(request.due_phrase, due, today) if request.due_phrase else None
    if reading is not None and readings is not None:
        readings.append(reading)
    with about(Field.OWNERS):
        if request.owners is None:
            resolved = resolve_text(session, board, find_owners(body), directory=directory)
        else:
            resolved = resolve_choice(session, board, request.owners, directory=directory, task=body)
    owners = resolved.members
    if resolved.empty:
        # Only a text that names no one at all is the caller's own action.
        me = board_store.current_member_by_user(session, board.id, caller.user_id)
        if me is None:
            raise UserError(
                ("Who owns this action? ", Remedy(RemedyKind.NAME_OWNER, "Name its owner.")), field=Field.OWNERS
            )
        owners = [me]
    task = _capitalise(_mentions_as_initials(resolved.task, owners).strip())
    # `AF to` followed by a zero-width space has owners and nothing to read.
    if not visible_text(task):
        raise UserError("The action has owners but no task: say what is to be done.", field=Field.TEXT)
    return _create(session, caller, board, request, text, task, owners, resolved.all_members, due, now)


def _create(
    session: Session,
    caller: Caller,
    board: Board,
    request: AddAction,
    text: str,
    task: str,
    owners: Sequence[Member],
    all_members: bool,
    due: Due | None,
    now: datetime,
) -> Action:
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
    action.owners = list(owners)
    action.all_members = all_members
    action.board = board
    session.add(action)
    _apply_due(session, action, due, now)
    _event(session, action, caller, "created", now, note=task, owners=_owner_labels(action), due=_due_data(due))
    if request.rag is not None:
        _set_rag(session, action, caller, request.rag, None, now)
    session.flush()
    return action


def _owner_labels(action: Action) -> list[str]:
    """Owners as the audit trail records them: initials, and `All members` for an action of everyone."""
    return (["All members"] if action.all_members else []) + [m.initials for m in action.owners]


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
    ref = format_ref(action.board.code, action.number)
    if seen == OPEN:
        raise ActionNotOpen(
            f"{closed_just_now(action)}, so you can't {doing}. Nothing was changed.",
            ref=ref,
            status=action.status,
            just_now=True,
        )
    raise ActionNotOpen(
        (
            f"{ref} is {action.status}, so you can't {doing}. Reopen it first",
            Remedy(RemedyKind.REOPEN, ".", {"ref": ref}),
        ),
        ref=ref,
        status=action.status,
        just_now=False,
    )


def _set_rag(
    session: Session, action: Action, caller: Caller, rag: str, reason: str | None, now: datetime
) -> ActionEvent:
    event = _event(session, action, caller, "rag", now, note=reason, rag_from=action.rag, rag_to=rag)
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
    with about(Field.PROGRESS):
        text = _check_text(text, "progress update")
    if evidence is not None:
        with about(Field.EVIDENCE):
            evidence = _check_text(evidence, "evidence")
    _event(session, action, caller, "update", now, note=text, evidence=evidence, rag=rag)
    if rag and rag != action.rag:
        _set_rag(session, action, caller, rag, text, now)
    action.last_progress_at = now
    session.flush()
    return action


def change_rag(
    session: Session,
    *,
    caller: Caller,
    action: Action,
    rag: Rag,
    reason: str | None,
    directory: Directory,
    now: datetime,
) -> Action:
    """Set the RAG rating, keeping the previous one (read under the action's lock, so it is the true one)."""
    seen = lock_for_change(session, action, caller, directory)
    _ensure_open(action, "change its RAG", seen)
    if reason is not None:
        with about(Field.REASON):
            reason = _check_text(reason, "reason")
    if rag == action.rag:
        raise NothingToChange(f"{format_ref(action.board.code, action.number)} is already {rag.capitalize()}.")
    _set_rag(session, action, caller, rag, reason, now)
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
        raise NothingToChange(f"{closed_just_now(action)}. Nothing was changed.", by_someone_else=True)
    if action.status == status:
        raise NothingToChange(f"{ref} is already {status}.")
    _ensure_open(action, "close it again", seen)
    if note is not None:
        with about(Field.NOTE):
            note = _check_text(note, "note")
    if status == DROPPED and not note:
        raise UserError(f"Say why {ref} is being dropped: boards need the reason on the record.", field=Field.NOTE)
    action.status = status
    action.closed_at = now
    action.closed_by = caller.user_id
    action.close_note = note
    _event(session, action, caller, status, now, note=note)
    session.flush()
    return action


def reopen_action(
    session: Session,
    *,
    caller: Caller,
    action: Action,
    directory: Directory,
    now: datetime,
    owners: Owners | None = None,
) -> Action:
    """Reopen a done or dropped action, under the action's lock (and so its board's).

    An open action is never owned by someone who has left the board: owners who have left are taken
    off it (an `assigned` row records it), and when none is left the caller must name new owners,
    `owners`, which may also be given to reopen it for someone else."""
    seen = lock_for_change(session, action, caller, directory)
    ref = format_ref(action.board.code, action.number)
    if action.status == OPEN:
        raise NothingToChange(
            f"{ref} is already open" + (" (reopened a moment ago)." if seen != OPEN else "."),
            by_someone_else=seen != OPEN,
        )
    before = _owner_labels(action)
    if owners is not None and not owners.empty:
        with about(Field.OWNERS):
            resolved = resolve_choice(session, action.board, owners, directory=directory)
        new_owners, all_members = list(resolved.members), resolved.all_members
    else:
        new_owners = [m for m in action.owners if m.removed_at is None]
        all_members = action.all_members
        if not new_owners and not all_members:
            raise UserError(
                (
                    f"{ref}'s owners ({', '.join(before) or 'none'}) are no longer members of {action.board.code}, "
                    "so it needs a new owner to be reopened. ",
                    Remedy(RemedyKind.REOPEN_NAMING_OWNERS, "Name them as you reopen it.", {"ref": ref}),
                    " Nothing was changed.",
                )
            )
    _event(session, action, caller, "reopened", now, status_from=action.status)
    action.status = OPEN
    action.closed_at = None
    action.closed_by = None
    action.close_note = None
    after = (["All members"] if all_members else []) + [m.initials for m in new_owners]
    if sorted(after) != sorted(before):
        _event(session, action, caller, "assigned", now, owners_from=before, owners_to=after)
        action.all_members = all_members
        store.set_owners(session, action, new_owners)
    session.flush()
    return action


def assign_action(
    session: Session, *, caller: Caller, action: Action, owners: Owners, directory: Directory, now: datetime
) -> Action:
    """Replace the owners with those named (initials, names, roles, mentions of members, or `All`).

    Under the action's lock, which is taken after its board's: a member can't be removed while they
    are being given the action (removal takes the board's lock and then finds the action open)."""
    seen = lock_for_change(session, action, caller, directory)
    _ensure_open(action, "reassign it", seen)
    with about(Field.OWNERS):
        resolved = resolve_choice(session, action.board, owners, directory=directory)
    before = _owner_labels(action)
    after = (["All members"] if resolved.all_members else []) + [m.initials for m in resolved.members]
    if sorted(before) == sorted(after):
        raise NothingToChange(f"{format_ref(action.board.code, action.number)} is already owned by {', '.join(after)}.")
    _event(session, action, caller, "assigned", now, owners_from=before, owners_to=after)
    action.all_members = resolved.all_members
    store.set_owners(session, action, resolved.members)
    return action


def redate_action(
    session: Session,
    *,
    caller: Caller,
    action: Action,
    due: Due,
    reason: str | None,
    phrase: str | None,
    directory: Directory,
    now: datetime,
    readings: list[DueReading] | None = None,
) -> str | None:
    """Give a new due date; the original target and the count of changes are kept.

    `due` is as read on the surface (bot/dates.py with `board_calendar`); a month's meeting is dated
    here. The date it had, and so the count, are read under the action's lock. Returns the reason given,
    if any, for the confirmation; when `phrase` was interpreted, its reading is appended to `readings`
    as in add_action."""
    seen = lock_for_change(session, action, caller, directory)
    _ensure_open(action, "re-date it", seen)
    today = local_date(now, action.board.tz)
    with about(Field.DUE):
        due = _resolve_month_meeting(session, action.board, due)
        _ensure_plausible_due(due)
    with about(Field.REASON):
        reason = _check_text(reason, "reason") if reason and reason.strip() else None
    ref = format_ref(action.board.code, action.number)
    same_meeting = due.kind is DueKind.NEXT_MEETING and action.due_kind == due.kind.value
    no_date = due.kind is DueKind.NONE and action.due_kind is None
    if no_date or same_meeting or (due.kind.value == action.due_kind and due.date == action.due_date):
        raise NothingToChange(f"{ref} is already due then.")
    reading = _reading(phrase, due, today) if phrase else None
    if reading is not None and readings is not None:
        readings.append(reading)
    old = {"kind": action.due_kind, "date": action.due_date.isoformat() if action.due_date else None}
    # Slippage is counted from the first real target date the board agreed.
    if action.due_date is not None:
        if action.original_due_date is None:
            action.original_due_date = action.due_date
        action.due_change_count += 1
    _apply_due(session, action, due, now)
    _event(session, action, caller, "redated", now, note=reason, due_from=old, due_to=_due_data(due))
    session.flush()
    return reason


def action_detail(session: Session, action: Action, updates: int = 3) -> ActionDetail:
    """The action with its latest progress updates."""
    return ActionDetail(action, store.recent_updates(session, action.id, updates))


def history(session: Session, action: Action) -> Sequence[ActionEvent]:
    """Every change made to the action."""
    return store.action_history(session, action.id)
