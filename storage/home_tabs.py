"""Who has opened the app's Home tab: recorded on `app_home_opened`, read to decide whose Home to publish again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import HomeOpener


def record_home_opened(session: Session, team_id: str, user_id: str, now: datetime) -> None:
    """Note that the user opened their Home tab at `now` (one row per person, its time moved on)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # An upsert: two opens at once by one person both land, neither fails on the primary key.
    statement = insert(HomeOpener).values(team_id=team_id, user_id=user_id, opened_at=now)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[HomeOpener.team_id, HomeOpener.user_id], set_={"opened_at": statement.excluded.opened_at}
        )
    )


def opened_since(session: Session, team_id: str, user_ids: Sequence[str], since: datetime) -> set[str]:
    """Which of these users opened their Home tab at or after `since`."""
    if not user_ids:
        return set()
    return set(
        session.scalars(
            select(HomeOpener.user_id).where(
                HomeOpener.team_id == team_id,
                HomeOpener.user_id.in_(list(user_ids)),
                HomeOpener.opened_at >= since,
            )
        )
    )


def home_opened_at(session: Session, user_id: str) -> list[tuple[str, datetime]]:
    """(workspace, when) for each workspace where the user opened the Home tab (a subject access request)."""
    rows = session.execute(
        select(HomeOpener.team_id, HomeOpener.opened_at)
        .where(HomeOpener.user_id == user_id)
        .order_by(HomeOpener.team_id)
    )
    return [(team, at) for team, at in rows]


def forget_home_opener(session: Session, user_id: str) -> int:
    """Delete the user's rows (an erasure: an erased person's Home tab is not published again)."""
    result = session.execute(delete(HomeOpener).where(HomeOpener.user_id == user_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
