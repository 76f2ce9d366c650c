"""`arising console`: the real bot against the Slack stand-in, shown as a person would see it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.console.session import ConsoleSession


@pytest.fixture
def console(settings, engine, session_factory) -> Iterator[ConsoleSession]:
    session = ConsoleSession(settings, engine)
    yield session
    session.close()


def _board(console: ConsoleSession) -> None:
    console.execute("as @carol")
    console.execute("/meeting setup Safeguarding Children Board code SSCB chair @carol")
    console.execute("/meeting member add @alice AF Board Development Manager")


def test_board_confirmation_is_shown_in_the_channel_with_names(console):
    console.execute("as @carol")
    out = console.execute("/meeting setup Safeguarding Children Board code SSCB chair @carol")
    assert out.startswith("── in #board ──")
    assert "Chair: @carol" in out


def test_logged_action_is_shown_in_the_channel_and_mine_privately(console):
    _board(console)
    console.execute("as @alice")
    logged = console.execute("/action add AF to circulate the audit by 15/12/2026")
    mine = console.execute("/mine")
    assert "Logged *SSCB-1*: Circulate the audit" in logged
    assert mine.startswith("── only you (@alice) see ──")
    assert "Circulate the audit" in mine


def test_typed_markup_is_shown_as_text_and_pings_no_one(console):
    _board(console)
    out = console.execute("/action blah <!channel>")
    assert "only you (@carol) see" in out
    assert "@channel" not in out.replace("`blah`", "")


def test_moving_the_clock_and_ticking_sends_the_summary(console):
    _board(console)
    console.execute("/meeting schedule 11/12/2026 10:00")
    console.execute("at 08/12/2026 09:30")
    out = console.execute("tick")
    assert "in #board" in out
    assert "Matters arising" in out or "matters arising" in out.lower()


def test_home_tab_shows_the_openers_actions(console):
    _board(console)
    console.execute("as @alice")
    console.execute("/action add AF to circulate the audit by 15/12/2026")
    out = console.execute("home")
    assert out.startswith("── Home tab of @alice ──")
    assert "Circulate the audit" in out


def test_unknown_console_word_says_what_to_type(console):
    assert "type `help`" in console.execute("dance")


def test_unreadable_date_for_at_says_the_form(console):
    assert "e.g. `at 11/12/2026 09:00`" in console.execute("at someday")
