"""Importing actions from minutes: plan (what would be created), then apply (create it, once).

The plan matches each candidate's owners to the board's members; owners it cannot match are
shown and, on confirmation, become members without Slack (never dropped, never given to the person
importing). An action already on the board with the same text is not created again, so importing
the same minutes twice creates nothing the second time.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.errors import UserError
from bot.importing.extract import extract_actions
from bot.importing.model import Candidate, Document
from bot.importing.reading import INITIALS, DueKind, initials_for, resolve_owner
from bot.services.audit import record_action_event, record_board_event
from bot.services.context import Caller
from bot.services.meetings import bind_next_meeting_actions
from bot.text import MAX_ACTION_TEXT
from bot.walltime import local_date
from storage import boards as board_store
from storage import importing as store
from storage.models import Action, Board, ImportDraft, Member

MAX_DOCUMENT_NAME = 300


@dataclass
class NewMember:
    """Someone the minutes name who is not a member yet: added without Slack on confirmation."""

    written: str
    initials: str
    name: str | None
    role: str | None


@dataclass
class PlannedAction:
    """A candidate with its owners matched: members, and new members to add."""

    candidate: Candidate
    members: list[Member] = field(default_factory=list)
    new_members: list[NewMember] = field(default_factory=list)
    duplicate_of: int | None = None  # the number of the action already on the board
    everyone: bool = False  # owned by "All" on a board with no members yet

    def owner_labels(self) -> list[str]:
        """Owners as resolved: initials of members, the name (or initials) as written of new ones."""
        labels = [m.initials for m in self.members] + [n.name or n.role or n.initials for n in self.new_members]
        return ["All", *labels] if self.everyone else labels


@dataclass
class ImportPlan:
    """What an import would do."""

    board: Board
    source: str
    meeting: date | None
    layouts: list[str]
    actions: list[PlannedAction]

    @property
    def to_create(self) -> list[PlannedAction]:
        """The actions not already on the board."""
        return [a for a in self.actions if a.duplicate_of is None]

    @property
    def duplicates(self) -> list[PlannedAction]:
        """The actions the board already has."""
        return [a for a in self.actions if a.duplicate_of is not None]

    @property
    def new_members(self) -> list[NewMember]:
        """Every new member the import would add, once each."""
        seen: dict[str, NewMember] = {}
        for action in self.to_create:
            for member in action.new_members:
                seen.setdefault(member.initials, member)
        return list(seen.values())


@dataclass
class ImportResult:
    """What an import did."""

    plan: ImportPlan
    created: list[Action]
    members_added: list[Member]


def text_key(text: str) -> str:
    """Two action texts that differ only in case, spacing or punctuation are the same action."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _name_or_role(written: str) -> tuple[str | None, str | None]:
    if INITIALS.match(written):
        return None, None
    words = written.split()
    if all(w[:1].isupper() for w in words) and len(words) <= 4:
        return written, None
    return None, written


class _Newcomers:
    """New members for the owners no member matched: one per person, with free initials."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.by_written: dict[str, NewMember] = {}
        self.by_initials: dict[str, NewMember] = {}

    def get(self, written: str) -> NewMember:
        key = written.lower()
        if key in self.by_written:
            return self.by_written[key]
        name, role = _name_or_role(written)
        wanted = written.upper() if INITIALS.match(written) else initials_for(written)
        # A name whose initials an unmatched owner also used is the same person ("Dawn Maxwell", "DM").
        same = self.by_initials.get(wanted)
        if same is not None and (same.name is None) != (name is None) and same.role is None and role is None:
            same.name = same.name or name
            self.by_written[key] = same
            return same
        initials, n = wanted, 2
        while initials in self.taken:
            initials, n = f"{wanted[:5]}{n}", n + 1
        self.taken.add(initials)
        member = NewMember(written, initials, name, role)
        self.by_written[key] = member
        self.by_initials.setdefault(wanted, member)
        return member


def plan_import(
    session: Session, *, board: Board, document: Document, meeting: date | None, now: datetime
) -> ImportPlan:
    """Read `document` and match what it holds against the board; changes nothing."""
    today = meeting or local_date(now, board.tz)
    extraction = extract_actions(document, today=today)
    members = list(board_store.current_members(session, board.id))
    newcomers = _Newcomers({m.initials.upper() for m in store.all_members(session, board.id) if m.removed_at is None})
    # Names first, so "Dawn Maxwell" and a later bare "DM" become one new member with a name.
    for candidate in extraction.candidates:
        for written in candidate.owners:
            if " " in written and not resolve_owner(session, board, written, members):
                newcomers.get(written)
    existing = Counter(text_key(text) for _, text in store.board_action_texts(session, board.id))
    numbers: dict[str, list[int]] = {}
    for number, text in store.board_action_texts(session, board.id):
        numbers.setdefault(text_key(text), []).append(number)
    planned: list[PlannedAction] = []
    for candidate in extraction.candidates:
        action = PlannedAction(candidate)
        for written in candidate.owners:
            matched = resolve_owner(session, board, written, members)
            if written == "All" and not matched:
                action.everyone = True  # nobody to give it to yet: shown as "All", never a member called All
                continue
            for member in matched:
                if member not in action.members:
                    action.members.append(member)
            if not matched:
                new = newcomers.get(written)
                if new not in action.new_members:
                    action.new_members.append(new)
        key = text_key(candidate.text)
        if existing[key] > 0:
            existing[key] -= 1
            action.duplicate_of = numbers[key][existing[key]] if existing[key] < len(numbers[key]) else None
            action.duplicate_of = action.duplicate_of or numbers[key][0]
        planned.append(action)
    return ImportPlan(board, document.name[:MAX_DOCUMENT_NAME], meeting, extraction.layouts, planned)


def apply_import(session: Session, *, caller: Caller, plan: ImportPlan, now: datetime) -> ImportResult:
    """Create the plan's new members and actions in the caller's transaction.

    Under the board's row lock, like every change to a board's members and actions: a member can't be
    removed, nor the same initials taken, while the import adds them."""
    board = plan.board
    board_store.lock_board(session, board.id)
    added: dict[str, Member] = {}
    for new in plan.new_members:
        member = Member(
            board_id=board.id,
            initials=new.initials,
            slack_user_id=None,
            name=new.name,
            role=new.role,
            added_by=caller.user_id,
            added_at=now,
        )
        session.add(member)
        session.flush()
        record_board_event(
            session,
            board.id,
            caller.user_id,
            "member_added",
            now,
            member_id=member.id,
            initials=new.initials,
            slack_user_id=None,
            via="import",
        )
        added[new.initials] = member
    created: list[Action] = []
    for planned in plan.to_create:
        created.append(_create(session, caller, board, plan, planned, added, now))
    if any(a.due_kind == DueKind.NEXT_MEETING.value for a in created):
        session.flush()
        bind_next_meeting_actions(session, board, now)
    session.flush()
    return ImportResult(plan, created, list(added.values()))


def _create(
    session: Session,
    caller: Caller,
    board: Board,
    plan: ImportPlan,
    planned: PlannedAction,
    added: dict[str, Member],
    now: datetime,
) -> Action:
    candidate = planned.candidate
    owners = list(planned.members) + [added[n.initials] for n in planned.new_members]
    due = candidate.due
    action = Action(
        board_id=board.id,
        number=board_store.take_next_action_number(session, board.id),
        text=candidate.text[:MAX_ACTION_TEXT],
        status=candidate.status,
        rag=candidate.rag,
        previous_rag=candidate.previous_rag,
        rag_changed_at=now if candidate.rag else None,
        due_kind=due.kind.value if due else None,
        due_date=due.date if due else None,
        due_change_count=0,
        created_by=caller.user_id,
        created_at=now,
        updated_at=now,
        source_channel_id=caller.channel_id,
        source_document=plan.source,
        source_line=candidate.line,
        source_meeting=plan.meeting,
    )
    if candidate.status != "open":
        action.closed_at, action.closed_by = now, caller.user_id
    action.owners = owners
    action.board = board
    session.add(action)
    data = {
        "owners": [m.initials for m in owners],
        "due": {"kind": due.kind.value if due else None, "date": due.date.isoformat() if due and due.date else None},
        "imported": {"document": plan.source, "line": candidate.line, "ref": candidate.ref},
        "status": candidate.status,
        "rag": candidate.rag,
    }
    record_action_event(session, action, caller.user_id, "created", now, note=action.text, **data)
    if candidate.update:
        record_action_event(session, action, caller.user_id, "update", now, note=candidate.update, imported=True)
        action.last_progress_at = now
    return action


# --- drafts (Slack: preview, then confirm) ----------------------------------------------------------------


def save_draft(
    session: Session, *, caller: Caller, board: Board, name: str, text: str, meeting: date | None, now: datetime
) -> ImportDraft:
    """Keep pasted minutes until the caller confirms the preview."""
    return store.add_draft(
        session,
        ImportDraft(
            board_id=board.id,
            created_by=caller.user_id,
            created_at=now,
            source_document=name[:MAX_DOCUMENT_NAME],
            text=text,
            meeting=meeting,
            status="pending",
        ),
    )


def take_draft(session: Session, *, caller: Caller, draft_id: int, now: datetime) -> tuple[ImportDraft, str]:
    """The caller's pending draft and its text, marked used (under a row lock, so it is imported once).

    The pasted minutes are not kept once imported: the actions hold what matters, with their line."""
    draft = store.draft_for_update(session, draft_id)
    if draft is None or draft.created_by != caller.user_id:
        raise UserError(f"There is no import `{draft_id}` of yours to confirm. Paste the minutes again.")
    if draft.status != "pending":
        raise UserError(f"Import `{draft_id}` has already been {draft.status}: nothing more was created.")
    text = draft.text
    draft.status, draft.used_at, draft.text = "imported", now, ""
    return draft, text
