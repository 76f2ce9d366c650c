"""What a surface answers: a private reply to the caller and/or a post in a board's channel.

Every surface (slash commands, buttons, modals, shortcuts) builds a Reply; handlers/delivery.py sends it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.errors import UserError, Wording, plain_wording
from bot.rendering.message import Message, context, section
from bot.text import escape


@dataclass(frozen=True)
class Upload:
    """A file sent to one user (in their direct messages with the bot)."""

    user_id: str
    filename: str
    title: str
    content: bytes


@dataclass(frozen=True)
class Reply:
    """`private` goes to the caller only; `channel` is posted in `channel_id` for the board to see,
    and `thread` continues it in its thread (long summaries); `uploads` are files sent to a user;
    `homes` are the Slack users whose Home tab the change changed (published again once it is saved)."""

    private: Message | None = None
    channel_id: str | None = None
    channel: Message | None = None
    thread: tuple[Message, ...] = ()
    uploads: tuple[Upload, ...] = ()
    homes: tuple[str, ...] = ()


def private(message: Message) -> Reply:
    """A reply only the caller sees."""
    return Reply(private=message)


def to_channel(channel_id: str, message: Message) -> Reply:
    """A confirmation posted in the board's channel."""
    return Reply(channel_id=channel_id, channel=message)


def with_private(reply: Reply, message: Message) -> Reply:
    """`reply` with `message` added to what the caller alone sees (after anything already there)."""
    if reply.private is None:
        return replace(reply, private=message)
    merged = Message(text=f"{reply.private.text}\n{message.text}", blocks=[*reply.private.blocks, *message.blocks])
    return replace(reply, private=merged)


def touching_homes(reply: Reply, *user_ids: str | None) -> Reply:
    """`reply` for a change that alters what these Slack users' Home tabs show (each once, in order)."""
    return replace(reply, homes=tuple(dict.fromkeys([*reply.homes, *(u for u in user_ids if u)])))


def error_reply(error: UserError, usage: str | None, wording: Wording = plain_wording) -> Reply:
    """A private explanation of what was wrong and how to do it right (its remedies worded by `wording`,
    the surface's own: the slash surface quotes its commands)."""
    usage = error.usage or usage
    message = error.worded(wording)
    blocks = [section(f":warning: {message}")]
    text = message
    if usage:
        # Usage lines hold <placeholders>: escaped in the notification text as in the blocks, or
        # Slack reads `<date>` as a link and shows nothing.
        blocks.append(context(f"Usage: `{escape(usage)}`"))
        text += f"\nUsage: {escape(usage)}"
    return Reply(private=Message(text=text, blocks=blocks))
