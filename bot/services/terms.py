"""A board's own school term dates, for due dates such as `by half term` and `end of term`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.clock import local_date
from bot.dates import TermDates
from bot.directory import Directory
from bot.errors import UserError
from bot.services.boards import ensure_can_manage, record_board_event
from bot.services.context import Caller
from bot.services.meetings import parse_date
from storage.models import Board

MAX_DATES = 30


def read_dates(words: Sequence[str], today: date, what: str) -> tuple[date, ...]:
    """Day-first dates such as `26/10/2026`, each read as `/meeting schedule` reads a date."""
    if not words:
        raise UserError(f"Give the {what} as dates, e.g. `26/10/2026 15/02/2027`.")
    if len(words) > MAX_DATES:
        raise UserError(f"Give at most {MAX_DATES} {what}.")
    return tuple(sorted({parse_date(word, today) for word in words}))


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
    record_board_event(session, board, caller.user_id, "term_dates_set", now, **counts)
    return board


def parse_terms(text: str, board: Board, now: datetime) -> TermDates | None:
    """`half-terms 26/10/2026 15/02/2027 ends 18/12/2026 26/03/2027`, either part first; `off` clears."""
    words = text.split()
    if [w.lower() for w in words] in (["off"], ["default"], ["england"]):
        return None
    today = local_date(now, board.tz)
    parts: dict[str, list[str]] = {}
    current: str | None = None
    for word in words:
        key = word.lower().rstrip(":")
        if key in ("half-terms", "half-term", "halfterms", "half"):
            current = "half_terms"
            parts.setdefault(current, [])
        elif key in ("ends", "end", "term-ends"):
            current = "ends"
            parts.setdefault(current, [])
        elif key in ("terms", "term") and current == "half_terms" and not parts["half_terms"]:
            continue  # "half terms"
        elif current is None:
            raise UserError(
                "Start with `half-terms` (the Monday of each half-term week) or `ends` (the last day of each "
                "term), e.g. `/meeting settings terms half-terms 26/10/2026 15/02/2027 ends 18/12/2026`."
            )
        else:
            parts[current].append(word)
    return TermDates(
        half_terms=read_dates(parts["half_terms"], today, "half-term weeks") if "half_terms" in parts else (),
        ends=read_dates(parts["ends"], today, "term ends") if "ends" in parts else (),
    )
