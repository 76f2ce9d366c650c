"""Actions as the summary and the clock's DMs (chasers, overdue reminders) show them: read as
columns, not as ORM objects with their relationships, which cost most of a busy tick's planning.

`ListedAction` has the attributes of `Action` the renderings and the clock read (same names), so
`bot.rendering` draws it as it draws an `Action`; its `board` is the board's ORM object. One loader
(`storage.listed`) reads them for one board or for many at once.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy.orm import Session

from storage import reminders as store
from storage.listed import LISTED_COLUMNS, ListedRows
from storage.models import Board


@dataclass(frozen=True, slots=True)
class ListedOwner:
    """An owner as a list line names them."""

    initials: str
    name: str | None
    slack_user_id: str | None


@dataclass(frozen=True, slots=True)
class ListedAction:
    """The columns of an action a summary, chaser or reminder shows (named as on `Action`), with
    its board and its owners (by initials). The columns come first, in the order
    `storage.listed.LISTED_COLUMNS` reads them."""

    id: int
    board_id: int
    number: int
    text: str
    status: str
    rag: str | None
    previous_rag: str | None
    due_kind: str | None
    due_date: date | None
    original_due_date: date | None
    due_change_count: int
    due_meeting_id: int | None
    created_at: datetime
    last_progress_at: datetime | None
    closed_at: datetime | None
    close_note: str | None
    all_members: bool
    reminders_snoozed_until: date | None
    board: Board
    owners: list[ListedOwner]


# Rows are unpacked by position (reading a Row's columns by name cost more than the rest of the
# loading): the fields must follow the columns.
if tuple(f.name for f in fields(ListedAction))[: len(LISTED_COLUMNS)] != tuple(c.key for c in LISTED_COLUMNS):
    raise TypeError("ListedAction's first fields must be storage.listed.LISTED_COLUMNS, in that order")


def from_rows(rows: ListedRows) -> list[ListedAction]:
    """The actions of `rows` (as `storage.listed` read them), in their order, with owners and board."""
    owners: dict[int, list[ListedOwner]] = {}
    for action_id, initials, name, slack_user_id in rows.owners:
        owners.setdefault(action_id, []).append(ListedOwner(initials, name, slack_user_id))
    boards = rows.boards
    return [ListedAction(*row, boards[row[1]], owners.get(row[0], [])) for row in rows.actions]


def open_actions_of_boards(session: Session, board_ids: Collection[int]) -> list[ListedAction]:
    """The open actions of these boards with their owners, by board and number."""
    return from_rows(store.open_actions_of_boards(session, board_ids))


def open_actions_due_before(
    session: Session, before: date, owners: Collection[str] | None = None
) -> list[ListedAction]:
    """Open dated actions of boards with reminders on, due before `before`, by board and number;
    with `owners`, only those one of these Slack users owns."""
    return from_rows(store.open_actions_due_before(session, before, owners=owners))
