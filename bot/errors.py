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


class DirectoryUnavailable(Exception):
    """The workspace directory (Slack's `users.info`) could not be asked who someone is.

    Raised instead of answering "unknown person", so nobody is told they may not do something only
    because the answer never came. `code` is a short reason safe for logs (an error name or status).
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
