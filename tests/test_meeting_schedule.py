"""/meeting schedule, next, list, cancel, move and settings."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from storage.models import Meeting, MeetingSeries
from tests.driver import posts, replies


def _meetings(session_factory, status: str = "scheduled"):
    with session_factory() as session:
        return session.scalars(select(Meeting).where(Meeting.status == status).order_by(Meeting.starts_at)).all()


def test_schedule_one_meeting_with_end_and_location(board, session_factory):
    calls = board.command(
        "/meeting", "schedule 15/12/2026 09:00 until 11:00 at Committee Room, Civic Centre", user="UCAROL"
    )
    [post] = posts(calls)
    assert post.args["channel"] == "CBOARD"
    assert "Tue 15 Dec 2026, 09:00–11:00 · Committee Room, Civic Centre" in post.text
    [meeting] = _meetings(session_factory)
    assert meeting.location == "Committee Room, Civic Centre"
    assert meeting.starts_at == datetime(2026, 12, 15, 9, 0, tzinfo=UTC)


def test_schedule_in_the_past_is_refused(board, session_factory):
    calls = board.command("/meeting", "schedule 01/11/2026 09:00", user="UCAROL")
    [reply] = replies(calls)
    assert "in the past" in reply.text and "Usage" in reply.text
    assert _meetings(session_factory) == []


def test_schedule_without_time_is_refused_with_usage(board, session_factory):
    [reply] = replies(board.command("/meeting", "schedule 15/12/2026", user="UCAROL"))
    assert "start time" in reply.text and "/meeting schedule" in reply.text
    assert _meetings(session_factory) == []


def test_schedule_with_bad_date_lists_accepted_forms(board, session_factory):
    [reply] = replies(board.command("/meeting", "schedule 31/02/2027 09:00", user="UCAROL"))
    assert "not a real date" in reply.text and "Dates I understand" in reply.text
    assert _meetings(session_factory) == []


def test_schedule_by_non_chair_is_refused(board, session_factory):
    [reply] = replies(board.command("/meeting", "schedule 15/12/2026 09:00", user="UDAVE"))
    assert "Only the chair" in reply.text
    assert _meetings(session_factory) == []


def test_schedule_series_on_third_wednesday(board, session_factory):
    calls = board.command("/meeting", "schedule every month on the 3rd Wednesday 09:30 at Room 4", user="UCAROL")
    [post] = posts(calls)
    assert "every month on the 3rd Wednesday at 09:30" in post.text
    assert "Wed 16 Dec 2026, 09:30" in post.text
    meetings = _meetings(session_factory)
    assert [m.local_start.date() for m in meetings[:3]] == [date(2026, 12, 16), date(2027, 1, 20), date(2027, 2, 17)]
    assert all(m.local_start.time().isoformat() == "09:30:00" for m in meetings)
    with session_factory() as session:
        [series] = session.scalars(select(MeetingSeries)).all()
    assert series.rule == "FREQ=MONTHLY;INTERVAL=1;BYDAY=+3WE"


def test_series_keeps_local_time_across_clock_change(board, session_factory):
    board.command("/meeting", "schedule quarterly on the 2nd Thursday 10am", user="UCAROL")
    meetings = _meetings(session_factory)
    by_day = {m.local_start.date(): m.starts_at for m in meetings}
    # Quarters count from this month (November): Feb, May, Aug, Nov.
    assert by_day[date(2027, 2, 11)] == datetime(2027, 2, 11, 10, 0, tzinfo=UTC)  # GMT
    assert by_day[date(2027, 5, 13)] == datetime(2027, 5, 13, 9, 0, tzinfo=UTC)  # BST


def test_series_can_start_from_a_given_date(board, session_factory):
    board.command("/meeting", "schedule quarterly on the 2nd Thursday from 01/12/2026 10:00", user="UCAROL")
    starts = [m.local_start.date() for m in _meetings(session_factory)[:3]]
    assert starts == [date(2026, 12, 10), date(2027, 3, 11), date(2027, 6, 10)]


def test_unknown_series_rule_is_refused(board, session_factory):
    [reply] = replies(board.command("/meeting", "schedule every blue moon 09:00", user="UCAROL"))
    assert "Repeats I understand" in reply.text
    assert _meetings(session_factory) == []


def test_next_and_list_are_private(board):
    board.command("/meeting", "schedule every month on the 3rd Wednesday 09:30", user="UCAROL")
    calls = board.command("/meeting", "next", user="UDAVE")
    assert posts(calls) == []
    assert "Wed 16 Dec 2026, 09:30" in replies(calls)[0].text
    calls = board.command("/meeting", "list", user="UDAVE")
    text = replies(calls)[0].text
    assert "Wed 20 Jan 2027, 09:30" in text and "Repeats every month on the 3rd Wednesday" in text


def test_next_without_meetings_says_how_to_schedule(board):
    [reply] = replies(board.command("/meeting", "next"))
    assert "no meeting scheduled" in reply.text


def test_cancel_one_occurrence_of_a_series(board, session_factory):
    board.command("/meeting", "schedule every month on the 3rd Wednesday 09:30", user="UCAROL")
    calls = board.command("/meeting", "cancel 16/12/2026", user="UCAROL")
    assert "cancelled" in posts(calls)[0].text
    assert _meetings(session_factory)[0].local_start.date() == date(2027, 1, 20)
    assert len(_meetings(session_factory, "cancelled")) == 1


def test_cancel_date_without_meeting_is_refused(board):
    board.command("/meeting", "schedule 15/12/2026 09:00", user="UCAROL")
    [reply] = replies(board.command("/meeting", "cancel 16/12/2026", user="UCAROL"))
    assert "no meeting to come on Wed 16 Dec 2026" in reply.text and "Tue 15 Dec 2026" in reply.text


def test_move_one_meeting_to_another_day_and_time(board, session_factory):
    board.command("/meeting", "schedule every month on the 3rd Wednesday 09:30", user="UCAROL")
    calls = board.command("/meeting", "move 16/12/2026 to 17/12/2026 14:00", user="UCAROL")
    assert "Thu 17 Dec 2026, 14:00" in posts(calls)[0].text
    first = _meetings(session_factory)[0]
    assert first.local_start == datetime(2026, 12, 17, 14, 0)


def test_actions_due_next_meeting_follow_the_meeting(board, session_factory):
    board.command("/meeting", "schedule 15/12/2026 09:00", user="UCAROL")
    calls = board.command("/action", "add AF to bring the audit to the next meeting by next meeting")
    assert "15 Dec" in posts(calls)[0].text
    board.command("/meeting", "move 15/12/2026 to 18/12/2026", user="UCAROL")
    [reply] = replies(board.command("/action", "show SSCB-1"))
    assert "due 18 Dec" in reply.text


def test_action_due_next_meeting_before_any_is_scheduled_gets_the_first_one(board):
    board.command("/action", "add AF to report back by next meeting")
    board.command("/meeting", "schedule 15/12/2026 09:00", user="UCAROL")
    [reply] = replies(board.command("/action", "show SSCB-1"))
    assert "due 15 Dec" in reply.text


def test_cancelled_meeting_passes_its_actions_to_the_next(board):
    board.command("/meeting", "schedule 15/12/2026 09:00", user="UCAROL")
    board.command("/meeting", "schedule 19/01/2027 09:00", user="UCAROL")
    board.command("/action", "add AF to report back by next meeting")
    board.command("/meeting", "cancel 15/12/2026", user="UCAROL")
    [reply] = replies(board.command("/action", "show SSCB-1"))
    assert "due 19 Jan 2027" in reply.text


def test_settings_show_and_change(board, session_factory):
    [reply] = replies(board.command("/meeting", "settings"))
    assert "3 working days before each meeting at 09:00" in reply.text
    assert "5 working days before" in reply.text
    [post] = posts(board.command("/meeting", "settings nation wales", user="UCAROL"))
    assert "Wales" in post.text
    [post] = posts(board.command("/meeting", "settings chaser 7 days before", user="UCAROL"))
    assert "Chasers: 7 working days before" in post.text


def test_bad_setting_is_refused_and_changes_nothing(board):
    [reply] = replies(board.command("/meeting", "settings summary lots days before at 09:00", user="UCAROL"))
    assert "number of working days" in reply.text
    [reply] = replies(board.command("/meeting", "settings nation france", user="UCAROL"))
    assert "england" in reply.text
    [reply] = replies(board.command("/meeting", "settings"))
    assert "3 working days before each meeting at 09:00" in reply.text and "England" in reply.text


def test_the_same_series_twice_is_refused(board, session_factory):
    board.command("/meeting", "schedule every month on the 3rd Wednesday 09:00", user="UCAROL")
    count = len(_meetings(session_factory))
    [reply] = replies(board.command("/meeting", "schedule every month on the 3rd Wednesday 09:00", user="UCAROL"))
    assert "already meets every month on the 3rd Wednesday at 09:00" in reply.text
    assert len(_meetings(session_factory)) == count


def test_series_skips_days_the_board_already_meets(board, session_factory):
    board.command("/meeting", "schedule 16/12/2026 14:00", user="UCAROL")
    board.command("/meeting", "schedule every month on the 3rd Wednesday 09:00", user="UCAROL")
    on_16th = [m for m in _meetings(session_factory) if m.local_start.date() == date(2026, 12, 16)]
    assert len(on_16th) == 1 and on_16th[0].local_start.hour == 14


def test_schedule_series_from_a_pattern_without_every(board, session_factory):
    calls = board.command("/meeting", "schedule first Tuesday of the month 10:00", user="UCAROL")

    [post] = posts(calls)
    assert "every month on the 1st Tuesday at 10:00" in post.text
    assert [m.local_start.date() for m in _meetings(session_factory)[:2]] == [date(2026, 12, 1), date(2027, 1, 5)]


def test_schedule_series_six_weekly(board, session_factory):
    board.command("/meeting", "schedule 6 weekly on Tuesdays 14:00", user="UCAROL")

    starts = [m.local_start.date() for m in _meetings(session_factory)[:2]]
    assert starts == [date(2026, 11, 24), date(2027, 1, 5)]


def test_schedule_termly_asks_which_day_and_lists_pattern_forms(board, session_factory):
    [reply] = replies(board.command("/meeting", "schedule termly 10:00", user="UCAROL"))

    assert "which day" in reply.text and "Repeats I understand" in reply.text
    assert _meetings(session_factory) == []


def test_schedule_pattern_error_escapes_what_was_typed(board):
    [reply] = replies(board.command("/meeting", "schedule every <!channel> month 10:00", user="UCAROL"))

    assert "<!channel>" not in reply.text and "&lt;!channel&gt;" in reply.text
