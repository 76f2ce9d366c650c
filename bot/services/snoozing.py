"""Pausing reminders for one action."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.directory import Directory
from bot.errors import ActionNotOpen, Field, UserError
from bot.refs import format_ref
from bot.services.actions import closed_just_now, lock_for_change
from bot.services.audit import record_action_event
from bot.services.context import Caller
from bot.statuses import ActionStatus
from bot.walltime import local_date
from storage.models import Action

MAX_SNOOZE_DAYS = 90


def snooze(session: Session, *, caller: Caller, action: Action, days: int, directory: Directory, now: datetime) -> date:
    """Pause chasers and overdue reminders for this action for `days` days; returns the last paused day.

    Under the action's lock (its board's, then its row's), so it is never snoozed as it is closed."""
    seen = lock_for_change(session, action, caller, directory)
    if not 1 <= days <= MAX_SNOOZE_DAYS:
        raise UserError(f"`{days}` is not a number of days from 1 to {MAX_SNOOZE_DAYS}.", field=Field.DAYS)
    ref = format_ref(action.board.code, action.number)
    if action.status != ActionStatus.OPEN and seen == ActionStatus.OPEN:
        raise ActionNotOpen(
            f"{closed_just_now(action)}: nothing to snooze. Nothing was changed.",
            ref=ref,
            status=action.status,
            just_now=True,
        )
    if action.status != ActionStatus.OPEN:
        raise ActionNotOpen(
            f"{ref} is {action.status}: nothing to snooze.", ref=ref, status=action.status, just_now=False
        )
    until = local_date(now, action.board.tz) + timedelta(days=days - 1)
    action.reminders_snoozed_until = until
    # A snooze changes only the reminders: the action itself is not marked as changed.
    record_action_event(session, action, caller.user_id, "snoozed", now, touch=False, until=until.isoformat())
    session.flush()
    return until
