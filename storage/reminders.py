"""Queries behind chasers and overdue reminders."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Row, and_, case, exists, literal, or_, select
from sqlalchemy.orm import Session

from storage.models import Action, ActionOwner, Board, Member, OutboxMessage

# The columns a chaser or an overdue reminder shows and decides by (named as on `Action`).
LISTED_COLUMNS = (
    Action.id,
    Action.board_id,
    Action.number,
    Action.text,
    Action.status,
    Action.rag,
    Action.previous_rag,
    Action.due_kind,
    Action.due_date,
    Action.original_due_date,
    Action.due_change_count,
    Action.due_meeting_id,
    Action.created_at,
    Action.last_progress_at,
    Action.all_members,
    Action.reminders_snoozed_until,
)


@dataclass(frozen=True)
class ListedRows:
    """Open actions as columns (by board and number), their owners (by action, then initials, as
    `Action.owners` orders them) and their boards: three queries, no action loaded as an object."""

    actions: Sequence[Row]  # type: ignore[type-arg]
    owners: Sequence[Row]  # type: ignore[type-arg]
    boards: Sequence[Board]


# Actions whose owners are read per query (as the ORM's selectinload does).
OWNER_CHUNK = 500


def _listed(
    session: Session, condition: ColumnElement[bool], joined_board: bool, keep: set[int] | None = None
) -> ListedRows:
    actions = select(*LISTED_COLUMNS).where(condition).order_by(Action.board_id, Action.number)
    if joined_board:
        actions = actions.join(Board, Board.id == Action.board_id)
    action_rows = session.execute(actions).all()
    if keep is not None:
        action_rows = [row for row in action_rows if row.id in keep]
    # Owners by the ids just read (primary keys), not by the condition again: on PostgreSQL a
    # second run of the condition, with its list of owners, cost more than the actions' query.
    ids = [row.id for row in action_rows]
    owners: list[Row] = []  # type: ignore[type-arg]
    for start in range(0, len(ids), OWNER_CHUNK):
        owners += session.execute(
            select(ActionOwner.action_id, Member.initials, Member.name, Member.slack_user_id)
            .join(Member, Member.id == ActionOwner.member_id)
            .where(ActionOwner.action_id.in_(ids[start : start + OWNER_CHUNK]))
            .order_by(ActionOwner.action_id, Member.initials)
        ).all()
    board_ids = sorted({row.board_id for row in action_rows})
    boards = session.scalars(select(Board).where(Board.id.in_(board_ids))).all() if board_ids else []
    return ListedRows(actions=action_rows, owners=owners, boards=boards)


def open_actions_of_boards(session: Session, board_ids: Collection[int]) -> ListedRows:
    """The open actions of these boards with their owners, as columns."""
    if not board_ids:
        return ListedRows(actions=[], owners=[], boards=[])
    return _listed(session, and_(Action.board_id.in_(sorted(set(board_ids))), Action.status == "open"), False)


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
        return _listed(session, _overdue_candidates(before), True)
    # The actions these owners own are read first and the candidates kept in Python: as one
    # `IN (subquery)` with a long list of owners PostgreSQL took 0.7 s for what costs 0.1 s so.
    owned = set(
        session.scalars(
            select(ActionOwner.action_id)
            .join(Member, Member.id == ActionOwner.member_id)
            .where(Member.slack_user_id.in_(sorted(owners)))
        )
    )
    return _listed(session, _overdue_candidates(before), True, keep=owned)


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
