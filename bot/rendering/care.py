"""Private warnings about sensitive data in what someone typed (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.case_identifiers import Finding
from bot.rendering.message import Message, context, section
from bot.text import escape


def identifier_warning(ref: str, findings: Sequence[Finding]) -> Message:
    """Tell the author that `ref`'s text looks like it identifies a child or a case."""
    what = " and ".join(f.description for f in findings)
    text = (
        f":warning: *{ref}* looks like it identifies a child or a case ({what}). The board's log is read "
        "across agencies: please refer to the case by its reference in your case system instead."
    )
    hint = "It was saved as you typed it. If it should not be in the log, ask the chair to drop it and log it again."
    return Message(text=text, blocks=[section(text), context(hint)])


def shared_channel_warning(board_name: str, channel_id: str, meeting_when: str, summary_when: str) -> Message:
    """Tell the chair, days ahead, that the summary will be posted in a channel outsiders can read."""
    text = (
        f":warning: The matters-arising summary for *{escape(board_name)}* ({escape(meeting_when)}) will be posted "
        f"in <#{channel_id}> on {summary_when}. That channel is shared with people outside your organisation "
        "(Slack Connect), so they will see it too."
    )
    hint = "If they should not, move the board to an internal channel before then; you are sent the summary too."
    return Message(text=text, blocks=[section(text), context(hint)])


def shared_channel_post_warning(board_code: str, channel_id: str) -> Message:
    """Ask the chair to confirm posting the summary in a Slack Connect channel."""
    text = (
        f":warning: <#{channel_id}> is shared with people outside your organisation (Slack Connect), so they would "
        f"see the summary. Nothing was posted. To post it anyway: `/summary {board_code} post anyway`."
    )
    return Message(text=text, blocks=[section(text)])
