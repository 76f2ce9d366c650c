"""Queries behind the pre-meeting summary: the columns it shows, one query per kind of row, for one
board or for every board whose summary a tick builds.

Nothing here loads actions as ORM objects: a board with thousands of open actions costs one row per
action, one per owner and one per RAG change, read without identity-map or relationship work; many
boards cost the same few queries (their ids in one array on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import ColumnElement, Row, func, or_, select
from sqlalchemy.orm import Session, aliased

from storage.listed import ListedRows, among, chunks, listed
from storage.models import Action, ActionEvent, Board, Meeting, PlanArea

SCHEDULED = "scheduled"


def _shown(session: Session, board_ids: Collection[int], closed_since: datetime | None) -> ColumnElement[bool]:
    """Open actions and those closed since `closed_since` (all closed ones when None)."""
    closed = Action.status != "open"
    if closed_since is not None:
        closed = closed & (Action.closed_at >= closed_since)
    return among(session, Action.board_id, board_ids) & or_(Action.status == "open", closed)


def actions(session: Session, boards: Mapping[int, Board], closed_since: datetime | None) -> ListedRows:
    """The summary's actions of these boards (open, and closed since `closed_since`), by board and
    number, with their owners: the columns it shows and sorts by."""
    return listed(session, _shown(session, boards.keys(), closed_since), boards=boards)


def rag_changes(session: Session, action_ids: Collection[int]) -> list[Row]:  # type: ignore[type-arg]
    """(action_id, at, rag_from, rag_to, note) of the RAG changes of these actions, oldest first.

    The ratings are read out of the event's JSON by the database (`json_extract` / `->>`), not
    decoded in Python."""
    found: list[Row] = []  # type: ignore[type-arg]
    for ids in chunks(session, action_ids):
        found += session.execute(
            select(
                ActionEvent.action_id,
                ActionEvent.at,
                ActionEvent.data["rag_from"].as_string().label("rag_from"),
                ActionEvent.data["rag_to"].as_string().label("rag_to"),
                ActionEvent.note,
            )
            .where(among(session, ActionEvent.action_id, ids), ActionEvent.kind == "rag")
            .order_by(ActionEvent.action_id, ActionEvent.id)
        ).all()
    return found


def latest_updates(session: Session, action_ids: Collection[int]) -> list[Row]:  # type: ignore[type-arg]
    """(action_id, at, note) of the newest progress update of each of these actions that has one."""
    found: list[Row] = []  # type: ignore[type-arg]
    for ids in chunks(session, action_ids):
        newest = (
            select(func.max(ActionEvent.id))
            .where(among(session, ActionEvent.action_id, ids), ActionEvent.kind == "update")
            .group_by(ActionEvent.action_id)
        )
        found += session.execute(
            select(ActionEvent.action_id, ActionEvent.at, ActionEvent.note).where(ActionEvent.id.in_(newest))
        ).all()
    return found


def previous_meetings(session: Session, board_ids: Collection[int], before: datetime) -> dict[int, Meeting]:
    """Each board's last scheduled meeting that started before `before` (boards with none are absent)."""
    if not board_ids:
        return {}
    earlier = aliased(Meeting)
    last = (
        select(earlier.id)
        .where(earlier.board_id == Board.id, earlier.status == SCHEDULED, earlier.starts_at < before)
        .order_by(earlier.starts_at.desc(), earlier.id.desc())
        .limit(1)
        .correlate(Board)
        .scalar_subquery()
    )
    ids = select(last).where(among(session, Board.id, board_ids))
    return {m.board_id: m for m in session.scalars(select(Meeting).where(Meeting.id.in_(ids)))}


def meeting_starts(
    session: Session, board_ids: Collection[int], after: datetime, before: datetime
) -> dict[int, list[datetime]]:
    """Start instants of these boards' scheduled meetings in (`after`, `before`), ascending, by board."""
    found: dict[int, list[datetime]] = {}
    if not board_ids:
        return found
    rows = session.execute(
        select(Meeting.board_id, Meeting.starts_at)
        .where(
            among(session, Meeting.board_id, board_ids),
            Meeting.status == SCHEDULED,
            Meeting.starts_at > after,
            Meeting.starts_at < before,
        )
        .order_by(Meeting.board_id, Meeting.starts_at)
    )
    for board_id, starts_at in rows:
        found.setdefault(board_id, []).append(starts_at)
    return found


def boards_with_plan(session: Session, board_ids: Collection[int]) -> set[int]:
    """Which of these boards have at least one improvement-plan area."""
    if not board_ids:
        return set()
    query = select(PlanArea.board_id).distinct().where(among(session, PlanArea.board_id, board_ids))
    return set(session.scalars(query))
