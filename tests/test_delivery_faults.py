"""When Slack fails while the bot answers, the user still hears, privately and truly, what happened.

The fake Slack scripts the faults of a real workspace: error pages from a proxy, dropped connections,
answers slower than the client waits, rate limits and response_urls that have expired.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from bot.rendering.summary import SHOWN_PER_SECTION
from tests.action_support import add, events, load_action, only_reply
from tests.driver import posts, replies

SECRET_TEXT = "review the Jones family case"


@pytest.fixture
def settings(settings):
    # The bot's Web API calls give up after half a second, so a "35 s" answer is a time-out here.
    return settings.model_copy(update={"slack_timeout_seconds": 0.5})


def add_action(board):
    """`/action add` by UALICE; returns the calls it caused."""
    return board.command("/action", f"add AF to {SECRET_TEXT} by 15/12/2026")


def accepted_posts(fake_slack):
    """Posts Slack carried out (whatever it answered)."""
    return fake_slack.calls_to("chat.postMessage")


# -- the confirmation post fails: the action is saved and the caller is told why -----------------------


def test_a_dropped_connection_while_posting_tells_the_caller_the_action_was_saved(board, session_factory, fake_slack):
    fake_slack.drop_next("chat.postMessage", posted=False)

    reply = only_reply(add_action(board))

    assert "can't tell whether this reached <#CBOARD>" in reply.text
    assert "the connection to Slack dropped" in reply.text
    assert "SSCB-1" in reply.text
    assert load_action(session_factory, "SSCB", 1).text.startswith("Review the Jones family case")


def test_a_post_slack_made_before_the_connection_dropped_is_not_made_twice(board, fake_slack):
    fake_slack.drop_next("chat.postMessage", posted=True)

    add_action(board)

    assert len(accepted_posts(fake_slack)) == 1


def test_a_post_slack_answers_too_late_is_not_made_twice(board, fake_slack):
    fake_slack.slow_next("chat.postMessage")

    add_action(board)

    assert len(accepted_posts(fake_slack)) == 1


def test_a_post_slack_answers_too_late_tells_the_caller_to_check_the_channel(board, fake_slack):
    fake_slack.slow_next("chat.postMessage")

    [reply] = replies(add_action(board))

    assert "Slack did not answer in time" in reply.text
    assert "Check the channel" in reply.text
    assert "/invite" not in reply.text


def test_a_bad_gateway_page_is_never_pasted_into_the_message(board, fake_slack):
    fake_slack.http_error_next("chat.postMessage", 502)

    reply = only_reply(add_action(board))

    assert "couldn't post this in <#CBOARD> (http_502): Slack had a problem on its side" in reply.text
    assert "<html" not in reply.text.lower() and "Bad Gateway" not in reply.text
    assert "/invite" not in reply.text


def test_a_server_error_on_a_post_is_not_retried_as_slack_may_have_posted(board, fake_slack):
    fake_slack.http_error_next("chat.postMessage", 500)

    add_action(board)

    assert [c.method for c in fake_slack.calls if c.method.startswith("chat.postMessage")] == ["chat.postMessage!http"]


def test_slack_unavailable_503_is_retried_and_posts_once(board, fake_slack):
    fake_slack.http_error_next("chat.postMessage", 503)

    calls = add_action(board)

    [post] = posts(calls)
    assert "SSCB-1" in post.text
    assert replies(calls) == []


def test_a_rate_limited_post_says_slack_is_limiting_not_invite_me(board, fake_slack):
    # More 429s than the client waits out (5 retries).
    fake_slack.rate_limit_next("chat.postMessage", times=6, retry_after=0)

    reply = only_reply(add_action(board))

    assert "(ratelimited): Slack is limiting how fast I can post just now" in reply.text
    assert "/invite" not in reply.text


def test_a_refused_post_shows_the_caller_what_the_board_would_have_seen(board, fake_slack):
    fake_slack.fail_next("chat.postMessage", "is_archived")

    reply = only_reply(add_action(board))

    assert "(is_archived): the channel is archived" in reply.text
    assert "Review the Jones family case" in reply.text


def test_when_the_private_word_fails_too_the_log_holds_ids_and_the_error_code_only(board, fake_slack, caplog):
    fake_slack.not_in_channels.add("CBOARD")
    fake_slack.fail_respond_next()

    with caplog.at_level(logging.INFO):
        add_action(board)

    lines = [r.getMessage() for r in caplog.records if r.name.startswith("handlers")]
    assert any("private reply failed" in line and "http_404" in line for line in lines), lines
    assert not any("Jones" in line or "expired_url" in line for line in lines), lines


def test_a_failed_thread_part_says_the_start_was_posted(board, fake_slack, clock):
    for n in range(SHOWN_PER_SECTION + 1):  # one more overdue action than the summary shows: the rest go in its thread
        add(board, f"AF to check item {n} by 15/12/2026", user="UCAROL")
    clock.now = datetime(2026, 12, 21, 10, 0, tzinfo=UTC)
    fake_slack.fail_next("chat.postMessage", "internal_error", after=1)

    calls = board.command("/summary", "SSCB post", user="UCAROL")

    [reply] = replies(calls)
    assert "I posted the start of this in <#CBOARD>, but not all of its thread (internal_error)" in reply.text


# -- who is an admin: Slack not answering is not "you may not" --------------------------------------------


def test_when_users_info_times_out_the_user_is_told_slack_could_not_be_asked(board, session_factory, fake_slack):
    add_action(board)
    before = events(session_factory, "SSCB", 1)
    fake_slack.slow_next("users.info")

    reply = only_reply(board.command("/action", "done 1", user="UDAVE"))

    assert "I couldn't ask the workspace whether you are an admin just now (timeout)" in reply.text
    assert "You can't change" not in reply.text
    assert len(events(session_factory, "SSCB", 1)) == len(before)


def test_when_users_info_keeps_failing_with_server_errors_the_user_is_told_slack_could_not_be_asked(board, fake_slack):
    add_action(board)
    fake_slack.http_error_next("users.info", 500, times=3)  # the first try and both retries

    reply = only_reply(board.command("/action", "drop 1 not ours", user="UADMIN"))

    assert "I couldn't ask the workspace whether you are an admin just now (http_500)" in reply.text


def test_a_board_change_while_users_info_fails_says_slack_could_not_be_asked(board, session_factory, fake_slack):
    fake_slack.slow_next("users.info")

    reply = only_reply(board.command("/meeting", "member add <@UEVE> EV Health lead", user="UDAVE"))

    assert "I couldn't ask Slack whether you are a workspace admin just now, so nothing was changed" in reply.text
