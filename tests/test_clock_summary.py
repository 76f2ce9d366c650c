"""The pre-meeting summary goes out at the right instant, once, and is recorded as missed when too late."""

from datetime import UTC, datetime

from sqlalchemy import select

from storage.models import Meeting, OutboxMessage
from tests.driver import posts


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _summary_posts(fake):
    return [c for c in fake.calls_to("chat.postMessage") if "Matters arising" in c.text]


def test_summary_goes_to_channel_and_chair_three_working_days_before(board, tick):
    # Wed 16 Dec 2026 09:00 London; 3 working days before is Fri 11 Dec 09:00 (GMT = UTC).
    board.command("/meeting", "schedule 16/12/2026 09:00 until 11:00 at Committee Room, Civic Centre", user="UCAROL")
    board.command("/action", "add AF to circulate the report by 10/12/2026")
    board.fake.clear()

    tick(_utc(2026, 12, 11, 8, 59))
    assert _summary_posts(board.fake) == []

    tick(_utc(2026, 12, 11, 9, 0))
    sent = _summary_posts(board.fake)
    assert sorted(c.args["channel"] for c in sent) == ["CBOARD", "UCAROL"]
    assert "Committee Room, Civic Centre" in sent[0].text
    assert "SSCB-1" in sent[0].text


def test_repeated_ticks_send_the_summary_once(board, tick):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    for minute in (0, 0, 1, 2):
        tick(_utc(2026, 12, 11, 9, minute))
    assert len(_summary_posts(board.fake)) == 2  # channel + chair


def test_summary_after_downtime_goes_on_first_tick_before_meeting(board, tick):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    tick(_utc(2026, 12, 16, 8, 30))
    assert len(_summary_posts(board.fake)) == 2


def test_summary_not_sent_after_meeting_started_and_recorded_missed(board, tick, session_factory):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    tick(_utc(2026, 12, 16, 9, 5))
    assert _summary_posts(board.fake) == []
    with session_factory() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "summary")).all()
    assert {r.status for r in rows} == {"missed"}
    assert len(rows) == 2


def test_summary_skips_weekend_and_bank_holidays(board, tick):
    # Tue 29 Dec 2026: 3 working days before skips 28 Dec (Boxing Day substitute), 25 Dec, the weekend -> Tue 22 Dec.
    board.command("/meeting", "schedule 29/12/2026 10:00", user="UCAROL")
    tick(_utc(2026, 12, 22, 8, 59))
    assert _summary_posts(board.fake) == []
    tick(_utc(2026, 12, 22, 9, 0))
    assert len(_summary_posts(board.fake)) == 2


def test_meeting_on_spring_clock_change_day_keeps_local_time(board, tick, clock, session_factory):
    # Sun 29 March 2026: clocks go forward at 01:00 UTC, so 09:00 London is 08:00 UTC.
    clock.now = _utc(2026, 1, 10, 12, 0)
    board.command("/meeting", "schedule 29/03/2026 09:00", user="UCAROL")
    with session_factory() as session:
        meeting = session.scalars(select(Meeting)).one()
    assert meeting.starts_at == _utc(2026, 3, 29, 8, 0)
    # Summary: 3 working days before (Wed 25 March), 09:00 GMT = 09:00 UTC.
    tick(_utc(2026, 3, 25, 8, 59))
    assert _summary_posts(board.fake) == []
    tick(_utc(2026, 3, 25, 9, 0))
    tick(_utc(2026, 3, 25, 10, 0))
    assert len(_summary_posts(board.fake)) == 2


def test_meeting_on_autumn_clock_change_day_keeps_local_time(board, tick, clock, session_factory):
    # Sun 25 October 2026: clocks go back at 01:00 UTC, so 09:00 London is 09:00 UTC; the summary
    # on Wed 21 October at 09:00 BST is 08:00 UTC.
    clock.now = _utc(2026, 6, 1, 12, 0)
    board.command("/meeting", "schedule 25/10/2026 09:00", user="UCAROL")
    with session_factory() as session:
        meeting = session.scalars(select(Meeting)).one()
    assert meeting.starts_at == _utc(2026, 10, 25, 9, 0)
    tick(_utc(2026, 10, 21, 7, 59))
    assert _summary_posts(board.fake) == []
    tick(_utc(2026, 10, 21, 8, 0))
    tick(_utc(2026, 10, 21, 9, 0))
    assert len(_summary_posts(board.fake)) == 2


def test_summary_settings_change_when_it_goes(board, tick):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    calls = board.command("/meeting", "settings summary 1 days before at 14:30", user="UCAROL")
    assert "14:30" in posts(calls)[0].text
    tick(_utc(2026, 12, 15, 14, 29))
    assert _summary_posts(board.fake) == []
    tick(_utc(2026, 12, 15, 14, 30))
    assert len(_summary_posts(board.fake)) == 2


def test_summary_time_after_the_start_is_brought_forward_to_an_hour_before(board, tick):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    board.command("/meeting", "settings summary 0 days before at 10:00", user="UCAROL")
    tick(_utc(2026, 12, 16, 7, 59))
    assert _summary_posts(board.fake) == []
    tick(_utc(2026, 12, 16, 8, 0))
    assert len(_summary_posts(board.fake)) == 2
