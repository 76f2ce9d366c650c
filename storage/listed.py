"""Actions as columns, with their owners and boards: the one loader behind the summary, the
chasers and the overdue reminders, for one board or many at once.

Nothing here loads an action as an ORM object: a tick over hundreds of boards costs one row per
action and one per owner, read without identity-map or relationship work, in a few queries
whatever the number of boards.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from storage.models import Action, ActionOwner, Board, Member

# The columns a summary, a chaser or an overdue reminder shows and decides by (named as on `Action`).
LISTED_COLUMNS = (
    Action.id,
    Action.board_id,
    Action.number,
    Action.text,
    Action.status,
    Action.rag,
    Action.previous_rag,
    Action.due_kind,
    Action.due_date,
    Action.original_due_date,
    Action.due_change_count,
    Action.due_meeting_id,
    Action.created_at,
    Action.last_progress_at,
    Action.closed_at,
    Action.close_note,
    Action.all_members,
    Action.reminders_snoozed_until,
)

# Values per IN list on SQLite (far below its limit of variables).
CHUNK = 500


def among(session: Session, column: Any, values: Collection[Any]) -> ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column = ANY(:array)`, one parameter whatever the count.

    psycopg re-parses every statement with more than 50 parameters on each run (it caches only
    short ones), which cost more than running it; and one array keeps the statement the same text
    whatever the number of values, so it is compiled and prepared once.
    """
    ordered = sorted(set(values))
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, ordered, type_=ARRAY(column.type)))
    return column.in_(ordered)


def chunks(session: Session, values: Collection[Any]) -> list[list[Any]]:
    """The values in lists `among` takes at once: one on PostgreSQL, CHUNK at a time on SQLite."""
    ordered = sorted(set(values))
    if session.get_bind().dialect.name == "postgresql":
        return [ordered] if ordered else []
    return [ordered[start : start + CHUNK] for start in range(0, len(ordered), CHUNK)]


@dataclass(frozen=True)
class ListedRows:
    """Actions as columns (by board and number), their owners (by action, then initials, as
    `Action.owners` orders them) and their boards by id."""

    actions: Sequence[Row]  # type: ignore[type-arg]
    owners: Sequence[Row]  # type: ignore[type-arg]
    boards: Mapping[int, Board]


EMPTY = ListedRows(actions=[], owners=[], boards={})


def listed(
    session: Session,
    condition: ColumnElement[bool],
    *,
    joined_board: bool = False,
    keep: set[int] | None = None,
    boards: Mapping[int, Board] | None = None,
) -> ListedRows:
    """The actions meeting `condition` (which may name `Board` when `joined_board`), with their
    owners and boards; with `keep`, only the actions whose id it holds; with `boards`, the boards
    already at hand (not read again)."""
    query = select(*LISTED_COLUMNS).where(condition).order_by(Action.board_id, Action.number)
    if joined_board:
        query = query.join(Board, Board.id == Action.board_id)
    # Read by position (id, board_id first): a Row's columns read by name cost more than the query.
    action_rows = session.execute(query).all()
    if keep is not None:
        action_rows = [row for row in action_rows if row[0] in keep]
    found = dict(boards or {})
    missing = {row[1] for row in action_rows} - found.keys()
    if missing:
        found.update((b.id, b) for b in session.scalars(select(Board).where(among(session, Board.id, missing))))
    # Owners by the ids just read (primary keys), not by the condition again: on PostgreSQL a
    # second run of the condition, with its list of owners, cost more than the actions' query.
    return with_owners(session, action_rows, found)


def owners_of_actions(session: Session, action_ids: Collection[int]) -> list[Row]:  # type: ignore[type-arg]
    """(action id, initials, name, Slack id) of these actions' owners, by action, then initials."""
    owners: list[Row] = []  # type: ignore[type-arg]
    for ids in chunks(session, action_ids):
        owners += session.execute(
            select(ActionOwner.action_id, Member.initials, Member.name, Member.slack_user_id)
            .join(Member, Member.id == ActionOwner.member_id)
            .where(among(session, ActionOwner.action_id, ids))
            .order_by(ActionOwner.action_id, Member.initials)
        ).all()
    return owners


def with_owners(
    session: Session,
    action_rows: Sequence[Row] | Sequence[tuple],  # type: ignore[type-arg]
    boards: Mapping[int, Board],
) -> ListedRows:
    """Rows of LISTED_COLUMNS already read, with their owners (one query) and these boards."""
    return ListedRows(
        actions=action_rows, owners=owners_of_actions(session, [row[0] for row in action_rows]), boards=boards
    )
