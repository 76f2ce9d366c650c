"""Keys of requests whose work is committed: the database half of exactly-once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, event, insert, select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import HandledRequest


def request_handled(session: Session, key: str) -> bool:
    """True when the work of request `key` was already committed."""
    return session.scalar(select(HandledRequest.key).where(HandledRequest.key == key)) is not None


def record_request(session: Session, key: str, now: datetime) -> None:
    """Record `key` in the current transaction; a second run of the same request fails its commit
    with an IntegrityError (the primary key), so its changes roll back."""
    session.execute(insert(HandledRequest).values(key=key, handled_at=now))


def forget_requests_before(session: Session, cutoff: datetime) -> int:
    """Delete keys older than `cutoff` (replays are refused by Slack after 5 minutes anyway)."""
    result = session.execute(delete(HandledRequest).where(HandledRequest.handled_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


class _RequestKey:
    """The request a session's work belongs to, shared by every session of one job."""

    def __init__(self, key: str, now: datetime) -> None:
        self.key = key
        self.now = now
        self.recorded = False


def keyed_session_factory(factory: sessionmaker[Session], key: str, now: datetime) -> sessionmaker[Session]:
    """Sessions like `factory`'s whose first commit also records `key` (see `record_request`)."""
    return sessionmaker(bind=factory.kw["bind"], expire_on_commit=False, info={"request": _RequestKey(key, now)})


@event.listens_for(Session, "before_commit")
def _record_key_with_the_work(session: Session) -> None:
    holder = session.info.get("request")
    if isinstance(holder, _RequestKey) and not holder.recorded:
        record_request(session, holder.key, holder.now)


@event.listens_for(Session, "after_commit")
def _key_recorded(session: Session) -> None:
    holder = session.info.get("request")
    if isinstance(holder, _RequestKey):
        holder.recorded = True
