"""Queries for boards and their members."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.db import lock_for_write
from storage.models import Board, BoardEvent, Member


def board_by_code(session: Session, team_id: str, code: str) -> Board | None:
    """The workspace's board with this code (codes are stored upper-case)."""
    return session.scalar(select(Board).where(Board.team_id == team_id, Board.code == code.upper()))


def board_by_channel(session: Session, team_id: str, channel_id: str) -> Board | None:
    """The board bound to this channel, if any."""
    return session.scalar(select(Board).where(Board.team_id == team_id, Board.channel_id == channel_id))


def boards_with_code(session: Session, code: str) -> Sequence[Board]:
    """Boards of any workspace with this code (for the CLI, which has no workspace of its own)."""
    return session.scalars(select(Board).where(Board.code == code.upper()).order_by(Board.team_id)).all()


def boards_of_team(session: Session, team_id: str) -> Sequence[Board]:
    """Every board in the workspace, by code."""
    return session.scalars(select(Board).where(Board.team_id == team_id).order_by(Board.code)).all()


def lock_board(session: Session, board_id: int) -> Board:
    """Lock the board's row until the transaction ends, and return it as now stored.

    Every change to a board's membership, and every change to one of its actions, takes this lock
    first (and only then the action's), so membership and owners can't change under each other and
    the lock order is always board, then action. PostgreSQL: `SELECT … FOR NO KEY UPDATE`, which
    still lets other transactions insert rows that refer to the board. SQLite: the write lock.
    """
    lock_for_write(session)
    return session.scalars(
        select(Board)
        .where(Board.id == board_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).one()


def current_members(session: Session, board_id: int) -> Sequence[Member]:
    """Members not removed, by initials."""
    return session.scalars(
        select(Member).where(Member.board_id == board_id, Member.removed_at.is_(None)).order_by(Member.initials)
    ).all()


def current_member_by_initials(session: Session, board_id: int, initials: str) -> Member | None:
    """The current member known by these initials."""
    return session.scalar(
        select(Member).where(
            Member.board_id == board_id,
            func.upper(Member.initials) == initials.upper(),
            Member.removed_at.is_(None),
        )
    )


def current_member_by_user(session: Session, board_id: int, user_id: str) -> Member | None:
    """The current member who is this Slack user."""
    return session.scalar(
        select(Member).where(Member.board_id == board_id, Member.slack_user_id == user_id, Member.removed_at.is_(None))
    )


def take_next_action_number(session: Session, board_id: int) -> int:
    """Reserve the board's next action number; the row update serialises concurrent adds."""
    return session.execute(
        update(Board)
        .where(Board.id == board_id)
        .values(last_action_number=Board.last_action_number + 1)
        .returning(Board.last_action_number)
    ).scalar_one()


def add_board_event(session: Session, event: BoardEvent) -> None:
    """Record an audit row for a board change."""
    session.add(event)


def members_without_slack(session: Session, board_ids: Sequence[int], *, limit: int) -> Sequence[Member]:
    """Current members of these boards who have no Slack account, by board and initials (at most `limit`)."""
    return session.scalars(
        select(Member)
        .join(Board, Member.board_id == Board.id)
        .where(Member.board_id.in_(list(board_ids)), Member.slack_user_id.is_(None), Member.removed_at.is_(None))
        .order_by(Board.code, Member.initials)
        .limit(limit)
    ).all()
