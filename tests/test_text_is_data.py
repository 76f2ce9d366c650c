"""What people type is data in private answers too: quoted back escaped, placeholders shown as text,
mentions shown as the person, long text cut cleanly; and text nobody could read is refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Base
from tests.action_support import add, load_action, only_post, only_reply
from tests.driver import SlackDriver, posts, replies
from tests.fakeslack import Call

PING = "<!channel>"


def everything(session_factory: sessionmaker[Session]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (meetings and the outbox too), to prove a refusal changed nothing."""
    with session_factory() as session:
        return {
            t.name: [tuple(r) for r in session.execute(select(*t.columns).order_by(*t.primary_key.columns)).all()]
            for t in Base.metadata.sorted_tables
        }


# Markup the bot itself builds: mentions from stored ids, channel links. Anything else in angle
# brackets would be read by Slack as a link or a ping.
_BUILT_MARKUP = re.compile(r"<@[UW][A-Z0-9]+>|<#C[A-Z0-9]+>")


def assert_no_markup_from_typing(calls: list[Call]) -> None:
    """No message holds `<…>` markup other than what the bot builds from stored ids."""
    assert calls
    for call in calls:
        leftover = _BUILT_MARKUP.sub("", call.text)
        assert "<" not in leftover and ">" not in leftover, (call.method, call.text)


# -- typed text quoted back in errors ---------------------------------------------------------------

QUOTING = [
    ("/meeting", f"cancel {PING}"),
    ("/meeting", f"move {PING} to 17/12/2026"),
    ("/meeting", f"move 16/12/2026 to {PING}"),
    ("/meeting", f"schedule {PING} 10:00"),
    ("/meeting", f"schedule every {PING} 09:00"),
    ("/meeting", f"schedule every month on the 3rd Wednesday from {PING} 09:00"),
    ("/meeting", f"settings nation {PING}"),
    ("/meeting", f"settings summary {PING} days before at 10:00"),
    ("/meeting", f"settings chaser {PING} days before"),
    ("/meeting", f"settings {PING}"),
    ("/meeting", f"member remove {PING}"),
    ("/meeting", f"members {PING}"),
    ("/meeting", f"next {PING}"),
    ("/meeting", f"{PING}"),
    ("/meeting", f"setup Board code {PING} chair <@UCAROL>"),
    ("/meeting", f"setup Board code XB chair {PING}"),
    ("/action", f"{PING}"),
    ("/action", f"add AF to circulate the report by next {PING}"),
    ("/action", f"add {PING}: circulate the report"),
    ("/action", f"due SSCB-1 {PING}"),
    ("/action", f"rag SSCB-1 {PING}"),
    ("/action", f"show {PING}"),
    ("/action", f"list {PING}"),
    ("/action", f"assign SSCB-1 {PING}"),
    ("/action", f"update {PING}-1 progress"),
    ("/mine", f"{PING}"),
    ("/summary", f"{PING}"),
]


@pytest.mark.parametrize(("command", "text"), QUOTING, ids=[f"{c} {t}" for c, t in QUOTING])
def test_typed_text_in_an_error_is_shown_as_text_and_pings_no_one(board, session_factory, command, text):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    add(board, "AF to circulate the report by 15/12/2026")
    before = everything(session_factory)

    calls = board.command(command, text, user="UCAROL")

    reply = only_reply(calls)
    assert PING not in reply.text
    assert_no_markup_from_typing(calls)
    assert everything(session_factory) == before


def test_meeting_cancel_of_channel_quotes_it_escaped(board):
    calls = board.command("/meeting", "cancel <!channel>", user="UCAROL")

    reply = only_reply(calls)
    assert "&lt;!channel&gt;" in reply.text
    assert "<!channel>" not in reply.text


# -- usage placeholders -----------------------------------------------------------------------------


def test_usage_placeholders_reach_slack_escaped_in_blocks_and_notification_text(board):
    calls = board.command("/meeting", "cancel someday", user="UCAROL")

    reply = only_reply(calls)
    assert "/meeting cancel &lt;date&gt;" in reply.args["text"]
    assert "/meeting cancel &lt;date&gt;" in reply.args["blocks"][-1]["elements"][0]["text"]
    assert_no_markup_from_typing(calls)


@pytest.mark.parametrize(
    ("command", "text", "channel"),
    [
        ("/action", "help", "CBOARD"),
        ("/meeting", "help", "CBOARD"),
        ("/action", "list", "COTHER"),  # not a board's channel: the set-up hint names its placeholders
        ("/meeting", "next", "CBOARD"),  # no meeting yet: the hint shows `/meeting schedule <date> <time>`
        ("/meeting", "member remove AF", "CBOARD"),  # AF owns an open action: the hint names `<ref>`
    ],
)
def test_help_and_hints_show_placeholders_as_text(board, command, text, channel):
    add(board, "AF to circulate the report by 15/12/2026")

    calls = board.command(command, text, user="UCAROL", channel=channel)

    assert replies(calls)
    assert any("&lt;" in c.text for c in calls)
    assert_no_markup_from_typing(calls)


def test_chaser_shows_its_placeholders_as_text(board, tick):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    add(board, "AF to circulate the report by 14/12/2026")

    tick(datetime(2026, 12, 9, 9, 0, tzinfo=UTC))

    [chaser] = [c for c in board.fake.calls_to("chat.postMessage") if c.args["channel"] == "UALICE"]
    assert "/action update SSCB-1 &lt;progress&gt;" in chaser.text
    assert_no_markup_from_typing([chaser])


# -- mentions in an action's text -------------------------------------------------------------------


def test_a_non_owner_mentioned_in_an_action_is_shown_as_the_person(board, session_factory):
    post = add(board, "AF to call <@UBOB|bob> about the thresholds")

    assert "Call <@UBOB> about the thresholds" in post.text
    assert "UBOB|bob" not in post.text
    assert load_action(session_factory, "SSCB", 1).text == "Call <@UBOB|bob> about the thresholds"


def test_a_mention_in_an_action_is_shown_as_the_person_in_show_and_list(board):
    add(board, "AF to call <@UBOB|bob> about the thresholds")

    for text in ("show SSCB-1", "list"):
        reply = only_reply(board.command("/action", text))
        assert "<@UBOB>" in reply.text and "UBOB|bob" not in reply.text, text


def test_a_mention_in_an_update_is_shown_as_the_person(board):
    add(board, "AF to circulate the report by 15/12/2026")

    post = only_post(board.command("/action", "update SSCB-1 agreed with <@UBOB|bob> to split it"))

    assert "agreed with <@UBOB> to split it" in post.text


def test_a_typed_mention_without_slacks_name_label_stays_text(board):
    post = add(board, "AF to warn <@UEVE> and <!here> about the audit")

    assert "&lt;@UEVE&gt;" in post.text and "&lt;!here&gt;" in post.text
    assert "<@UEVE>" not in post.text and "<!here>" not in post.text


# -- long text is cut at a word, never inside an entity ---------------------------------------------

_PARTIAL_ENTITY = re.compile(r"&(?:a|am|amp|l|lt|g|gt)?…")


def test_a_long_update_is_cut_at_a_word_boundary_never_inside_an_entity(board):
    add(board, "AF to circulate the report by 15/12/2026")
    words = ("R&D " * 499 + "end").strip()  # 1,999 characters; escaped, far over a section's 3,000

    post = only_post(board.command("/action", f"update SSCB-1 {words}"))

    section = post.args["blocks"][0]["text"]["text"]
    assert len(section) <= 3000
    assert section.endswith("R&amp;D…")
    assert not _PARTIAL_ENTITY.search(post.text)


def test_a_long_update_in_show_is_cut_at_a_word_boundary(board):
    add(board, "AF to circulate the report by 15/12/2026")
    board.command("/action", "update SSCB-1 " + ("<<>> " * 399 + "end").strip())

    reply = only_reply(board.command("/action", "show SSCB-1"))

    assert "&gt;…" in reply.text
    assert not _PARTIAL_ENTITY.search(reply.text)
    assert_no_markup_from_typing([reply])


# -- text nobody could read is refused --------------------------------------------------------------

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def refused(slack: SlackDriver, session_factory, command: str, text: str, *, user: str = "UALICE") -> Call:
    """Run the command; it must answer privately, post nothing, and change nothing."""
    before = everything(session_factory)
    calls = slack.command(command, text, user=user)
    reply = only_reply(calls)
    assert posts(calls) == []
    assert everything(session_factory) == before
    return reply


@pytest.mark.parametrize(
    "text",
    [f"add {INVISIBLE}", "add \u200b \u00a0 \ufeff", f"add AF to {INVISIBLE}", f"add AF to \u00a0{INVISIBLE}"],
    ids=["zero-width-only", "spaces-and-bom", "owner-then-invisible", "owner-then-nbsp-and-invisible"],
)
def test_an_action_of_only_invisible_characters_is_refused(board, session_factory, text):
    reply = refused(board, session_factory, "/action", text)

    assert "invisible" in reply.text or "no task" in reply.text
    assert "Usage" in reply.text


@pytest.mark.parametrize(
    "text",
    [
        f"update SSCB-1 {INVISIBLE}",
        f"update SSCB-1 progress evidence {INVISIBLE}",
        f"drop SSCB-1 {INVISIBLE}",
        f"done SSCB-1 {INVISIBLE}",
        f"rag SSCB-1 red {INVISIBLE}",
        f"due SSCB-1 20/01/2027 {INVISIBLE}",
    ],
    ids=["update", "evidence", "drop-reason", "done-note", "rag-reason", "due-reason"],
)
def test_an_update_or_reason_of_only_invisible_characters_is_refused(board, session_factory, text):
    add(board, "AF to circulate the report by 15/12/2026")

    reply = refused(board, session_factory, "/action", text)

    assert "only invisible characters" in reply.text


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("add AF to check the\x07 bell", "U+0007"),
        ("add AF to fix the\x00 null", "U+0000"),
        ("add AF to read\x1b[31m the log", "U+001B"),
        ("add AF to delete\x7f it", "U+007F"),
    ],
    ids=["bell", "nul", "escape", "delete"],
)
def test_an_action_with_a_control_character_is_refused_naming_it(board, session_factory, text, code):
    reply = refused(board, session_factory, "/action", text)

    assert "control character" in reply.text and code in reply.text


def test_an_update_with_a_nul_is_refused_and_nothing_is_stored(board, session_factory):
    add(board, "AF to circulate the report by 15/12/2026")

    reply = refused(board, session_factory, "/action", "update SSCB-1 draft\x00 circulated")

    assert "U+0000" in reply.text


def test_tabs_and_newlines_are_accepted(board, session_factory):
    only_post(board.command("/action", "add AF to circulate\tthe report\nto partners"))

    assert load_action(session_factory, "SSCB", 1).text == "Circulate the report to partners"


@pytest.mark.parametrize(
    "text",
    [
        "setup Safe\x00guarding Board code SSCX chair <@UCAROL>",
        f"setup {INVISIBLE} code SSCX chair <@UCAROL>",
        f'member add "{INVISIBLE}" ZZ',
        'member add "Zoe\x07 Zed" ZZ',
        f"member add <@UDAVE> ZZ {INVISIBLE}",
        "schedule 16/12/2026 09:00 at Room\x00 4",
        f"schedule 16/12/2026 09:00 at {INVISIBLE}",
        "schedule every month on the 3rd Wednesday 09:00 at Hall\x1b",
    ],
    ids=["board-nul", "board-invisible", "name-invisible", "name-bell", "role", "location-nul", "location", "series"],
)
def test_board_member_and_meeting_texts_nobody_could_read_are_refused(board, session_factory, text):
    reply = refused(board, session_factory, "/meeting", text, user="UCAROL")

    assert "control character" in reply.text or "only invisible characters" in reply.text


# -- due dates before 2000 --------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["15/12/1999", "1 January 1990", "1900-06-01"])
def test_an_action_due_before_2000_is_refused(board, session_factory, when):
    reply = refused(board, session_factory, "/action", f"add AF to circulate the report by {when}")

    # The date parser may refuse the oldest years itself; either way the year is named as the problem.
    assert "before 2000" in reply.text or "year" in reply.text


def test_redating_an_action_to_before_2000_is_refused(board, session_factory):
    add(board, "AF to circulate the report by 15/12/2026")

    reply = refused(board, session_factory, "/action", "due SSCB-1 31/12/1999 slipped")

    assert "before 2000" in reply.text


def test_a_due_date_in_2000_is_accepted(board, session_factory):
    add(board, "AF to archive the old minutes by 01/01/2000")

    assert str(load_action(session_factory, "SSCB", 1).due_date) == "2000-01-01"
