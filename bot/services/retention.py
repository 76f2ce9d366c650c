"""Retention per board: closed actions are purged once they are older than the board's period.

A board on legal hold is never purged. Each purge writes a board audit row saying how many
actions went, which references, and when; the clock runs the purge once a day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import Session

from bot.directory import Directory
from bot.errors import UserError
from bot.services.audit import record_board_event
from bot.services.boards import ensure_can_manage
from bot.services.context import Caller
from bot.text import escape
from bot.walltime import local_date
from storage import retention as store
from storage.models import Board

MAX_RETENTION_MONTHS = 240
PURGE_JOB = "purge"
CLOCK_ACTOR = "clock"


@dataclass(frozen=True)
class PurgeReport:
    """How many actions the daily purge removed, over how many boards."""

    actions: int = 0
    boards: int = 0


def set_retention(
    session: Session, *, caller: Caller, board: Board, months: int | None, directory: Directory, now: datetime
) -> Board:
    """Keep closed actions `months` months after they closed (None: keep them)."""
    ensure_can_manage(board, caller, directory)
    if months is not None and not 1 <= months <= MAX_RETENTION_MONTHS:
        raise UserError(f"Give a retention period from 1 to {MAX_RETENTION_MONTHS} months, or `off`.")
    board.retention_months = months
    record_board_event(session, board.id, caller.user_id, "retention_set", now, months=months)
    return board


def set_legal_hold(
    session: Session, *, caller: Caller, board: Board, on: bool, directory: Directory, now: datetime
) -> Board:
    """Put the board on legal hold (nothing is purged) or lift it."""
    ensure_can_manage(board, caller, directory)
    board.legal_hold = on
    record_board_event(session, board.id, caller.user_id, "legal_hold_on" if on else "legal_hold_off", now)
    return board


def set_case_pattern(
    session: Session, *, caller: Caller, board: Board, pattern: str | None, directory: Directory, now: datetime
) -> Board:
    """The board's own case-number pattern (a regular expression) to warn about, or None."""
    ensure_can_manage(board, caller, directory)
    if pattern is not None:
        if len(pattern) > 200:
            raise UserError("Keep the case-number pattern to 200 characters.")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise UserError(
                f"`{escape(pattern)}` is not a pattern I can use ({escape(str(exc))}). "
                "Example: `CS-\\d{6}` for references like CS-123456."
            ) from None
    board.case_pattern = pattern
    record_board_event(session, board.id, caller.user_id, "case_pattern_set", now, pattern=pattern is not None)
    return board


def purge_expired(session: Session, now: datetime) -> PurgeReport:
    """Delete closed actions older than each board's retention period, with an audit row per board."""
    actions = boards = 0
    for board in store.boards_with_retention(session):
        cutoff = now - relativedelta(months=board.retention_months or 0)
        expired = store.closed_before(session, board.id, cutoff)
        if not expired:
            continue
        store.delete_actions(session, [action_id for action_id, _ in expired])
        numbers = sorted(number for _, number in expired)
        record_board_event(
            session,
            board.id,
            CLOCK_ACTOR,
            "actions_purged",
            now,
            count=len(numbers),
            refs=[f"{board.code}-{n}" for n in numbers[:500]],
            retention_months=board.retention_months,
        )
        actions += len(numbers)
        boards += 1
    return PurgeReport(actions=actions, boards=boards)


def purge_once_a_day(session: Session, now: datetime) -> PurgeReport | None:
    """Run the purge if no process has run it yet today (UTC day); None when already run."""
    if not store.claim_daily_run(session, PURGE_JOB, local_date(now, "UTC"), now):
        return None
    return purge_expired(session, now)
