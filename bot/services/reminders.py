"""Pausing reminders for one action."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.clock import local_date
from bot.directory import Directory
from bot.errors import UserError
from bot.refs import format_ref
from bot.services.context import Caller
from bot.services.permissions import ensure_may_change
from bot.text import escape
from storage.models import Action, ActionEvent

MAX_SNOOZE_DAYS = 90


def snooze(session: Session, *, caller: Caller, action: Action, days: str, directory: Directory, now: datetime) -> date:
    """Pause chasers and overdue reminders for this action for `days` days; returns the last paused day."""
    ensure_may_change(action, caller.user_id, directory)
    if not days.isdigit() or not 1 <= int(days) <= MAX_SNOOZE_DAYS:
        raise UserError(f"`{escape(days)}` is not a number of days from 1 to {MAX_SNOOZE_DAYS}.")
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
