"""`/mine`: the caller's outstanding actions across every board, most urgent first."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from storage.models import Action, ActionOwner, Board, Member
from tests.driver import posts, replies


@pytest.fixture
def two_boards(board):
    """SSCB (Alice is AF) plus CIB in CCIB, chaired by UCAROL, where Alice is AL and Bob is BB."""
    board.command(
        "/meeting", "setup Children's Improvement Board code CIB chair <@UCAROL>", user="UCAROL", channel="CCIB"
    )
    board.command("/meeting", "member add <@UALICE> AL Head of Service", user="UCAROL", channel="CCIB")
    board.command("/meeting", "member add <@UBOB> BB", user="UCAROL", channel="CCIB")
    board.fake.clear()
    return board


def mine(slack, text: str = "", *, user: str = "UALICE", channel: str = "DUALICE", team: str | None = None):
    """Run `/mine` and return its one private answer, checking nothing was posted in a channel."""
    calls = slack.command("/mine", text, user=user, channel=channel, team=team)
    assert posts(calls) == []
    [reply] = replies(calls)
    assert reply.args["response_type"] == "ephemeral"
    return reply


def line_of(text: str, ref: str) -> str:
    """The line of a /mine answer that shows action `ref`."""
    [line] = [ln for ln in text.splitlines() if f"*{ref}*" in ln]
    return line


def positions(text: str, refs: list[str]) -> list[int]:
    """Where each ref's line starts in the answer."""
    return [text.index(f"*{ref}*") for ref in refs]


# -- what is shown, and in what order -----------------------------------------------------


def test_mine_orders_overdue_then_due_in_7_days_then_later_then_undated(two_boards):
    # Today is Monday 23 Nov 2026.
    two_boards.command("/action", "add AF to circulate the report by 15/11/2026")  # SSCB-1 overdue 8 days
    two_boards.command("/action", "add AL to audit case files by 20/11/2026", channel="CCIB")  # CIB-1 overdue 3
    two_boards.command("/action", "add AF to brief the chair by 30/11/2026")  # SSCB-2 due in 7 days
    two_boards.command("/action", "add AL to book the venue by 25/11/2026", channel="CCIB")  # CIB-2 due in 2
    two_boards.command("/action", "add AF to draft the annual report by 1/12/2026")  # SSCB-3 later (8 days)
    two_boards.command("/action", "add AL to refresh the risk register", channel="CCIB")  # CIB-3 undated
    two_boards.command("/action", "add EA to review thresholds by 16/11/2026")  # SSCB-4, Bob's

    reply = mine(two_boards)

    order = ["SSCB-1", "CIB-1", "CIB-2", "SSCB-2", "SSCB-3", "CIB-3"]
    assert positions(reply.text, order) == sorted(positions(reply.text, order))
    assert "SSCB-4" not in reply.text
    assert reply.text.index("Overdue") < reply.text.index("*SSCB-1*")
    assert reply.text.index("*CIB-1*") < reply.text.index("Due in the next 7 days") < reply.text.index("*CIB-2*")
    assert reply.text.index("*SSCB-2*") < reply.text.index("Later") < reply.text.index("*SSCB-3*")
    assert reply.text.index("*SSCB-3*") < reply.text.index("No date") < reply.text.index("*CIB-3*")
    assert "You have 6 outstanding actions." in reply.text


def test_mine_says_how_long_an_action_is_overdue(two_boards):
    two_boards.command("/action", "add AF to circulate the report by 15/11/2026")
    two_boards.command("/action", "add AL to audit case files by 22/11/2026", channel="CCIB")

    reply = mine(two_boards)

    assert "overdue by 8 days" in line_of(reply.text, "SSCB-1")
    assert "overdue by 1 day" in line_of(reply.text, "CIB-1")


def test_mine_line_shows_ref_board_text_due_rag_and_age_of_last_update(two_boards, clock):
    start = clock.now
    two_boards.command("/action", "add AF to circulate the report by 15/12/2026")
    clock.now = start + timedelta(days=2)
    two_boards.command("/action", "update SSCB-1 first draft shared rag amber")
    clock.now = start + timedelta(days=7)

    line = line_of(mine(two_boards).text, "SSCB-1")

    assert "Safeguarding Children Board" in line  # the board's name, beside the ref
    assert "Circulate the report" in line
    assert "due 15 Dec" in line
    assert "Amber" in line
    assert "updated 5 days ago" in line


def test_mine_line_of_an_action_never_updated_says_when_it_was_logged(two_boards, clock):
    two_boards.command("/action", "add AL to audit case files", channel="CCIB")
    clock.now += timedelta(days=3)

    line = line_of(mine(two_boards).text, "CIB-1")

    assert "Children's Improvement Board" in line.replace("&#x27;", "'")
    assert "Audit case files" in line
    assert "No RAG" in line
    assert "no update since logged 3 days ago" in line


def test_mine_includes_actions_shared_with_other_owners(two_boards):
    two_boards.command("/action", "add AF & EA to agree the audit plan by 15/12/2026")

    assert "*SSCB-1*" in mine(two_boards).text
    assert "*SSCB-1*" in mine(two_boards, user="UBOB").text


def test_mine_leaves_out_closed_actions(two_boards):
    two_boards.command("/action", "add AF to circulate the report")
    two_boards.command("/action", "add AF to brief the chair")
    two_boards.command("/action", "done SSCB-1 sent")
    two_boards.command("/action", "drop SSCB-2 no longer needed")

    reply = mine(two_boards)

    assert "SSCB-1" not in reply.text
    assert "SSCB-2" not in reply.text
    assert "You have no outstanding actions" in reply.text


def test_mine_with_nothing_outstanding_says_so(two_boards):
    reply = mine(two_boards, user="UDAVE")

    assert "You have no outstanding actions" in reply.text


def test_mine_answers_in_the_board_channel_privately_too(two_boards):
    two_boards.command("/action", "add AF to circulate the report")

    reply = mine(two_boards, channel="CBOARD")

    assert "*SSCB-1*" in reply.text


def test_mine_does_not_show_another_workspaces_actions(two_boards):
    two_boards.command("/action", "add AF to circulate the report")

    reply = mine(two_boards, team="T2")

    assert "SSCB-1" not in reply.text
    assert "You have no outstanding actions" in reply.text


def test_mine_escapes_markup_typed_in_action_text(two_boards):
    two_boards.command("/action", "add AF to warn <!channel> and <@UBOB>")

    reply = mine(two_boards)

    assert "<!channel>" not in reply.text
    assert "<@UBOB>" not in reply.text
    assert "&lt;!channel&gt;" in reply.text


# -- /mine all -----------------------------------------------------------------------------


def test_mine_all_adds_actions_closed_in_the_last_30_days_but_not_older(two_boards, clock):
    today = clock.now
    clock.now = today - timedelta(days=31)
    two_boards.command("/action", "add AF to circulate the report")  # SSCB-1, closed 31 days ago
    two_boards.command("/action", "done SSCB-1 circulated")
    clock.now = today - timedelta(days=29)
    two_boards.command("/action", "add AL to audit case files", channel="CCIB")  # CIB-1, dropped 29 days ago
    two_boards.command("/action", "drop CIB-1 superseded", channel="CCIB")
    clock.now = today - timedelta(days=2)
    two_boards.command("/action", "add AF to brief the chair")  # SSCB-2, done 2 days ago
    two_boards.command("/action", "done SSCB-2 briefed")
    two_boards.command("/action", "add AF to draft the annual report")  # SSCB-3 open
    clock.now = today

    everything = mine(two_boards, "all")
    outstanding = mine(two_boards)

    assert "Closed in the last 30 days" in everything.text
    assert "*SSCB-2*" in everything.text
    assert "*CIB-1*" in everything.text
    assert "SSCB-1" not in everything.text
    assert everything.text.index("*SSCB-3*") < everything.text.index("Closed in the last 30 days")
    assert "Done" in line_of(everything.text, "SSCB-2")
    assert "Dropped" in line_of(everything.text, "CIB-1")
    assert "SSCB-2" not in outstanding.text
    assert "CIB-1" not in outstanding.text


def test_mine_all_with_only_recently_closed_actions_lists_them(two_boards):
    two_boards.command("/action", "add AF to circulate the report")
    two_boards.command("/action", "done SSCB-1 circulated")

    reply = mine(two_boards, "ALL")

    assert "*SSCB-1*" in reply.text
    assert "You have 0 outstanding actions." in reply.text


# -- rejected input ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["nonsense", "all of them", "open"])
def test_mine_with_unknown_words_is_rejected_with_usage(two_boards, text):
    reply = mine(two_boards, text)

    assert f"`/mine` doesn't know `{text}`" in reply.text
    assert "Usage: /mine [all]" in reply.text


def test_mine_escapes_the_unknown_words_it_echoes(two_boards):
    reply = mine(two_boards, "<!channel>")

    assert "<!channel>" not in reply.text
    assert "&lt;!channel&gt;" in reply.text


# -- size -----------------------------------------------------------------------------------


def add_owned_actions(
    session_factory, clock, *, count: int, words: int = 3, code: str = "SSCB", initials: str = "AF"
) -> None:
    """Store `count` open actions owned by `initials`, spread over overdue, due soon, later and undated."""
    today = clock.now.date()
    with session_factory.begin() as session:
        board = session.scalars(select(Board).where(Board.code == code)).one()
        owner = session.scalars(select(Member).where(Member.board_id == board.id, Member.initials == initials)).one()
        for n in range(1, count + 1):
            due: date | None = [
                today - timedelta(days=n),
                today + timedelta(days=n % 7),
                today + timedelta(days=30 + n),
                None,
            ][n % 4]
            session.add(
                Action(
                    board_id=board.id,
                    number=n,
                    text=f"Action number {n}: " + "review the multi-agency safeguarding arrangements " * words,
                    status="open",
                    due_kind="date" if due else None,
                    due_date=due,
                    due_change_count=0,
                    created_by="UCAROL",
                    created_at=clock.now - timedelta(days=40),
                    updated_at=clock.now - timedelta(days=40),
                    owners=[owner],
                )
            )
        board.last_action_number = count


def shown_and_counted(text: str, code: str = "SSCB") -> tuple[int, int]:
    """How many actions an answer shows, and how many its "and N more" notes count."""
    shown = len(set(re.findall(rf"\*{code}-(\d+)\*", text)))
    return shown, sum(int(n) for n in re.findall(r"and (\d+) more", text))


def test_mine_with_500_long_open_actions_stays_within_slack_limits_and_says_and_n_more(board, session_factory, clock):
    # Each line's text is cut to 200 characters; 500 such lines are still more than 50 sections hold.
    add_owned_actions(session_factory, clock, count=500, words=13)

    reply = mine(board)

    # The fake Slack fails the test if the answer breaks Slack's limits (blocks, section size).
    assert len(reply.args["blocks"]) <= 50
    shown, not_shown = shown_and_counted(reply.text)
    assert 0 < shown < 500
    assert shown + not_shown == 500
    assert "You have 500 outstanding actions." in reply.text


def test_mine_with_200_actions_of_the_longest_text_stays_within_slack_limits(board, session_factory, clock):
    add_owned_actions(session_factory, clock, count=200, words=40)  # 2,000+ characters each

    reply = mine(board)

    shown, not_shown = shown_and_counted(reply.text)
    assert shown + not_shown == 200


def test_mine_with_200_short_open_actions_accounts_for_every_one(board, session_factory, clock):
    add_owned_actions(session_factory, clock, count=200, words=1)

    reply = mine(board)

    shown, not_shown = shown_and_counted(reply.text)
    assert shown + not_shown == 200


# -- time zones, order and cost ------------------------------------------------------------


def test_mine_reads_each_board_s_today_in_its_own_time_zone(two_boards, session_factory, clock):
    with session_factory.begin() as session:
        session.execute(Board.__table__.update().where(Board.code == "CIB").values(tz="America/New_York"))
    clock.now = clock.now.replace(hour=3)  # 23 Nov in London, still 22 Nov in New York
    two_boards.command("/action", "add AF to circulate the report by 22/11/2026")  # SSCB-1: overdue in London
    two_boards.command("/action", "add AL to audit case files by 22/11/2026", channel="CCIB")  # CIB-1: due today

    reply = mine(two_boards)

    assert reply.text.index("Overdue") < reply.text.index("*SSCB-1*") < reply.text.index("Due in the next 7 days")
    assert reply.text.index("Due in the next 7 days") < reply.text.index("*CIB-1*")
    assert "overdue" not in line_of(reply.text, "CIB-1")


def test_mine_overdue_puts_the_earliest_date_first_then_board_then_number(two_boards):
    two_boards.command("/action", "add AL to audit case files by 10/11/2026", channel="CCIB")  # CIB-1
    two_boards.command("/action", "add AF to circulate the report by 10/11/2026")  # SSCB-1
    two_boards.command("/action", "add AF to brief the chair by 2/11/2026")  # SSCB-2

    reply = mine(two_boards, "overdue")

    order = ["SSCB-2", "CIB-1", "SSCB-1"]
    assert positions(reply.text, order) == sorted(positions(reply.text, order))


def test_mine_closed_lists_the_most_recently_closed_first(two_boards, clock):
    today = clock.now
    two_boards.command("/action", "add AF to circulate the report")  # SSCB-1
    two_boards.command("/action", "add AL to audit case files", channel="CCIB")  # CIB-1
    two_boards.command("/action", "add AF to brief the chair")  # SSCB-2
    clock.now = today - timedelta(days=3)
    two_boards.command("/action", "done SSCB-2 briefed")
    clock.now = today - timedelta(days=2)
    two_boards.command("/action", "drop CIB-1 superseded", channel="CCIB")
    clock.now = today - timedelta(days=1)
    two_boards.command("/action", "done SSCB-1 circulated")
    clock.now = today

    reply = mine(two_boards, "closed")

    order = ["SSCB-1", "CIB-1", "SSCB-2"]
    assert positions(reply.text, order) == sorted(positions(reply.text, order))


def test_mine_group_page_past_the_end_is_refused_with_the_number_of_pages(board, session_factory, clock):
    add_owned_actions(session_factory, clock, count=80)  # 20 in each group: one page

    reply = mine(board, "overdue page 2")

    assert "There is 1 page: ask for 1 to 1." in reply.text


def _statements_of(engine, work) -> int:
    """How many SQL statements `work` runs."""
    from sqlalchemy import event

    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_mine_runs_as_many_statements_for_200_actions_as_for_8(board, session_factory, clock):
    engine = session_factory.kw["bind"]
    add_owned_actions(session_factory, clock, count=8)
    few = _statements_of(engine, lambda: mine(board))
    with session_factory.begin() as session:
        session.execute(ActionOwner.__table__.delete())
        session.execute(Action.__table__.delete())
    add_owned_actions(session_factory, clock, count=200)

    many = _statements_of(engine, lambda: mine(board))

    assert 0 < many == few
    assert "You have 200 outstanding actions." in mine(board).text


def test_mine_closed_at_the_same_instant_are_listed_in_the_order_they_were_logged(two_boards, session_factory, clock):
    two_boards.command("/action", "add AF to circulate the report by 20/11/2026")  # SSCB-1
    two_boards.command("/action", "add AF to brief the chair")  # SSCB-2, undated
    two_boards.command("/action", "add AF to draft the annual report by 1/11/2026")  # SSCB-3
    with session_factory.begin() as session:
        session.execute(
            Action.__table__.update().values(status="done", closed_at=clock.now - timedelta(days=1), closed_by="UALICE")
        )

    reply = mine(two_boards, "closed")

    order = ["SSCB-1", "SSCB-2", "SSCB-3"]
    assert positions(reply.text, order) == sorted(positions(reply.text, order))
