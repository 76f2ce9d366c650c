"""Making user-typed text safe and short enough for Slack."""

from __future__ import annotations

import re
import unicodedata

MAX_ACTION_TEXT = 2000


def escape(text: str) -> str:
    """Escape the three characters Slack treats as markup, so typed `<!channel>`,
    `<!here>` or `<@U123>` is shown as text and never pings anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# A user mention as Slack sends it in command text, with the name it showed (`<@U123|ann>`), once
# escaped. A bare `<@U123>` is not one of these: it is what someone typed, and stays text.
_ESCAPED_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]{2,})\|(?:(?!&gt;)[^<>])*&gt;")


def escape_prose(text: str) -> str:
    """Escape like `escape`, but show a mention Slack sent (`<@U123|ann>`) as the person (`<@U123>`,
    the stale name dropped) rather than as raw text. Nothing else becomes markup: `<!channel>`,
    `<!here>`, a bare typed `<@U123>`, channel and group links and links all stay text."""
    return _ESCAPED_MENTION.sub(lambda m: f"<@{m.group(1)}>", escape(text))


# The end of a cut that would split an entity (`&am`) or markup (`<@U12`, `<http://…`).
_BROKEN_TAIL = re.compile(r"(?:&[#a-zA-Z0-9]{0,7}|<(?:[@#!]|https?:|mailto:)[^<>]{0,300})$")


def truncate(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, marking the cut with an ellipsis.

    The cut falls at a word boundary when one is near (within the last half of the room), and never
    inside an entity (`&amp;`) or a piece of markup (`<@U123>`), which Slack would show broken.
    """
    if len(text) <= limit:
        return text
    room = max(limit - 1, 0)
    kept = text[:room]
    if room < len(text) and not text[room].isspace():
        space = max(kept.rfind(" "), kept.rfind("\n"), kept.rfind("\t"))
        if space >= room // 2:
            kept = kept[:space]
    kept = _BROKEN_TAIL.sub("", kept)
    return kept.rstrip() + "…"


_SPACES = re.compile(r"\s+")


def squash(text: str) -> str:
    """Collapse runs of whitespace (slash commands may carry newlines) into single spaces."""
    return _SPACES.sub(" ", text).strip()


# Characters that show nothing: format characters (zero-width space and joiners, word joiner, BOM,
# bidi marks, soft hyphen) and blank fillers that are not Unicode whitespace.
_BLANK_FILLERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def is_invisible(char: str) -> bool:
    """True for whitespace and characters that print nothing."""
    return char.isspace() or unicodedata.category(char) == "Cf" or char in _BLANK_FILLERS


def visible_text(text: str) -> str:
    """`text` without whitespace and invisible characters: empty when nothing would be seen."""
    return "".join(c for c in text if not is_invisible(c))


def control_characters(text: str) -> list[str]:
    """The control characters in `text` (NUL, bell, escape…), other than newline, carriage return and
    tab, as `U+0007` names, each once, in order."""
    found = dict.fromkeys(f"U+{ord(c):04X}" for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t")
    return list(found)


def unreadable(text: str, what: str) -> str | None:
    """Why `text` (the `what`, e.g. "action text") can't be stored, or None when it can.

    Refused: control characters (NUL, escape, bell…: they break exports and PostgreSQL refuses NUL),
    and text that is empty once whitespace and invisible characters (zero-width spaces, joiners,
    a BOM, non-breaking spaces) are taken out.
    """
    if codes := control_characters(text):
        return (
            f"The {what} contains {'a control character' if len(codes) == 1 else 'control characters'} "
            f"({', '.join(codes[:5])}) that can't be stored. Type it again as plain text, without pasting "
            "from a terminal or a file with hidden characters."
        )
    if text and not visible_text(text):
        return (
            f"The {what} is empty: it holds only invisible characters (such as zero-width or non-breaking "
            "spaces). Type the words themselves."
        )
    return None


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 action`, `3 actions`."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"
