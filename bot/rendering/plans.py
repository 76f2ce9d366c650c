"""Improvement plans as Slack messages and text: `/plan` answers, "RAG at a glance" and exception entries.

Pure: plan reports and areas in, messages and lines out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from slack_sdk.models.blocks import Block

from bot.rendering.formatting import RAG_EMOJI, days_phrase, ref_of, short_date
from bot.rendering.message import MAX_BLOCKS, Message, context, header, pack_lines, section
from bot.services.plan_report import AreaStatus, PlanReport, Priority
from bot.services.plans import ActionMoved, AreaRemoved, LeadChanged, RagChanged
from bot.text import escape, escape_prose, truncate
from storage.models import Action, Board, Member, PlanArea

ARROWS = {"better": "↑", "worse": "↓", "same": "→", "new": "new", "unrated": "–"}
# Lines of one exception entry's lists shown before "…and N more".
SHOWN_PER_LIST = 6


@dataclass(frozen=True)
class Markup:
    """How a line is marked up: Slack mrkdwn, Markdown or plain text."""

    bold: Callable[[str], str]
    italic: Callable[[str], str]
    text: Callable[[str], str]
    bullet: str
    emoji: bool


SLACK = Markup(bold=lambda s: f"*{s}*", italic=lambda s: f"_{s}_", text=escape_prose, bullet="•", emoji=True)
MARKDOWN = Markup(bold=lambda s: f"**{s}**", italic=lambda s: f"*{s}*", text=lambda s: s, bullet="-", emoji=False)
PLAIN = Markup(bold=lambda s: s, italic=lambda s: s, text=lambda s: s, bullet="-", emoji=False)


def rag_word(rag: str | None) -> str:
    """`Red`, or `Not rated`."""
    return rag.capitalize() if rag else "Not rated"


def _rag(rag: str | None, markup: Markup) -> str:
    if markup.emoji and rag in RAG_EMOJI:
        return f"{RAG_EMOJI[rag]} {rag_word(rag)}"
    return rag_word(rag)


def lead_label(area: PlanArea) -> str:
    """`JS (Jacqui Schofield)`, `JS`, or `no lead`."""
    if area.lead is None:
        return "no lead"
    return lead_label_of(area.lead)


def _lead(area: PlanArea, markup: Markup) -> str:
    if markup is SLACK and area.lead is not None and area.lead.slack_user_id:
        return f"<@{area.lead.slack_user_id}>"
    return markup.text(lead_label(area))


def area_title(area: PlanArea) -> str:
    """`MASH`, or `Early-Help (Early Help services)` when the full name differs."""
    if area.name and area.name.lower() != area.short_name.lower():
        return f"{area.short_name} ({area.name})"
    return area.short_name


def target_text(action: Action, today: date) -> str:
    """An action's target date as the plan shows it: `31 Oct`, `TBC`, `next meeting`, `no date`."""
    if action.due_kind == "tbc" and action.due_date is None:
        return "TBC"
    if action.due_date is not None:
        return short_date(action.due_date, today)
    return "next meeting" if action.due_kind == "next_meeting" else "no date"


def change_text(status: AreaStatus, markup: Markup) -> str:
    """`Amber → Red ↓`, `Green → Green →`, `new: Amber`."""
    arrow = ARROWS[status.direction]
    if status.direction == "unrated":
        return "not rated yet"
    if status.direction == "new":
        return f"{_rag(status.rag, markup)} (new this period)"
    return f"{rag_word(status.previous_rag)} → {_rag(status.rag, markup)} {arrow}"


# --- /plan answers ---------------------------------------------------------------------------------------


def area_added(board: Board, area: PlanArea, actor: str) -> Message:
    """The channel's confirmation of a new area."""
    lines = [f":clipboard: <@{actor}> added the plan area *{escape(area_title(area))}* to {board.code}, led by "
             f"{_lead(area, SLACK)}."]  # fmt: skip
    if area.recommendation:
        lines.append(f"Recommendation: _{escape_prose(truncate(area.recommendation, 1000))}_")
    lines.append(f"Actions join it with `area {escape(area.short_name)}` in `/action add`.")
    return Message(text=f"Plan area {area.short_name} added to {board.code}", blocks=[section("\n".join(lines))])


def rag_changed(changed: RagChanged, actor: str) -> Message:
    """The channel's confirmation of an area's new RAG, with the rating it replaced and the reason."""
    area = changed.area
    was = f" (was {rag_word(changed.rag_from)})" if changed.rag_from else ""
    text = f"<@{actor}> rated plan area *{escape(area.short_name)}* {_rag(area.rag, SLACK)}{was}"
    if area.rag_reason:
        text += f": {escape_prose(truncate(area.rag_reason, 1500))}"
    return Message(text=f"{area.short_name} rated {rag_word(area.rag)}", blocks=[section(text)])


def lead_changed(changed: LeadChanged, actor: str) -> Message:
    """The channel's confirmation of an area's new lead, with the lead it replaced."""
    area = changed.area
    before = changed.lead_from
    was = f" (was {escape(lead_label_of(before))})" if before is not None else ""
    name = escape(area.short_name)
    text = f":busts_in_silhouette: <@{actor}> made {_lead(area, SLACK)} the lead of plan area *{name}*{was}."
    return Message(text=f"{area.short_name} has a new lead", blocks=[section(text)])


def lead_label_of(member: Member) -> str:
    """`JS (Jacqui Schofield)` or `JS`."""
    return f"{member.initials} ({member.name})" if member.name else member.initials


def area_removed(board: Board, removed: AreaRemoved, actor: str) -> Message:
    """The channel's confirmation that an area left the plan, and what became of its closed priorities."""
    area = removed.area
    lines = [
        f":wastebasket: <@{actor}> removed plan area *{escape(area_title(area))}* from {board.code}'s improvement "
        "plan. Its ratings and history are kept."
    ]
    n = removed.closed_unlinked
    if n == 1:
        lines.append("The closed action that was its priority is no longer in an area; its history says so.")
    elif n > 1:
        lines.append(
            f"The {n} closed actions that were its priorities are no longer in an area; their history says so."
        )
    return Message(text=f"Plan area {area.short_name} removed from {board.code}", blocks=[section("\n".join(lines))])


def action_moved(moved: ActionMoved, actor: str) -> Message:
    """The channel's confirmation that an action joined (or left) an area."""
    ref = ref_of(moved.action)
    if moved.to_area is None:
        left = moved.from_area.short_name if moved.from_area else ""
        text = f"<@{actor}> took {ref} out of plan area *{escape(left)}*."
    else:
        text = f"<@{actor}> moved {ref} into plan area *{escape(moved.to_area.short_name)}*"
        if moved.from_area is not None:
            text += f" (from {escape(moved.from_area.short_name)})"
        text += "."
    return Message(text=f"{ref} moved", blocks=[section(text)])


def joined_area(area: PlanArea) -> Message:
    """Said privately after `/action add … area X`: which area the new action is a priority of."""
    return Message(
        text=f"It is a priority of plan area {area.short_name}.",
        blocks=[context(f"It is a priority of plan area *{escape(area.short_name)}*.")],
    )


def areas_list(board: Board, report: PlanReport) -> Message:
    """`/plan areas`: every area with its lead, ratings and number of open priorities."""
    if not report.areas:
        return Message(
            text=f"{board.code} has no plan areas yet.",
            blocks=[section(f"{board.code} has no improvement plan areas yet.")],
        )
    lines = [f"*{escape(board.name)}: improvement plan* ({len(report.areas)} areas)", glance_since(report)]
    lines += [glance_line(s, SLACK) for s in report.areas]
    return Message(text=f"{board.code} plan areas", blocks=pack_lines(lines, max_blocks=MAX_BLOCKS))


def area_detail(report: PlanReport, status: AreaStatus) -> Message:
    """`/plan show <area>`: the area's lead, recommendation, ratings by period, priorities, evidence and risks."""
    area = status.area
    blocks: list[Block] = [header(f"{report.board.code} plan: {area_title(area)}")]
    top = [f"Lead: {_lead(area, SLACK)}", f"RAG: {change_text(status, SLACK)} {glance_since(report)}"]
    if area.rag_reason:
        top.append(f"Why: {escape_prose(truncate(area.rag_reason, 1000))}")
    if area.recommendation:
        top.append(f"Recommendation: _{escape_prose(truncate(area.recommendation, 1000))}_")
    if status.history:
        closes = [f"{short_date(at.date(), report.today)}: {rag_word(rag)}" for at, rag in status.history]
        top.append("At each meeting: " + " · ".join(closes))
    blocks.append(section("\n".join(top)))
    for title, lines in exception_lists(status, report.today, SLACK, priorities_title="Priorities"):
        blocks += pack_lines([f"*{title}*", *lines], max_blocks=6)
    return Message(text=f"{report.board.code} plan area {area.short_name}", blocks=blocks[:MAX_BLOCKS])


# --- "RAG at a glance" and exception entries -------------------------------------------------------------


def glance_since(report: PlanReport) -> str:
    """`(since the meeting of 18 Nov)` or `(no meeting held yet)`."""
    if report.since is None:
        return "(no meeting held yet)"
    day = report.since.date()
    return f"(since the meeting of {short_date(day, report.today)})"


def glance_line(status: AreaStatus, markup: Markup) -> str:
    """`• MASH · lead JS · Amber → Red ↓`, flagged when progress is claimed without evidence."""
    flag = " · progress claimed without evidence" if status.flagged else ""
    return (
        f"{markup.bullet} {markup.bold(markup.text(status.area.short_name))} · lead {_lead(status.area, markup)} · "
        f"{change_text(status, markup)}{flag}"
    )


def _priority_line(p: Priority, today: date, markup: Markup) -> str:
    bits = [f"target {target_text(p.action, today)}"]
    if p.days_overdue:
        bits.append(f"passed {days_phrase(p.days_overdue)} ago")
    if p.rag:
        was = f" (was {rag_word(p.previous_rag)})" if p.previous_rag not in (None, p.rag) else ""
        bits.append(rag_word(p.rag) + was)
    return f"{markup.bullet} {ref_of(p.action)} {markup.text(truncate(p.action.text, 200))} — " + ", ".join(bits)


def _more(lines: list[str], markup: Markup) -> list[str]:
    if len(lines) <= SHOWN_PER_LIST:
        return lines
    return [*lines[:SHOWN_PER_LIST], markup.italic(f"…and {len(lines) - SHOWN_PER_LIST} more")]


def exception_lists(
    status: AreaStatus, today: date, markup: Markup, *, priorities_title: str = "Priorities and target dates"
) -> list[tuple[str, list[str]]]:
    """The titled lists of an exception entry: key developments, key risks, priorities, unbacked claims."""
    developments = [
        f"{markup.bullet} {ref_of(d.action)} {markup.text(truncate(d.note, 300))} — "
        f"{markup.italic('evidence: ' + markup.text(truncate(d.evidence, 300)))}"
        for d in status.developments
    ]
    risks = []
    for r in status.risks:
        why = []
        if r.days_overdue:
            why.append(f"target {target_text(r.action, today)} passed {days_phrase(r.days_overdue)} ago")
        if r.red:
            why.append("rated Red")
        head = f"{markup.bullet} {ref_of(r.action)} {markup.text(truncate(r.action.text, 200))}"
        risks.append(f"{head} — " + ", ".join(why))
    if status.direction == "worse":
        fell = f"{markup.bullet} The area's rating fell: {rag_word(status.previous_rag)} → {rag_word(status.rag)}"
        if status.area.rag_reason:
            fell += f": {markup.text(truncate(status.area.rag_reason, 300))}"
        risks.insert(0, fell)
    claims = [
        f"{markup.bullet} {ref_of(c.action)} {markup.text(truncate(c.note, 300))} (no evidence)" for c in status.claims
    ]
    if status.improved_without_evidence:
        claims.insert(0, f"{markup.bullet} Rated {rag_word(status.rag)} from {rag_word(status.previous_rag)} with no "
                         "evidence recorded this period")  # fmt: skip
    out = [
        ("Key developments", _more(developments, markup) or ["None with evidence this period."]),
        ("Key risks", _more(risks, markup) or ["None recorded."]),
        (priorities_title, _more([_priority_line(p, today, markup) for p in status.priorities], markup)
         or ["No open priorities."]),
    ]  # fmt: skip
    if claims:
        out.append(("Progress claimed without evidence", _more(claims, markup)))
    return out


def exception_title(status: AreaStatus) -> str:
    """`Exception report – MASH`."""
    return f"Exception report – {area_title(status.area)}"


def _exception_head(status: AreaStatus, markup: Markup) -> str:
    flag = " :warning:" if status.flagged and markup.emoji else ""
    return (
        f"{markup.bold(markup.text(exception_title(status)))}{flag}\nLead {_lead(status.area, markup)} · "
        f"{change_text(status, markup)}"
    )


def glance_blocks(report: PlanReport) -> list[Block]:
    """ "RAG at a glance" for the summary's first message: one line per area, at most three sections."""
    lines = [f"*RAG at a glance* {glance_since(report)}", *[glance_line(s, SLACK) for s in report.areas]]
    exceptions = report.exceptions
    if exceptions:
        names = ", ".join(escape(s.area.short_name) for s in exceptions)
        lines.append(f"_Exception reports ({len(exceptions)}): {names}._")
    else:
        lines.append("_No area needs an exception report this period._")
    return pack_lines(lines, max_blocks=3, more_label="more areas")


def exception_blocks(report: PlanReport) -> list[Block]:
    """Every exception entry as blocks: each entry's head, then its lists (at most 3 sections a list)."""
    blocks: list[Block] = []
    for status in report.exceptions:
        blocks.append(section(_exception_head(status, SLACK)))
        for title, lines in exception_lists(status, report.today, SLACK):
            blocks += pack_lines([f"*{title}*", *lines], max_blocks=3)
    return blocks


def exception_messages(report: PlanReport, title: str) -> list[Message]:
    """The exception entries as messages of at most 50 blocks each (for the summary's thread)."""
    blocks = exception_blocks(report)
    return [
        Message(text=f"{title}: exception reports", blocks=blocks[start : start + MAX_BLOCKS])
        for start in range(0, len(blocks), MAX_BLOCKS)
    ]


def summary_blocks(report: PlanReport, title: str, *, room: int) -> tuple[list[Block], list[Message]]:
    """The plan's part of the summary: RAG at a glance in the first message, and the exception entries
    after it when they fit in `room` blocks, else in messages of their own for its thread."""
    glance = glance_blocks(report)
    entries = exception_blocks(report)
    if len(glance) + len(entries) <= room:
        return glance + entries, []
    return glance, exception_messages(report, title)


def summary_text(report: PlanReport, *, markdown: bool) -> list[str]:
    """The plan sections of the summary as text or Markdown lines: RAG at a glance, then each exception entry."""
    markup = MARKDOWN if markdown else PLAIN
    out = ["", f"## RAG at a glance {glance_since(report)}" if markdown else f"RAG at a glance {glance_since(report)}"]
    out += [glance_line(s, markup) for s in report.areas]
    for status in report.exceptions:
        out += ["", f"## {exception_title(status)}" if markdown else exception_title(status)]
        out.append(f"Lead {lead_label(status.area)} · {change_text(status, markup)}")
        for title, lines in exception_lists(status, report.today, markup):
            out += [markup.bold(title), *lines]
    return out


def summary_json(report: PlanReport) -> dict[str, object]:
    """The plan in the summary's JSON: each area's ratings, and which have exception entries."""

    def refs(actions: Sequence[Action]) -> list[str]:
        return [ref_of(a) for a in actions]

    return {
        "since": report.since.isoformat() if report.since else None,
        "areas": [
            {
                "area": s.area.short_name,
                "name": s.area.name,
                "lead": lead_label(s.area),
                "previous_rag": s.previous_rag,
                "rag": s.rag,
                "direction": s.direction,
                "exception": s.is_exception,
                "flagged": s.flagged,
                "developments": refs([d.action for d in s.developments]),
                "risks": refs([r.action for r in s.risks]),
                "priorities": refs([p.action for p in s.priorities]),
            }
            for s in report.areas
        ],
    }
