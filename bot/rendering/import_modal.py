"""The `/action import` modal: paste minutes, preview what would be created, import. Pure: no queries.

Three steps in one modal: the edit view (a text area and an optional meeting date), the preview (the actions,
owners, dates and names not yet members, as the paste preview shows them) with Import and Back, and the
result. Modals hold at most 100 blocks and a section 3000 characters; `pack_lines` keeps within both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DatePickerElement,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot.rendering.importing import preview_lines
from bot.rendering.message import context, pack_lines, section
from bot.services.importing import ImportPlan, ImportResult
from bot.text import escape, plural

EDIT_CALLBACK = "import_minutes"
PREVIEW_CALLBACK = "import_preview"
BACK_ACTION = "import_back"
MINUTES_BLOCK, MINUTES_ACTION = "minutes", "text"
MEETING_BLOCK, MEETING_ACTION = "meeting", "date"
MAX_MODAL_BLOCKS = 100
# Slack's limit for a plain-text input, and for a view's private_metadata.
MAX_PASTE = 3000
TITLE = "Import minutes"


@dataclass(frozen=True)
class ModalState:
    """What the modal carries from step to step in its private_metadata (ids only, never minutes)."""

    channel_id: str
    code: str | None = None
    draft_id: int | None = None

    def dump(self) -> str:
        """The private_metadata string."""
        return json.dumps({"channel": self.channel_id, "code": self.code, "draft": self.draft_id})

    @classmethod
    def load(cls, metadata: str) -> ModalState:
        """Read private_metadata back; ValueError when it is not ours."""
        data = json.loads(metadata or "{}")
        if not isinstance(data, dict) or not isinstance(data.get("channel"), str):
            raise ValueError("not an import modal")
        draft = data.get("draft")
        return cls(data["channel"], data.get("code"), int(draft) if draft is not None else None)


def _view(blocks: list[Block], state: ModalState, **options: Any) -> dict[str, Any]:
    view = View(
        type="modal",
        title=PlainTextObject(text=TITLE),
        blocks=blocks[:MAX_MODAL_BLOCKS],
        private_metadata=state.dump(),
        **options,
    )
    return view.to_dict()


def edit_view(state: ModalState, *, text: str = "", meeting: date | None = None) -> dict[str, Any]:
    """Step 1: the text area for the minutes (prefilled when coming back) and the meeting's date."""
    minutes = PlainTextInputElement(
        action_id=MINUTES_ACTION,
        multiline=True,
        max_length=MAX_PASTE,
        initial_value=text[:MAX_PASTE] or None,
        placeholder="Action: AF to circulate the audit by 15/12/2026 …",
    )
    picker = DatePickerElement(
        action_id=MEETING_ACTION, initial_date=meeting.isoformat() if meeting else None, placeholder="Meeting date"
    )
    blocks: list[Block] = [
        section(
            "Paste the minutes, or the rows of an action log. I'll show you the actions I find, their owners "
            "and due dates before anything is saved. Longer than 3,000 characters? Share the file (.docx, .txt, "
            ".md, .csv, .xlsx) in the board's channel with the message `import`."
        ),
        InputBlock(block_id=MINUTES_BLOCK, label="Minutes", element=minutes),
        InputBlock(
            block_id=MEETING_BLOCK,
            label="Meeting date",
            element=picker,
            optional=True,
            hint="Dates such as “next month” or “Oct-20” are read from this day; today if left empty.",
        ),
    ]
    return _view(blocks, state, callback_id=EDIT_CALLBACK, submit="Preview", close="Cancel")


def working_view(state: ModalState, note: str) -> dict[str, Any]:
    """A step in progress (`Reading the minutes…`): shown at once, replaced when the work is done."""
    return _view([section(f":hourglass_flowing_sand: {note}")], state, close="Close")


def _back() -> ActionsBlock:
    return ActionsBlock(elements=[ButtonElement(text="Back", action_id=BACK_ACTION, value="back")])


def preview_view(plan: ImportPlan, state: ModalState) -> dict[str, Any]:
    """Step 2: exactly what the import would create, and Import (when there is anything new) or Back."""
    code = plan.board.code
    if not plan.actions:
        text = (
            "I found no actions in that text. I read lines such as `Action: AF to …`, `AF & EA to … by 15/12`, "
            "owners after the sentence (`… **AF**`), and tables with an Action column."
        )
        return _view([section(f":mag: {text}"), _back()], state, close="Cancel")
    head = f":mag: *{plural(len(plan.actions), 'action')}* found for *{code}*: {len(plan.to_create)} new" + (
        f", {len(plan.duplicates)} already on the log" if plan.duplicates else ""
    )
    tail: list[Block] = []
    if plan.new_members:
        names = ", ".join(f"{escape(n.name or n.role or n.written)} ({n.initials})" for n in plan.new_members)
        tail.append(section(f":bust_in_silhouette: Not members yet, added without Slack when you import: {names}"))
    if plan.to_create:
        tail.append(context("Nothing is saved until you press Import."))
    else:
        tail.append(context("Nothing new: these minutes have been imported already."))
    tail.append(_back())
    room = MAX_MODAL_BLOCKS - 1 - len(tail)
    blocks: list[Block] = [section(head), *pack_lines(preview_lines(plan), max_blocks=room), *tail]
    options: dict[str, Any] = {"close": "Cancel"}
    if plan.to_create:
        options.update(callback_id=PREVIEW_CALLBACK, submit="Import")
    return _view(blocks, state, **options)


def problem_view(state: ModalState, message: str, *, can_go_back: bool) -> dict[str, Any]:
    """A step that could not be done, why, and (when editing can help) Back."""
    blocks: list[Block] = [section(f":warning: {message}")]
    if can_go_back:
        blocks.append(_back())
    return _view(blocks, state, close="Close")


def done_view(result: ImportResult, state: ModalState) -> dict[str, Any]:
    """Step 3: what was imported (the board's channel is told too)."""
    plan = result.plan
    code = plan.board.code
    if result.created:
        refs = ", ".join(f"{code}-{a.number}" for a in result.created)
        text = f":inbox_tray: Imported {plural(len(result.created), 'action')} into {code}: {refs}"
    else:
        text = f"Nothing new: these actions are already on the {code} log."
    blocks: list[Block] = [section(text)]
    if result.members_added:
        names = ", ".join(f"{escape(m.name or m.role or m.initials)} ({m.initials})" for m in result.members_added)
        blocks.append(context(f"Added as members without Slack: {names}"))
    return _view(blocks, state, close="Done")
