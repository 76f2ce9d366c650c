"""Block Kit for actions: confirmations, show, history, list and /mine."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.clock import local_date
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
from bot.services.actions import ActionDetail, DueReading, MyActions
from bot.text import escape, plural, truncate
from storage.models import Action, ActionEvent, Board


def owner_mentions(action: Action) -> str:
    """Owners as the board knows them, with a mention for those on Slack (built from stored ids)."""
    parts = []
    for member in action.owners:
        parts.append(f"{member.initials} (<@{member.slack_user_id}>)" if member.slack_user_id else member.initials)
    return ", ".join(parts) or "no owner"


LIST_TEXT_LIMIT = 200


def action_line(action: Action, now: datetime, *, with_board: bool = False) -> str:
    """One line of a list: ref, owners, text, due, RAG and the age of the last update."""
    today = local_date(now, action.board.tz)
    # The ref already carries the code; across boards the name says which board it is.
    board = f" · _{escape(truncate(action.board.name, 60))}_" if with_board else ""
    # Lists stay readable: the full text is one `/action show` away.
    words = escape(truncate(action.text, LIST_TEXT_LIMIT))
    bits = [f"*{ref_of(action)}*{board}", owners_of(action), words, due_text(action, today)]
    if action.status == "open":
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
    return Message(text=f"{verb} {ref_of(action)}: {escape(action.text[:200])}", blocks=blocks)


def logged(action: Action, actor: str, now: datetime) -> Message:
    """Channel confirmation of a new action."""
    return _change_summary(action, ":memo: Logged", actor, now)


def updated(action: Action, actor: str, now: datetime, progress: str, evidence: str | None) -> Message:
    """Channel confirmation of a progress update."""
    extra = f"> {escape(progress)}"
    if evidence:
        extra += f"\n_Evidence:_ {escape(evidence)}"
    return _change_summary(action, ":arrows_counterclockwise: Update on", actor, now, extra)


def rag_changed(action: Action, actor: str, now: datetime) -> Message:
    """Channel confirmation of a RAG change."""
    extra = f"RAG now {rag_text(action)}"
    if action.rag_reason:
        extra += f": {escape(action.rag_reason)}"
    return _change_summary(action, ":traffic_light: RAG changed on", actor, now, extra)


def closed(action: Action, actor: str, now: datetime) -> Message:
    """Channel confirmation of done / dropped."""
    verb = ":white_check_mark: Done:" if action.status == "done" else ":no_entry_sign: Dropped:"
    extra = (
        f"_{'Note' if action.status == 'done' else 'Reason'}:_ {escape(action.close_note)}" if action.close_note else ""
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
    extra = f"_Reason:_ {escape(reason)}" if reason else ""
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
    if action.status == "open" and action.due_date is not None and action.due_date < today:
        lines.append(f":warning: That date has passed: {ref_of(action)} is already overdue.")
    lines.append(f"To change it: `/action due {ref_of(action)} <date>`.")
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
        f"*RAG:* {rag_text(action)}" + (f" — {escape(action.rag_reason)}" if action.rag_reason else ""),
        f"*Logged:* {local_stamp(action.created_at, action.board.tz)} by <@{action.created_by}>"
        f" · {age_text(action, now)}",
    ]
    if action.status != "open" and action.closed_at:
        note = f" — {escape(action.close_note)}" if action.close_note else ""
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
    return Message(text=f"{ref_of(action)}: {escape(action.text[:200])}", blocks=blocks)


def _update_line(event: ActionEvent, tz: str) -> str:
    line = f"• {local_stamp(event.at, tz)} <@{event.actor_user_id}>: {escape(event.note or '')}"
    if event.data.get("evidence"):
        line += f" _(evidence: {escape(event.data['evidence'])})_"
    return line


def _describe_event(event: ActionEvent, today: date) -> str:
    data = event.data or {}
    note = escape(event.note) if event.note else ""
    if event.kind == "created":
        return f"logged it for {', '.join(data.get('owners', []))}: {note}"
    if event.kind == "update":
        text = f"progress: {note}"
        if data.get("evidence"):
            text += f" (evidence: {escape(data['evidence'])})"
        return text
    if event.kind == "rag":
        after = str(data.get("rag_to")).capitalize()
        text = f"RAG {str(data['rag_from']).capitalize()} → {after}" if data.get("rag_from") else f"RAG set to {after}"
        return text + (f": {note}" if note else "")
    if event.kind in ("done", "dropped"):
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


def action_list(board: Board, actions: Sequence[Action], description: str, now: datetime) -> Message:
    """The board's log, one line per action.

    `description` is mrkdwn the command built from filter words it recognised and a mention of a
    validated user id, so it is shown as is: a header is plain text and would print `<@U…>` raw.
    """
    title = f"{board.code} actions: {description}"
    if not actions:
        return Message(text=f"{title}: none", blocks=[section(f"*{title}*\nNo actions match.")])
    blocks = [header(f"{board.code} actions ({len(actions)})"), context(f"Showing: {description}")]
    blocks += pack_lines(
        [action_line(a, now) for a in actions], max_blocks=MAX_BLOCKS - len(blocks), more_label="more actions"
    )
    return Message(text=f"{title}: {plural(len(actions), 'action')}", blocks=blocks)


def mine(groups: MyActions, now: datetime, include_closed: bool) -> Message:
    """`/mine`: overdue first, then due in 7 days, later, undated, and closed when asked."""
    if groups.count == 0:
        text = "You have no outstanding actions." + ("" if include_closed else " :tada:")
        return Message(text=text, blocks=[section(text)])
    sections = [
        (":rotating_light: Overdue", groups.overdue),
        (":hourglass_flowing_sand: Due in the next 7 days", groups.due_soon),
        (":calendar: Later", groups.later),
        (":grey_question: No date", groups.undated),
    ]
    if include_closed:
        sections.append((":white_check_mark: Closed in the last 30 days", groups.closed))
    blocks = [header("What's yours")]
    budget = MAX_BLOCKS - 1
    for title, actions in sections:
        if not actions or budget < 2:
            continue
        lines = [f"*{title}* ({len(actions)})", *(action_line(a, now, with_board=True) for a in actions)]
        packed = pack_lines(lines, max_blocks=min(budget, 10), more_label="more")
        blocks += packed
        budget -= len(packed)
    open_count = groups.count - len(groups.closed)
    return Message(text=f"You have {plural(open_count, 'outstanding action')}.", blocks=blocks)
