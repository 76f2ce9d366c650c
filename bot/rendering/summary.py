"""The pre-meeting summary as Slack messages (inside Slack's limits) and as text, Markdown or JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

from bot.rendering import plans as plan_render
from bot.rendering.formatting import RAG_EMOJI, days_phrase, meeting_when, ref_of, short_date
from bot.rendering.message import MAX_BLOCKS, MAX_SECTION_TEXT, Block, Message, context, header, pack_lines, section
from bot.services.meetings import meeting_date
from bot.services.summary import Item, Summary
from bot.statuses import Rag
from bot.text import escape, escape_prose, truncate

# Items per section shown in the channel message itself; the rest go in its thread.
SHOWN_PER_SECTION = 8
RAG_ORDER = tuple(Rag)


@dataclass(frozen=True)
class Style:
    """How a line is marked up: Slack mrkdwn, Markdown or plain text."""

    bold: Callable[[str], str]
    text: Callable[[str], str]
    bullet: str


SLACK = Style(bold=lambda s: f"*{s}*", text=escape_prose, bullet="•")
MARKDOWN = Style(bold=lambda s: f"**{s}**", text=lambda s: s, bullet="-")
PLAIN = Style(bold=lambda s: s, text=lambda s: s, bullet="-")


def _owners(item: Item) -> str:
    # An action of every member is shown once as "All members", not as a list of everyone.
    names = (["All members"] if item.action.all_members else []) + [m.initials for m in item.action.owners]
    return " & ".join(names) or "no owner"


def _ago(then: datetime | None, now: datetime) -> str:
    if then is None:
        return "never"
    days = (now - then).days
    return "today" if days == 0 else f"{days_phrase(days)} ago"


def _head(item: Item, style: Style) -> str:
    words = style.text(truncate(item.action.text, 300))
    return f"{style.bullet} {style.bold(ref_of(item.action))} · {_owners(item)} · {words}"


def _overdue(item: Item, s: Summary, style: Style) -> str:
    a = item.action
    bits = [f"due {short_date(a.due_date, s.today)}" if a.due_date else "", f"{days_phrase(item.days_overdue)} overdue"]
    bits.append(f"last update {_ago(a.last_progress_at, s.generated_at)}")
    if a.due_change_count:
        bits.append(f"re-dated {a.due_change_count}×")
    if item.carried_over:
        bits.append(f"carried over {item.carried_over} meeting{'s' if item.carried_over != 1 else ''}")
    return f"{_head(item, style)} — " + ", ".join(b for b in bits if b)


def _deteriorated(item: Item, s: Summary, style: Style) -> str:
    line = f"{_head(item, style)} — {str(item.rag_from).capitalize()} → {str(item.rag_to).capitalize()}"
    return line + (f": {style.text(truncate(item.rag_reason, 300))}" if item.rag_reason else " (no reason recorded)")


def _due(item: Item, s: Summary, style: Style) -> str:
    a = item.action
    when = f"due {short_date(a.due_date, s.today)}" if a.due_date else "due next meeting"
    if item.last_update is not None:
        note = style.text(truncate(item.last_update.note or "", 300))
        latest = f"latest ({_ago(item.last_update.at, s.generated_at)}): {note}"
    else:
        latest = "no update yet"
    return f"{_head(item, style)} — {when}; {latest}"


def _closed(item: Item, s: Summary, style: Style) -> str:
    a = item.action
    when = short_date(a.closed_at.date(), s.today) if a.closed_at else ""
    note = f": {style.text(truncate(a.close_note, 300))}" if a.close_note else ""
    return f"{_head(item, style)} — {a.status} {when}{note}"


def _stale(item: Item, s: Summary, style: Style) -> str:
    days = (s.generated_at - item.last_activity).days if item.last_activity else 0
    return f"{_head(item, style)} — no update for {days_phrase(days)}"


LineFn = Callable[[Item, Summary, Style], str]


def _spec(summary: Summary) -> list[tuple[str, list[Item], LineFn, str]]:
    since = summary.since_label
    return [
        ("Overdue", summary.overdue, _overdue, "Nothing is overdue."),
        (f"RAG worse {since}", summary.deteriorated, _deteriorated, "No RAG rating has got worse."),
        ("Due by this meeting", summary.due, _due, "Nothing else falls due by this meeting."),
        (f"Closed {since}", summary.closed, _closed, "Nothing has been closed."),
        ("No update for 28 days or more", summary.stale, _stale, "Every open action has a recent update."),
    ]


def _offline_lines(summary: Summary, style: Style) -> list[str]:
    return [
        f"{style.bullet} {style.text(owner)}: " + ", ".join(ref_of(a) for a in actions)  # type: ignore[arg-type]
        for owner, actions in summary.offline_owners.items()
    ]


OFFLINE_TITLE = "Owners without Slack, for the chair to chase"


def sections(summary: Summary, style: Style) -> list[tuple[str, list[str]]]:
    """The five lists of the summary, titled, each line rendered in `style`."""
    out = []
    for title, items, line, empty in _spec(summary):
        out.append((f"{title} ({len(items)})", [line(i, summary, style) for i in items] or [empty]))
    if summary.offline_owners:
        out.append((OFFLINE_TITLE, _offline_lines(summary, style)))
    return out


def _first_lines(summary: Summary, style: Style, shown: int) -> list[tuple[str, list[str], int, Iterator[str]]]:
    """Each section's title, its first `shown` lines, its length, and the rest of its lines
    rendered only when read (the thread's full lists)."""

    def rest(items: list[Item], line: LineFn) -> Iterator[str]:
        return (line(i, summary, style) for i in items)

    out: list[tuple[str, list[str], int, Iterator[str]]] = []
    for title, items, line, empty in _spec(summary):
        first = [line(i, summary, style) for i in items[:shown]] or [empty]
        out.append((f"{title} ({len(items)})", first, len(items), rest(items, line)))
    if summary.offline_owners:
        lines = _offline_lines(summary, style)
        out.append((OFFLINE_TITLE, lines[:shown], len(lines), iter(lines)))
    return out


def meeting_line(summary: Summary) -> str:
    """`Wed 16 Dec 2026, 09:00–11:00 · Committee Room` or a note that none is scheduled."""
    if summary.meeting is None:
        return "No meeting is scheduled: showing the log as it stands."
    return meeting_when(summary.meeting)


def _rag_counts(summary: Summary, emoji: bool) -> str:
    parts = []
    for rag in RAG_ORDER:
        now = summary.rag_now.get(rag, 0)
        label = f"{RAG_EMOJI[rag]} " if emoji else ""
        text = f"{label}{rag.capitalize()} {now}"
        if summary.previous is not None:
            change = now - summary.rag_before.get(rag, 0)
            text += f" ({change:+d})" if change else " (=)"
        parts.append(text)
    return " · ".join(parts)


def counts_line(summary: Summary) -> str:
    """Open, overdue, due by the meeting, closed since last time."""
    return (
        f"{summary.open_count} open · {len(summary.overdue)} overdue · {len(summary.due)} due by this meeting · "
        f"{len(summary.closed)} closed {summary.since_label}"
    )


def title(summary: Summary) -> str:
    """`Matters arising: SSCB, 16 Dec 2026`."""
    if summary.meeting is None:
        return f"Matters arising: {summary.board.code}"
    day = meeting_date(summary.meeting)
    return f"Matters arising: {summary.board.code}, {day.day} {day:%b %Y}"


def slack_messages(summary: Summary, overflow_note: str = "the full list is in the thread") -> list[Message]:
    """The summary as Slack messages: the first is the summary, the rest continue it in its thread."""
    return list(stream_slack_messages(summary, overflow_note))


def stream_slack_messages(summary: Summary, overflow_note: str = "the full list is in the thread") -> Iterator[Message]:
    """The summary as Slack messages, made one at a time.

    The first message shows each section's first few actions (only those lines are rendered for
    it); the full lists of the longer sections follow in its thread, rendered and packed into
    message-sized chunks as they are read, so the message stays within Slack's limits whatever
    the size of the log.
    """
    intro = "\n".join(
        [
            f"*{escape(summary.board.name)}*",
            escape(meeting_line(summary)),
            counts_line(summary),
            _rag_counts(summary, True),
        ]
    )
    blocks = [header(title(summary)), section(intro)]
    overflow: list[tuple[str, list[str], Iterator[str]]] = []
    for name, first, total, rest in _first_lines(summary, SLACK, SHOWN_PER_SECTION):
        shown = first[:SHOWN_PER_SECTION]
        if total > SHOWN_PER_SECTION:
            shown.append(f"_…and {total - SHOWN_PER_SECTION} more: {overflow_note}._")
            overflow.append((name, first, rest))
        blocks += pack_lines([f"*{name}*", *shown], max_blocks=3)
    plan_thread: list[Message] = []
    if summary.plan is not None:
        room = MAX_BLOCKS - len(blocks) - 1
        plan_blocks, plan_thread = plan_render.summary_blocks(summary.plan, title(summary), room=room)
        blocks += plan_blocks
    stamp = f"{summary.generated_at:%d %b %Y %H:%M} UTC"
    blocks.append(context(f"Generated {stamp} by Arising · `/summary {summary.board.code}` for the latest"))
    fallback = f"{title(summary)}: {counts_line(summary)}"
    yield Message(text=fallback, blocks=blocks[:MAX_BLOCKS])
    for name, _, rest in overflow:
        for chunk in _chunked(chain([f"*{name}: full list*"], rest)):
            yield Message(text=f"{title(summary)}: {name}", blocks=chunk)
    yield from plan_thread


def _chunked(lines: Iterable[str]) -> Iterator[list[Block]]:
    """Sections of up to 3000 characters (a line never split), MAX_BLOCKS to a message."""
    blocks: list[Block] = []
    text: list[str] = []
    size = 0
    for line in lines:
        line = truncate(line, MAX_SECTION_TEXT)
        if text and size + 1 + len(line) <= MAX_SECTION_TEXT:
            text.append(line)
            size += 1 + len(line)
            continue
        if text:
            blocks.append(section("\n".join(text)))
            if len(blocks) == MAX_BLOCKS:
                yield blocks
                blocks = []
        text, size = [line], len(line)
    if text:
        blocks.append(section("\n".join(text)))
    if blocks:
        yield blocks


def as_text(summary: Summary, *, markdown: bool = False) -> str:
    """The whole summary as plain text or Markdown, every item listed (for the CLI and board papers)."""
    style = MARKDOWN if markdown else PLAIN
    head = f"# {title(summary)}" if markdown else title(summary)
    out = [head, "", summary.board.name, meeting_line(summary), counts_line(summary), _rag_counts(summary, False)]
    for name, lines in sections(summary, style):
        out += ["", f"## {name}" if markdown else name, *lines]
    if summary.plan is not None:
        out += plan_render.summary_text(summary.plan, markdown=markdown)
    return "\n".join(out) + "\n"


def _item_json(item: Item, summary: Summary) -> dict[str, Any]:
    a = item.action
    return {
        "ref": ref_of(a),
        "owners": (["All members"] if a.all_members else []) + [m.initials for m in a.owners],
        "text": a.text,
        "status": a.status,
        "rag": a.rag,
        "due_date": a.due_date.isoformat() if a.due_date else None,
        "days_overdue": item.days_overdue,
        "redated": a.due_change_count,
        "carried_over": item.carried_over,
        "last_update_at": a.last_progress_at.isoformat() if a.last_progress_at else None,
        "latest_update": item.last_update.note if item.last_update else None,
        "rag_from": item.rag_from,
        "rag_to": item.rag_to,
        "rag_reason": item.rag_reason,
        "closed_at": a.closed_at.isoformat() if a.closed_at else None,
    }


def as_json(summary: Summary) -> str:
    """The summary as JSON, for other tools."""
    m = summary.meeting
    data = {
        "board": {"code": summary.board.code, "name": summary.board.name},
        "meeting": None
        if m is None
        else {"local_start": m.local_start.isoformat(), "starts_at": m.starts_at.isoformat(), "location": m.location},
        "previous_meeting": summary.previous.starts_at.isoformat() if summary.previous else None,
        "generated_at": summary.generated_at.isoformat(),
        "counts": {
            "open": summary.open_count,
            "overdue": len(summary.overdue),
            "due": len(summary.due),
            "closed": len(summary.closed),
            "stale": len(summary.stale),
        },
        "rag": {"now": summary.rag_now, "previous_meeting": summary.rag_before},
        "overdue": [_item_json(i, summary) for i in summary.overdue],
        "deteriorated": [_item_json(i, summary) for i in summary.deteriorated],
        "due": [_item_json(i, summary) for i in summary.due],
        "closed": [_item_json(i, summary) for i in summary.closed],
        "stale": [_item_json(i, summary) for i in summary.stale],
        "owners_without_slack": {k: [ref_of(a) for a in v] for k, v in summary.offline_owners.items()},
    }
    if summary.plan is not None:
        data["plan"] = plan_render.summary_json(summary.plan)
    return json.dumps(data, indent=2)
