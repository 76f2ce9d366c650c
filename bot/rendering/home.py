"""The App Home view: the viewer's actions with their buttons, and their boards at a glance."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import Block, ButtonElement, MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View

from bot.rendering.actions import MINE_GROUPS, MINE_WORDS, action_line
from bot.rendering.buttons import HOME, action_row
from bot.rendering.formatting import RAG_EMOJI, short_date
from bot.rendering.message import context, divider, header, section
from bot.services.action_lists import BoardGlance, MyActions, MyBoards
from bot.services.meetings import meeting_date
from bot.text import escape, plural, truncate
from bot.walltime import local_date

MAX_HOME_BLOCKS = 100
PREVIEW_SUMMARY = "home_preview_summary"
# Actions shown with their buttons (two blocks each); the rest are counted with where to see them.
HOME_ROWS = 20
HOME_GROUPS = ("overdue", "due_soon", "later", "undated")


def home_view(groups: MyActions, boards: MyBoards, now: datetime, notice: str | None = None) -> dict[str, Any]:
    """The viewer's open actions (overdue, due soon, later, undated) each with Done / Add update / Change
    date / Snooze buttons, their boards with the next meeting and RAG counts (chairs get "Preview summary"),
    and `notice`, what just happened, at the top. Never more than 100 blocks, whatever the numbers."""
    blocks: list[Block] = [header("Your actions")]
    if notice:
        blocks.append(section(notice))
    rows = HOME_ROWS
    open_count = sum(getattr(groups, key).count for key in HOME_GROUPS)
    if not open_count:
        blocks.append(section("You have no outstanding actions. :tada:"))
    for key in HOME_GROUPS:
        group = getattr(groups, key)
        if not group.count:
            continue
        blocks.append(section(f"*{MINE_GROUPS[key]}* ({group.count:,})"))
        shown = 0
        for action in group.items:
            if rows <= 0:
                break
            blocks += action_row(action, action_line(action, now, with_board=True), HOME)
            rows -= 1
            shown += 1
        if group.count > shown:
            blocks.append(context(f"…and {group.count - shown:,} more: `/mine {MINE_WORDS[key]}` lists them all"))
    blocks += [divider(), header("Your boards")]
    if not boards.items:
        blocks.append(
            section("You are not a member of any board yet. A board's chair adds you with `/meeting member add`.")
        )
    for glance in boards.items:
        blocks.append(_board_block(glance, now))
    if boards.total > len(boards.items):
        blocks.append(context(f"…and {boards.total - len(boards.items):,} more boards: `/meeting list` lists them"))
    blocks += [
        divider(),
        context(
            "`/action` opens the form to log an action · `/mine` lists yours anywhere · `/action help` to log and "
            "update by typing · `/summary` previews the next meeting's matters arising"
        ),
    ]
    return View(type="home", blocks=blocks[:MAX_HOME_BLOCKS]).to_dict()


def _board_block(glance: BoardGlance, now: datetime) -> SectionBlock:
    board = glance.board
    today = local_date(now, board.tz)
    if glance.next_meeting is not None:
        day = meeting_date(glance.next_meeting)
        meets = f"Next meeting {day:%a} {short_date(day, today)} at {glance.next_meeting.local_start:%H:%M}"
    else:
        meets = "No meeting scheduled"
    rags = [f"{RAG_EMOJI[r]} {glance.rag_counts[r]}" for r in ("red", "amber", "green") if glance.rag_counts.get(r)]
    if glance.rag_counts.get(None):
        rags.append(f"unrated {glance.rag_counts[None]}")
    counts = f"{plural(glance.open_count, 'open action')}" + (f" · {' · '.join(rags)}" if rags else "")
    text = f"*{board.code}* · {escape(truncate(board.name, 100))}" + (" · _you chair it_" if glance.is_chair else "")
    block = SectionBlock(block_id=f"board:{board.code}", text=MarkdownTextObject(text=f"{text}\n{meets} · {counts}"))
    if glance.is_chair:
        block.accessory = ButtonElement(text="Preview summary", action_id=PREVIEW_SUMMARY, value=board.code)
    return block
