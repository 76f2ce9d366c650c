"""A board's own school term dates, for due dates such as `by half term` and `end of term`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.dates import TermDates
from bot.directory import Directory
from bot.errors import UserError
from bot.services.audit import record_board_event
from bot.services.boards import ensure_can_manage
from bot.services.context import Caller
from storage.models import Board


def set_term_dates(
    session: Session,
    *,
    caller: Caller,
    board: Board,
    terms: TermDates | None,
    directory: Directory,
    now: datetime,
) -> Board:
    """Use the local authority's term dates for the board (None: England's usual pattern)."""
    ensure_can_manage(board, caller, directory)
    if terms is not None and not terms.half_terms and not terms.ends:
        raise UserError("Give half-term weeks, term ends, or both.")
    board.term_dates = terms.to_json() if terms is not None else None
    counts = {"half_terms": len(terms.half_terms), "ends": len(terms.ends)} if terms else {"cleared": True}
    record_board_event(session, board.id, caller.user_id, "term_dates_set", now, **counts)
    return board
