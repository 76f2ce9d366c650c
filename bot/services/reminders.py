"""Pausing reminders for one action."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.clock import local_date
from bot.directory import Directory
from bot.errors import UserError
from bot.refs import format_ref
from bot.services.actions import closed_just_now, lock_for_change
from bot.services.context import Caller
from bot.text import escape
from storage.models import Action, ActionEvent

MAX_SNOOZE_DAYS = 90


def snooze(session: Session, *, caller: Caller, action: Action, days: str, directory: Directory, now: datetime) -> date:
    """Pause chasers and overdue reminders for this action for `days` days; returns the last paused day.

    Under the action's lock (its board's, then its row's), so it is never snoozed as it is closed."""
    seen = lock_for_change(session, action, caller, directory)
    if not days.isdigit() or not 1 <= int(days) <= MAX_SNOOZE_DAYS:
        raise UserError(f"`{escape(days)}` is not a number of days from 1 to {MAX_SNOOZE_DAYS}.")
    if action.status != "open" and seen == "open":
        raise UserError(f"{closed_just_now(action)}: nothing to snooze. Nothing was changed.")
    if action.status != "open":
        raise UserError(f"{format_ref(action.board.code, action.number)} is {action.status}: nothing to snooze.")
    until = local_date(now, action.board.tz) + timedelta(days=int(days) - 1)
    action.reminders_snoozed_until = until
    session.add(
        ActionEvent(
            action=action, at=now, actor_user_id=caller.user_id, kind="snoozed", data={"until": until.isoformat()}
        )
    )
    session.flush()
    return until
