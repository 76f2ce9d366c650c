"""Slack Connect: the chair is warned before a summary goes to a channel shared outside the workspace."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.driver import posts, replies

WARNING = "That channel is shared with people outside your organisation"


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _warnings(fake) -> list:
    return [c for c in fake.calls_to("chat.postMessage") if WARNING in c.text]


def test_chair_is_warned_at_the_chaser_time_when_the_channel_is_shared(board, tick):
    board.fake.shared_channels.add("CBOARD")
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    board.fake.clear()
    tick(_utc(2026, 12, 9, 9, 0))  # 5 working days before: the chaser time
    [warning] = _warnings(board.fake)
    assert warning.args["channel"] == "UCAROL"
    assert "will be posted in <#CBOARD> on Fri 11 Dec at 09:00" in warning.text


def test_chair_is_warned_once(board, tick):
    board.fake.shared_channels.add("CBOARD")
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    for day in (9, 10, 11):
        tick(_utc(2026, 12, day, 9, 0))
    assert len(_warnings(board.fake)) == 1


def test_no_warning_for_an_internal_channel(board, tick):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    tick(_utc(2026, 12, 9, 9, 0))
    tick(_utc(2026, 12, 11, 9, 0))
    assert _warnings(board.fake) == []


def test_warning_goes_before_the_summary_when_the_clock_comes_late(board, tick):
    board.fake.shared_channels.add("CBOARD")
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    board.fake.clear()
    tick(_utc(2026, 12, 11, 9, 0))
    methods = [("warning" if WARNING in c.text else "summary") for c in board.fake.calls_to("chat.postMessage")]
    assert methods[0] == "warning"
    assert methods.count("summary") == 2


def test_posting_the_summary_in_a_shared_channel_asks_the_chair_first(board):
    board.fake.shared_channels.add("CBOARD")
    calls = board.command("/summary", "post", user="UCAROL")
    assert posts(calls) == []
    assert "To post it anyway: `/summary SSCB post anyway`" in replies(calls)[0].text


def test_post_anyway_posts_in_the_shared_channel(board):
    board.fake.shared_channels.add("CBOARD")
    calls = board.command("/summary", "post anyway", user="UCAROL")
    assert [c.args["channel"] for c in posts(calls)] == ["CBOARD"]
