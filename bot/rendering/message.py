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
        """Keyword arguments for chat.postMessage / respond; `to_dict` validates each block's limits."""
        return {"text": truncate(self.text, MAX_FALLBACK_TEXT), "blocks": [b.to_dict() for b in self.blocks]}


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


def pack_lines(lines: Sequence[str], *, max_blocks: int, more_label: str = "more") -> list[Block]:
    """Pack lines into as few sections as fit 3000 characters each, using at most `max_blocks`.

    Lines that do not fit are summarised in a last "…and N more" line instead of
    producing a message Slack would reject.
    """
    if max_blocks < 1:
        return []
    chunks: list[list[str]] = []
    size = 0
    for line in lines:
        line = truncate(line, MAX_SECTION_TEXT - 40)
        if chunks and size + len(line) + 1 <= MAX_SECTION_TEXT - 40:
            chunks[-1].append(line)
            size += len(line) + 1
        else:
            chunks.append([line])
            size = len(line)
    if len(chunks) <= max_blocks:
        return [section("\n".join(c)) for c in chunks]
    kept = chunks[:max_blocks]
    shown = sum(len(c) for c in kept[:-1])
    last = kept[-1]
    remaining = len(lines) - shown - len(last)
    # The last block carries the "and N more" note, dropping its final line if needed for room.
    while last and len("\n".join(last)) + 40 > MAX_SECTION_TEXT:
        last.pop()
        remaining += 1
    note = f"_…and {remaining} {more_label}_"
    return [section("\n".join(c)) for c in kept[:-1]] + [section("\n".join([*last, note]))]
