"""Lists of actions as people ask for them: a board's log (`/action list`) and what's mine (`/mine`).

Each list reads one page of rows and counts the rest in SQL (storage/action_lists.py), so its cost
follows what one message shows, not the size of the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.errors import UserError
from bot.owners import OwnerToken
from bot.services.actions import DONE, DROPPED, OPEN, resolve_owners
from bot.services.context import Caller
from bot.services.listed import ListedAction, from_rows
from bot.walltime import local_date
from storage import action_lists as store
from storage import meetings as meeting_store
from storage.listed import with_owners
from storage.models import Board, Meeting

PAGE_SIZE = 25
PER_GROUP = 10
SOON_DAYS = 7
CLOSED_DAYS = 30
_STATUSES: dict[str, list[str] | None] = {
    "open": [OPEN],
    "overdue": [OPEN],
    "done": [DONE],
    "dropped": [DROPPED],
    "closed": [DONE, DROPPED],
    "all": None,
}


@dataclass(frozen=True)
class ListFilter:
    """What `/action list` asks for."""

    status: str = "open"  # open | overdue | done | dropped | closed | all
    rag: str | None = None
    owner: OwnerToken | None = None


@dataclass(frozen=True)
class ActionPage:
    """One page of a list, and how many there are in all."""

    items: Sequence[ListedAction]
    total: int
    page: int
    page_size: int

    @property
    def first(self) -> int:
        """1-based position of the first item shown."""
        return (self.page - 1) * self.page_size + 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _check_page(page: int, total: int, page_size: int) -> None:
    pages = max(1, -(-total // page_size))
    if page < 1 or page > pages:
        raise UserError(
            f"There {'is' if pages == 1 else 'are'} {pages} page{'s' * (pages != 1)}: ask for 1 to {pages}."
        )


def list_actions(
    session: Session, *, board: Board, wanted: ListFilter, now: datetime, page: int = 1, page_size: int = PAGE_SIZE
) -> ActionPage:
    """One page of the board's log, filtered by status, RAG and owner, by number."""
    owner_ids = None
    if wanted.owner is not None:
        owner_ids = [m.id for m in resolve_owners(session, board, [wanted.owner])]
    query = store.BoardListQuery(
        board_id=board.id,
        statuses=_STATUSES[wanted.status],
        rag=wanted.rag,
        owner_member_ids=owner_ids,
        due_before=local_date(now, board.tz) if wanted.status == "overdue" else None,
    )
    rows, total = store.board_actions_page(session, query, limit=page_size, offset=(page - 1) * page_size)
    _check_page(page, total, page_size)
    items = from_rows(with_owners(session, rows, {board.id: board}))
    return ActionPage(items=items, total=total, page=page, page_size=page_size)


@dataclass(frozen=True)
class Group:
    """The first actions of one urgency group, and how many the group has."""

    items: Sequence[ListedAction]
    count: int


@dataclass(frozen=True)
class MyActions:
    """The caller's actions in the order `/mine` shows them: the first few of each group, with counts."""

    overdue: Group
    due_soon: Group
    later: Group
    undated: Group
    closed: Group

    @property
    def count(self) -> int:
        return sum(g.count for g in (self.overdue, self.due_soon, self.later, self.undated, self.closed))


@dataclass(frozen=True)
class _Owned:
    query: store.OwnedQuery
    boards: dict[int, Board]


def _owned(session: Session, caller: Caller, now: datetime, closed_since: datetime | None) -> _Owned | None:
    """What the caller owns, as a query over their boards (each zone with its own today), or None
    when they are on no board."""
    memberships = store.boards_of_user(session, caller.team_id, caller.user_id)
    if not memberships:
        return None
    boards = {board.id: board for _, board in memberships}
    by_zone: dict[str, list[int]] = {}
    for board in boards.values():
        by_zone.setdefault(board.tz, []).append(board.id)
    zones = []
    for tz, board_ids in by_zone.items():
        today = local_date(now, tz)
        zones.append(store.ZoneDays(board_ids=board_ids, today=today, soon_until=today + timedelta(days=SOON_DAYS)))
    query = store.OwnedQuery(member_ids=[m for m, _ in memberships], zones=zones, closed_since=closed_since)
    return _Owned(query=query, boards=boards)


def my_actions(
    session: Session, *, caller: Caller, include_closed: bool, now: datetime, per_group: int = PER_GROUP
) -> MyActions:
    """The caller's actions across the workspace's boards, grouped by urgency; `per_group` of each.

    Three statements whatever the caller owns: their boards, the first rows and counts of every
    group (one window query), and those rows' owners."""
    closed_since = now - timedelta(days=CLOSED_DAYS) if include_closed else None
    owned = _owned(session, caller, now, closed_since)
    if owned is None:
        return MyActions(**{bucket: Group(items=(), count=0) for bucket in store.BUCKETS})
    pages = store.owned_bucket_pages(session, owned.query, limit=per_group)
    shown = [row for bucket in store.BUCKETS for row in pages.rows.get(bucket, [])]
    actions = iter(from_rows(with_owners(session, shown, owned.boards)))
    groups = {}
    for bucket in store.BUCKETS:
        items = [next(actions) for _ in pages.rows.get(bucket, [])]
        groups[bucket] = Group(items=items, count=pages.counts.get(bucket, 0))
    return MyActions(**groups)


def my_bucket(
    session: Session, *, caller: Caller, bucket: str, now: datetime, page: int = 1, page_size: int = PAGE_SIZE
) -> ActionPage:
    """One page of one of the caller's groups (`/mine overdue page 2`)."""
    closed_since = now - timedelta(days=CLOSED_DAYS) if bucket == "closed" else None
    owned = _owned(session, caller, now, closed_since)
    if owned is None:
        _check_page(page, 0, page_size)
        return ActionPage(items=[], total=0, page=page, page_size=page_size)
    pages = store.owned_bucket_pages(
        session, owned.query, limit=page_size, offset=(page - 1) * page_size, bucket=bucket
    )
    rows = pages.rows.get(bucket, [])
    # Only a page past the end has no row to carry the count: count it to say which pages there are.
    total = pages.counts[bucket] if rows else store.owned_bucket_counts(session, owned.query).get(bucket, 0)
    _check_page(page, total, page_size)
    items = from_rows(with_owners(session, rows, owned.boards))
    return ActionPage(items=items, total=total, page=page, page_size=page_size)


HOME_BOARDS = 10


@dataclass(frozen=True)
class BoardGlance:
    """One of a person's boards on their Home tab: its next meeting, open actions by RAG, and whether
    they chair it."""

    board: Board
    next_meeting: Meeting | None
    rag_counts: dict[str | None, int]
    is_chair: bool

    @property
    def open_count(self) -> int:
        return sum(self.rag_counts.values())


@dataclass(frozen=True)
class MyBoards:
    """The first boards a person belongs to or chairs, and how many there are."""

    items: Sequence[BoardGlance]
    total: int


def my_boards(session: Session, *, caller: Caller, now: datetime, limit: int = HOME_BOARDS) -> MyBoards:
    """The boards the caller is a member or chair of, at a glance: a bounded number, counted in SQL."""
    boards, total = store.boards_of_person(session, caller.team_id, caller.user_id, limit=limit)
    counts = store.open_rag_counts(session, [b.id for b in boards])
    items = [
        BoardGlance(
            board=b,
            next_meeting=meeting_store.next_meeting(session, b.id, now),
            rag_counts=counts.get(b.id, {}),
            is_chair=b.chair_user_id == caller.user_id,
        )
        for b in boards
    ]
    return MyBoards(items=items, total=total)
