"""`pack_lines` and `Message`: long lists fit Slack's limits and say "and N more" with the right N."""

from __future__ import annotations

import re

import pytest

from bot.rendering.message import MAX_BLOCKS, Message, header, pack_lines, section
from tests.fakeslack import MAX_SECTION, limit_problems

NOTE = re.compile(r"^_…and (\d+) (.+)_$")


def texts(blocks) -> list[str]:
    """The mrkdwn of each section block."""
    return [b.to_dict()["text"]["text"] for b in blocks]


def shown_lines(blocks) -> list[str]:
    """Every line shown, without the "and N more" note."""
    return [line for text in texts(blocks) for line in text.split("\n") if not NOTE.match(line)]


def more_count(blocks) -> int | None:
    """N of the "…and N more" note, None when there is none."""
    notes = [m for text in texts(blocks) for line in text.split("\n") if (m := NOTE.match(line))]
    assert len(notes) <= 1
    return int(notes[0].group(1)) if notes else None


def numbered(count: int, width: int) -> list[str]:
    """`count` distinct lines of exactly `width` characters."""
    return [f"{n:05d} " + "x" * (width - 6) for n in range(count)]


def test_a_short_list_is_one_section_without_a_note():
    lines = ["*SSCB-1* circulate the report", "*SSCB-2* review thresholds"]

    blocks = pack_lines(lines, max_blocks=10)

    assert texts(blocks) == ["*SSCB-1* circulate the report\n*SSCB-2* review thresholds"]


def test_an_empty_list_gives_no_blocks():
    assert pack_lines([], max_blocks=10) == []


def test_no_room_gives_no_blocks():
    assert pack_lines(["a line"], max_blocks=0) == []


def test_lines_that_fit_the_block_budget_are_all_shown_in_sections_under_3000_characters():
    lines = numbered(100, 200)  # 20,000 characters: several sections

    blocks = pack_lines(lines, max_blocks=20)

    assert len(blocks) > 1
    assert all(len(t) <= MAX_SECTION for t in texts(blocks))
    assert shown_lines(blocks) == lines
    assert more_count(blocks) is None


def test_lines_keep_their_order_and_are_never_split_across_sections():
    lines = numbered(60, 450)

    blocks = pack_lines(lines, max_blocks=50)

    assert shown_lines(blocks) == lines
    assert all(len(line) == 450 for line in shown_lines(blocks))


@pytest.mark.parametrize(
    ("count", "width", "max_blocks"), [(500, 200, 10), (200, 700, 5), (2000, 90, 49), (50, 2990, 3), (50, 10_000, 3)]
)
def test_beyond_the_block_budget_the_last_section_says_and_n_more_with_the_right_n(count, width, max_blocks):
    lines = numbered(count, width)

    blocks = pack_lines(lines, max_blocks=max_blocks)

    assert len(blocks) == max_blocks
    assert all(len(t) <= MAX_SECTION for t in texts(blocks))
    shown = shown_lines(blocks)
    # The first lines, in order (a line longer than a section is shown cut short).
    assert [s[:5] for s in shown] == [f"{n:05d}" for n in range(len(shown))]
    assert more_count(blocks) == count - len(shown)
    assert texts(blocks)[-1].endswith(f"_…and {count - len(shown)} more_")


def test_the_note_uses_the_given_label():
    blocks = pack_lines(numbered(300, 200), max_blocks=2, more_label="more members")

    assert re.search(r"_…and \d+ more members_$", texts(blocks)[-1])


def test_a_long_label_still_keeps_the_last_section_under_3000_characters():
    lines = numbered(100, 100)

    blocks = pack_lines(lines, max_blocks=1, more_label="more " + "very " * 30 + "long label")

    [text] = texts(blocks)
    assert len(text) <= MAX_SECTION
    assert more_count(blocks) == 100 - len(shown_lines(blocks))
    assert text.endswith("_")  # the note is whole, not cut off by the section limit


def test_a_line_longer_than_a_section_is_cut_with_an_ellipsis():
    blocks = pack_lines(["y" * 10_000], max_blocks=5)

    [text] = texts(blocks)
    assert len(text) <= MAX_SECTION
    assert text.endswith("…")


def test_one_block_of_one_huge_line_and_more_lines_counts_the_rest():
    blocks = pack_lines(["y" * 10_000, "second", "third"], max_blocks=1)

    [text] = texts(blocks)
    assert len(text) <= MAX_SECTION
    assert more_count(blocks) == 3 - len(shown_lines(blocks))


def test_a_message_of_packed_sections_passes_slacks_limits():
    blocks = [header("H" * 400), *pack_lines(numbered(2000, 150), max_blocks=MAX_BLOCKS - 1)]

    payload = Message(text="t" * 50_000, blocks=blocks).payload()

    assert limit_problems(payload) == []
    assert len(payload["blocks"]) == MAX_BLOCKS


def test_section_and_header_cut_overlong_text():
    assert len(section("s" * 5000).to_dict()["text"]["text"]) == 3000
    assert len(header("h" * 500).to_dict()["text"]["text"]) == 150
