"""The private word a user gets when their command failed for a reason that is not their input."""

from __future__ import annotations

from bot.errors import DirectoryUnavailable
from bot.rendering.message import Message, section
from storage.db import database_unavailable

DATABASE_NOT_ANSWERING = (
    ":hourglass: The database is not answering, so nothing was changed. Please try again in a few minutes."
)
DIRECTORY_NOT_ANSWERING = (
    ":hourglass: I couldn't ask Slack whether you are a workspace admin just now, so nothing was changed. "
    "Please try again in a few minutes."
)
FAILED = (
    ":x: Something went wrong on our side and nothing was changed. Please try again; "
    "if it keeps happening, tell your workspace admin."
)


def failure_message(exc: BaseException) -> Message:
    """What to tell the caller when running their command raised `exc` (the unit of work rolled back).

    A database or Slack that did not answer is a fault of the moment: the user is told to try again
    soon. Anything else is a fault on our side. The exception's own text is never shown.
    """
    if database_unavailable(exc):
        text = DATABASE_NOT_ANSWERING
    elif isinstance(exc, DirectoryUnavailable):
        text = DIRECTORY_NOT_ANSWERING
    else:
        text = FAILED
    return Message(text=text, blocks=[section(text)])
