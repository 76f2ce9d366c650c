"""Queries behind chasers and overdue reminders."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime

from sqlalchemy import and_, case, exists, literal, or_, select
from sqlalchemy.orm import Session

from storage.listed import EMPTY, ListedRows, among, listed
from storage.models import Action, ActionOwner, Board, Member, OutboxMessage


def open_actions_of_boards(session: Session, board_ids: Collection[int]) -> ListedRows:
    """The open actions of these boards with their owners, as columns."""
    if not board_ids:
        return EMPTY
    return listed(session, and_(among(session, Action.board_id, board_ids), Action.status == "open"))


def _overdue_candidates(before: date):  # type: ignore[no-untyped-def]
    return and_(
        Action.status == "open",
        Action.due_date.is_not(None),
        Action.due_date < before,
        Board.reminders_enabled.is_(True),
    )


def open_actions_due_before(session: Session, before: date, owners: Collection[str] | None = None) -> ListedRows:
    """Open dated actions of boards with reminders on, due before `before` (a superset of the
    overdue); with `owners`, only actions one of these Slack users owns. As columns."""
    if owners is None:
        return listed(session, _overdue_candidates(before), joined_board=True)
    # The actions these owners own are read first and the candidates kept in Python: as one
    # `IN (subquery)` with a long list of owners PostgreSQL took 0.7 s for what costs 0.1 s so.
    owned = set(
        session.scalars(
            select(ActionOwner.action_id)
            .join(Member, Member.id == ActionOwner.member_id)
            .where(among(session, Member.slack_user_id, owners))
        )
    )
    return listed(session, _overdue_candidates(before), joined_board=True, keep=owned)


def board_calendars(session: Session) -> list[tuple[str, str]]:
    """The (time zone, nation) pairs boards have."""
    return [(tz, nation) for tz, nation in session.execute(select(Board.tz, Board.nation).distinct())]


def owners_to_remind(
    session: Session,
    *,
    before: date,
    slots: Mapping[tuple[str, str], tuple[str, date]],
    reminded_since: datetime,
    now: datetime,
) -> set[str]:
    """Slack ids of owners of candidate overdue actions who may still need this week's reminder.

    `slots` gives, for each board (time zone, nation), this week's ISO week and reminder day.
    Left out, in SQL: owners with a reminder keyed for this week in their board's calendar
    (`overdue:<team>:<user>:<ISO week>`, the key the clock writes); owners with a reminder whose
    slot fell in (`reminded_since`, `now`], the window a weekly reminder stays valid in; and
    actions not due before their board's reminder day (a reminder lists only those). The rows
    read are owners, not actions; an owner left in is checked fully by the caller.
    """
    if not slots:
        return set()
    calendar = [(and_(Board.tz == tz, Board.nation == nation), slot) for (tz, nation), slot in slots.items()]
    week = case(*[(when, literal(slot[0])) for when, slot in calendar], else_=literal(""))
    send_day = case(*[(when, literal(slot[1])) for when, slot in calendar], else_=literal(before))
    key = literal("overdue:") + Board.team_id + literal(":") + Member.slack_user_id + literal(":") + week
    reminded_this_week = exists().where(OutboxMessage.key == key)
    reminded_lately = exists().where(
        OutboxMessage.recipient == Member.slack_user_id,
        OutboxMessage.kind == "overdue",
        OutboxMessage.due_at > reminded_since,
        OutboxMessage.due_at <= now,
    )
    query = (
        select(Member.slack_user_id)
        .distinct()
        .select_from(Action)
        .join(Board, Board.id == Action.board_id)
        .join(ActionOwner, ActionOwner.action_id == Action.id)
        .join(Member, Member.id == ActionOwner.member_id)
        .where(
            _overdue_candidates(before),
            Action.due_date < send_day,
            Action.all_members.is_(False),
            or_(Action.reminders_snoozed_until.is_(None), Action.reminders_snoozed_until < before),
            Member.slack_user_id.is_not(None),
            ~reminded_this_week,
            ~reminded_lately,
        )
    )
    return {user for user in session.scalars(query) if user}
