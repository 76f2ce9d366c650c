""" "Do this to an action": the one step every surface (slash command, button, modal) calls to change an action.

Given the dependencies, the caller and a typed request (bot/services/requests.py), `change_action` opens the
unit of work, finds the action the request names, applies the change under the action's locks
(`lock_for_change`: its board's row, then its own) with its history row, and returns a typed outcome.
A change that is already so (a Done clicked twice, an action someone else has just closed) changes
nothing and comes back as an outcome saying what happened (`changed` False, `refusal`), not an error,
so each surface can say it in its own words; any other refusal is raised as a domain error
(bot/errors.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.directory import Directory
from bot.errors import NothingToChange
from bot.services import actions as service
from bot.services import snoozing
from bot.services.boards import resolve_board
from bot.services.context import Caller
from bot.services.requests import (
    ActionChange,
    AddAction,
    ChangeRag,
    CloseAction,
    Reassign,
    Redate,
    Reopen,
    Snooze,
    UpdateAction,
)
from storage import actions as action_store
from storage.db import session_scope
from storage.models import Action, ActionEvent, Board

T = TypeVar("T")


@dataclass(frozen=True)
class ActionOutcome:
    """What a change did.

    `action`: the action after the change (its board and owners loaded, usable after the session closes).
    `changed`: False when it was already so and nothing was written; `refusal` then says what happened
    (`refusal.by_someone_else`: someone else made it so a moment ago). `events`: the history rows written,
    and `kinds` their kinds (`done`, `update`, `rag`, …). `readings`: how an interpreted due date was read
    (say it back privately). `reason`: the reason a re-date gave; `snoozed_until`: the last day a snooze
    pauses reminders. `at`: the instant of the change (render confirmations with it). `owners_before`: the
    Slack users who owned it before the change."""

    request: ActionChange
    action: Action
    changed: bool
    at: datetime
    events: tuple[ActionEvent, ...] = ()
    refusal: NothingToChange | None = None
    readings: tuple[service.DueReading, ...] = ()
    reason: str | None = None
    snoozed_until: date | None = None
    owners_before: tuple[str, ...] = ()

    @property
    def owner_user_ids(self) -> tuple[str, ...]:
        """The Slack users who owned the action before the change or own it now (each once): the people
        whose own lists of actions the change alters."""
        return tuple(dict.fromkeys([*self.owners_before, *owner_user_ids(self.action)]))

    @property
    def by_someone_else(self) -> bool:
        """True when nothing changed because someone else had just made it so (closed it, reopened it)."""
        return self.refusal is not None and self.refusal.by_someone_else

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of the history rows written."""
        return tuple(e.kind for e in self.events)

    @property
    def board(self) -> Board:
        """The action's board."""
        return self.action.board


@dataclass(frozen=True)
class AddOutcome:
    """An action logged: the action (board and owners loaded), when (`at`) and how an interpreted due date
    was read."""

    action: Action
    at: datetime
    readings: tuple[service.DueReading, ...] = ()

    @property
    def board(self) -> Board:
        """The action's board."""
        return self.action.board

    @property
    def owner_user_ids(self) -> tuple[str, ...]:
        """The Slack users who own the new action."""
        return owner_user_ids(self.action)


def owner_user_ids(action: Action) -> tuple[str, ...]:
    """The Slack users among the action's owners (members without Slack have none)."""
    return tuple(dict.fromkeys(m.slack_user_id for m in action.owners if m.slack_user_id))


def change_action(
    deps: Deps, caller: Caller, change: ActionChange, present: Callable[[Session, ActionOutcome], T] | None = None
) -> ActionOutcome | T:
    """Apply `change` to the action it names, in one transaction under the action's locks.

    `present`, if given, runs inside the same session after the change (to render from the action as it
    now stands) and its result is returned instead of the outcome. Domain errors (bot/errors.py) are
    raised with nothing changed; an already-so change returns an outcome with `changed` False."""
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        action = service.find_action(session, caller, change.ref)
        # Read before the change's locks, only to know whose lists it alters; the owners the lock saw are
        # added below (another change may have reassigned it in between).
        owners_before = owner_user_ids(action)
        readings: list[service.DueReading] = []
        with _written_events(session) as written:
            try:
                extra = _apply(session, caller, action, change, deps.directory, now, readings)
                refusal = None
            except NothingToChange as exc:
                extra, refusal = {}, exc
        _load(action)
        at_lock = (m.slack_user_id for m in action_store.owners_when_locked(session, action.id) if m.slack_user_id)
        owners_before = tuple(dict.fromkeys([*owners_before, *at_lock]))
        outcome = ActionOutcome(
            request=change,
            action=action,
            changed=refusal is None,
            at=now,
            events=tuple(written),
            refusal=refusal,
            readings=tuple(readings),
            owners_before=owners_before,
            **extra,
        )
        return present(session, outcome) if present is not None else outcome


def log_action(
    deps: Deps, caller: Caller, request: AddAction, present: Callable[[Session, AddOutcome], T] | None = None
) -> AddOutcome | T:
    """Log a new action on the board the request names (or the caller's channel's), in one transaction
    under the board's lock; `present` as for `change_action`."""
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        board = resolve_board(session, caller, request.board_code)
        readings: list[service.DueReading] = []
        action = service.add_action(
            session, caller=caller, board=board, request=request, directory=deps.directory, now=now, readings=readings
        )
        _load(action)
        outcome = AddOutcome(action=action, at=now, readings=tuple(readings))
        return present(session, outcome) if present is not None else outcome


def _load(action: Action) -> None:
    # What surfaces render after the session has closed: the board and the owners.
    _ = action.board.code, [m.initials for m in action.owners]


@contextmanager
def _written_events(session: Session) -> Iterator[list[ActionEvent]]:
    """Collect the history rows the session writes while the block runs."""
    written: list[ActionEvent] = []

    def collect(session: Session, flush_context: Any, instances: Any) -> None:
        written.extend(obj for obj in session.new if isinstance(obj, ActionEvent) and obj not in written)

    event.listen(session, "before_flush", collect)
    try:
        yield written
        collect(session, None, None)
    finally:
        event.remove(session, "before_flush", collect)


def _apply(
    session: Session,
    caller: Caller,
    action: Action,
    change: ActionChange,
    directory: Directory,
    now: datetime,
    readings: list[service.DueReading],
) -> dict[str, Any]:
    """Apply one change to the found action; returns the outcome's extra fields."""
    common: dict[str, Any] = {"caller": caller, "action": action, "directory": directory, "now": now}
    match change:
        case CloseAction(note=note, status=status):
            service.close_action(session, status=status, note=note, **common)
        case UpdateAction(progress=progress, rag=rag, evidence=evidence):
            service.record_update(session, text=progress, rag=rag, evidence=evidence, **common)
        case ChangeRag(rag=rag, reason=reason):
            service.change_rag(session, rag=rag, reason=reason, **common)
        case Redate(due=due, reason=reason, phrase=phrase):
            given = service.redate_action(session, due=due, reason=reason, phrase=phrase, readings=readings, **common)
            return {"reason": given}
        case Snooze(days=days):
            return {"snoozed_until": snoozing.snooze(session, days=days, **common)}
        case Reassign(owners=owners):
            service.assign_action(session, owners=owners, **common)
        case Reopen(owners=owners):
            service.reopen_action(session, owners=owners, **common)
        case _:
            raise TypeError(f"not an action change: {type(change).__name__}")
    return {}
