"""Modals: log an action, add an update, change a date; and the states a modal passes through.

Pure builders of `slack_sdk.models.views.View` dicts (`to_dict()` checks Slack's limits). Block and
action ids are the names the handlers read the submitted values by.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.rendering.message import MAX_CONTEXT_TEXT, section
from bot.text import MAX_ACTION_TEXT, escape, truncate

LOG_ACTION = "log_action"
ADD_UPDATE = "add_update"
CHANGE_DATE = "change_date"
# Block ids (each input's action id is the same word).
BOARD, WHAT, OWNERS, OTHERS, DUE_DATE, DUE_NEXT, RAG = (
    "board",
    "what",
    "owners",
    "others",
    "due_date",
    "due_next",
    "rag",
)
PROGRESS, EVIDENCE, REASON = "progress", "evidence", "reason"
NEXT_MEETING = "next_meeting"
MAX_OPTIONS = 100
MAX_METADATA = 3000
_RAG_OPTIONS = [
    ("red", ":red_circle: Red"),
    ("amber", ":large_orange_circle: Amber"),
    ("green", ":large_green_circle: Green"),
]


@dataclass(frozen=True)
class Choice:
    """One option of a select: what is sent back, and what is shown."""

    value: str
    label: str


@dataclass
class LogForm:
    """What the log-action modal shows: its choices (None while not yet loaded) and its values."""

    metadata: Mapping[str, Any]
    boards: Sequence[Choice] | None = None
    board: str | None = None
    text: str = ""
    user_ids: Sequence[str] = ()
    others: Sequence[Choice] = ()
    chosen_others: Sequence[str] = ()
    due: date | None = None
    next_meeting: bool = False
    rag: str | None = None
    # block id -> what is wrong there, shown under the field; "" -> above the form
    errors: dict[str, str] = field(default_factory=dict)
    note: str | None = None


def metadata(data: Mapping[str, Any]) -> str:
    """The modal's private_metadata: compact JSON, at most Slack's 3000 characters (the long parts dropped)."""
    text = json.dumps(data, separators=(",", ":"))
    if len(text) <= MAX_METADATA:
        return text
    # Too long: first without the list of references a redraw uses, then without where it came from.
    slim = {**data, "origin": {k: v for k, v in dict(data.get("origin") or {}).items() if k != "refs"}}
    for candidate in (slim, {k: v for k, v in data.items() if k not in ("origin", "source")}):
        text = json.dumps(candidate, separators=(",", ":"))
        if len(text) <= MAX_METADATA:
            return text
    return "{}"


def read_metadata(text: str | None) -> dict[str, Any]:
    """The private_metadata a modal was opened with (empty when absent or unreadable)."""
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _option(choice: Choice) -> Option:
    return Option(value=choice.value, text=PlainTextObject(text=truncate(choice.label, 75)))


def _error_under(errors: Mapping[str, str], block_id: str) -> list[Block]:
    if block_id not in errors:
        return []
    text = truncate(f":warning: {errors[block_id]}", MAX_CONTEXT_TEXT)
    return [ContextBlock(block_id=f"{block_id}_error", elements=[MarkdownTextObject(text=text)])]


def _modal(callback_id: str, title: str, blocks: list[Block], meta: str, submit: str | None) -> dict[str, Any]:
    return View(
        type="modal",
        callback_id=callback_id,
        title=PlainTextObject(text=title),
        submit=PlainTextObject(text=submit) if submit else None,
        close=PlainTextObject(text="Cancel" if submit else "Close"),
        blocks=blocks,
        private_metadata=meta,
    ).to_dict()


def log_action_modal(form: LogForm) -> dict[str, Any]:
    """The form to log an action: board, what, owners (Slack users and members without Slack), due date
    (a date or the next meeting) and an optional RAG. Errors show under the field they are about."""
    blocks: list[Block] = []
    if "" in form.errors:
        blocks.append(section(f":warning: {form.errors['']}"))
    if form.note:
        blocks.append(section(form.note))
    if form.boards is None:
        blocks.append(
            SectionBlock(block_id="board_loading", text=MarkdownTextObject(text="*Board*\n_Finding your boards…_"))
        )
    elif form.boards:
        options = [_option(c) for c in form.boards[:MAX_OPTIONS]]
        initial = next((o for o, c in zip(options, form.boards, strict=False) if c.value == form.board), None)
        blocks.append(
            InputBlock(
                block_id=BOARD,
                label="Board",
                element=StaticSelectElement(
                    action_id=BOARD, placeholder="Choose the board", options=options, initial_option=initial
                ),
            )
        )
    blocks += _error_under(form.errors, BOARD)
    blocks.append(
        InputBlock(
            block_id=WHAT,
            label="What is to be done",
            element=PlainTextInputElement(
                action_id=WHAT,
                multiline=True,
                max_length=MAX_ACTION_TEXT,
                initial_value=form.text[:MAX_ACTION_TEXT] or None,
                placeholder="e.g. Circulate the audit report to partners",
            ),
        )
    )
    blocks += _error_under(form.errors, WHAT)
    blocks.append(
        InputBlock(
            block_id=OWNERS,
            label="Owners",
            optional=True,
            hint="Leave empty to read owners from the text (e.g. 'AF & EA to …'), or to own it yourself.",
            element=UserMultiSelectElement(
                action_id=OWNERS, placeholder="Board members on Slack", initial_users=list(form.user_ids) or None
            ),
        )
    )
    blocks += _error_under(form.errors, OWNERS)
    if form.others:
        options = [_option(c) for c in form.others[:MAX_OPTIONS]]
        chosen = [o for o, c in zip(options, form.others, strict=False) if c.value in form.chosen_others]
        blocks.append(
            InputBlock(
                block_id=OTHERS,
                label="Owners without Slack",
                optional=True,
                element=StaticMultiSelectElement(
                    action_id=OTHERS,
                    placeholder="Members without Slack",
                    options=options,
                    initial_options=chosen or None,
                ),
            )
        )
    blocks += _error_under(form.errors, OTHERS)
    blocks += _due_inputs(form.due, form.next_meeting, form.errors)
    blocks.append(_rag_input("No rating yet", form.rag))
    return _modal(LOG_ACTION, "Log an action", blocks, metadata(form.metadata), "Log it")


def _due_inputs(due: date | None, next_meeting: bool, errors: Mapping[str, str], optional: bool = True) -> list[Block]:
    next_option = Option(value=NEXT_MEETING, text=PlainTextObject(text="Due at the board's next meeting"))
    blocks: list[Block] = [
        InputBlock(
            block_id=DUE_DATE,
            label="Due date",
            optional=True,
            hint="Or tick 'next meeting' below." + (" Leave both empty to read it from the text." if optional else ""),
            element=DatePickerElement(action_id=DUE_DATE, initial_date=due.isoformat() if due else None),
        ),
        *_error_under(errors, DUE_DATE),
        InputBlock(
            block_id=DUE_NEXT,
            label="Next meeting",
            optional=True,
            element=CheckboxesElement(
                action_id=DUE_NEXT, options=[next_option], initial_options=[next_option] if next_meeting else None
            ),
        ),
    ]
    return blocks


def _about(block: Block) -> Block:
    # The action's line (filled in once the action is read) keeps its block id across views.update.
    block.block_id = "about"
    return block


def update_modal(
    ref: str,
    meta: Mapping[str, Any],
    *,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    about: str | None = None,
) -> dict[str, Any]:
    """Add an update: progress (required), a new RAG and evidence (optional); `about` is the action's line."""
    errors = errors or {}
    values = values or {}
    blocks: list[Block] = [_about(section(f"Progress on *{escape(ref)}*" + (f"\n{about}" if about else "")))]
    if "" in errors:
        blocks.append(section(f":warning: {errors['']}"))
    blocks += [
        InputBlock(
            block_id=PROGRESS,
            label="Progress",
            element=PlainTextInputElement(
                action_id=PROGRESS,
                multiline=True,
                max_length=MAX_ACTION_TEXT,
                initial_value=values.get(PROGRESS) or None,
            ),
        ),
        *_error_under(errors, PROGRESS),
        _rag_input("Unchanged", values.get(RAG)),
        InputBlock(
            block_id=EVIDENCE,
            label="Evidence",
            optional=True,
            hint="A sentence or a link to the document.",
            element=PlainTextInputElement(
                action_id=EVIDENCE, max_length=MAX_ACTION_TEXT, initial_value=values.get(EVIDENCE) or None
            ),
        ),
        *_error_under(errors, EVIDENCE),
    ]
    return _modal(ADD_UPDATE, "Add an update", blocks, metadata(meta), "Save update")


def redate_modal(
    ref: str,
    meta: Mapping[str, Any],
    *,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    about: str | None = None,
) -> dict[str, Any]:
    """Change the due date: a date or the next meeting, and the reason (kept in the history); `about` is the
    action's line."""
    errors = errors or {}
    values = values or {}
    due = date.fromisoformat(values[DUE_DATE]) if values.get(DUE_DATE) else None
    blocks: list[Block] = [_about(section(f"New due date for *{escape(ref)}*" + (f"\n{about}" if about else "")))]
    if "" in errors:
        blocks.append(section(f":warning: {errors['']}"))
    blocks += _due_inputs(due, bool(values.get(DUE_NEXT)), errors, optional=False)
    blocks += [
        InputBlock(
            block_id=REASON,
            label="Reason",
            optional=True,
            element=PlainTextInputElement(
                action_id=REASON, max_length=MAX_ACTION_TEXT, initial_value=values.get(REASON) or None
            ),
        ),
        *_error_under(errors, REASON),
    ]
    return _modal(CHANGE_DATE, "Change the due date", blocks, metadata(meta), "Change date")


def saving_view(callback_id: str, title: str, meta: Mapping[str, Any]) -> dict[str, Any]:
    """What a submitted modal shows while the work is done: nothing to submit, the result follows."""
    return _modal(callback_id, title, [section(":hourglass_flowing_sand: Saving…")], metadata(meta), None)


def result_view(callback_id: str, title: str, mrkdwn: str, meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The end of a modal: what was done (or why nothing was), and a Close button."""
    return _modal(callback_id, title, [section(mrkdwn)], metadata(meta or {}), None)


def _rag_input(placeholder: str, chosen: str | None) -> InputBlock:
    """The optional RAG select of the log and update forms, with `chosen` selected."""
    options = [_option(Choice(v, label)) for v, label in _RAG_OPTIONS]
    return InputBlock(
        block_id=RAG,
        label="RAG",
        optional=True,
        element=StaticSelectElement(
            action_id=RAG,
            placeholder=placeholder,
            options=options,
            initial_option=next((o for o in options if o.value == chosen), None),
        ),
    )
