"""Block Kit for boards and members."""

from __future__ import annotations

from collections.abc import Sequence

from bot.rendering.message import MAX_BLOCKS, Message, context, header, pack_lines, section
from bot.services.boards import member_label as member_name
from bot.text import escape, plural
from storage.models import Board, Member


def board_set_up(board: Board, actor: str) -> Message:
    """Channel confirmation of a new board."""
    text = (
        f":clipboard: This channel now keeps the action log of *{escape(board.name)}* (`{board.code}`).\n"
        f"Chair: <@{board.chair_user_id}> · time zone {escape(board.tz)}"
    )
    return Message(
        # The fallback text is mrkdwn too (notifications): the typed name is escaped there as well.
        text=f"{escape(board.name)} ({board.code}) is set up in this channel",
        blocks=[
            section(text),
            context(
                f"Set up by <@{actor}>. Next: add members with `/meeting member add @user INITIALS [role]`, "
                "then log actions with `/action add`."
            ),
        ],
    )


def member_added(board: Board, member: Member, actor: str) -> Message:
    """Channel confirmation of a new member."""
    role = f" — {escape(member.role)}" if member.role else ""
    text = f":bust_in_silhouette: {member_name(member)} joins {board.code} as `{member.initials}`{role}."
    return Message(
        text=f"{member.initials} joins {board.code}", blocks=[section(text), context(f"Added by <@{actor}>")]
    )


def member_removed(board: Board, member: Member, actor: str) -> Message:
    """Channel confirmation of a removed member."""
    text = f":wave: {member_name(member)} (`{member.initials}`) is no longer a member of {board.code}."
    return Message(
        text=f"{member.initials} left {board.code}",
        blocks=[section(text), context(f"Removed by <@{actor}>; their past actions keep their history.")],
    )


def members_list(board: Board, members: Sequence[Member]) -> Message:
    """The board's current members, with chair, initials and role."""
    lines = [f"Chair: <@{board.chair_user_id}>"]
    for m in members:
        role = f" — {escape(m.role)}" if m.role else ""
        account = "" if m.slack_user_id else " _(no Slack account)_"
        lines.append(f"`{m.initials}` {member_name(m)}{account}{role}")
    if not members:
        lines.append("No members yet: add them with `/meeting member add @user INITIALS [role]`.")
    blocks = [header(f"{board.name} ({board.code}) · {plural(len(members), 'member')}")]
    blocks += pack_lines(lines, max_blocks=MAX_BLOCKS - 1, more_label="more members")
    return Message(text=f"{board.code} members: {len(members)}", blocks=blocks)
