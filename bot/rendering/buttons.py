"""The buttons shown under an action wherever it is listed: Done, Add update, Change date, Snooze a week.

A button row's block_id says where it is shown (`buttons:<origin>:<ref>`), so a click can refresh the
message or view it came from; each button's value is the action's reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, SectionBlock

from bot.rendering.formatting import ref_of
from bot.rendering.message import section
from storage.models import Action

DONE = "action_done"
UPDATE = "action_update"
REDATE = "action_redate"
SNOOZE = "action_snooze"
BUTTONS = (DONE, UPDATE, REDATE, SNOOZE)
SNOOZE_DAYS = 7
# Where a list of actions is shown, so a click refreshes it.
MINE, SHOW, CHASER, REMINDER, HOME = "mine", "show", "chaser", "reminder", "home"
ORIGINS = (MINE, SHOW, CHASER, REMINDER, HOME)


@dataclass(frozen=True)
class ButtonsAt:
    """What a button row's block_id says: where it is shown and which action it is for."""

    origin: str
    ref: str


def buttons_block_id(origin: str, ref: str) -> str:
    """`buttons:mine:SSCB-4`."""
    return f"buttons:{origin}:{ref}"


def line_block_id(origin: str, ref: str) -> str:
    """The block_id of the action's line above its buttons."""
    return f"line:{origin}:{ref}"


def read_block_id(block_id: str) -> ButtonsAt | None:
    """The origin and reference a button row's block_id carries; None for any other block."""
    parts = block_id.split(":")
    if len(parts) != 3 or parts[0] != "buttons" or parts[1] not in ORIGINS:
        return None
    return ButtonsAt(origin=parts[1], ref=parts[2])


def refs_in(blocks: Sequence[dict[str, object]]) -> list[str]:
    """The references of every action with buttons in a message's blocks, in order."""
    found = [read_block_id(str(b.get("block_id") or "")) for b in blocks]
    return [f.ref for f in found if f is not None]


def action_buttons(action: Action, origin: str) -> ActionsBlock:
    """The buttons for one open action."""
    ref = ref_of(action)
    elements = [
        ButtonElement(text="Done", action_id=DONE, value=ref, style="primary"),
        ButtonElement(text="Add update", action_id=UPDATE, value=ref),
        ButtonElement(text="Change date", action_id=REDATE, value=ref),
    ]
    if action.due_date is not None:
        # Snoozing pauses chasers and overdue reminders, which only dated actions get.
        elements.append(ButtonElement(text="Snooze a week", action_id=SNOOZE, value=ref))
    return ActionsBlock(block_id=buttons_block_id(origin, ref), elements=elements)


def action_row(action: Action, line: str, origin: str) -> list[Block]:
    """An action's line (mrkdwn), and its buttons while it is open (a closed action says so in its line)."""
    block = section(line)
    assert isinstance(block, SectionBlock)
    block.block_id = line_block_id(origin, ref_of(action))
    if action.status != "open":
        return [block]
    return [block, action_buttons(action, origin)]
