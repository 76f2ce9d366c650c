"""Help text for the slash commands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.rendering.message import Message, context, header, section
from bot.text import escape


def help_message(command: str, usage: Mapping[str, str], lines: Sequence[tuple[str, str]], footer: str = "") -> Message:
    """A private reference card: each sub-command's usage line and what it does."""
    # Usage lines hold <placeholders>, which Slack would read as links unless escaped.
    body = "\n".join(f"`{escape(usage[name])}`\n      {what}" for name, what in lines)
    blocks = [header(f"{command} help"), section(body)]
    if footer:
        blocks.append(context(footer))
    return Message(text=f"{command} help", blocks=blocks)
