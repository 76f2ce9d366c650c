"""`/meeting setup`, `/meeting help` and unknown `/meeting` sub-commands."""

from __future__ import annotations

import pytest

from bot.text import escape
from tests.board_support import board_events, stored_boards, table_rows
from tests.driver import posts, replies

# Placeholders are escaped in what Slack receives, so `<board name>` is shown and not read as a link.
SETUP_USAGE = "Usage: " + escape("/meeting setup <board name> code <CODE> chair @user [tz <IANA zone>]")


def setup(slack, text: str, *, user: str = "UEVE", channel: str = "CNEW", team: str | None = None):
    """Run `/meeting setup <text>` and return the calls the bot made."""
    return slack.command("/meeting", f"setup {text}", user=user, channel=channel, team=team)


def assert_refused(calls, *phrases: str, usage: str = SETUP_USAGE) -> None:
    """One private answer carrying the reason and the usage line, and nothing posted in a channel."""
    assert posts(calls) == []
    [reply] = replies(calls)
    for phrase in phrases:
        assert phrase in reply.text
    assert usage in reply.text


# -- the happy path ------------------------------------------------------------------------


def test_setup_posts_confirmation_in_the_channel(slack):
    calls = setup(slack, "Safeguarding Children Board code SSCB chair <@UCAROL>")

    [post] = posts(calls)
    assert post.args["channel"] == "CNEW"
    assert "Safeguarding Children Board" in post.text
    assert "`SSCB`" in post.text
    assert "Chair: <@UCAROL>" in post.text
    assert "Europe/London" in post.text
    assert "Set up by <@UEVE>" in post.text
    assert replies(calls) == []


def test_setup_stores_the_board_bound_to_the_channel(slack, session_factory, clock):
    setup(slack, "Safeguarding Children Board code SSCB chair <@UCAROL|carol>")

    [board] = stored_boards(session_factory)
    assert (board.team_id, board.channel_id, board.code, board.name) == (
        "T1",
        "CNEW",
        "SSCB",
        "Safeguarding Children Board",
    )
    assert board.chair_user_id == "UCAROL"
    assert board.created_by == "UEVE"
    assert board.created_at == clock.now
    assert board.last_action_number == 0


def test_setup_writes_an_audit_row(slack, session_factory, clock):
    setup(slack, "Safeguarding Children Board code SSCB chair <@UCAROL> tz Europe/Dublin")

    [board] = stored_boards(session_factory)
    [event] = board_events(session_factory)
    assert event.board_id == board.id
    assert event.kind == "board_setup"
    assert event.actor_user_id == "UEVE"
    assert event.at == clock.now
    assert event.data == {"code": "SSCB", "chair": "UCAROL", "tz": "Europe/Dublin"}


def test_setup_time_zone_defaults_to_europe_london(slack, session_factory):
    setup(slack, "Safeguarding Children Board code SSCB chair <@UCAROL>")

    [board] = stored_boards(session_factory)
    assert board.tz == "Europe/London"


def test_setup_accepts_an_iana_time_zone(slack, session_factory):
    calls = setup(slack, "Isle of Man Board code IOM chair <@UCAROL> tz Europe/Isle_of_Man")

    [board] = stored_boards(session_factory)
    assert board.tz == "Europe/Isle_of_Man"
    assert "Europe/Isle_of_Man" in posts(calls)[0].text


def test_setup_code_is_stored_upper_case(slack, session_factory):
    setup(slack, "Safeguarding Children Board code sscb chair <@UCAROL>")

    assert [b.code for b in stored_boards(session_factory)] == ["SSCB"]


def test_setup_keeps_a_quoted_board_name_without_its_quotes(slack, session_factory):
    setup(slack, '"Health & Wellbeing Board" code HWB chair <@UCAROL>')

    assert [b.name for b in stored_boards(session_factory)] == ["Health & Wellbeing Board"]


def test_setup_reads_a_chair_mention_whose_label_has_spaces(slack, session_factory):
    setup(slack, "Safeguarding Children Board code SSCB chair <@UCAROL|Carol Smith> tz Europe/London")

    [board] = stored_boards(session_factory)
    assert (board.chair_user_id, board.tz) == ("UCAROL", "Europe/London")


def test_setup_reads_a_board_name_containing_the_word_code(slack, session_factory):
    setup(slack, "Practice Code Review Group code PCRG chair <@UCAROL>")

    [board] = stored_boards(session_factory)
    assert (board.name, board.code) == ("Practice Code Review Group", "PCRG")


@pytest.mark.parametrize("code", ["AB", "A1", "ABCDEFGH10"])
def test_setup_accepts_codes_of_two_to_ten_letters_or_digits(slack, session_factory, code):
    calls = setup(slack, f"Board code {code} chair <@UCAROL>")

    assert len(posts(calls)) == 1
    assert [b.code for b in stored_boards(session_factory)] == [code]


@pytest.mark.parametrize("code", ["S", "ABCDEFGHIJK", "SS-CB", "SSCB!", "S_CB"])
def test_setup_rejects_a_code_that_is_not_two_to_ten_letters_or_digits(slack, session_factory, code):
    calls = setup(slack, f"Board code {code} chair <@UCAROL>")

    assert_refused(calls, f"`{code}` can't be a board code", "2 to 10 letters or digits")
    assert stored_boards(session_factory) == []


# -- codes and channels are unique per workspace ----------------------------------------


def test_setup_rejects_a_code_already_used_in_the_workspace(slack, session_factory):
    setup(slack, "Safeguarding Children Board code SSCB chair <@UCAROL>", channel="CONE")
    before = table_rows(session_factory)

    calls = setup(slack, "Safer Schools Board code sscb chair <@UBOB>", channel="CTWO")

    assert_refused(calls, "The code `SSCB` is already used by another board in this workspace")
    assert table_rows(session_factory) == before


def test_setup_allows_the_same_code_in_another_workspace(slack, session_factory):
    setup(slack, "Safeguarding Children Board code SSCB chair <@UCAROL>", channel="CONE")

    calls = setup(slack, "Somerset Safeguarding Board code SSCB chair <@UBOB>", channel="CONE", team="T2")

    assert len(posts(calls)) == 1
    assert sorted((b.team_id, b.code, b.channel_id) for b in stored_boards(session_factory)) == [
        ("T1", "SSCB", "CONE"),
        ("T2", "SSCB", "CONE"),
    ]


def test_setup_refuses_a_channel_already_bound_to_a_board(slack, session_factory):
    setup(slack, "Safeguarding Children Board code SSCB chair <@UCAROL>")
    before = table_rows(session_factory)

    calls = setup(slack, "Another Board code ANB chair <@UBOB>")

    assert_refused(calls, "already the channel of *Safeguarding Children Board* (`SSCB`)")
    assert table_rows(session_factory) == before


# -- rejected input --------------------------------------------------------------------


def test_setup_rejects_an_unknown_time_zone(slack, session_factory):
    calls = setup(slack, "Safeguarding Children Board code SSCB chair <@UCAROL> tz Europe/Atlantis")

    assert_refused(calls, "`Europe/Atlantis` is not a time zone I know", "Europe/London")
    assert stored_boards(session_factory) == []


def test_setup_without_a_chair_is_rejected(slack, session_factory):
    calls = setup(slack, "Safeguarding Children Board code SSCB")

    assert_refused(calls, "`chair`")
    assert stored_boards(session_factory) == []


def test_setup_without_a_code_is_rejected(slack, session_factory):
    calls = setup(slack, "Safeguarding Children Board chair <@UCAROL>")

    assert_refused(calls, "`code`")
    assert stored_boards(session_factory) == []


def test_setup_without_a_board_name_is_rejected(slack, session_factory):
    calls = setup(slack, "code SSCB chair <@UCAROL>")

    assert_refused(calls, "board name")
    assert stored_boards(session_factory) == []


def test_setup_with_an_empty_quoted_name_is_rejected(slack, session_factory):
    calls = setup(slack, '"" code SSCB chair <@UCAROL>')

    assert_refused(calls, "Give the board a name")
    assert stored_boards(session_factory) == []


def test_setup_with_a_chair_who_is_not_a_slack_mention_is_rejected(slack, session_factory):
    calls = setup(slack, "Safeguarding Children Board code SSCB chair carol")

    assert_refused(calls, "`carol` is not a Slack user", "mention the chair")
    assert stored_boards(session_factory) == []


def test_setup_from_a_direct_message_is_refused(slack, session_factory):
    calls = setup(slack, "Safeguarding Children Board code SSCB chair <@UCAROL>", channel="DUEVE")

    assert_refused(calls, "not in a DM")
    assert stored_boards(session_factory) == []


def test_setup_rejects_a_board_name_over_200_characters(slack, session_factory):
    calls = setup(slack, f"{'B' * 201} code SSCB chair <@UCAROL>")

    assert_refused(calls, "200 characters")
    assert stored_boards(session_factory) == []


def test_setup_escapes_markup_typed_in_the_board_name(slack):
    calls = setup(slack, "<!channel> & <@UBOB> board code SSCB chair <@UCAROL>")

    [post] = posts(calls)
    assert "<!channel>" not in post.text
    assert "<@UBOB>" not in post.text
    assert "&lt;!channel&gt; &amp; &lt;@UBOB&gt; board" in post.text


# -- help and unknown sub-commands ---------------------------------------------------------


@pytest.mark.parametrize("text", ["help", "", "HELP"])
def test_meeting_help_is_private_and_lists_every_sub_command(slack, text):
    calls = slack.command("/meeting", text, user="UEVE", channel="CNEW")

    assert posts(calls) == []
    [reply] = replies(calls)
    assert reply.args["response_type"] == "ephemeral"
    for usage in ("/meeting setup", "/meeting member add", "/meeting member remove", "/meeting members"):
        assert usage in reply.text


def test_unknown_meeting_sub_command_is_rejected_privately_with_usage(slack, session_factory):
    calls = slack.command("/meeting", "frobnicate the board", user="UEVE", channel="CNEW")

    assert posts(calls) == []
    [reply] = replies(calls)
    assert reply.args["response_type"] == "ephemeral"
    assert "`frobnicate the board` is not a `/meeting` command" in reply.text
    assert "/meeting help" in reply.text
    assert "Usage:" in reply.text
    assert stored_boards(session_factory) == []


def test_unknown_member_verb_is_rejected_privately(board, session_factory):
    before = table_rows(session_factory)

    calls = board.command("/meeting", "member promote AF", user="UCAROL")

    assert posts(calls) == []
    [reply] = replies(calls)
    assert "`member promote AF` is not a `/meeting` command" in reply.text
    assert table_rows(session_factory) == before


# -- delivery and races ------------------------------------------------------------------------


def test_setup_in_a_channel_the_bot_is_not_in_tells_the_caller_privately(slack, session_factory):
    slack.fake.not_in_channels.add("CNEW")

    calls = setup(slack, "Safeguarding Children Board code SSCB chair <@UCAROL>")

    assert [b.code for b in stored_boards(session_factory)] == ["SSCB"]
    [reply] = replies(calls)
    assert "couldn't post this in <#CNEW> (not_in_channel)" in reply.text
    assert "/invite @Arising" in reply.text
    assert "Safeguarding Children Board" in reply.text


def test_setup_losing_a_race_for_the_code_gets_a_clear_answer_and_changes_nothing(slack, session_factory, monkeypatch):
    setup(slack, "Safeguarding Children Board code SSCB chair <@UCAROL>", channel="CONE")
    before = table_rows(session_factory)
    # As if another set-up committed SSCB between our check and our insert.
    monkeypatch.setattr("storage.boards.board_by_code", lambda *args: None)

    calls = setup(slack, "Safer Schools Board code SSCB chair <@UBOB>", channel="CTWO")

    assert_refused(calls, "The code `SSCB` or this channel was just taken", "Nothing was changed")
    assert table_rows(session_factory) == before
