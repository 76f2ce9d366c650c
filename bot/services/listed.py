"""Actions as the summary and the clock's DMs (chasers, overdue reminders) show them: read as
columns, not as ORM objects with their relationships, which cost most of a busy tick's planning.

`ListedAction` has the attributes of `Action` the renderings and the clock read (same names), so
`bot.rendering` draws it as it draws an `Action`; its `board` is the board's ORM object. One loader
(`storage.listed`) reads them for one board or for many at once.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from storage import reminders as store
from storage.listed import ListedRows
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
    its owners (by initials) and board."""

    id: int
    board_id: int
    board: Board
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
    owners: list[ListedOwner]


def from_rows(rows: ListedRows) -> list[ListedAction]:
    """The actions of `rows` (as `storage.listed` read them), in their order, with owners and board."""
    owners: dict[int, list[ListedOwner]] = {}
    for row in rows.owners:
        owners.setdefault(row.action_id, []).append(ListedOwner(row.initials, row.name, row.slack_user_id))
    boards = rows.boards
    return [
        ListedAction(
            id=row.id,
            board_id=row.board_id,
            board=boards[row.board_id],
            number=row.number,
            text=row.text,
            status=row.status,
            rag=row.rag,
            previous_rag=row.previous_rag,
            due_kind=row.due_kind,
            due_date=row.due_date,
            original_due_date=row.original_due_date,
            due_change_count=row.due_change_count or 0,
            due_meeting_id=row.due_meeting_id,
            created_at=row.created_at,
            last_progress_at=row.last_progress_at,
            closed_at=row.closed_at,
            close_note=row.close_note,
            all_members=bool(row.all_members),
            reminders_snoozed_until=row.reminders_snoozed_until,
            owners=owners.get(row.id, []),
        )
        for row in rows.actions
    ]


def open_actions_of_boards(session: Session, board_ids: Collection[int]) -> list[ListedAction]:
    """The open actions of these boards with their owners, by board and number."""
    return from_rows(store.open_actions_of_boards(session, board_ids))


def open_actions_due_before(
    session: Session, before: date, owners: Collection[str] | None = None
) -> list[ListedAction]:
    """Open dated actions of boards with reminders on, due before `before`, by board and number;
    with `owners`, only those one of these Slack users owns."""
    return from_rows(store.open_actions_due_before(session, before, owners=owners))
