"""Helpers for the board, member and /mine tests: what is stored, read straight from the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Action, ActionEvent, ActionOwner, Board, BoardEvent, Member

_TABLES = (Board, Member, Action, ActionOwner, ActionEvent, BoardEvent)


def table_rows(session_factory: sessionmaker[Session]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, so a test can prove a refused command changed nothing."""
    with session_factory() as session:
        out: dict[str, list[tuple[Any, ...]]] = {}
        for model in _TABLES:
            table = model.__table__
            rows = session.execute(select(*table.columns).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(row) for row in rows]
        return out


def stored_boards(session_factory: sessionmaker[Session]) -> list[Board]:
    """Every stored board, oldest first (detached, safe to read after the session closes)."""
    with session_factory() as session:
        boards = list(session.scalars(select(Board).order_by(Board.id)))
        session.expunge_all()
        return boards


def stored_members(session_factory: sessionmaker[Session], code: str = "SSCB") -> list[Member]:
    """Every member row of board `code`, current and removed, in the order they were added."""
    with session_factory() as session:
        members = list(session.scalars(select(Member).join(Board).where(Board.code == code).order_by(Member.id)))
        session.expunge_all()
        return members


def board_events(session_factory: sessionmaker[Session], kind: str | None = None) -> list[BoardEvent]:
    """Board audit rows, oldest first, optionally of one kind."""
    with session_factory() as session:
        query = select(BoardEvent).order_by(BoardEvent.id)
        if kind:
            query = query.where(BoardEvent.kind == kind)
        events = list(session.scalars(query))
        session.expunge_all()
        return events
