"""The DMs the clock sends owners: the pre-meeting chaser and the weekly overdue reminder."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import Block

from bot.rendering.actions import action_line
from bot.rendering.buttons import CHASER, REMINDER, action_row
from bot.rendering.formatting import ref_of
from bot.rendering.message import MAX_BLOCKS, Message, context, pack_lines, section
from bot.services.meetings import meeting_date
from bot.text import escape, plural
from storage.models import Action, Meeting


def _how_to(actions: Sequence[Action]) -> str:
    ref = ref_of(actions[0])
    return (
        f"Update with `/action update {ref} &lt;progress&gt; [rag red|amber|green]`, close with `/action done {ref}`, "
        f"or re-date with `/action due {ref} &lt;date&gt; &lt;reason&gt;`."
    )


# Actions of a DM shown with their buttons (two blocks each); any more are listed as lines.
DM_BUTTON_ROWS = 15


def _rows(actions: Sequence[Action], now: datetime, origin: str, *, with_board: bool) -> list[Block]:
    blocks: list[Block] = []
    for action in actions[:DM_BUTTON_ROWS]:
        blocks += action_row(action, action_line(action, now, with_board=with_board), origin)
    rest = [action_line(a, now, with_board=with_board) for a in actions[DM_BUTTON_ROWS:]]
    return blocks + pack_lines(rest, max_blocks=MAX_BLOCKS - 3 - len(blocks), more_label="more")


def chaser(meeting: Meeting, actions: Sequence[Action], now: datetime) -> Message:
    """One owner's actions due by the meeting that have had no update since the last one."""
    board = meeting.board
    day = meeting_date(meeting)
    intro = (
        f":wave: *{escape(board.name)}* meets on {day:%A} {day.day} {day:%B} at {meeting.local_start:%H:%M}. "
        f"{'This action is' if len(actions) == 1 else 'These actions are'} due by then with no update "
        "since the last meeting:"
    )
    first = section(intro)
    # The meeting is named in the first block's id, so a click can draw this message again.
    first.block_id = f"chaser:{meeting.id}"
    blocks = [first, *_rows(actions, now, CHASER, with_board=False)]
    blocks.append(context(_how_to(actions)))
    return Message(
        text=f"{board.code} meets {day.day} {day:%b}: {plural(len(actions), 'action')} to update", blocks=blocks
    )


def overdue_reminder(actions: Sequence[Action], now: datetime) -> Message:
    """The weekly reminder of an owner's overdue actions, across boards."""
    intro = f":alarm_clock: You have {plural(len(actions), 'overdue action')}:"
    blocks = [section(intro), *_rows(actions, now, REMINDER, with_board=True)]
    blocks.append(context(_how_to(actions) + f" Pause reminders for one with `/mine snooze {ref_of(actions[0])} 14`."))
    return Message(text=f"You have {plural(len(actions), 'overdue action')}", blocks=blocks)
