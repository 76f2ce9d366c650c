"""Leases: a named right (e.g. to tick the clock) held by one process at a time, until it expires."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Lease


def take_lease(session: Session, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take lease `name` for `holder` until `now + ttl`, or renew it; True when `holder` now holds it.

    It is taken when free, expired, or already `holder`'s. One statement decides, so two
    processes racing for an expired lease cannot both win: on PostgreSQL the second UPDATE waits
    for the first and re-checks its condition against the new row. Run it in a session of its
    own: when two processes create the row at once, the loser's session is rolled back.
    """
    taken = session.execute(
        update(Lease)
        .where(Lease.name == name, or_(Lease.holder == holder, Lease.expires_at < now))
        .values(holder=holder, expires_at=now + ttl)
    )
    if taken.rowcount:  # type: ignore[attr-defined]
        return True
    if session.scalar(select(Lease.name).where(Lease.name == name)) is not None:
        return False  # held by another, not expired
    try:
        session.execute(insert(Lease).values(name=name, holder=holder, expires_at=now + ttl))
        session.flush()
    except IntegrityError:
        session.rollback()
        return False
    return True


def release_lease(session: Session, name: str, holder: str, now: datetime) -> bool:
    """Let lease `name` expire at once if `holder` holds it, so another process may take it; True if it did."""
    released = session.execute(
        update(Lease).where(Lease.name == name, Lease.holder == holder).values(expires_at=now - timedelta(seconds=1))
    )
    return bool(released.rowcount)  # type: ignore[attr-defined]


def lease_holder(session: Session, name: str, now: datetime) -> str | None:
    """Who holds lease `name` at `now` (None when nobody does)."""
    row = session.get(Lease, name, populate_existing=True)
    return row.holder if row is not None and row.expires_at >= now else None
