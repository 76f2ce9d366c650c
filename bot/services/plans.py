"""Improvement plans: areas with a lead, the recommendation they answer, an area RAG and their priorities.

An area's priorities are the board's actions that joined it. Reporting periods follow the board's
meetings: each held meeting closes a period, so the previous RAG of an area or an action is the one it
had when the last meeting started, and "since last period" means since that meeting.

One change at a time: adding an area, changing its RAG or its lead, removing it and moving an action into
an area run in the caller's one transaction under the board's row lock (`storage.boards.lock_board`; moving
an action takes the board's and then the action's, `lock_for_change`). What decides the change (is the
short name free, is the area still there, what the area's rating or lead is now, which actions are in it)
is read again under that lock, so of two RAG changes racing on one area the second sees the first: its
history row records the rating the first left, and a second change to the same rating is refused; a
change racing a removal either comes first or finds the area gone. A removed area keeps its row and its
history (`removed_at`), is no longer listed or reported, and its short name is free again. Errors here
name what was wrong in the board's terms; the surface adds how to type it right.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.directory import Directory
from bot.errors import DirectoryUnavailable, NotAllowed, NotFound, NothingToChange, Remedy, RemedyKind, UserError
from bot.owners import INITIALS
from bot.refs import format_ref
from bot.services.actions import OPEN, lock_for_change
from bot.services.audit import record_action_event
from bot.services.boards import can_manage_board
from bot.services.context import Caller
from bot.text import escape, squash, unreadable
from storage import boards as board_store
from storage import plans as store
from storage.models import Action, Board, Member, PlanArea, PlanAreaEvent

RAGS = ("red", "amber", "green")
RAG_RANK = {"green": 0, "amber": 1, "red": 2}
SHORT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9&'_-]{0,29}$")
MAX_AREA_NAME = 200
MAX_RECOMMENDATION = 2000


class PlanError(UserError):
    """Something about a plan the bot cannot do, worded for the board (no command syntax)."""


class AreaNotFound(NotFound):
    """No area of the board has this short name."""

    def __init__(self, board: Board, short_name: str, known: Sequence[str]) -> None:
        names = ", ".join(f"`{escape(n)}`" for n in known) or "none yet"
        super().__init__(f"{board.code} has no plan area `{escape(short_name)}`. Its areas: {names}.")
        self.short_name = short_name
        self.known = tuple(known)


class AreaExists(PlanError):
    """The short name is already an area of the board."""


class NoChange(NothingToChange):
    """The change asked for is already the case."""


class AreaInUse(PlanError):
    """The area still has open actions: they are moved out of it before it can be removed."""


# Open actions an `AreaInUse` refusal names before "and N more".
NAMED_IN_USE = 10


@dataclass(frozen=True)
class LeadRef:
    """The lead as typed: a Slack user, the initials of a board member, or a member's name (or initials)."""

    user_id: str | None = None
    initials: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class NewArea:
    """A request to add an area to a board's plan."""

    short_name: str
    lead: LeadRef
    name: str | None = None
    recommendation: str | None = None


@dataclass(frozen=True)
class AreaRating:
    """A request to set an area's RAG, saying why."""

    short_name: str
    rag: str
    reason: str


@dataclass(frozen=True)
class RagChanged:
    """What a RAG change did: the area as it now is, and the rating it had just before (under the lock)."""

    area: PlanArea
    rag_from: str | None


@dataclass(frozen=True)
class LeadChanged:
    """What a lead change did: the area as it now is, and the lead it had just before (under the lock)."""

    area: PlanArea
    lead_from: Member | None


@dataclass(frozen=True)
class AreaRemoved:
    """An area taken out of the plan, and how many of its closed priorities left it with it."""

    area: PlanArea
    closed_unlinked: int


@dataclass(frozen=True)
class ActionMoved:
    """An action that joined an area (or left one: `to_area` None)."""

    action: Action
    from_area: PlanArea | None
    to_area: PlanArea | None


def check_short_name(short_name: str) -> str:
    """A short name people can type after `area`: one word of letters, digits and `-`, up to 30."""
    if not SHORT_NAME.match(short_name):
        raise PlanError(
            f"`{escape(short_name)}` can't be an area's short name: use one word of letters, digits or `-` "
            "(up to 30), starting with a letter, e.g. `MASH` or `Early-Help`."
        )
    return short_name


def _check_text(text: str | None, what: str, limit: int) -> str | None:
    if text is None:
        return None
    if problem := unreadable(text, what):
        raise PlanError(problem)
    text = squash(text)
    if len(text) > limit:
        raise PlanError(f"The {what} is {len(text):,} characters long; the limit is {limit:,}.")
    return text or None


def find_area(session: Session, board: Board, short_name: str) -> PlanArea:
    """The board's area with this short name (any case), or AreaNotFound naming the ones it has."""
    area = store.area_by_short_name(session, board.id, short_name)
    if area is None:
        raise AreaNotFound(board, short_name, [a.short_name for a in store.areas_of_board(session, board.id)])
    return area


def areas(session: Session, board: Board) -> Sequence[PlanArea]:
    """The board's plan areas, in the order they were added."""
    return store.areas_of_board(session, board.id)


def _lead_member(session: Session, board: Board, lead: LeadRef) -> Member:
    if lead.user_id:
        member = board_store.current_member_by_user(session, board.id, lead.user_id)
        if member is None:
            raise PlanError(f"<@{lead.user_id}> is not a member of {board.code}: an area's lead must be one.")
        return member
    if lead.name is not None:
        return _member_named(session, board, squash(lead.name))
    member = board_store.current_member_by_initials(session, board.id, lead.initials or "")
    if member is None:
        raise PlanError(f"No current member of {board.code} has the initials `{escape(lead.initials or '')}`.")
    return member


def _member_named(session: Session, board: Board, name: str) -> Member:
    """The current member with these initials (any case), or else with this name (any case)."""
    if INITIALS.match(name.upper()):
        member = board_store.current_member_by_initials(session, board.id, name)
        if member is not None:
            return member
    named = [
        m for m in board_store.current_members(session, board.id) if m.name and m.name.casefold() == name.casefold()
    ]
    if len(named) > 1:
        initials = ", ".join(m.initials for m in named)
        raise PlanError(
            f"{len(named)} members of {board.code} are called {escape(name)}: give the lead's initials ({initials})."
        )
    if not named:
        raise PlanError(
            f"No current member of {board.code} has the initials or the name `{escape(name)}`: "
            "an area's lead must be one."
        )
    return named[0]


def _current(session: Session, board: Board, area: PlanArea) -> PlanArea:
    """The area read again under the board's lock; refused if someone removed it meanwhile."""
    area = store.reread_area(session, area.id)
    if area.removed_at is not None:
        by = f" by <@{area.removed_by}>" if area.removed_by else ""
        raise NotFound(f"{escape(area.short_name)} was removed from {board.code}'s plan{by}. Nothing was changed.")
    return area


def _ensure_manager(board: Board, caller: Caller, directory: Directory, doing: str) -> None:
    try:
        allowed = can_manage_board(board, caller.user_id, directory)
    except DirectoryUnavailable as exc:
        raise NotAllowed(
            f"I couldn't ask the workspace whether you are an admin just now ({exc.code}), so nothing was changed. "
            "Please try again in a few minutes."
        ) from None
    if not allowed:
        raise NotAllowed(
            f"Only the chair (<@{board.chair_user_id}>), the person who set up {board.code} or a workspace admin "
            f"can {doing}. Nothing was changed."
        )


def _area_event(
    area: PlanArea, caller: Caller, kind: str, now: datetime, note: str | None = None, **data: Any
) -> PlanAreaEvent:
    return PlanAreaEvent(area_id=area.id, at=now, actor_user_id=caller.user_id, kind=kind, note=note, data=data)


def add_area(
    session: Session, *, caller: Caller, board: Board, request: NewArea, directory: Directory, now: datetime
) -> PlanArea:
    """Add an area to the board's plan (chair, the board's creator and admins), under the board's lock."""
    short_name = check_short_name(request.short_name)
    name = _check_text(request.name, "area name", MAX_AREA_NAME) or short_name
    recommendation = _check_text(request.recommendation, "recommendation", MAX_RECOMMENDATION)
    _ensure_manager(board, caller, directory, "add areas to its plan")
    board_store.lock_board(session, board.id)
    if store.area_by_short_name(session, board.id, short_name) is not None:
        raise AreaExists(f"{board.code} already has a plan area `{escape(short_name)}`. Nothing was changed.")
    lead = _lead_member(session, board, request.lead)
    area = create_area(
        session,
        board=board,
        short_name=short_name,
        name=name,
        lead=lead,
        recommendation=recommendation,
        actor=caller.user_id,
        now=now,
    )
    return area


def create_area(
    session: Session,
    *,
    board: Board,
    short_name: str,
    name: str,
    lead: Member | None,
    recommendation: str | None,
    actor: str,
    now: datetime,
    rag: str | None = None,
    opening_rag: str | None = None,
    source_document: str | None = None,
) -> PlanArea:
    """Write a new area and its `created` history row (the caller holds the board's lock)."""
    area = PlanArea(
        board_id=board.id,
        short_name=short_name,
        key=store.area_key(short_name),
        name=name,
        lead_member_id=lead.id if lead else None,
        recommendation=recommendation,
        rag=rag,
        rag_changed_at=now if rag else None,
        rag_changed_by=actor if rag else None,
        opening_rag=opening_rag,
        created_by=actor,
        created_at=now,
        source_document=source_document,
    )
    area.lead = lead
    session.add(area)
    session.flush()
    data: dict[str, Any] = {"short_name": short_name, "lead": lead.initials if lead else None, "rag_to": rag}
    if opening_rag:
        data["opening_rag"] = opening_rag
    if source_document:
        data["imported"] = source_document
    session.add(PlanAreaEvent(area_id=area.id, at=now, actor_user_id=actor, kind="created", note=name, data=data))
    session.flush()
    return area


def may_rate(area: PlanArea, board: Board, user_id: str, directory: Directory) -> bool:
    """The area's lead, the board's chair and workspace admins may set an area's RAG."""
    if user_id == board.chair_user_id:
        return True
    if area.lead is not None and area.lead.slack_user_id == user_id and area.lead.removed_at is None:
        return True
    person = directory.person(user_id)
    return bool(person and person.is_admin)


def _ensure_may_rate(area: PlanArea, board: Board, caller: Caller, directory: Directory) -> None:
    lead = f"its lead ({area.lead.initials})" if area.lead else "its lead"
    try:
        allowed = may_rate(area, board, caller.user_id, directory)
    except DirectoryUnavailable as exc:
        raise NotAllowed(
            f"I couldn't ask the workspace whether you are an admin just now ({exc.code}), so {area.short_name}'s "
            f"RAG was not changed. {lead.capitalize()} and the chair can change it without that check."
        ) from None
    if not allowed:
        raise NotAllowed(
            f"Only {lead}, the chair (<@{board.chair_user_id}>) or a workspace admin can set the RAG of "
            f"{escape(area.short_name)}. Nothing was changed."
        )


def set_area_rag(
    session: Session, *, caller: Caller, board: Board, request: AreaRating, directory: Directory, now: datetime
) -> RagChanged:
    """Set an area's RAG with its reason, under the board's lock; the rating it replaces is read under it."""
    if request.rag not in RAGS:
        raise PlanError(f"`{escape(request.rag)}` is not a RAG rating: red, amber or green.")
    reason = _check_text(request.reason, "reason", MAX_RECOMMENDATION)
    if not reason:
        raise PlanError("Say why the rating is what it is: the board reads the reason with the rating.")
    area = find_area(session, board, request.short_name)
    # The admin check may ask Slack: made before the lock, and the lead checked again under it.
    _ensure_may_rate(area, board, caller, directory)
    board_store.lock_board(session, board.id)
    area = _current(session, board, area)
    _ensure_may_rate(area, board, caller, directory)
    if area.rag == request.rag:
        by = f" (set by <@{area.rag_changed_by}>)" if area.rag_changed_by else ""
        raise NoChange(f"{escape(area.short_name)} is already {request.rag.capitalize()}{by}. Nothing was changed.")
    before = area.rag
    session.add(_area_event(area, caller, "rag", now, note=reason, rag_from=before, rag_to=request.rag))
    area.rag, area.rag_reason, area.rag_changed_at, area.rag_changed_by = request.rag, reason, now, caller.user_id
    session.flush()
    return RagChanged(area, before)


def set_area_lead(
    session: Session,
    *,
    caller: Caller,
    board: Board,
    short_name: str,
    lead: LeadRef,
    directory: Directory,
    now: datetime,
) -> LeadChanged:
    """Give an area a new lead, a current member of the board (chair, the board's creator and admins), under
    the board's lock: the area, its lead and the member are read under it, so of two lead changes racing
    the second records the lead the first left (and is refused if it is the same)."""
    # The admin check may ask Slack: made before the lock (as for adding areas).
    _ensure_manager(board, caller, directory, "change the lead of a plan area")
    board_store.lock_board(session, board.id)
    area = _current(session, board, find_area(session, board, short_name))
    member = _lead_member(session, board, lead)
    before = area.lead
    if before is not None and before.id == member.id:
        raise NoChange(f"{escape(area.short_name)} is already led by {_lead_words(member)}. Nothing was changed.")
    data = {"lead_from": before.initials if before else None, "lead_to": member.initials}
    session.add(_area_event(area, caller, "lead", now, **data))
    area.lead_member_id, area.lead = member.id, member
    session.flush()
    return LeadChanged(area, before)


def _lead_words(member: Member) -> str:
    return f"<@{member.slack_user_id}> ({member.initials})" if member.slack_user_id else member.initials


def remove_area(
    session: Session, *, caller: Caller, board: Board, short_name: str, directory: Directory, now: datetime
) -> AreaRemoved:
    """Take an area out of the board's plan (chair, the board's creator and admins), under the board's lock.

    Refused while open actions are its priorities (AreaInUse names them): each is moved out first, by
    someone who may change it. Its closed priorities leave it with it, each with a history row, so none
    is reopened into an area that no longer exists. The area keeps its row and history, marked removed."""
    _ensure_manager(board, caller, directory, "remove areas from its plan")
    # Every change to the board's actions takes this lock first, so the actions read here stay as read.
    board_store.lock_board(session, board.id)
    area = _current(session, board, find_area(session, board, short_name))
    still_open = store.actions_in_area(session, area.id, [OPEN])
    if still_open:
        refs = [format_ref(board.code, a.number) for a in still_open]
        named = ", ".join(refs[:NAMED_IN_USE]) + (
            f" and {len(refs) - NAMED_IN_USE} more" if len(refs) > NAMED_IN_USE else ""
        )
        raise AreaInUse(
            [
                f"{escape(area.short_name)} still has {len(refs)} open action{'s' * (len(refs) != 1)} as its "
                f"priorit{'ies' if len(refs) != 1 else 'y'}: {named}. Move each out of it first",
                Remedy(
                    RemedyKind.MOVE_OUT_OF_AREA, plain=" (into another area, or out of the plan)", args={"ref": refs[0]}
                ),
                ", then remove it. Nothing was changed.",
            ]
        )
    closed = store.actions_in_area(session, area.id)
    for action in closed:
        action.area_id = None
        # Not a change to the action itself: its `updated_at` stays.
        record_action_event(
            session,
            action,
            caller.user_id,
            "area",
            now,
            note=f"plan area {area.short_name} removed",
            touch=False,
            area_from=area.id,
            area_to=None,
        )
    session.add(_area_event(area, caller, "removed", now, short_name=area.short_name, closed_unlinked=len(closed)))
    area.removed_at, area.removed_by = now, caller.user_id
    session.flush()
    return AreaRemoved(area, len(closed))


def place_action(session: Session, *, caller: Caller, action: Action, area: PlanArea | None, now: datetime) -> None:
    """Put a just-logged or locked action into `area` (None: out of the plan), with a history row."""
    if area is not None and area.board_id != action.board_id:
        raise PlanError(f"{escape(area.short_name)} is not an area of {action.board.code}.")
    before = action.area_id
    action.area_id = area.id if area else None
    record_action_event(
        session, action, caller.user_id, "area", now, area_from=before, area_to=area.short_name if area else None
    )
    session.flush()


def move_action(
    session: Session, *, caller: Caller, action: Action, short_name: str | None, directory: Directory, now: datetime
) -> ActionMoved:
    """Move an action into the area named (None: out of the plan), under the board's and the action's locks.

    Whoever may change the action may move it (its owners, who logged it, the chair, admins)."""
    board = action.board
    target = find_area(session, board, short_name) if short_name else None
    lock_for_change(session, action, caller, directory)
    if target is not None:
        # Under the board's lock now: an area removed meanwhile takes no new priorities.
        target = _current(session, board, target)
    current = next((a for a in store.areas_of_board(session, board.id) if a.id == action.area_id), None)
    ref = format_ref(board.code, action.number)
    if (target.id if target else None) == action.area_id:
        where = f"in {escape(target.short_name)}" if target else "in no area"
        raise NoChange(f"{ref} is already {where}. Nothing was changed.")
    place_action(session, caller=caller, action=action, area=target, now=now)
    return ActionMoved(action, current, target)
