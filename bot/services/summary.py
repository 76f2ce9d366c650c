"""The pre-meeting summary ("matters arising"): what the chair needs before the meeting."""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy.orm import Session

from bot.directory import Directory
from bot.errors import NotAllowed, Remedy, RemedyKind
from bot.services.context import Caller
from bot.services.listed import ListedAction, ListedOwner, from_rows
from bot.services.meetings import meeting_date
from bot.services.plan_report import PlanReport, build_plan_report
from bot.statuses import ActionStatus, Rag
from bot.walltime import local_date
from storage import summary as store
from storage.models import Action, Board, Meeting

STALE_AFTER = timedelta(days=28)
_T = TypeVar("_T")


def may_post(board: Board, caller: Caller, directory: Directory) -> bool:
    """Only the chair or a workspace admin posts the summary to the board's channel (anyone may preview it)."""
    if caller.user_id == board.chair_user_id:
        return True
    person = directory.person(caller.user_id)
    return bool(person and person.is_admin)


def ensure_may_post(board: Board, caller: Caller, directory: Directory) -> None:
    """Refuse, saying who may, anyone but the chair or a workspace admin posting the summary."""
    if not may_post(board, caller, directory):
        raise NotAllowed(
            (
                f"Only the chair (<@{board.chair_user_id}>) or a workspace admin can post the summary to the channel.",
                Remedy(RemedyKind.PREVIEW_SUMMARY, " You can still preview it privately.", {"code": board.code}),
            )
        )


RAG_RANK = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}


@dataclass(frozen=True, slots=True)
class Update:
    """A progress update: when, and its note."""

    at: datetime
    note: str | None


@dataclass(frozen=True, slots=True)
class RagChange:
    """A change of RAG rating: when, from and to what, and its note."""

    at: datetime
    rag_from: str | None
    rag_to: str | None
    note: str | None


@dataclass(frozen=True)
class Item:
    """One action as the summary shows it."""

    action: ListedAction
    days_overdue: int = 0
    last_update: Update | None = None
    last_activity: datetime | None = None
    carried_over: int = 0
    rag_from: str | None = None
    rag_to: str | None = None
    rag_reason: str | None = None


@dataclass
class Summary:
    """Everything in the summary, in the order it is shown."""

    board: Board
    meeting: Meeting | None
    previous: Meeting | None
    generated_at: datetime
    today: date
    open_count: int = 0
    rag_now: dict[str, int] = field(default_factory=dict)
    rag_before: dict[str, int] = field(default_factory=dict)
    overdue: list[Item] = field(default_factory=list)
    deteriorated: list[Item] = field(default_factory=list)
    due: list[Item] = field(default_factory=list)
    closed: list[Item] = field(default_factory=list)
    stale: list[Item] = field(default_factory=list)
    # Owners without Slack, with their actions needing an update: the chair chases them.
    offline_owners: dict[str, list[ListedAction]] = field(default_factory=dict)
    # A board with an improvement plan: RAG at a glance and the exception entries (bot.services.plan_report).
    plan: PlanReport | None = None

    @property
    def since_label(self) -> str:
        """`since the last meeting (18 Nov)` or `since each action was logged` for a first meeting."""
        if self.previous is None:
            return "since each action was logged"
        day = meeting_date(self.previous)
        return f"since the last meeting ({day.day} {day:%b})"


def _rag_at(events: list[RagChange], at: datetime) -> str | None:
    rag = None
    for event in events:
        if event.at <= at:
            rag = event.rag_to
    return rag


def _baseline_rag(events: list[RagChange], since: datetime) -> str | None:
    """The rating at `since`; for an action unrated then, the first rating it was given after."""
    rag = _rag_at(events, since)
    if rag is not None:
        return rag
    later = [e for e in events if e.at > since]
    return later[0].rag_to if later else None


def _reason_for_worse(events: list[RagChange], since: datetime) -> str | None:
    """The note of the latest rating that went down since `since` (not an older or unrelated note)."""
    for event in reversed(events):
        before, after = event.rag_from, event.rag_to
        if event.at > since and before in RAG_RANK and after in RAG_RANK and RAG_RANK[after] > RAG_RANK[before]:
            return event.note
    return None


def due_by(action: Action | ListedAction, meeting: Meeting | None) -> bool:
    """True if the action falls due at or before this meeting."""
    if meeting is None or action.status != ActionStatus.OPEN:
        return False
    if action.due_meeting_id == meeting.id:
        return True
    return action.due_date is not None and action.due_date <= meeting_date(meeting)


def build_summary(session: Session, *, board: Board, meeting: Meeting | None, now: datetime) -> Summary:
    """Assemble the summary for `meeting` (the board's next one) as it stands at `now`."""
    return build_summaries(session, [(board, meeting)], now)[0]


def build_summaries(session: Session, wanted: Sequence[tuple[Board, Meeting | None]], now: datetime) -> list[Summary]:
    """The summaries of many boards at once, one for each (board, its next meeting or None), in that
    order. Each kind of row is read for every board in one query (one per distinct look-back
    instant, which the boards of one tick share), not board by board."""
    # A summary looks back from the earlier of its meeting's start and now.
    befores = [min(meeting.starts_at, now) if meeting else now for _, meeting in wanted]
    boards = {board.id: board for board, _ in wanted}
    previous: dict[tuple[int, datetime], Meeting] = {}
    for before, ids in _grouped(zip([b.id for b, _ in wanted], befores, strict=True)).items():
        previous.update(((i, before), m) for i, m in store.previous_meetings(session, ids, before).items())
    sinces = [
        p.starts_at if (p := previous.get((board.id, before))) else None
        for (board, _), before in zip(wanted, befores, strict=True)
    ]
    actions: dict[tuple[int, datetime | None], list[ListedAction]] = defaultdict(list)
    for since, ids in _grouped(zip([b.id for b, _ in wanted], sinces, strict=True)).items():
        for action in from_rows(store.actions(session, {i: boards[i] for i in ids}, since)):
            actions[(action.board_id, since)].append(action)
    action_ids = {a.id for found in actions.values() for a in found}
    rag_by_action: dict[int, list[RagChange]] = {}
    # Rows unpacked by position: reading a Row's columns by name costs more than the rest.
    for action_id, at, rag_from, rag_to, note in store.rag_changes(session, action_ids):
        rag_by_action.setdefault(action_id, []).append(RagChange(at, rag_from, rag_to, note))
    updates = {action_id: Update(at, note) for action_id, at, note in store.latest_updates(session, action_ids)}
    # Meetings an action was carried over: only starts after the oldest action shown count.
    starts: dict[tuple[int, datetime], list[datetime]] = {}
    if action_ids:
        oldest = min(a.created_at for found in actions.values() for a in found)
        for before, ids in _grouped(zip([b.id for b, _ in wanted], befores, strict=True)).items():
            starts.update(((i, before), s) for i, s in store.meeting_starts(session, ids, oldest, before).items())
    with_plan = store.boards_with_plan(session, boards.keys())
    return [
        _summary(
            board,
            meeting,
            previous.get((board.id, before)),
            actions.get((board.id, since), []),
            rag_by_action,
            updates,
            starts.get((board.id, before), []),
            build_plan_report(session, board=board, now=now, since=since) if board.id in with_plan else None,
            now,
        )
        for (board, meeting), before, since in zip(wanted, befores, sinces, strict=True)
    ]


def _grouped(pairs: Iterable[tuple[int, _T]]) -> dict[_T, list[int]]:
    """Board ids by the value paired with each (each id once per value)."""
    found: dict[_T, list[int]] = {}
    for board_id, value in pairs:
        ids = found.setdefault(value, [])
        if board_id not in ids:
            ids.append(board_id)
    return found


def _summary(
    board: Board,
    meeting: Meeting | None,
    previous: Meeting | None,
    actions: list[ListedAction],
    rag_by_action: dict[int, list[RagChange]],
    updates: dict[int, Update],
    starts: list[datetime],
    plan: PlanReport | None,
    now: datetime,
) -> Summary:
    since = previous.starts_at if previous else None
    today = local_date(now, board.tz)
    summary = Summary(board=board, meeting=meeting, previous=previous, generated_at=now, today=today)
    open_actions = [a for a in actions if a.status == ActionStatus.OPEN]
    summary.open_count = len(open_actions)
    summary.rag_now = dict(Counter(a.rag for a in open_actions if a.rag))
    if since is not None:
        was_open = [a for a in actions if a.created_at <= since]
        summary.rag_before = dict(Counter(r for a in was_open if (r := _rag_at(rag_by_action.get(a.id, []), since))))

    for action in actions:
        events = rag_by_action.get(action.id, [])
        last = updates.get(action.id)
        activity = action.last_progress_at or action.created_at
        carried = len(starts) - bisect.bisect_right(starts, action.created_at)
        item = Item(action=action, last_update=last, last_activity=activity, carried_over=carried)
        if action.status != ActionStatus.OPEN:
            summary.closed.append(item)
            continue
        if action.due_date is not None and action.due_date < today:
            summary.overdue.append(_with(item, days_overdue=(today - action.due_date).days))
        elif due_by(action, meeting):
            summary.due.append(item)
        baseline = _baseline_rag(events, since or action.created_at)
        if baseline and action.rag and RAG_RANK[action.rag] > RAG_RANK[baseline]:
            reason = _reason_for_worse(events, since or action.created_at)
            summary.deteriorated.append(_with(item, rag_from=baseline, rag_to=action.rag, rag_reason=reason))
        if now - activity >= STALE_AFTER:
            summary.stale.append(item)
        if due_by(action, meeting) or (action.due_date is not None and action.due_date < today):
            for owner in action.owners:
                if not owner.slack_user_id:
                    summary.offline_owners.setdefault(_owner_key(owner), []).append(action)

    summary.overdue.sort(key=lambda i: (-i.days_overdue, i.action.number))
    summary.due.sort(key=lambda i: (i.action.due_date or date.max, i.action.number))
    summary.closed.sort(key=lambda i: (i.action.closed_at or now, i.action.number))
    summary.stale.sort(key=lambda i: (i.last_activity or now, i.action.number))
    summary.plan = plan
    return summary


def _owner_key(member: ListedOwner) -> str:
    return f"{member.initials} ({member.name})" if member.name else member.initials


def _with(item: Item, **changes: object) -> Item:
    return replace(item, **changes)  # type: ignore[arg-type]
