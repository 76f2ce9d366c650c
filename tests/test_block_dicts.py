"""Block Kit objects turned into dicts by `block_dict` are exactly what slack_sdk's `to_dict` makes."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)

from bot.rendering.block_dicts import block_dict
from bot.rendering.buttons import CHASER
from bot.rendering.message import Message, context, header, pack_lines, section

BLOCKS = [
    section("*AB-1* · some text"),
    context("small print"),
    header("A header"),
    DividerBlock(),
    ActionsBlock(
        block_id="buttons:chaser:AB-1",
        elements=[
            ButtonElement(text="Done", action_id="action_done", value="AB-1", style="primary"),
            ButtonElement(text="Add update", action_id="action_update", value="AB-1"),
        ],
    ),
    InputBlock(
        label="Pick",
        element=StaticSelectElement(options=[Option(value="1", text="one")], placeholder="choose"),
        optional=True,
    ),
    SectionBlock(fields=["a", "b"], accessory=OverflowMenuElement(options=[Option(value="1", text="x")])),
    ContextBlock(elements=[MarkdownTextObject(text="x"), PlainTextObject(text="y", emoji=False)]),
]


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: type(b).__name__)
def test_a_block_dict_equals_slack_sdks_to_dict_with_the_same_key_order(block):
    expected = block.to_dict()
    got = block_dict(block)
    assert got == expected
    assert list(got) == list(expected)


def test_a_message_payload_equals_the_to_dict_of_each_block():
    blocks = [section("intro"), *pack_lines([f"line {n}" for n in range(400)], max_blocks=3), context("how to")]
    message = Message(text="fallback", blocks=blocks)
    assert message.payload() == {"text": "fallback", "blocks": [b.to_dict() for b in blocks]}


def test_a_block_over_slacks_limits_is_refused_as_slack_sdk_refuses_it():
    too_long = ButtonElement(text="x" * 76, action_id="action_done", value="AB-1")
    with pytest.raises(SlackObjectFormationError, match="75 characters"):
        block_dict(ActionsBlock(block_id=f"buttons:{CHASER}:AB-1", elements=[too_long]))
