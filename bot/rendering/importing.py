"""What an import says: the preview (what would be created), the result, and the JSON of the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.rendering.message import Message, context, pack_lines, section
from bot.services.importing import ImportPlan, ImportResult, PlannedAction
from bot.text import escape, plural, truncate

PREVIEW_TEXT_LIMIT = 160


def _due(planned: PlannedAction) -> str | None:
    due = planned.candidate.due
    if due is None or due.kind.value == "tbc":
        return None
    if due.kind.value == "next_meeting":
        return "next meeting"
    return due.date.isoformat() if due.date else None


def as_json_objects(plan: ImportPlan) -> list[dict[str, Any]]:
    """One object per action the import creates, in the issue's shape."""
    return [
        {
            "ref": a.candidate.ref,
            "text": a.candidate.text,
            "owners": a.owner_labels(),
            "due": _due(a),
            "status": "open" if a.candidate.status == "open" else "done",
            "rag": a.candidate.rag,
        }
        for a in plan.to_create
    ]


def as_json(plan: ImportPlan) -> str:
    """The JSON array `arising import --format json` prints."""
    return json.dumps(as_json_objects(plan), indent=2, ensure_ascii=False)


def _due_words(planned: PlannedAction) -> str:
    due = planned.candidate.due
    if due is None:
        return "no date"
    if due.kind.value == "tbc":
        return "date TBC"
    if due.kind.value == "next_meeting":
        return "next meeting"
    return f"due {due.date.strftime('%d/%m/%Y')}" if due.date else "no date"


def _plain(text: str) -> str:
    return text


def _owners_words(planned: PlannedAction, esc: Callable[[str], str]) -> str:
    parts = [m.initials for m in planned.members]
    parts += [f"{esc(n.name or n.role or n.initials)} (new member {n.initials})" for n in planned.new_members]
    if planned.everyone:
        parts.insert(0, "All (the board has no members yet)")
    return " & ".join(parts) or "no owner"


def _line(planned: PlannedAction, esc: Callable[[str], str] = _plain) -> str:
    """One action of a preview; `esc` escapes what came from the document (Slack), or not (CLI)."""
    c = planned.candidate
    ref = f"[{esc(c.ref)}] " if c.ref else ""
    extra = [c.status] if c.status != "open" else []
    if c.rag:
        extra.append(c.rag.upper())
    tail = f" ({', '.join(extra)})" if extra else ""
    text = esc(truncate(c.text, PREVIEW_TEXT_LIMIT))
    return f"line {c.line}: {ref}{_owners_words(planned, esc)} · {text} · {_due_words(planned)}{tail}"


def preview_lines(plan: ImportPlan) -> list[str]:
    """One mrkdwn line per action the import would create: line, owners, text, due date (escaped)."""
    return [_line(a, escape) for a in plan.to_create]


def as_text(plan: ImportPlan, *, dry_run: bool) -> str:
    """The CLI's report: every action, the new members and the duplicates left out."""
    verb = "would create" if dry_run else "created"
    lines = [
        f"{plan.source}: {plural(len(plan.actions), 'action')} found"
        + (f" ({', '.join(plan.layouts)})" if plan.layouts else "")
        + f"; {verb} {len(plan.to_create)} on {plan.board.code}"
        + (f", {len(plan.duplicates)} already on the log" if plan.duplicates else "")
    ]
    lines += [f"  {_line(a)}" for a in plan.to_create]
    if plan.new_members:
        added = "would be added" if dry_run else "added"
        lines.append(f"Not members of {plan.board.code} yet, {added} without Slack:")
        lines += [f"  {n.initials}: {n.name or n.role or n.written}" for n in plan.new_members]
    if plan.duplicates:
        lines.append("Already on the log, not created again:")
        lines += [f"  {plan.board.code}-{a.duplicate_of}: {truncate(a.candidate.text, 100)}" for a in plan.duplicates]
    areas = list(dict.fromkeys(a.candidate.area.name for a in plan.to_create if a.candidate.area))
    if areas:
        lines.append(f"Improvement plan areas: {', '.join(areas)}")
    if not plan.to_create and plan.actions:
        lines.append("Nothing new: this document has been imported already.")
    return "\n".join(lines) + "\n"


def preview(plan: ImportPlan, draft_id: int) -> Message:
    """The private preview of pasted minutes, with how to confirm."""
    code = plan.board.code
    if not plan.actions:
        text = (
            "I found no actions in that text. I read lines such as `Action: AF to …`, `AF & EA to … by 15/12`, "
            "owners after the sentence (`… **AF**`), and tables with an Action column."
        )
        return Message(text=text, blocks=[section(f":mag: {text}")])
    head = f":mag: *{plural(len(plan.actions), 'action')}* found for *{code}*: {len(plan.to_create)} new" + (
        f", {len(plan.duplicates)} already on the log" if plan.duplicates else ""
    )
    blocks = [section(head)]
    blocks += pack_lines(preview_lines(plan), max_blocks=40)
    if plan.new_members:
        names = ", ".join(f"{escape(n.name or n.role or n.written)} ({n.initials})" for n in plan.new_members)
        blocks.append(section(f":bust_in_silhouette: Not members yet, added without Slack when you confirm: {names}"))
    if plan.to_create:
        blocks.append(context(f"Nothing is saved yet. To create these, run `/action import confirm {draft_id}`."))
    else:
        blocks.append(context("Nothing new: these minutes have been imported already."))
    return Message(text=f"{len(plan.to_create)} new actions found for {code}", blocks=blocks[:50])


def imported(result: ImportResult) -> Message:
    """The board's confirmation of an import."""
    plan = result.plan
    code = plan.board.code
    if not result.created:
        text = f"Nothing new from {escape(plan.source)}: its actions are already on the {code} log."
        return Message(text=text, blocks=[section(text)])
    refs = ", ".join(f"{code}-{a.number}" for a in result.created)
    count = plural(len(result.created), "action")
    head = f":inbox_tray: Imported {count} into {code} from _{escape(plan.source)}_: {refs}"
    blocks = [section(head)]
    if result.members_added:
        names = ", ".join(f"{escape(m.name or m.role or m.initials)} ({m.initials})" for m in result.members_added)
        blocks.append(context(f"Added as members without Slack: {names}"))
    if result.areas_added:
        names = ", ".join(f"{escape(a.name)} (`{escape(a.short_name)}`)" for a in result.areas_added)
        blocks.append(context(f"Improvement plan areas added: {names}"))
    if plan.duplicates:
        blocks.append(context(f"{plural(len(plan.duplicates), 'action')} already on the log, not created again."))
    return Message(text=f"Imported {len(result.created)} actions into {code}", blocks=blocks)
