"""Lists of actions as people ask for them: a board's log (`/action list`) and what's mine (`/mine`).

Each list reads one page of rows and counts the rest in SQL (storage/action_lists.py), so its cost
follows what one message shows, not the size of the log.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.errors import UserError
from bot.owners import OwnerToken
from bot.services.actions import DONE, DROPPED, OPEN, resolve_owners
from bot.services.context import Caller
from bot.walltime import local_date
from storage import action_lists as store
from storage import boards as board_store
from storage.models import Action, Board

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

    items: Sequence[Action]
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
    total = store.count_board_actions(session, query)
    _check_page(page, total, page_size)
    items = store.board_actions_page(session, query, limit=page_size, offset=(page - 1) * page_size)
    return ActionPage(items=items, total=total, page=page, page_size=page_size)


@dataclass(frozen=True)
class Group:
    """The first actions of one urgency group, and how many the group has."""

    items: Sequence[Action]
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


def _owned_queries(
    session: Session, caller: Caller, now: datetime, closed_since: datetime | None
) -> list[store.OwnedQuery]:
    member_ids = board_store.member_ids_of_user(session, caller.team_id, caller.user_id)
    if not member_ids:
        return []
    queries = []
    for tz, board_ids in store.boards_by_zone(session, member_ids).items():
        today = local_date(now, tz)
        queries.append(
            store.OwnedQuery(
                member_ids=member_ids,
                board_ids=board_ids,
                today=today,
                soon_until=today + timedelta(days=SOON_DAYS),
                closed_since=closed_since,
            )
        )
    return queries


def _sort_key(bucket: str, now: datetime):  # type: ignore[no-untyped-def]
    if bucket == "closed":
        return lambda a: (-(a.closed_at or now).timestamp(), a.id)
    return lambda a: (a.due_date or now.date(), a.board.code, a.number)


def my_actions(
    session: Session, *, caller: Caller, include_closed: bool, now: datetime, per_group: int = PER_GROUP
) -> MyActions:
    """The caller's actions across the workspace's boards, grouped by urgency; `per_group` of each."""
    closed_since = now - timedelta(days=CLOSED_DAYS) if include_closed else None
    queries = _owned_queries(session, caller, now, closed_since)
    counts: dict[str, int] = {}
    for query in queries:
        for bucket, n in store.owned_bucket_counts(session, query).items():
            counts[bucket] = counts.get(bucket, 0) + n
    groups: dict[str, Group] = {}
    for bucket in store.BUCKETS:
        if not counts.get(bucket):
            groups[bucket] = Group(items=(), count=0)
            continue
        # Boards in other time zones are rare: each zone gives its first rows and they are merged.
        pages = [store.owned_bucket_page(session, q, bucket, limit=per_group) for q in queries]
        items = heapq.nsmallest(per_group, (a for p in pages for a in p), key=_sort_key(bucket, now))
        groups[bucket] = Group(items=items, count=counts[bucket])
    return MyActions(**groups)


def my_bucket(
    session: Session, *, caller: Caller, bucket: str, now: datetime, page: int = 1, page_size: int = PAGE_SIZE
) -> ActionPage:
    """One page of one of the caller's groups (`/mine overdue page 2`)."""
    closed_since = now - timedelta(days=CLOSED_DAYS) if bucket == "closed" else None
    queries = _owned_queries(session, caller, now, closed_since)
    total = sum(store.owned_bucket_counts(session, q).get(bucket, 0) for q in queries)
    _check_page(page, total, page_size)
    if len(queries) == 1:
        items = store.owned_bucket_page(session, queries[0], bucket, limit=page_size, offset=(page - 1) * page_size)
    else:
        wanted = page * page_size
        pages = [store.owned_bucket_page(session, q, bucket, limit=wanted) for q in queries]
        items = heapq.nsmallest(wanted, (a for p in pages for a in p), key=_sort_key(bucket, now))[wanted - page_size :]
    return ActionPage(items=items, total=total, page=page, page_size=page_size)
