"""Queries for lists of actions that fetch only what one message shows, plus counts in SQL.

Cost follows what is shown: a list reads one page of rows (LIMIT/OFFSET on an indexed order) and
counts the rest with COUNT … GROUP BY, never loading the whole log to show a few dozen lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from storage.models import Action, ActionOwner, Board

_LOAD = (selectinload(Action.owners), selectinload(Action.board))


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


def board_actions_page(session: Session, query: BoardListQuery, *, limit: int, offset: int) -> Sequence[Action]:
    """One page of the board's matching actions, by number, with owners and board loaded."""
    return session.scalars(
        select(Action).where(*query.where()).options(*_LOAD).order_by(Action.number).limit(limit).offset(offset)
    ).all()


# -- one person's actions across boards, in urgency buckets ------------------------------------

BUCKETS = ("overdue", "due_soon", "later", "undated", "closed")


@dataclass(frozen=True)
class OwnedQuery:
    """Actions owned through `member_ids` on `board_ids` (boards sharing one time zone, so one `today`)."""

    member_ids: Sequence[int]
    board_ids: Sequence[int]
    today: date
    soon_until: date
    closed_since: datetime | None = None

    def bucket(self) -> ColumnElement[str]:
        return case(
            (Action.status != "open", "closed"),
            (Action.due_date.is_(None), "undated"),
            (Action.due_date < self.today, "overdue"),
            (Action.due_date <= self.soon_until, "due_soon"),
            else_="later",
        )

    def where(self) -> list[ColumnElement[bool]]:
        owned = select(ActionOwner.action_id).where(ActionOwner.member_id.in_(list(self.member_ids)))
        shown = Action.status == "open"
        if self.closed_since is not None:
            shown = or_(shown, and_(Action.status != "open", Action.closed_at >= self.closed_since))
        return [Action.id.in_(owned), Action.board_id.in_(list(self.board_ids)), shown]


def owned_bucket_counts(session: Session, query: OwnedQuery) -> dict[str, int]:
    """How many matching actions fall in each bucket."""
    bucket = query.bucket().label("bucket")
    rows = session.execute(select(bucket, func.count()).where(*query.where()).group_by(bucket)).all()
    return {str(name): int(count) for name, count in rows}


def owned_bucket_page(
    session: Session, query: OwnedQuery, bucket: str, *, limit: int, offset: int = 0
) -> Sequence[Action]:
    """A page of one bucket: by due date (closed: most recently closed first), then board and number."""
    order = (Action.closed_at.desc(), Action.id) if bucket == "closed" else (Action.due_date, Board.code, Action.number)
    return session.scalars(
        select(Action)
        .join(Board, Action.board_id == Board.id)
        .where(*query.where(), query.bucket() == bucket)
        .options(*_LOAD)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    ).all()


def boards_by_zone(session: Session, member_ids: Sequence[int]) -> dict[str, list[int]]:
    """The boards of these memberships, grouped by time zone (each zone has its own `today`)."""
    from storage.models import Member

    rows = session.execute(
        select(Board.tz, Board.id).join(Member, Member.board_id == Board.id).where(Member.id.in_(list(member_ids)))
    ).all()
    zones: dict[str, list[int]] = {}
    for tz, board_id in rows:
        if board_id not in zones.setdefault(str(tz), []):
            zones[str(tz)].append(int(board_id))
    return zones


# -- the Home tab: a person's boards at a glance -----------------------------------------------


def boards_of_person(session: Session, team_id: str, user_id: str, *, limit: int) -> tuple[Sequence[Board], int]:
    """The first `limit` boards (by code) the person is a current member or the chair of, and how many there are."""
    from storage.models import Member

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
