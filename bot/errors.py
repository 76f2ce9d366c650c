"""Domain errors: what a service refuses, worded without any surface's syntax.

A service says *what* was wrong in plain words, and where a command would put it right it names a
`Remedy` instead of quoting a command; each surface words the remedy its own way (the slash-command
surface quotes its commands, a modal or a button words it for clicks). `UserError.message` is the
plain wording every surface can show as is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum


class Field(StrEnum):
    """Which part of a request an error is about, so a form can show it next to that input."""

    BOARD = "board"
    TEXT = "text"
    OWNERS = "owners"
    DUE = "due"
    RAG = "rag"
    PROGRESS = "progress"
    EVIDENCE = "evidence"
    REASON = "reason"
    NOTE = "note"
    DAYS = "days"


class RemedyKind(StrEnum):
    """What would put a refusal right; the slash surface knows the command for each."""

    REOPEN = "reopen"  # args: ref
    REOPEN_NAMING_OWNERS = "reopen_naming_owners"  # args: ref
    JOIN_BOARD = "join_board"  # ask the chair to add you as a member
    ADD_MEMBER = "add_member"  # args: who (a mention or a quoted name), initials, role (optional), or_user
    NAME_OWNER = "name_owner"  # args: initials (optional, an example owner)
    SCHEDULE_MEETING = "schedule_meeting"  # args: month (two digits, for the example date)
    MOVE_MEETING = "move_meeting"
    CHOOSE_BOARD = "choose_board"  # the channel is no board's
    SET_UP_EXAMPLE = "set_up_example"
    REASSIGN = "reassign"
    PREVIEW_SUMMARY = "preview_summary"  # args: code
    MOVE_OUT_OF_AREA = "move_out_of_area"  # args: ref


@dataclass(frozen=True)
class Remedy:
    """A way to put a refusal right: `plain` is how it reads without any command syntax."""

    kind: RemedyKind
    plain: str = ""
    args: dict[str, str] = field(default_factory=dict)


Wording = Callable[[Remedy], str]
Part = str | Remedy


def plain_wording(remedy: Remedy) -> str:
    """A remedy in words alone (no command syntax)."""
    return remedy.plain


class UserError(Exception):
    """Input the bot cannot act on: `message` says what was wrong, `usage` how to do it right.

    `parts` may interleave text with `Remedy`s; `worded(wording)` renders them for one surface and
    `message` renders them in plain words. `field`, when known, is the part of the request it is about
    (a modal shows the error next to that input). Raised before anything is written, or inside a session
    scope so that the whole unit of work rolls back: a rejected command never changes data.
    """

    def __init__(self, message: str | Sequence[Part], usage: str | None = None, *, field: Field | None = None) -> None:
        self.parts: tuple[Part, ...] = (message,) if isinstance(message, str) else tuple(message)
        self.message = self.worded(plain_wording)
        super().__init__(self.message)
        self.usage = usage
        self.field = field

    def worded(self, wording: Wording) -> str:
        """The message with each remedy worded by `wording`."""
        return "".join(p if isinstance(p, str) else wording(p) for p in self.parts)


@contextmanager
def about(part: Field) -> Iterator[None]:
    """Mark a UserError raised in the block as being about `part` (unless it already names a field)."""
    try:
        yield
    except UserError as exc:
        if exc.field is None:
            exc.field = part
        raise


class NotFound(UserError):
    """The board, action or meeting named does not exist (in the caller's workspace)."""


class NotAllowed(UserError):
    """The caller may not do this (not an owner, not the chair, not a member)."""


class ActionNotOpen(UserError):
    """The action is closed, so the change asked for can't be made (`just_now`: closed by someone else
    a moment ago, between what the caller saw and the change)."""

    def __init__(self, message: str | Sequence[Part], *, ref: str, status: str, just_now: bool) -> None:
        super().__init__(message)
        self.ref = ref
        self.status = status
        self.just_now = just_now


class NothingToChange(UserError):
    """The change asked for is already so (already done, already that RAG, already due then): nothing was
    changed. `by_someone_else`: another person made it so a moment ago (a second click, a race)."""

    def __init__(self, message: str | Sequence[Part], *, by_someone_else: bool = False) -> None:
        super().__init__(message)
        self.by_someone_else = by_someone_else


class DirectoryUnavailable(Exception):
    """The workspace directory (Slack's `users.info`) could not be asked who someone is.

    Raised instead of answering "unknown person", so nobody is told they may not do something only
    because the answer never came. `code` is a short reason safe for logs (an error name or status).
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
