"""Block Kit for actions: confirmations, show, history, list and /mine."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.rendering.formatting import (
    age_text,
    due_text,
    local_stamp,
    owners_of,
    rag_text,
    ref_of,
    short_date,
    status_text,
    task_text,
)
from bot.rendering.message import MAX_BLOCKS, Message, context, divider, header, pack_lines, section
from bot.services.action_lists import ActionPage, MyActions
from bot.services.actions import ActionDetail, DueReading
from bot.statuses import ActionStatus
from bot.text import escape, escape_prose, plural, truncate
from bot.walltime import local_date
from storage.models import Action, ActionEvent, Board


def owner_mentions(action: Action) -> str:
    """Owners as the board knows them, with a mention for those on Slack (built from stored ids)
    and the name of those who are not."""
    parts = ["All members"] if action.all_members else []
    for member in action.owners:
        if member.slack_user_id:
            parts.append(f"{member.initials} (<@{member.slack_user_id}>)")
        elif member.name:
            parts.append(f"{member.initials} ({escape(member.name)})")
        else:
            parts.append(member.initials)
    return ", ".join(parts) or "no owner"


LIST_TEXT_LIMIT = 200


def action_line(action: Action, now: datetime, *, with_board: bool = False) -> str:
    """One line of a list: ref, owners, text, due, RAG and the age of the last update."""
    today = local_date(now, action.board.tz)
    # The ref already carries the code; across boards the name says which board it is.
    board = f" · _{escape(truncate(action.board.name, 60))}_" if with_board else ""
    # Lists stay readable: the full text is one `/action show` away.
    words = escape_prose(truncate(action.text, LIST_TEXT_LIMIT))
    bits = [f"*{ref_of(action)}*{board}", owners_of(action), words, due_text(action, today)]
    if action.status == ActionStatus.OPEN:
        bits += [rag_text(action), age_text(action, now)]
    else:
        bits.append(status_text(action))
    return " · ".join(bits)


def _change_summary(action: Action, verb: str, actor: str, now: datetime, extra: str = "") -> Message:
    line = f"{verb} *{ref_of(action)}*: {task_text(action)}"
    detail = (
        f"Owners: {owner_mentions(action)} · {due_text(action, local_date(now, action.board.tz))} · {rag_text(action)}"
    )
    by = f"by <@{actor}>"
    blocks = [section(line + (f"\n{extra}" if extra else "")), context(f"{detail} · {by}")]
    # The fallback text is shown in notifications: it must be escaped as much as the blocks.
    return Message(text=f"{verb} {ref_of(action)}: {escape_prose(truncate(action.text, 200))}", blocks=blocks)


def logged(action: Action, actor: str, now: datetime) -> Message:
    """Channel confirmation of a new action."""
    return _change_summary(action, ":memo: Logged", actor, now)


def updated(action: Action, actor: str, now: datetime, progress: str, evidence: str | None) -> Message:
    """Channel confirmation of a progress update."""
    extra = f"> {escape_prose(progress)}"
    if evidence:
        extra += f"\n_Evidence:_ {escape_prose(evidence)}"
    return _change_summary(action, ":arrows_counterclockwise: Update on", actor, now, extra)


def rag_changed(action: Action, actor: str, now: datetime) -> Message:
    """Channel confirmation of a RAG change."""
    extra = f"RAG now {rag_text(action)}"
    if action.rag_reason:
        extra += f": {escape_prose(action.rag_reason)}"
    return _change_summary(action, ":traffic_light: RAG changed on", actor, now, extra)


def closed(action: Action, actor: str, now: datetime) -> Message:
    """Channel confirmation of done / dropped."""
    verb = ":white_check_mark: Done:" if action.status == ActionStatus.DONE else ":no_entry_sign: Dropped:"
    extra = (
        f"_{'Note' if action.status == 'done' else 'Reason'}:_ {escape_prose(action.close_note)}"
        if action.close_note
        else ""
    )
    return _change_summary(action, verb, actor, now, extra)


def reopened(action: Action, actor: str, now: datetime) -> Message:
    """Channel confirmation of a reopened action."""
    return _change_summary(action, ":leftwards_arrow_with_hook: Reopened", actor, now)


def reassigned(action: Action, actor: str, now: datetime) -> Message:
    """Channel confirmation of new owners."""
    return _change_summary(action, ":busts_in_silhouette: Reassigned", actor, now)


def redated(action: Action, actor: str, now: datetime, reason: str | None) -> Message:
    """Channel confirmation of a new due date."""
    extra = f"_Reason:_ {escape_prose(reason)}" if reason else ""
    return _change_summary(action, ":calendar: Re-dated", actor, now, extra)


def _long_date(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def due_read_back(action: Action, reading: DueReading, now: datetime) -> Message:
    """Privately, to whoever typed it: how a due-date phrase was read, and how to change it."""
    today = local_date(now, action.board.tz)
    if action.due_kind == "next_meeting":
        when = "the next meeting" + (
            f", {_long_date(action.due_date)}" if action.due_date else " (none is scheduled yet)"
        )
    elif action.due_kind == "tbc":
        when = "to be confirmed"
    elif action.due_date is None:
        when = "no due date"
    else:
        when = _long_date(action.due_date)
    lines = [f":calendar: I read `{escape(reading.phrase)}` as *{when}*."]
    lines += [f"• {escape(note)}" for note in reading.notes]
    if action.status == ActionStatus.OPEN and action.due_date is not None and action.due_date < today:
        lines.append(f":warning: That date has passed: {ref_of(action)} is already overdue.")
    lines.append(f"To change it: `/action due {ref_of(action)} &lt;date&gt;`.")
    text = "\n".join(lines)
    return Message(text=text, blocks=[section(text)])


def show(detail: ActionDetail, now: datetime) -> Message:
    """Everything about one action and its latest updates."""
    action = detail.action
    today = local_date(now, action.board.tz)
    facts = [
        f"*Owners:* {owner_mentions(action)}",
        f"*Due:* {due_text(action, today)}",
        f"*Status:* {status_text(action)}",
        f"*RAG:* {rag_text(action)}" + (f" — {escape_prose(action.rag_reason)}" if action.rag_reason else ""),
        f"*Logged:* {local_stamp(action.created_at, action.board.tz)} by <@{action.created_by}>"
        f" · {age_text(action, now)}",
    ]
    if action.status != ActionStatus.OPEN and action.closed_at:
        note = f" — {escape_prose(action.close_note)}" if action.close_note else ""
        facts.append(f"*Closed:* {local_stamp(action.closed_at, action.board.tz)} by <@{action.closed_by}>{note}")
    blocks = [
        header(f"{ref_of(action)} · {action.board.name}"),
        section(task_text(action)),
        section("\n".join(facts)),
    ]
    if detail.updates:
        blocks.append(divider())
        lines = [_update_line(e, action.board.tz) for e in detail.updates]
        blocks += pack_lines(["*Latest updates*", *lines], max_blocks=MAX_BLOCKS - len(blocks) - 1)
    else:
        blocks.append(context("No progress updates yet."))
    return Message(text=f"{ref_of(action)}: {escape_prose(truncate(action.text, 200))}", blocks=blocks)


def _update_line(event: ActionEvent, tz: str) -> str:
    line = f"• {local_stamp(event.at, tz)} <@{event.actor_user_id}>: {escape_prose(event.note or '')}"
    if event.data.get("evidence"):
        line += f" _(evidence: {escape_prose(event.data['evidence'])})_"
    return line


def _describe_event(event: ActionEvent, today: date) -> str:
    data = event.data or {}
    note = escape_prose(event.note) if event.note else ""
    if event.kind == "created":
        return f"logged it for {', '.join(data.get('owners', []))}: {note}"
    if event.kind == "update":
        text = f"progress: {note}"
        if data.get("evidence"):
            text += f" (evidence: {escape_prose(data['evidence'])})"
        return text
    if event.kind == "rag":
        after = str(data.get("rag_to")).capitalize()
        text = f"RAG {str(data['rag_from']).capitalize()} → {after}" if data.get("rag_from") else f"RAG set to {after}"
        return text + (f": {note}" if note else "")
    if event.kind in (ActionStatus.DONE, ActionStatus.DROPPED):
        return f"marked {event.kind}" + (f": {note}" if note else "")
    if event.kind == "reopened":
        return f"reopened (was {data.get('status_from')})"
    if event.kind == "assigned":
        return f"owners {', '.join(data.get('owners_from', []))} → {', '.join(data.get('owners_to', []))}"
    if event.kind == "redated":
        text = f"due {_due_phrase(data.get('due_from'), today)} → {_due_phrase(data.get('due_to'), today)}"
        return text + (f": {note}" if note else "")
    return f"{escape(event.kind)}" + (f": {note}" if note else "")


def _due_phrase(due: dict[str, str | None] | None, today: date) -> str:
    if not due or not due.get("kind"):
        return "none"
    if due.get("date"):
        return short_date(date.fromisoformat(str(due["date"])), today)
    return "next meeting" if due["kind"] == "next_meeting" else "TBC"


def history(action: Action, events: Sequence[ActionEvent], now: datetime) -> Message:
    """The audit trail: who changed what, and when."""
    today = local_date(now, action.board.tz)
    lines = [
        f"• {local_stamp(e.at, action.board.tz)} · <@{e.actor_user_id}> {_describe_event(e, today)}" for e in events
    ]
    blocks = [header(f"History of {ref_of(action)}"), section(task_text(action))]
    blocks += pack_lines(lines, max_blocks=MAX_BLOCKS - len(blocks), more_label="more changes")
    return Message(text=f"History of {ref_of(action)} ({plural(len(events), 'change')})", blocks=blocks)


def _paged(
    title: str, shown: str, page: ActionPage, now: datetime, next_command: str | None, *, with_board: bool
) -> Message:
    """A header, what is shown, one line per action of the page, and the command for the next page."""
    last = page.first + len(page.items) - 1
    blocks = [header(title), context(f"Showing: {shown} · {page.first:,}–{last:,} of {page.total:,}")]
    lines = [action_line(a, now, with_board=with_board) for a in page.items]
    blocks += pack_lines(lines, max_blocks=MAX_BLOCKS - len(blocks) - 1, more_label="more on this page")
    if page.has_next and next_command:
        blocks.append(context(f"Next {min(page.page_size, page.total - last):,}: `{next_command}`"))
    return Message(text=f"{title}: {plural(page.total, 'action')}", blocks=blocks)


def action_list(board: Board, page: ActionPage, description: str, now: datetime, next_command: str | None) -> Message:
    """One page of the board's log, one line per action.

    `description` is mrkdwn the command built from filter words it recognised and a mention of a
    validated user id, so it is shown as is: a header is plain text and would print `<@U…>` raw.
    """
    if not page.total:
        title = f"{board.code} actions: {description}"
        return Message(text=f"{title}: none", blocks=[section(f"*{title}*\nNo actions match.")])
    return _paged(f"{board.code} actions ({page.total:,})", description, page, now, next_command, with_board=False)


MINE_GROUPS = {
    "overdue": ":rotating_light: Overdue",
    "due_soon": ":hourglass_flowing_sand: Due in the next 7 days",
    "later": ":calendar: Later",
    "undated": ":grey_question: No date",
    "closed": ":white_check_mark: Closed in the last 30 days",
}
MINE_WORDS = {"overdue": "overdue", "due_soon": "soon", "later": "later", "undated": "undated", "closed": "closed"}


def mine(groups: MyActions, now: datetime, include_closed: bool) -> Message:
    """`/mine`: overdue first, then due in 7 days, later, undated, and closed when asked.

    Each group shows its first lines and says how many more there are and how to list them."""
    if groups.count == 0:
        text = "You have no outstanding actions." + ("" if include_closed else " :tada:")
        return Message(text=text, blocks=[section(text)])
    blocks = [header("What's yours")]
    budget = MAX_BLOCKS - 1
    for key, title in MINE_GROUPS.items():
        group = getattr(groups, key)
        if not group.count or budget < 2 or (key == "closed" and not include_closed):
            continue
        lines = [f"*{title}* ({group.count:,})", *(action_line(a, now, with_board=True) for a in group.items)]
        hidden = group.count - len(group.items)
        if hidden > 0:
            lines.append(f"_…and {hidden:,} more: `/mine {MINE_WORDS[key]}` lists them all_")
        packed = pack_lines(lines, max_blocks=min(budget, 10), more_label="more")
        blocks += packed
        budget -= len(packed)
    open_count = groups.count - groups.closed.count
    return Message(text=f"You have {plural(open_count, 'outstanding action')}.", blocks=blocks)


def mine_group(key: str, page: ActionPage, now: datetime, next_command: str | None) -> Message:
    """One of the caller's groups, a page at a time (`/mine overdue page 2`)."""
    title = MINE_GROUPS[key].split(" ", 1)[1]
    if not page.total:
        return Message(text=f"{title}: none", blocks=[section(f"*{title}*\nNothing here.")])
    return _paged(f"Yours: {title} ({page.total:,})", title.lower(), page, now, next_command, with_board=True)
