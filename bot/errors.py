"""The one exception type that carries a user-facing explanation."""

from __future__ import annotations


class UserError(Exception):
    """Input the bot cannot act on: `message` says what was wrong, `usage` how to do it right.

    Raised before anything is written, or inside a session scope so that the
    whole unit of work rolls back: a rejected command never changes data.
    """

    def __init__(self, message: str, usage: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage
