"""Everything the clock does at one instant: `run_due(now)`.

All state is in our tables: running it twice for the same instant, after a
restart, or from two processes at once, queues each message once (outbox keys)
and sends it once (outbox claims).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import perf_counter

from sqlalchemy.orm import Session

from bot.channels import Channels
from bot.deps import Deps
from bot.errors import DirectoryUnavailable
from bot.rendering import care as care_render
from bot.rendering import reminders as reminder_render
from bot.rendering import summary as summary_render
from bot.rendering.formatting import meeting_when
from bot.scheduled.outbox import DispatchReport, Plan, dispatch, record_markers
from bot.scheduled.sender import Sender
from bot.services import listed
from bot.services import meetings as meeting_service
from bot.services.listed import ListedAction
from bot.services.meetings import Times
from bot.services.retention import purge_once_a_day
from bot.services.summary import build_summaries, due_by
from bot.walltime import local_date, zone
from bot.workdays import Nation, is_working_day, next_working_day
from storage import clock as clock_store
from storage import meetings as meeting_store
from storage import outbox as outbox_store
from storage import reminders as reminder_store
from storage.db import session_scope
from storage.models import Action, Board, Meeting

log = logging.getLogger(__name__)

# Meetings whose summary or chaser could fall due now: chasers go up to 20 working days ahead.
LOOKAHEAD = timedelta(days=45)
# A summary not sent by the meeting's start is recorded as missed if the meeting began this recently.
MISSED_LOOKBACK = timedelta(days=14)
REMINDER_TIME = time(9, 0)
# An overdue reminder not sent within this long of its Monday slot waits for the next week.
REMINDER_VALID_FOR = timedelta(days=5)


@dataclass
class TickReport:
    """What one tick did (ids and counts only: it is logged)."""

    meetings_added: int = 0
    summaries: int = 0
    chasers: int = 0
    reminders: int = 0
    warnings: int = 0
    missed: int = 0
    dispatch: DispatchReport = field(default_factory=DispatchReport)
    # How long each step took (planning steps by name, and "send").
    seconds: dict[str, float] = field(default_factory=dict)


def run_due(deps: Deps, sender: Sender, now: datetime) -> TickReport:
    """Plan every message due at `now` into the outbox, then send what is due."""
    report = TickReport()
    steps = (
        (
            "extend series",
            lambda session: setattr(report, "meetings_added", meeting_service.extend_series(session, now)),
        ),
        ("plan meeting messages", lambda session: plan_meeting_messages(session, now, report, deps.channels)),
        ("plan overdue reminders", lambda session: plan_overdue_reminders(session, deps, now, report)),
        ("purge expired actions", lambda session: purge_once_a_day(session, now)),
    )
    for name, step in steps:
        started = perf_counter()
        # One failing step must not stop the others, nor the sending of what is already queued.
        try:
            with session_scope(deps.session_factory) as session:
                step(session)
        except Exception:
            log.exception("tick %s: %s failed; the next tick tries again", now.isoformat(), name)
        report.seconds[name] = perf_counter() - started
    started = perf_counter()
    report.dispatch = dispatch(deps.session_factory, sender, now, wall=deps.clock)
    report.seconds["send"] = perf_counter() - started
    log.info(
        "tick %s: queued %d summaries, %d chasers, %d reminders; sent %d, retrying %d, failed %d, missed %d",
        now.isoformat(),
        report.summaries,
        report.chasers,
        report.reminders,
        report.dispatch.sent,
        report.dispatch.retrying,
        report.dispatch.failed,
        report.missed + report.dispatch.missed,
    )
    return report


def _meeting_key(kind: str, meeting: Meeting, who: str) -> str:
    # The meeting's local date is in the key: moved to another day it gets a new summary and chasers;
    # a change of time on the same day does not send them again.
    return f"{kind}:{meeting.board_id}:{meeting.id}:{meeting.local_start:%Y%m%d}:{who}"


def plan_meeting_messages(
    session: Session, now: datetime, report: TickReport, channels: Channels | None = None
) -> None:
    """Queue the summary (channel and chair) and the owners' chasers of meetings whose time has come,
    and warn the chair, from the chaser time on, when the summary's channel is shared outside.

    Only meetings due a look are read (each records when it next needs one, see storage.clock),
    what they already have queued is read in one query, and what is new is written in one
    statement: a tick with nothing new reads a few index entries.
    """
    found = clock_store.meetings_to_look_at(session, now - MISSED_LOOKBACK, now + LOOKAHEAD, now)
    if not found:
        return
    timed = [(meeting, text, meeting_service.send_times(meeting.board, meeting)) for meeting, text in found]
    known = outbox_store.keys_of_meetings(session, [m.id for m, _, _ in timed], kinds=PLANNED_ONCE)
    # Each board's meetings still to begin: nothing is sent for one before the one before it has begun.
    coming: dict[int, list[datetime]] = defaultdict(list)
    for board_id, starts_at in clock_store.upcoming_starts(
        session, [m.board_id for m, _, _ in timed], now, now + LOOKAHEAD
    ):
        coming[board_id].append(starts_at)
    plan = Plan()
    looks: list[tuple[int, datetime, str]] = []
    markers: list[tuple[str, Meeting, datetime]] = []
    # Meetings whose summary is due: built together below, each kind of row read once for all boards.
    summarising: list[tuple[Meeting, Times, dict[str, str], dict[str, str]]] = []
    for meeting, basis, times in timed:
        board = meeting.board
        waiting_for = [s for s in coming[board.id] if s < meeting.starts_at]
        if waiting_for:
            # Weekly series: nothing for next week's meeting before this week's has begun.
            looks.append((meeting.id, max(waiting_for), basis))
            continue
        recipients = {"channel": board.channel_id, "chair": board.chair_user_id}
        keys = {who: _meeting_key("summary", meeting, who) for who in recipients}
        if now >= meeting.starts_at:
            for who, key in keys.items():
                if key not in known:
                    plan.add_missed(
                        key=key,
                        kind="summary",
                        recipient=recipients[who],
                        now=now,
                        due_at=times.summary_at,
                        board_id=board.id,
                        meeting_id=meeting.id,
                        reason="the bot was not running between the summary time and the meeting's start",
                    )
            # Nothing more, ever: it leaves the window before its next look.
            looks.append((meeting.id, meeting.starts_at + MISSED_LOOKBACK, basis))
            continue
        warned = True
        if channels is not None and now >= times.chaser_at:
            warned = _warn_if_shared(plan, known, channels, meeting, times, now)
        if now >= times.summary_at and not all(k in known for k in keys.values()):
            summarising.append((meeting, times, recipients, keys))
        chasers_key = _meeting_key("chasers", meeting, "planned")
        # Chasers are planned once, at the chaser time: an owner who becomes due later is not
        # messaged at some odd hour, but appears in the summary the chair receives. A marker
        # records it (written below, with the other meetings' markers).
        if board.reminders_enabled and now >= times.chaser_at and chasers_key not in known:
            markers.append((chasers_key, meeting, times.chaser_at))
        # Next look: the next of its instants still to come; every tick while a shared channel's
        # warning may still be due (whether the channel is shared is Slack's to say, not ours).
        later = [at for at in (times.chaser_at, times.summary_at, meeting.starts_at) if at > now]
        looks.append((meeting.id, now if not warned else min(later, default=meeting.starts_at), basis))
    summaries = build_summaries(session, [(meeting.board, meeting) for meeting, *_ in summarising], now)
    for (meeting, times, recipients, keys), summary in zip(summarising, summaries, strict=True):
        messages = summary_render.slack_messages(summary)
        for who, key in keys.items():
            plan.add(
                key=key,
                kind="summary",
                recipient=recipients[who],
                messages=messages,
                now=now,
                due_at=times.summary_at,
                board_id=meeting.board_id,
                meeting_id=meeting.id,
                not_after=meeting.starts_at,
            )
    # The markers of every meeting whose chasers are due, in one statement: of two processes, only
    # the one whose insert wrote a meeting's marker plans its chasers.
    written = record_markers(session, [(key, meeting.board_id, meeting.id) for key, meeting, _ in markers], now=now)
    chasing = [(meeting, chaser_at) for key, meeting, chaser_at in markers if key in written]
    if chasing:
        _plan_chasers(session, plan, chasing, now)
    counts = plan.write(session)
    clock_store.set_next_looks(session, looks)
    report.summaries += counts.get("summary", 0)
    report.chasers += counts.get("chaser", 0)
    report.warnings += counts.get("warning", 0)
    report.missed += counts.get("missed", 0)


# Kinds written once per meeting whatever its size (not one per owner): read back every tick.
PLANNED_ONCE = ("summary", "marker", "warning")


def _warn_if_shared(
    plan: Plan, known: set[str], channels: Channels, meeting: Meeting, times: Times, now: datetime
) -> bool:
    """Plan the chair's warning if the summary's channel is shared outside; True once it is planned."""
    board = meeting.board
    key = _meeting_key("shared-warning", meeting, board.chair_user_id)
    if key in known:
        return True
    if not channels.shared_externally(board.channel_id):
        return False
    local = times.summary_at.astimezone(zone(board.tz))
    message = care_render.shared_channel_warning(
        board.name, board.channel_id, meeting_when(meeting), f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"
    )
    plan.add(
        key=key,
        kind="warning",
        recipient=board.chair_user_id,
        messages=[message],
        now=now,
        # Sent before the summary even when the bot only comes round at the summary time.
        due_at=min(now, times.summary_at - timedelta(seconds=1)),
        board_id=board.id,
        meeting_id=meeting.id,
        not_after=meeting.starts_at,
    )
    return True


def _plan_chasers(session: Session, plan: Plan, chasing: list[tuple[Meeting, datetime]], now: datetime) -> None:
    """Plan each owner's chaser for these meetings (each with its chaser time). The open actions of
    every board, each meeting's previous start and the chasers already written are read once for all."""
    by_board: dict[int, list[ListedAction]] = defaultdict(list)
    for action in listed.open_actions_of_boards(session, [m.board_id for m, _ in chasing]):
        by_board[action.board_id].append(action)
    previous = meeting_store.previous_starts(session, [m.id for m, _ in chasing])
    wanted: list[tuple[Meeting, datetime, dict[str, list[ListedAction]]]] = []
    for meeting, due_at in chasing:
        today = local_date(now, meeting.board.tz)
        by_owner: dict[str, list[ListedAction]] = defaultdict(list)
        for action in by_board[meeting.board_id]:
            if not due_by(action, meeting) or _snoozed(action, today) or action.all_members:
                continue  # an action of all members is the chair's to raise, not chased person by person
            baseline = previous.get(meeting.id, action.created_at)
            if action.last_progress_at is not None and action.last_progress_at >= baseline:
                continue
            for owner in action.owners:
                if owner.slack_user_id:
                    by_owner[owner.slack_user_id].append(action)
        wanted.append((meeting, due_at, by_owner))
    keys = {
        (meeting.id, user_id): _meeting_key("chaser", meeting, user_id)
        for meeting, _, by_owner in wanted
        for user_id in by_owner
    }
    written = outbox_store.existing_keys(session, keys.values())
    for meeting, due_at, by_owner in wanted:
        for user_id, actions in by_owner.items():
            key = keys[(meeting.id, user_id)]
            if key in written:
                continue
            plan.add(
                key=key,
                kind="chaser",
                recipient=user_id,
                messages=[reminder_render.chaser(meeting, actions, now)],
                now=now,
                due_at=due_at,
                board_id=meeting.board_id,
                meeting_id=meeting.id,
                not_after=meeting.starts_at,
            )


def _snoozed(action: Action | ListedAction, today: date) -> bool:
    return action.reminders_snoozed_until is not None and action.reminders_snoozed_until >= today


def plan_overdue_reminders(session: Session, deps: Deps, now: datetime, report: TickReport) -> None:
    """Queue each owner's weekly overdue DM: Monday 09:00 in their own zone, never on a non-working day.

    Owners already reminded this week (by their board's calendar) or within the last reminder's
    validity are left out in SQL, so most ticks read a few index entries and load no action.
    """
    before = now.date() + timedelta(days=1)
    slots = {
        (tz, nation): _board_slot(local_date(now, tz), Nation(nation))
        for tz, nation in reminder_store.board_calendars(session)
    }
    owners = reminder_store.owners_to_remind(
        session, before=before, slots=slots, reminded_since=now - REMINDER_VALID_FOR, now=now
    )
    if not owners:
        return
    by_user: dict[tuple[str, str], list[ListedAction]] = defaultdict(list)
    # Candidates are due before tomorrow in UTC terms; each is then checked in its board's zone.
    for action in listed.open_actions_due_before(session, before, owners=owners):
        today = local_date(now, action.board.tz)
        if action.due_date is None or action.due_date >= today or _snoozed(action, today) or action.all_members:
            continue
        for owner in action.owners:
            if owner.slack_user_id in owners:
                by_user[(action.board.team_id, owner.slack_user_id)].append(action)

    # Cheap checks first: an owner already reminded this week (by the board's calendar) costs no
    # users.info call. The keys of every owner are read in one query.
    def board_week_key(team_id: str, user_id: str, board: Board) -> str:
        today = local_date(now, board.tz)
        return _reminder_key(team_id, user_id, today - timedelta(days=today.weekday()))

    first_keys = {who: board_week_key(*who, actions[0].board) for who, actions in by_user.items()}
    reminded = outbox_store.existing_keys(session, first_keys.values())
    due_now: list[tuple[str, str, Board, datetime, list[ListedAction]]] = []
    for (team_id, user_id), actions in by_user.items():
        if first_keys[(team_id, user_id)] in reminded:
            continue
        board = actions[0].board
        try:
            person = deps.directory.person(user_id)
        except DirectoryUnavailable:
            person = None  # the board's zone will do: one failed lookup does not hold up every reminder
        tz = (person.tz if person and person.tz else None) or board.tz
        try:
            local = now.astimezone(zone(tz))
        except ValueError:
            local = now.astimezone(zone(board.tz))
        nation = Nation(board.nation)
        if not is_working_day(local.date(), nation):
            continue
        monday = local.date() - timedelta(days=local.weekday())
        send_day = next_working_day(monday, nation)
        send_at = datetime.combine(send_day, REMINDER_TIME, tzinfo=local.tzinfo)
        if now < send_at or now >= send_at + REMINDER_VALID_FOR:
            continue
        # Only what was already overdue at the weekly slot: the window catches up after downtime,
        # it does not turn into a mid-week reminder the day something falls overdue.
        due = [a for a in actions if a.due_date is not None and a.due_date < send_day]
        if due:
            due_now.append((_reminder_key(team_id, user_id, monday), user_id, board, send_at, due))
    # The key again, in the owner's own zone (their week may differ from the board's).
    reminded = outbox_store.existing_keys(session, [key for key, *_ in due_now])
    plan = Plan()
    for key, user_id, board, send_at, due in due_now:
        if key in reminded:
            continue
        due.sort(key=lambda a: (a.due_date, a.board.code, a.number))
        plan.add(
            key=key,
            kind="overdue",
            recipient=user_id,
            messages=[reminder_render.overdue_reminder(due, now)],
            now=now,
            due_at=send_at,
            board_id=board.id,
            not_after=send_at + REMINDER_VALID_FOR,
        )
    report.reminders += plan.write(session).get("overdue", 0)


def _board_slot(today: date, nation: Nation) -> tuple[str, date]:
    """This week's ISO week and reminder day in a board's calendar (an owner's own zone is within a
    day of it, so an owner whose Monday it already is far east may wait a few hours)."""
    monday = today - timedelta(days=today.weekday())
    return _week(monday), next_working_day(monday, nation)


def _week(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def _reminder_key(team_id: str, user_id: str, monday: date) -> str:
    # storage.reminders.owners_to_remind builds the same key in SQL.
    return f"overdue:{team_id}:{user_id}:{_week(monday)}"
