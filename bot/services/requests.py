"""Typed requests: what a surface (slash command, button, modal) asks the services to do.

Surfaces parse what they receive (command text, a modal's values, a button's value) into one of these;
services take them and never see raw command text. Every request is a frozen dataclass of plain values.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.dates import Due
from bot.refs import Ref
from bot.statuses import ActionStatus, Rag


@dataclass(frozen=True)
class Owners:
    """Who should own an action, in either of the forms surfaces have.

    `text`: owners as people write them (initials, names, roles, @mentions, `All`), read by the owner
    parser (the slash surface). Or resolved ids from a modal's selects: `slack_user_ids` (members with
    Slack) and `member_ids` (members without Slack), with `all_members` for an action of everyone.
    Give one form or the other, not both."""

    text: str | None = None
    slack_user_ids: tuple[str, ...] = ()
    member_ids: tuple[int, ...] = ()
    all_members: bool = False

    def __post_init__(self) -> None:
        picked = bool(self.slack_user_ids or self.member_ids or self.all_members)
        if self.text is not None and picked:
            raise ValueError("Owners: give text or picked ids, not both")

    @property
    def empty(self) -> bool:
        """True when no owner is named at all."""
        return not ((self.text or "").strip() or self.slack_user_ids or self.member_ids or self.all_members)


@dataclass(frozen=True)
class AddAction:
    """Log an action on a board (`board_code` None: the board of the caller's channel).

    `owners` None: the owners are read from `text`, as boards write actions ("AF to circulate …").
    `due` None: a due-date phrase is read from anywhere in `text`; a `Due` (a date, next meeting,
    `DueKind.NONE` for no date) is used as given; `due_phrase` is the due as the person typed or picked it,
    for the private say-back of an interpreted date. `rag`: an optional first RAG rating."""

    text: str
    board_code: str | None = None
    owners: Owners | None = None
    due: Due | None = None
    due_phrase: str | None = None
    rag: Rag | None = None


@dataclass(frozen=True)
class CloseAction:
    """Mark the action done, or dropped (a note, the reason, is then required)."""

    ref: Ref
    note: str | None = None
    status: ActionStatus = ActionStatus.DONE


@dataclass(frozen=True)
class UpdateAction:
    """Record progress, optionally with a new RAG rating and evidence."""

    ref: Ref
    progress: str
    rag: Rag | None = None
    evidence: str | None = None


@dataclass(frozen=True)
class ChangeRag:
    """Set the RAG rating, with an optional reason."""

    ref: Ref
    rag: Rag
    reason: str | None = None


@dataclass(frozen=True)
class Redate:
    """Give a new due date. `due` as read by bot/dates.py on the surface (a `MONTH_MEETING` is dated by the
    service from the board's meetings); `phrase` is what was typed, said back when it was interpreted."""

    ref: Ref
    due: Due
    reason: str | None = None
    phrase: str | None = None


@dataclass(frozen=True)
class Snooze:
    """Pause chasers and overdue reminders for the action for `days` days (1 to 90)."""

    ref: Ref
    days: int


@dataclass(frozen=True)
class Reassign:
    """Give the action new owners."""

    ref: Ref
    owners: Owners


@dataclass(frozen=True)
class Reopen:
    """Reopen a done or dropped action, optionally for new owners."""

    ref: Ref
    owners: Owners | None = None


ActionChange = CloseAction | UpdateAction | ChangeRag | Redate | Snooze | Reassign | Reopen
