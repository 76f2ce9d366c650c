"""The labelled action lines (tests/data/action_lines.tsv) typed into `/action add` through the HTTP endpoint:
owners, task and due date as stored, and what the user is told."""

from __future__ import annotations

import pytest

from tests.action_lines_data import Line, due_right, expected_owners, load_lines, load_slack_names, seed_board
from tests.action_support import action_count, is_read_back, load_action, only_post, only_reply

LINES = load_lines()


@pytest.fixture
def line_board(slack, fake_slack, session_factory, clock):
    """Set up the board a line is typed on, its Slack users known to users.info by name."""

    def setup(line: Line) -> None:
        for user, name in load_slack_names()[line.board].items():
            fake_slack.add_user(user, name=name)
        with session_factory.begin() as session:
            seed_board(session, line.board, clock.now)

    return setup


def _typed(text: str) -> str:
    # Slack sends a typed `&` in command text as `&amp;`.
    return text.replace("&", "&amp;")


@pytest.mark.parametrize("line", LINES, ids=[f"{x.number:03d}-{x.board}" for x in LINES])
def test_action_line_is_stored_with_the_owners_it_names(slack, session_factory, line_board, line):
    line_board(line)

    calls = slack.command("/action", f"add {_typed(line.text)}", user=line.caller, channel=line.channel)

    if line.refused:
        reply = only_reply(calls)
        assert line.refusal in reply.text, reply.text
        assert action_count(session_factory) == 0
        return
    # How an interpreted due date was read is said back privately (tested with the date phrases).
    post = only_post([c for c in calls if not is_read_back(c)], channel=line.channel)
    action = load_action(session_factory, line.board, 1)
    all_members, initials = expected_owners(line)
    assert (action.all_members, sorted(m.initials for m in action.owners)) == (all_members, initials)
    # The confirmation says the owners back as stored.
    for owner in initials:
        assert f"{owner} (" in post.text, post.text
    if all_members:
        assert "All members" in post.text
    if line.task and not line.due_pending:
        assert action.text == line.task
    if not line.due_pending:
        assert due_right(line, action), (action.due_kind, action.due_date, line.expected_due)
