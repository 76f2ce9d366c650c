"""Subject access (`arising data export`) and erasure (`arising data erase`) for one person."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.cli import main
from storage.models import Action, ActionEvent, BoardEvent, Member


@pytest.fixture
def db_url(engine, monkeypatch) -> str:
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def alices_log(board):
    """AF (UALICE) owns SSCB-1 and has updated it; SSCB-2 (EA's) mentions her."""
    board.command("/action", "add AF to circulate the audit by 15/12/2026", user="UALICE")
    board.command("/action", "update SSCB-1 draft shared with schools", user="UALICE")
    board.command("/action", "add EA to brief <@UALICE|alice> on the findings", user="UBOB")
    return board


def _export(capsys, user: str = "UALICE") -> dict:
    assert main(["data", "export", "--user", user]) == 0
    return json.loads(capsys.readouterr().out)


def test_export_lists_memberships_actions_and_history_of_the_person(alices_log, db_url, capsys):
    data = _export(capsys)
    assert [m["initials"] for m in data["memberships"]] == ["AF"]
    assert {a["ref"] for a in data["actions"]} == {"SSCB-1", "SSCB-2"}
    kinds = [h["kind"] for h in data["history"] if h["by_them"]]
    assert kinds == ["created", "update"]


def test_export_of_someone_unknown_is_empty_not_an_error(alices_log, db_url, capsys):
    data = _export(capsys, "UNOBODY")
    assert data["memberships"] == [] and data["actions"] == [] and data["history"] == []


def test_export_refuses_what_is_not_a_user_id(db_url, capsys):
    assert main(["data", "export", "--user", "alice"]) == 2
    assert "not a Slack user id" in capsys.readouterr().err


def test_erase_without_yes_says_what_would_change_and_changes_nothing(alices_log, db_url, capsys, session_factory):
    assert main(["data", "erase", "--user", "UALICE"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("would replace UALICE")
    assert "Nothing was changed" in out
    with session_factory() as session:
        assert session.scalar(select(Member.slack_user_id).where(Member.initials == "AF")) == "UALICE"


def test_erase_removes_every_trace_of_the_id_and_keeps_the_history_shape(
    alices_log, db_url, capsys, session_factory
):
    with session_factory() as session:
        events_before = len(session.scalars(select(ActionEvent)).all())
    assert main(["data", "erase", "--user", "UALICE", "--yes", "--by", "dpo"]) == 0
    assert capsys.readouterr().out.startswith("replaced UALICE with UERASED")
    assert _export(capsys)["actions"] == []
    with session_factory() as session:
        af = session.scalar(select(Member).where(Member.initials == "AF"))
        assert af.name == "[erased person]" and af.slack_user_id.startswith("UERASED")
        assert all("UALICE" not in (a.text + (a.source_text or "")) for a in session.scalars(select(Action)))
        events = session.scalars(select(ActionEvent)).all()
        assert len(events) == events_before
        assert all("UALICE" not in json.dumps(e.data) + (e.note or "") + e.actor_user_id for e in events)
        audit = session.scalars(select(BoardEvent).where(BoardEvent.kind == "person_erased")).all()
        assert [(a.actor_user_id, a.data["placeholder"] == af.slack_user_id) for a in audit] == [("cli:dpo", True)]


def test_erased_mention_reads_as_an_erased_person(alices_log, db_url, capsys):
    main(["data", "erase", "--user", "UALICE", "--yes"])
    capsys.readouterr()
    calls = alices_log.command("/action", "show SSCB-2", user="UBOB")
    assert "[erased person]" in calls[-1].text
