"""The modal builders stay within Slack's limits whatever they are given (pure rendering)."""

from __future__ import annotations

from bot.rendering import views
from tests.fakeslack import view_problems


def test_log_form_with_many_boards_and_members_stays_within_limits():
    boards = [views.Choice(f"B{n}", f"B{n} · " + "Board " * 30) for n in range(250)]
    others = [views.Choice(str(n), f"M{n} · " + "Name " * 30) for n in range(250)]
    form = views.LogForm(
        metadata={"channel": "C1", "source": {"channel": "C1", "ts": "1.2"}},
        boards=boards,
        board="B3",
        text="x" * 5000,
        others=others,
        chosen_others=["1", "2"],
        errors={"": "e" * 4000, "what": "w" * 4000},
    )
    view = views.log_action_modal(form)
    assert view_problems(view) == []
    [board] = [b for b in view["blocks"] if b.get("block_id") == "board"]
    assert len(board["element"]["options"]) == 100 and board["element"]["initial_option"]["value"] == "B3"


def test_metadata_never_exceeds_slacks_limit():
    meta = {"ref": "SSCB-1", "origin": {"kind": "chaser", "refs": ["X" * 50] * 100, "response_url": "h" * 500}}
    assert len(views.metadata(meta)) <= 3000
    view = views.update_modal("SSCB-1", {"origin": {"refs": ["SSCB-1"] * 500}})
    assert view_problems(view) == []
