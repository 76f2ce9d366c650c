"""Queries for lists of actions that fetch only what one message shows, plus counts in SQL.

Cost follows what is shown: a list reads one page of rows (LIMIT/OFFSET on an indexed order, or the
first rows of each group by a window), with the counts in the same statement, never loading the
whole log to show a few dozen lines. Rows are columns (storage/listed.py), not ORM objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Date, Join, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from storage.listed import LISTED_COLUMNS
from storage.models import Action, ActionOwner, Board, Member

# Rows are LISTED_COLUMNS (storage/listed.py), read by position; what a page query adds comes after.
_WIDTH = len(LISTED_COLUMNS)


@dataclass(frozen=True)
class BoardListQuery:
    """One board's actions, filtered as `/action list` asks."""

    board_id: int
    statuses: Sequence[str] | None = None
    rag: str | None = None
    owner_member_ids: Sequence[int] | None = None
    due_before: date | None = None  # strictly before: "overdue"

    def where(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = [Action.board_id == self.board_id]
        if self.statuses is not None:
            clauses.append(Action.status.in_(list(self.statuses)))
        if self.rag is not None:
            clauses.append(Action.rag == self.rag)
        if self.owner_member_ids is not None:
            owned = select(ActionOwner.action_id).where(ActionOwner.member_id.in_(list(self.owner_member_ids)))
            clauses.append(Action.id.in_(owned))
        if self.due_before is not None:
            clauses.append(Action.due_date < self.due_before)
        return clauses


def count_board_actions(session: Session, query: BoardListQuery) -> int:
    """How many of the board's actions match."""
    return int(session.scalar(select(func.count()).select_from(Action).where(*query.where())) or 0)


Page = tuple[list[tuple], int]  # type: ignore[type-arg]


def board_actions_page(session: Session, query: BoardListQuery, *, limit: int, offset: int) -> Page:
    """One page of the board's matching actions (LISTED_COLUMNS, by number) and how many match in all.

    One statement: the count rides along as an uncorrelated scalar subquery (PostgreSQL runs it once,
    from the index), so a page costs one round trip; only a page past the end counts again.
    """
    total = select(func.count()).select_from(Action).where(*query.where()).scalar_subquery()
    rows = session.execute(
        select(*LISTED_COLUMNS, total).where(*query.where()).order_by(Action.number).limit(limit).offset(offset)
    ).all()
    if not rows:
        return [], count_board_actions(session, query)
    return [tuple(row[:_WIDTH]) for row in rows], int(rows[0][_WIDTH])


# -- one person's actions across boards, in urgency buckets ------------------------------------

BUCKETS = ("overdue", "due_soon", "later", "undated", "closed")


@dataclass(frozen=True)
class ZoneDays:
    """Boards sharing one time zone, so one `today` and one end of "due soon"."""

    board_ids: Sequence[int]
    today: date
    soon_until: date


@dataclass(frozen=True)
class OwnedQuery:
    """Actions owned through `member_ids` on the boards of `zones` (each zone with its own today)."""

    member_ids: Sequence[int]
    zones: Sequence[ZoneDays]
    closed_since: datetime | None = None

    def _per_board(self, day_of: str) -> ColumnElement[date]:
        # One zone is the usual case: a constant. Otherwise each board's own day, by its zone.
        days = [(zone.board_ids, getattr(zone, day_of)) for zone in self.zones]
        if len(days) == 1:
            return literal(days[0][1], Date)
        *firsts, (_, last) = days
        return case(
            *((Action.board_id.in_(list(ids)), literal(day, Date)) for ids, day in firsts), else_=literal(last, Date)
        )

    def bucket(self) -> ColumnElement[str]:
        return case(
            (Action.status != "open", "closed"),
            (Action.due_date.is_(None), "undated"),
            (Action.due_date < self._per_board("today"), "overdue"),
            (Action.due_date <= self._per_board("soon_until"), "due_soon"),
            else_="later",
        )

    def source(self) -> Join:
        """The owned actions, driven from the owners' index: the few owned ids first, then each action
        by its key (both databases otherwise read every open action and test it). An action counts
        only on the board of the membership that owns it, as a join condition, not a filter on the
        boards, which made PostgreSQL scan every action of the caller's boards again."""
        owned = (
            select(ActionOwner.action_id, Member.board_id)
            .join(Member, Member.id == ActionOwner.member_id)
            # Both sides by their keys: with the members' side unbounded, PostgreSQL read every member.
            .where(ActionOwner.member_id.in_(list(self.member_ids)), Member.id.in_(list(self.member_ids)))
            .distinct()  # a person removed and added again may own one action twice
            .subquery("owned")
        )
        return owned.join(Action, and_(Action.id == owned.c.action_id, Action.board_id == owned.c.board_id))

    def where(self) -> list[ColumnElement[bool]]:
        shown = Action.status == "open"
        if self.closed_since is not None:
            shown = or_(shown, and_(Action.status != "open", Action.closed_at >= self.closed_since))
        return [shown]


def owned_bucket_counts(session: Session, query: OwnedQuery) -> dict[str, int]:
    """How many matching actions fall in each bucket."""
    bucket = query.bucket().label("bucket")
    rows = session.execute(
        select(bucket, func.count()).select_from(query.source()).where(*query.where()).group_by(bucket)
    ).all()
    return {str(name): int(count) for name, count in rows}


@dataclass(frozen=True)
class OwnedPages:
    """The rows (LISTED_COLUMNS) of each bucket's page, in the bucket's order, and each bucket's count."""

    rows: dict[str, list[tuple]]  # type: ignore[type-arg]
    counts: dict[str, int]


def owned_bucket_pages(
    session: Session, query: OwnedQuery, *, limit: int, offset: int = 0, bucket: str | None = None
) -> OwnedPages:
    """Rows `offset+1`…`offset+limit` of every bucket (or of `bucket` only), and the buckets' counts,
    in one statement: by due date (closed: most recently closed first), then board and number.

    A bucket with no row in the range has no count here (only a page past the end lacks one).
    """
    if limit < 1:
        raise ValueError("a page holds at least one row: the counts ride on the rows")
    which = query.bucket()
    # Open buckets order by due date; the closed one by when it closed (latest first): a closed-only
    # key, constant among open rows, then the open key, constant among closed rows' ties.
    closed_first = case((Action.status != "open", Action.closed_at)).desc()
    # Closed at the same instant: by id, as NULL due dates sort first on SQLite and last on PostgreSQL.
    closed_ties = case((Action.status != "open", Action.id))
    order = (closed_first, closed_ties, Action.due_date, Board.code, Action.number)
    ranked = (
        select(
            *LISTED_COLUMNS,
            which.label("bucket"),
            func.row_number().over(partition_by=which, order_by=order).label("rank"),
            func.count().over(partition_by=which).label("count"),
        )
        .select_from(query.source().join(Board, Board.id == Action.board_id))
        .where(*query.where())
    )
    if bucket is not None:
        ranked = ranked.where(which == bucket)
    table = ranked.subquery()
    found = session.execute(
        select(table)
        .where(table.c.rank > offset, table.c.rank <= offset + limit)
        .order_by(table.c.bucket, table.c.rank)
    ).all()
    rows: dict[str, list[tuple]] = {}  # type: ignore[type-arg]
    counts: dict[str, int] = {}
    for row in found:
        name = str(row[_WIDTH])
        rows.setdefault(name, []).append(tuple(row[:_WIDTH]))
        counts[name] = int(row[_WIDTH + 2])
    return OwnedPages(rows=rows, counts=counts)


def boards_of_user(session: Session, team_id: str, user_id: str) -> list[tuple[int, Board]]:
    """(membership id, board) of every membership (current or past) the user holds in the workspace."""
    rows = session.execute(
        select(Member.id, Board)
        .join(Board, Board.id == Member.board_id)
        .where(Board.team_id == team_id, Member.slack_user_id == user_id)
    ).all()
    return [(int(member_id), board) for member_id, board in rows]


# -- the Home tab: a person's boards at a glance -----------------------------------------------


def boards_of_person(session: Session, team_id: str, user_id: str, *, limit: int) -> tuple[Sequence[Board], int]:
    """The first `limit` boards (by code) the person is a current member or the chair of, and how many there are."""
    member_of = select(Member.board_id).where(Member.slack_user_id == user_id, Member.removed_at.is_(None))
    where = (Board.team_id == team_id, or_(Board.id.in_(member_of), Board.chair_user_id == user_id))
    total = int(session.scalar(select(func.count()).select_from(Board).where(*where)) or 0)
    boards = session.scalars(select(Board).where(*where).order_by(Board.code).limit(limit)).all()
    return boards, total


def open_rag_counts(session: Session, board_ids: Sequence[int]) -> dict[int, dict[str | None, int]]:
    """Open actions of each board counted by RAG (None: not rated), in one GROUP BY."""
    rows = session.execute(
        select(Action.board_id, Action.rag, func.count())
        .where(Action.board_id.in_(list(board_ids)), Action.status == "open")
        .group_by(Action.board_id, Action.rag)
    ).all()
    counts: dict[int, dict[str | None, int]] = {}
    for board_id, rag, n in rows:
        counts.setdefault(int(board_id), {})[rag] = int(n)
    return counts
