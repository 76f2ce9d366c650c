"""Private warnings about sensitive data in what someone typed (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.case_identifiers import Finding
from bot.rendering.message import Message, context, section


def identifier_warning(ref: str, findings: Sequence[Finding]) -> Message:
    """Tell the author that `ref`'s text looks like it identifies a child or a case."""
    what = " and ".join(f.description for f in findings)
    text = (
        f":warning: *{ref}* looks like it identifies a child or a case ({what}). The board's log is read "
        "across agencies: please refer to the case by its reference in your case system instead."
    )
    hint = "It was saved as you typed it. If it should not be in the log, ask the chair to drop it and log it again."
    return Message(text=text, blocks=[section(text), context(hint)])
