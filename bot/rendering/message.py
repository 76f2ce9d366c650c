"""A Slack message under construction, kept inside Slack's limits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.rendering.block_dicts import block_dict
from bot.text import truncate

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_TEXT = 2000
MAX_FALLBACK_TEXT = 3000


@dataclass
class Message:
    """Blocks plus the plain `text` Slack shows in notifications and screen readers."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        """Keyword arguments for chat.postMessage / respond; each block's limits are validated as
        slack_sdk's `to_dict` does (see block_dicts)."""
        return {"text": truncate(self.text, MAX_FALLBACK_TEXT), "blocks": [block_dict(b) for b in self.blocks]}


def header(text: str) -> HeaderBlock:
    """A header, cut to Slack's 150 characters."""
    return HeaderBlock(text=PlainTextObject(text=truncate(text, MAX_HEADER_TEXT), emoji=True))


def section(mrkdwn: str) -> SectionBlock:
    """A section of mrkdwn, cut to Slack's 3000 characters."""
    return SectionBlock(text=MarkdownTextObject(text=truncate(mrkdwn, MAX_SECTION_TEXT)))


def context(mrkdwn: str) -> ContextBlock:
    """Small grey text under a message."""
    return ContextBlock(elements=[MarkdownTextObject(text=truncate(mrkdwn, MAX_CONTEXT_TEXT))])


def divider() -> DividerBlock:
    """A horizontal rule."""
    return DividerBlock()


# Room kept in a full section for the "…and N more" note, so the last kept line need not be dropped.
_NOTE_ROOM = 100


def pack_lines(lines: Sequence[str], *, max_blocks: int, more_label: str = "more") -> list[Block]:
    """Pack lines into as few sections as fit 3000 characters each, using at most `max_blocks`.

    Lines are never split across sections (one longer than a section is cut with an ellipsis).
    Lines that do not fit are summarised in a last "…and N more" line instead of
    producing a message Slack would reject.
    """
    if max_blocks < 1 or not lines:
        return []
    room = MAX_SECTION_TEXT - _NOTE_ROOM
    chunks: list[list[str]] = []
    size = 0
    for line in lines:
        line = truncate(line, room)
        if chunks and size + 1 + len(line) <= room:
            chunks[-1].append(line)
            size += 1 + len(line)
        else:
            chunks.append([line])
            size = len(line)
    if len(chunks) <= max_blocks:
        return [section("\n".join(c)) for c in chunks]
    kept = chunks[:max_blocks]
    last = kept[-1]
    shown = sum(len(c) for c in kept)
    label = truncate(more_label, _NOTE_ROOM // 2)

    def note() -> str:
        return f"_…and {len(lines) - shown} {label}_"

    # The last block carries the note; drop its final lines only if the note would not fit otherwise.
    while last and len("\n".join([*last, note()])) > MAX_SECTION_TEXT:
        last.pop()
        shown -= 1
    return [section("\n".join(c)) for c in kept[:-1]] + [section("\n".join([*last, note()]))]
