"""Queries for imports: the actions a document may duplicate, and drafts awaiting confirmation."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import lock_for_write
from storage.models import Action, ImportDraft, Member


def board_action_texts(session: Session, board_id: int) -> Sequence[tuple[int, str]]:
    """(number, text) of every action on the board, to find what an import would duplicate."""
    rows = session.execute(
        select(Action.number, Action.text).where(Action.board_id == board_id).order_by(Action.number)
    )
    return [(number, text) for number, text in rows]


def all_members(session: Session, board_id: int) -> Sequence[Member]:
    """Every member row of the board, current or removed (initials of removed members stay taken in history)."""
    return session.scalars(select(Member).where(Member.board_id == board_id).order_by(Member.id)).all()


def add_draft(session: Session, draft: ImportDraft) -> ImportDraft:
    """Store a draft and give it its id."""
    session.add(draft)
    session.flush()
    return draft


def draft_for_update(session: Session, draft_id: int) -> ImportDraft | None:
    """The draft, locked so two confirmations cannot both import it (PostgreSQL: its row; SQLite: the
    write lock, taken before the read, or both would read it pending)."""
    lock_for_write(session)
    return session.scalar(select(ImportDraft).where(ImportDraft.id == draft_id).with_for_update())
