"""Logs hold ids and counts, never what people typed: a whole session at DEBUG (commands, faults, bad
signatures, a 10 MB unsigned body, Slack failing) leaves none of its words in any logger's records."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.logs import (
    WITHHELD,
    configure_logging,
    format_exception_safely,
    install_redaction,
    message_lead,
    uninstall_redaction,
)
from tests.driver import SlackDriver

# One made-up word per thing typed, so any copy of it in a log (URL-encoded or not) is found.
WORDS = {
    "action": "Zanzibarquokka",
    "update": "Marmosetfjord",
    "evidence": "Okapivelvet",
    "rag reason": "Tapirglacier",
    "due reason": "Narwhalcobalt",
    "location": "Pangolinmarsh",
    "done note": "Axolotlsaffron",
    "drop reason": "Caracalpewter",
    "bad signature": "Lemurquartz",
    "unsigned": "Wombatindigo",
    "10 MB": "Gharialmauve",
    "crash": "Ibexcrimson",
    "database": "Jerboatopaz",
    "invalid payload": "Kiwiumber",
    "slack failure": "Quetzalamber",
    "event": "Dugongsilver",
    "member": "Vicunaolive",
    "invisible": "Yaksepia",
}


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG, records redacted as `arising` configures them; set before the app is built
    (Bolt copies the root level into its loggers when the app is created)."""
    install_redaction()
    caplog.set_level(logging.DEBUG)
    try:
        yield caplog
    finally:
        uninstall_redaction()


def everything_logged(records: list[logging.LogRecord]) -> str:
    """Each record as a handler would write it (message, exception and stack), plus its raw parts."""
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    return "\n".join(f"{formatter.format(r)} {r.msg!r} {r.args!r}" for r in records)


def run_session(slack: SlackDriver, monkeypatch: pytest.MonkeyPatch) -> None:
    """A board's morning: commands of every kind, and everything that can go wrong on the way."""
    w = WORDS
    slack.command("/meeting", f"schedule 16/12/2026 09:00 at {w['location']} Hall", user="UCAROL")
    slack.command("/meeting", f'member add "Jo {w["member"]}" JV Police lead', user="UCAROL")
    slack.command("/action", f"add AF to review {w['action']} case by 15/12/2026")
    slack.command("/action", f"update SSCB-1 {w['update']} done evidence https://example.org/{w['evidence']}")
    slack.command("/action", f"rag SSCB-1 red {w['rag reason']} slipped")
    slack.command("/action", f"due SSCB-1 20/01/2027 {w['due reason']} waiting")
    slack.command("/action", "show SSCB-1")
    slack.command("/action", "history SSCB-1")
    slack.command("/mine", "")
    slack.command("/action", f"done SSCB-1 {w['done note']} agreed")
    slack.command("/action", f"add AF to draft the {w['drop reason']} protocol")
    slack.command("/action", f"drop SSCB-2 {w['drop reason']} superseded")
    slack.command("/action", f"add AF to \u200b{w['invisible']}\x07")

    # Slack failing: a refusal, then rate limits, on the channel post of a new action.
    slack.fake.fail_next("chat.postMessage", "not_in_channel")
    slack.command("/action", f"add AF to call {w['slack failure']} about it")
    slack.fake.rate_limit_next("chat.postMessage", times=2, retry_after=0)
    slack.command("/action", f"add AF to phone {w['slack failure']} again")

    # Our code failing, with the typed text in the exception's message.
    from bot.services import actions

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"could not record {kwargs.get('text')!r} ({w['crash']})")

    monkeypatch.setattr(actions, "record_update", crash)
    slack.command("/action", f"update SSCB-3 {w['crash']} progress")

    # The database failing, SQLAlchemy-style: the statement's parameters and the driver's detail.
    def integrity(*args: object, **kwargs: object) -> None:
        raise IntegrityError(
            "INSERT INTO action_events (note) VALUES (?)",
            {"note": w["database"]},
            Exception(f"DETAIL: Key (note)=({w['database']}) already exists"),
        )

    monkeypatch.setattr(actions, "change_rag", integrity)
    slack.command("/action", f"rag SSCB-3 amber {w['database']}")

    def stalled(*args: object, **kwargs: object) -> None:
        raise OperationalError("UPDATE actions SET text=?", (w["database"],), Exception("database is locked"))

    monkeypatch.setattr(actions, "close_action", stalled)
    slack.command("/action", f"done SSCB-3 {w['database']}")

    # Requests that fail Bolt's checks or ours.
    bad = slack.command_body("/action", f"add AF to {w['bad signature']}", user="UALICE", channel="CBOARD")
    assert slack.post(bad, secret="not-the-secret").status == 401
    unsigned = slack.command_body("/action", f"add AF to {w['unsigned']}", user="UALICE", channel="CBOARD")
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert slack.request("POST", "/slack/events", unsigned, headers).status == 401
    stale = slack.command_body("/action", f"add AF to {w['unsigned']}", user="UALICE", channel="CBOARD")
    assert slack.post(stale, timestamp=int(time.time()) - 3600).status == 401
    huge = "text=" + (w["10 MB"] + "+") * (10 * 1024 * 1024 // (len(w["10 MB"]) + 1))
    assert slack.request("POST", "/slack/events", huge, headers).status == 413
    assert slack.post(f"payload=%7B%22{w['invalid payload']}").status == 400
    # A command without a user: the payload model refuses it inside the listener.
    no_user = slack.command_body("/action", f"add AF to {w['invalid payload']}", user="UALICE", channel="CBOARD")
    slack.post(no_user.replace("user_id=UALICE&", ""))
    event = {
        "token": "legacy",
        "team_id": "T1",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": "Ev7",
        "event_time": 1700000000,
        "event": {"type": "message", "channel": "CBOARD", "user": "UBOB", "text": w["event"], "ts": "1.1"},
    }
    assert slack.post(json.dumps(event), content_type="application/json").status == 200
    slack.wait_idle()


def test_a_whole_session_at_debug_logs_none_of_the_words_typed(debug_logs, board, monkeypatch):
    run_session(board, monkeypatch)

    logged = everything_logged(debug_logs.records).lower()
    for what, word in WORDS.items():
        assert word.lower() not in logged, f"the {what} text ({word}) is in the logs"


def test_the_session_log_is_small_although_a_10_mb_body_was_posted(debug_logs, board, monkeypatch):
    run_session(board, monkeypatch)

    assert len(everything_logged(debug_logs.records)) < 500_000


def test_the_session_log_still_says_what_happened(debug_logs, board, monkeypatch):
    run_session(board, monkeypatch)

    logged = everything_logged(debug_logs.records)
    names = {r.name.split(".")[0] for r in debug_logs.records}
    # The libraries' own DEBUG and INFO lines were captured (so the test above means something),
    assert {"slack_sdk", "slack_bolt", "handlers"} <= names
    # and they still say what happened, with ids, counts and error codes.
    assert "Invalid request signature detected " + WITHHELD in logged
    assert "/action failed for team=T1 user=UALICE" in logged
    assert "builtins.RuntimeError: (message withheld)" in logged
    assert "chat.postMessage to CBOARD failed after 0 of 1 messages" in logged
    assert "not_in_channel" in logged
    assert "Exception: database is locked" in logged


# -- the pieces ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("msg", "kept"),
    [
        ("Invalid request signature detected (signature: v0=1, timestamp: 1, body: text=secret)", "Invalid request"),
        ("Sending a request - url: https://slack.com/api/chat.postMessage, body_params: {'text': 'x'}", "Sending a"),
        ("[%s] %r", ""),
        ("%s", ""),
        ("Received the following response - status: 200, headers: {}, body: {}", "Received the following response"),
    ],
)
def test_a_library_message_keeps_only_its_opening_words(msg, kept):
    lead = message_lead(msg)

    assert lead.endswith(WITHHELD)
    assert lead.removesuffix(WITHHELD).strip().startswith(kept)
    assert "secret" not in lead and "text" not in lead.lower().replace("the following", "")


def test_a_library_message_that_is_not_a_string_is_withheld():
    assert message_lead({"text": "secret"}) == WITHHELD


def test_an_exception_keeps_its_stack_and_type_but_not_its_message():
    typed = "Serval" + "quince"  # built, so the source line shown in the stack does not hold it
    try:
        try:
            raise ValueError(typed)
        except ValueError as exc:
            raise RuntimeError(f"while saving {typed}") from exc
    except RuntimeError as exc:
        text = format_exception_safely(exc)

    assert typed not in text
    assert "builtins.ValueError: (message withheld)" in text
    assert "builtins.RuntimeError: (message withheld)" in text
    assert "test_an_exception_keeps_its_stack_and_type_but_not_its_message" in text


def test_a_connection_error_keeps_its_message():
    text = format_exception_safely(ConnectionRefusedError(111, "Connection refused"))

    assert "Connection refused" in text


def test_our_own_messages_are_kept_but_an_exception_argument_is_reduced_to_its_kind(debug_logs):
    logging.getLogger("bot.example").warning("outbox %s failed: %s", "k1", ValueError("typed secret"))

    [record] = [r for r in debug_logs.records if r.name == "bot.example"]
    assert record.getMessage() == "outbox k1 failed: ValueError: (message withheld)"


def test_an_unknown_logger_is_treated_as_a_library(debug_logs):
    logging.getLogger("somelib").info("payload: %s", "typed secret")

    [record] = [r for r in debug_logs.records if r.name == "somelib"]
    assert record.getMessage() == f"payload {WITHHELD}"


def test_configure_logging_redacts_and_quietens_sqlalchemy(monkeypatch):
    monkeypatch.setattr(logging.getLogger("sqlalchemy"), "level", logging.NOTSET)
    try:
        configure_logging("debug")
        record = logging.getLogger("slack_bolt.App").makeRecord(
            "slack_bolt.App", logging.INFO, __file__, 1, "body: %s", ("typed secret",), None
        )
        assert record.getMessage() == f"body {WITHHELD}"
        assert logging.getLogger("sqlalchemy").level == logging.WARNING
    finally:
        uninstall_redaction()


def test_a_record_that_cannot_be_redacted_is_withheld_whole(debug_logs, monkeypatch):
    import bot.logs

    def broken(record: logging.LogRecord) -> logging.LogRecord:
        raise RuntimeError("redaction failed")

    monkeypatch.setattr(bot.logs, "redact", broken)

    logging.getLogger("bot.example").warning("outbox %s failed: %s", "k1", "typed secret")

    [record] = [r for r in debug_logs.records if r.name == "bot.example"]
    assert record.getMessage() == WITHHELD


def test_sqlalchemy_statement_logging_shows_no_parameters(debug_logs, tmp_path):
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{tmp_path}/echo.db", echo=True)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (note TEXT)"))
        conn.execute(text("INSERT INTO t (note) VALUES (:note)"), {"note": "Oryxtangerine"})
    engine.dispose()

    records = [r for r in debug_logs.records if r.name.startswith("sqlalchemy")]
    assert records, "echo=True should have logged the statements"
    assert "oryxtangerine" not in everything_logged(records).lower()


def test_json_log_format_writes_one_object_per_line_with_the_redacted_message():
    from bot.logs import JsonFormatter, install_redaction, uninstall_redaction

    install_redaction()
    try:
        record = logging.getLogger("slack_bolt.App").makeRecord(
            "slack_bolt.App",
            logging.WARNING,
            __file__,
            1,
            "Invalid request signature detected (body: %s)",
            ("text=secret+case+notes",),
            None,
        )
    finally:
        uninstall_redaction()
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["level"], entry["logger"]) == ("WARNING", "slack_bolt.App")
    assert entry["message"].startswith("Invalid request signature detected")
    assert "secret" not in entry["message"]
    assert entry["time"].endswith("Z")
