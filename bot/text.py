"""Making user-typed text safe and short enough for Slack."""

from __future__ import annotations

import re

MAX_ACTION_TEXT = 2000


def escape(text: str) -> str:
    """Escape the three characters Slack treats as markup, so typed `<!channel>`,
    `<!here>` or `<@U123>` is shown as text and never pings anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


_SPACES = re.compile(r"\s+")


def squash(text: str) -> str:
    """Collapse runs of whitespace (slash commands may carry newlines) into single spaces."""
    return _SPACES.sub(" ", text).strip()


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 action`, `3 actions`."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"
