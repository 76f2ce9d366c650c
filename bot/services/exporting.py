"""The board's action log as it goes into board papers: rows for the export renderers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.refs import format_ref
from bot.statuses import ActionStatus
from bot.walltime import local_date
from storage import exporting as export_store
from storage.models import Board

STATUSES = {"open": (ActionStatus.OPEN,), "all": tuple(ActionStatus)}


@dataclass(frozen=True)
class LogRow:
    """One action as the log shows it; dates are board-local."""

    ref: str
    raised: date
    meeting: date | None
    text: str
    owners: tuple[str, ...]
    due_kind: str | None
    due_date: date | None
    status: str
    previous_rag: str | None
    rag: str | None
    latest_update: str | None


@dataclass(frozen=True)
class ActionLog:
    """A board's log at an instant."""

    board_code: str
    board_name: str
    generated: date
    rows: Sequence[LogRow]


def action_log(session: Session, *, board: Board, status: str, now: datetime) -> ActionLog:
    """The board's actions (open, or all), by number, with each one's latest progress update."""
    actions = export_store.board_log(session, board.id, STATUSES[status])
    latest = export_store.latest_updates(session, [a.id for a in actions])
    rows = [
        LogRow(
            ref=format_ref(board.code, a.number),
            raised=local_date(a.created_at, board.tz),
            meeting=a.source_meeting,
            text=a.text,
            owners=tuple(m.initials for m in a.owners),
            due_kind=a.due_kind,
            due_date=a.due_date,
            status=a.status,
            previous_rag=a.previous_rag,
            rag=a.rag,
            latest_update=latest.get(a.id),
        )
        for a in actions
    ]
    return ActionLog(board.code, board.name, local_date(now, board.tz), rows)
