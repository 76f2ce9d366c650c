"""/metrics in Prometheus' format, and one log line per request with ids, outcome and latency (no text)."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from sqlalchemy import text


def _metrics(slack) -> str:
    answer = slack.request("GET", "/metrics")
    assert answer.status == 200
    return answer.body


def _value(body: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", body, re.MULTILINE)
    assert match, f"{name} not in metrics"
    return float(match.group(1))


def test_metrics_count_acked_commands_by_outcome(board):
    board.command("/mine", "", user="UALICE")
    body = _metrics(board)
    assert _value(body, 'arising_requests_total{kind="command",outcome="queued"}') >= 5
    assert _value(body, 'arising_ack_seconds_count{kind="command"}') >= 5


def test_metrics_show_outbox_depth_and_clock_lag(board, session_factory, clock):
    board.command("/meeting", "schedule 25/11/2026 10:00", user="UCAROL")
    with session_factory() as session:
        session.execute(
            text(
                "INSERT INTO outbox (key, kind, recipient, payload, status, due_at, next_attempt_at, attempts,"
                " parts_sent, created_at) VALUES ('k1', 'summary', 'CBOARD', '{}', 'pending', :due, :due, 0, 0, :due)"
            ),
            {"due": datetime(2020, 1, 1, tzinfo=UTC)},
        )
        session.commit()
    body = _metrics(board)
    assert _value(body, 'arising_outbox_messages{status="pending"}') == 1
    assert _value(body, "arising_clock_lag_seconds") > 0
    assert _value(body, "arising_database_up") == 1


def test_each_request_logs_one_line_of_ids_and_outcome_without_the_text(board, caplog):
    with caplog.at_level(logging.INFO, logger="arising.requests"):
        board.command("/action", "add AF to review child J's case file by 15/12/2026", user="UALICE")
    lines = [r.getMessage() for r in caplog.records if r.name == "arising.requests"]
    assert len(lines) == 1
    assert re.fullmatch(
        r"request path=/slack/events status=200 kind=command name=/action team=T1 user=UALICE outcome=queued "
        r"ms=\d+\.\d",
        lines[0],
    )
    assert "child" not in lines[0]


def test_request_to_an_unknown_path_logs_no_path(slack, caplog):
    with caplog.at_level(logging.INFO, logger="arising.requests"):
        slack.request("GET", "/secret-case-file")
    [line] = [r.getMessage() for r in caplog.records if r.name == "arising.requests"]
    assert "path=other status=404" in line
    assert "secret" not in line


def test_each_job_logs_one_line_of_its_kind_and_duration_without_the_text(board, caplog):
    with caplog.at_level(logging.INFO, logger="handlers.work"):
        board.command("/action", "add AF to review child J's case file by 15/12/2026", user="UALICE")
    lines = [r.getMessage() for r in caplog.records if r.name == "handlers.work"]
    assert len(lines) == 1
    assert re.fullmatch(r"job done: kind=command ms=\d+\.\d", lines[0])
    assert "child" not in lines[0]
