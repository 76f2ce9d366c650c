"""The outbox: retries after Slack errors and 429s, no duplicates under concurrent ticks, size limits."""

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.scheduled import outbox as outbox_service
from storage.models import Action, ActionOwner, Board, Meeting, Member, OutboxMessage


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


SUMMARY_AT = _utc(2026, 12, 11, 9, 0)


def _summary_posts(fake):
    return [c for c in fake.calls_to("chat.postMessage") if c.text.startswith("Matters arising")]


def _rows(session_factory, **where):
    with session_factory() as session:
        query = select(OutboxMessage)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        return session.scalars(query.order_by(OutboxMessage.id)).all()


def test_429_puts_the_row_back_and_a_tick_after_retry_after_sends_it(board, tick, session_factory):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    board.fake.rate_limit_next("chat.postMessage", times=1, retry_after=30)
    tick(SUMMARY_AT)
    assert len(board.fake.calls_to("chat.postMessage!429")) == 1
    assert len(_summary_posts(board.fake)) == 1
    [waiting] = _rows(session_factory, kind="summary", status="pending")
    # Slack said when: the wait is recorded, not slept out, and a 429 is not counted as a failed attempt.
    assert waiting.next_attempt_at == SUMMARY_AT + timedelta(seconds=30)
    assert waiting.attempts == 0 and waiting.last_error == "ratelimited"
    tick(SUMMARY_AT + timedelta(seconds=29))
    assert len(_summary_posts(board.fake)) == 1
    tick(SUMMARY_AT + timedelta(seconds=30))
    assert len(_summary_posts(board.fake)) == 2
    assert {r.status for r in _rows(session_factory, kind="summary")} == {"sent"}


def test_failed_send_stays_in_outbox_and_is_retried_on_a_later_tick(board, tick, session_factory):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    board.fake.fail_next("chat.postMessage", "internal_error", times=2)
    tick(SUMMARY_AT)
    assert _summary_posts(board.fake) == []
    pending = _rows(session_factory, kind="summary", status="pending")
    assert len(pending) == 2 and all(r.attempts == 1 for r in pending)
    assert pending[0].last_error == "internal_error"
    tick(SUMMARY_AT + timedelta(minutes=1))
    assert len(_summary_posts(board.fake)) == 2
    assert {r.status for r in _rows(session_factory, kind="summary")} == {"sent"}


def test_send_still_failing_at_meeting_start_is_recorded_missed(board, tick, session_factory):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    board.fake.fail_next("chat.postMessage", "channel_not_found", times=2)
    tick(SUMMARY_AT)
    tick(_utc(2026, 12, 16, 9, 0))
    assert _summary_posts(board.fake) == []
    assert {r.status for r in _rows(session_factory, kind="summary")} == {"missed"}


def test_claimed_row_of_a_dead_process_is_sent_after_its_lease(board, tick, session_factory):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    tick(SUMMARY_AT - timedelta(minutes=1))
    board.command("/action", "add AF to circulate the report by 10/12/2026")
    # A process plans the summary, claims it, and dies before sending.
    from bot.scheduled.due_work import TickReport, plan_meeting_messages
    from storage import outbox as store
    from storage.db import session_scope

    with session_scope(session_factory) as session:
        plan_meeting_messages(session, SUMMARY_AT, TickReport())
    [row, _] = _rows(session_factory, kind="summary")
    with session_scope(session_factory) as session:
        assert store.claim(session, row.id, SUMMARY_AT, SUMMARY_AT, outbox_service.LEASE)
    tick(SUMMARY_AT + timedelta(minutes=1))
    assert [c.args["channel"] for c in _summary_posts(board.fake)] == ["UCAROL"]
    tick(SUMMARY_AT + outbox_service.LEASE + timedelta(minutes=1))
    assert sorted(c.args["channel"] for c in _summary_posts(board.fake)) == ["CBOARD", "UCAROL"]


def test_concurrent_ticks_send_each_message_once(board, tick):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    board.command("/action", "add AF to circulate the report by 14/12/2026")
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            tick(SUMMARY_AT)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(_summary_posts(board.fake)) == 2
    assert len([c for c in board.fake.calls_to("chat.postMessage") if c.args["channel"] == "UALICE"]) == 1


def _bulk_actions(session_factory, count: int, now: datetime) -> None:
    with session_factory() as session:
        board = session.scalars(select(Board)).one()
        member = session.scalars(select(Member).where(Member.initials == "AF")).one()
        for n in range(1, count + 1):
            action = Action(
                board_id=board.id,
                number=n,
                text=f"Action number {n} " + "x" * 150,
                status="open",
                due_kind="date",
                due_date=datetime(2026, 11, 1).date() if n % 2 else datetime(2026, 12, 14).date(),
                due_change_count=0,
                created_by="UALICE",
                created_at=now,
                updated_at=now,
            )
            session.add(action)
            session.flush()
            session.add(ActionOwner(action_id=action.id, member_id=member.id))
        board.last_action_number = count
        session.commit()


def test_summary_of_500_open_actions_stays_within_slack_limits(board, tick, session_factory):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    _bulk_actions(session_factory, 500, _utc(2026, 10, 1, 9, 0))
    board.fake.clear()
    tick(SUMMARY_AT)
    channel = [c for c in board.fake.calls_to("chat.postMessage") if c.args["channel"] == "CBOARD"]
    first, *thread = channel
    assert "500 open" in first.text
    assert "and 242 more" in first.text  # 250 overdue, 8 shown
    assert thread and all(c.args.get("thread_ts") for c in thread)
    listed = "\n".join(c.text for c in thread)
    assert all(f"*SSCB-{n}*" in listed for n in (1, 499, 2, 500))
    # The fake Slack fails the test if any payload breaks a limit.


def test_thirty_boards_due_in_the_same_minute_all_get_their_summary(slack, tick, session_factory, clock):
    for n in range(30):
        slack.command("/meeting", f"setup Board {n} code B{n:02d} chair <@UCAROL>", user="UCAROL", channel=f"C{n:03d}")
        slack.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL", channel=f"C{n:03d}")
    slack.fake.rate_limit_next("chat.postMessage", times=3, retry_after=0)
    tick(SUMMARY_AT)
    # 429s in three conversations end the pass (Slack is limiting the method); the next tick sends the rest.
    tick(SUMMARY_AT + timedelta(minutes=1))
    channels = {c.args["channel"] for c in _summary_posts(slack.fake)}
    assert channels == {f"C{n:03d}" for n in range(30)} | {"UCAROL"}
    assert len(_summary_posts(slack.fake)) == 60
    with session_factory() as session:
        assert session.query(Meeting).count() == 30
    assert {r.status for r in _rows(session_factory, kind="summary")} == {"sent"}


def test_summary_queued_for_a_meeting_cancelled_before_sending_is_not_sent(board, tick, session_factory):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    board.fake.fail_next("chat.postMessage", "internal_error", times=2)
    tick(SUMMARY_AT)
    board.command("/meeting", "cancel 16/12/2026", user="UCAROL")
    board.fake.clear()
    tick(SUMMARY_AT + timedelta(minutes=5))
    assert _summary_posts(board.fake) == []
    assert {r.status for r in _rows(session_factory, kind="summary")} == {"cancelled"}
