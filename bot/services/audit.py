"""The one way every history row is written: an action's (`ActionEvent`) or a board's (`BoardEvent`).

Each row says who did what, when; `data` holds ids, counts and the before/after values the history
shows. Rows are added to the caller's session, inside the transaction (and under the locks) of the
change they record, so a change and its row are committed together or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage import boards as board_store
from storage.models import Action, ActionEvent, BoardEvent


def record_action_event(
    session: Session,
    action: Action,
    actor_user_id: str,
    kind: str,
    now: datetime,
    *,
    note: str | None = None,
    touch: bool = True,
    **data: Any,
) -> ActionEvent:
    """Write one row of `action`'s history; `touch` also marks the action as changed now (`updated_at`)
    (a snooze, which changes only the reminders, does not)."""
    event = ActionEvent(action=action, at=now, actor_user_id=actor_user_id, kind=kind, note=note, data=data)
    session.add(event)
    if touch:
        action.updated_at = now
    return event


def record_board_event(
    session: Session, board_id: int, actor_user_id: str, kind: str, now: datetime, **data: Any
) -> BoardEvent:
    """Write one row of a board's history (set-up, members, meetings, settings, erasures)."""
    event = BoardEvent(board_id=board_id, at=now, actor_user_id=actor_user_id, kind=kind, data=dict(data))
    board_store.add_board_event(session, event)
    return event
