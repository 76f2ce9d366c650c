"""The words an action's status and RAG rating are stored as.

String-valued enums: a member compares equal to, and is stored as, its word (`ActionStatus.DONE ==
"done"`), so the stored values are the same as before the enums and no migration is needed.
"""

from __future__ import annotations

from enum import StrEnum


class ActionStatus(StrEnum):
    """Where an action stands: open, or closed as done or dropped."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class Rag(StrEnum):
    """The board's red/amber/green rating of an action's progress."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"
