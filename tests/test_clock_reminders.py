"""Chasers before a meeting and weekly overdue reminders: to the right people, at the right time, once."""

from datetime import UTC, datetime

from sqlalchemy import select

from storage.models import Action
from tests.driver import replies


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _dms(fake, user: str):
    return [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == user]


def test_chaser_lists_only_the_owners_actions_due_by_the_meeting(board, tick):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    board.command("/action", "add AF to circulate the report by 14/12/2026")
    board.command("/action", "add EA to book the venue by 15/12/2026")
    board.command("/action", "add AF to review the audit by 20/01/2027")
    # 5 working days before Wed 16 Dec is Wed 9 Dec.
    tick(_utc(2026, 12, 9, 8, 59))
    assert _dms(board.fake, "UALICE") == []
    tick(_utc(2026, 12, 9, 9, 0))
    [alice] = _dms(board.fake, "UALICE")
    assert "SSCB-1" in alice.text and "SSCB-3" not in alice.text and "SSCB-2" not in alice.text
    assert "/action update SSCB-1" in alice.text
    [bob] = _dms(board.fake, "UBOB")
    assert "SSCB-2" in bob.text


def test_chaser_skips_actions_updated_since_the_previous_meeting(board, tick, clock):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    board.command("/action", "add AF to circulate the report by 14/12/2026")
    board.command("/action", "update SSCB-1 draft with legal")
    tick(_utc(2026, 12, 9, 9, 0))
    assert _dms(board.fake, "UALICE") == []


def test_chaser_sent_once_across_ticks(board, tick):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    board.command("/action", "add AF to circulate the report by 14/12/2026")
    for hour in (9, 10, 11):
        tick(_utc(2026, 12, 9, hour, 0))
    assert len(_dms(board.fake, "UALICE")) == 1


def test_owner_without_slack_is_listed_to_the_chair_not_messaged(board, tick):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    board.command("/action", "add JB to brief the police team by 14/12/2026")
    tick(_utc(2026, 12, 11, 9, 0))
    [chair] = _dms(board.fake, "UCAROL")
    assert "Owners without Slack" in chair.text
    assert "JB (Jo Bloggs): SSCB-1" in chair.text


def test_reminders_off_stops_chasers(board, tick):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    board.command("/action", "add AF to circulate the report by 14/12/2026")
    board.command("/meeting", "settings reminders off", user="UCAROL")
    tick(_utc(2026, 12, 9, 9, 0))
    assert _dms(board.fake, "UALICE") == []


def test_overdue_reminder_on_monday_at_nine_in_owner_zone(board, tick):
    board.command("/action", "add AF to circulate the report by 20/11/2026")
    # Mon 30 Nov 2026, 09:00 London (GMT).
    tick(_utc(2026, 11, 30, 8, 59))
    assert _dms(board.fake, "UALICE") == []
    tick(_utc(2026, 11, 30, 9, 0))
    [dm] = _dms(board.fake, "UALICE")
    assert "1 overdue action" in dm.text and "SSCB-1" in dm.text


def test_overdue_reminder_at_most_once_a_week(board, tick):
    board.command("/action", "add AF to circulate the report by 20/11/2026")
    for day in (30, 30, 1, 2, 3, 4):
        month = 11 if day == 30 else 12
        tick(_utc(2026, month, day, 10, 0))
    assert len(_dms(board.fake, "UALICE")) == 1
    tick(_utc(2026, 12, 7, 9, 0))
    assert len(_dms(board.fake, "UALICE")) == 2


def test_overdue_reminder_uses_owner_time_zone(board, tick, fake_slack):
    fake_slack.add_user("UALICE", tz="America/New_York")
    board.command("/action", "add AF to circulate the report by 20/11/2026")
    tick(_utc(2026, 11, 30, 9, 0))  # 04:00 in New York
    assert _dms(board.fake, "UALICE") == []
    tick(_utc(2026, 11, 30, 14, 0))  # 09:00 in New York
    assert len(_dms(board.fake, "UALICE")) == 1


def test_no_overdue_reminder_at_weekend(board, tick):
    board.command("/action", "add AF to circulate the report by 20/11/2026")
    tick(_utc(2026, 11, 28, 10, 0))  # Saturday
    tick(_utc(2026, 11, 29, 10, 0))  # Sunday
    assert _dms(board.fake, "UALICE") == []


def test_overdue_reminder_waits_for_bank_holiday_monday(board, tick, clock):
    # Mon 28 Dec 2026 is a bank holiday in England; the week's reminder goes Tue 29 Dec 09:00.
    board.command("/action", "add AF to circulate the report by 20/11/2026")
    tick(_utc(2026, 12, 28, 10, 0))
    assert _dms(board.fake, "UALICE") == []
    tick(_utc(2026, 12, 29, 9, 0))
    assert len(_dms(board.fake, "UALICE")) == 1


def test_snoozed_action_is_left_out_of_reminders(board, tick, session_factory):
    board.command("/action", "add AF to circulate the report by 20/11/2026")
    board.command("/action", "add AF to book the venue by 21/11/2026")
    calls = board.command("/mine", "snooze SSCB-1 14")
    assert "SSCB-1" in replies(calls)[0].text
    with session_factory() as session:
        snoozed = session.scalars(select(Action).where(Action.number == 1)).one().reminders_snoozed_until
    assert snoozed is not None
    tick(_utc(2026, 11, 30, 9, 0))
    [dm] = _dms(board.fake, "UALICE")
    assert "SSCB-2" in dm.text and "SSCB-1" not in dm.text


def test_action_falling_overdue_mid_week_waits_for_next_monday(board, tick):
    board.command("/action", "add AF to circulate the report by 24/11/2026")  # Tuesday
    tick(_utc(2026, 11, 25, 0, 1))  # Wednesday: overdue now, but not at Monday's slot
    tick(_utc(2026, 11, 26, 10, 0))
    assert _dms(board.fake, "UALICE") == []
    tick(_utc(2026, 11, 30, 9, 0))
    assert len(_dms(board.fake, "UALICE")) == 1


def test_moving_a_meeting_to_another_time_the_same_day_does_not_chase_again(board, tick, clock):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    board.command("/action", "add AF to circulate the report by 14/12/2026")
    tick(_utc(2026, 12, 9, 9, 0))
    clock.now = _utc(2026, 12, 9, 12, 0)
    board.command("/meeting", "move 16/12/2026 to 16/12/2026 10:00", user="UCAROL")
    tick(_utc(2026, 12, 9, 12, 1))
    tick(_utc(2026, 12, 11, 9, 0))
    assert len(_dms(board.fake, "UALICE")) == 1


def test_owner_due_after_the_chaser_time_is_not_chased_at_an_odd_hour(board, tick, clock):
    board.command("/meeting", "schedule 16/12/2026 09:00", user="UCAROL")
    tick(_utc(2026, 12, 9, 9, 0))  # chaser time: nothing due yet
    clock.now = _utc(2026, 12, 12, 22, 0)  # Saturday night
    board.command("/action", "add AF to circulate the report by 14/12/2026")
    tick(_utc(2026, 12, 12, 22, 1))
    assert _dms(board.fake, "UALICE") == []


def test_weekly_series_chaser_waits_until_this_weeks_meeting_has_started(board, tick):
    board.command("/meeting", "schedule every week on Monday 14:00", user="UCAROL")
    board.command("/action", "add AF to circulate the report by 06/12/2026")
    # Meetings Mon 30 Nov and Mon 7 Dec, 14:00. The 7 Dec chaser (5 working days before) must not
    # go out on the morning of 30 Nov, before that day's meeting.
    board.fake.clear()
    tick(_utc(2026, 11, 30, 9, 0))
    assert [c for c in _dms(board.fake, "UALICE") if "7 December" in c.text] == []
    tick(_utc(2026, 11, 30, 14, 1))
    assert len([c for c in _dms(board.fake, "UALICE") if "7 December" in c.text]) == 1
