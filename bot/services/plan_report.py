"""Where a board's improvement plan stands this reporting period: "RAG at a glance" and exception entries.

A period closes at each meeting the board holds. The current period began when the last meeting before
`now` started (or, before any meeting, when the plan began); an area's or an action's previous RAG is
the rating it had at that instant, read from its history. An area or action recorded during the period
has the previous RAG it was imported with (a RAG report's "Previous RAG" column), if any.

Pure reads: nothing here writes, so it runs inside the summary's or the export's session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.services.plans import RAG_RANK
from bot.walltime import local_date
from storage import meetings as meeting_store
from storage import plans as store
from storage.models import Action, ActionEvent, Board, PlanArea, PlanAreaEvent

# Ratings shown per area in `/plan show`: the closes of the last few periods.
PERIODS_SHOWN = 4


@dataclass(frozen=True)
class Priority:
    """One of an area's open actions, with its rating last period and now."""

    action: Action
    previous_rag: str | None
    rag: str | None
    days_overdue: int = 0


@dataclass(frozen=True)
class Development:
    """A progress update with evidence, recorded this period."""

    action: Action
    note: str
    evidence: str
    at: datetime


@dataclass(frozen=True)
class Risk:
    """An open action at risk: its target date has passed, or it is rated red."""

    action: Action
    days_overdue: int
    red: bool


@dataclass(frozen=True)
class Claim:
    """A progress update recorded this period without evidence."""

    action: Action
    note: str
    at: datetime


@dataclass(frozen=True)
class AreaStatus:
    """One area this period: its ratings, priorities, and what the exception report says of it."""

    area: PlanArea
    previous_rag: str | None
    rag: str | None
    priorities: tuple[Priority, ...]
    developments: tuple[Development, ...]
    risks: tuple[Risk, ...]
    claims: tuple[Claim, ...]
    # (when the period closed, the rating then), oldest first: the closes of the last few periods.
    history: tuple[tuple[datetime, str | None], ...] = ()

    @property
    def direction(self) -> str:
        """`better`, `worse`, `same`, `new` (no rating last period) or `unrated`."""
        if self.rag is None:
            return "unrated"
        if self.previous_rag is None:
            return "new"
        change = RAG_RANK[self.rag] - RAG_RANK[self.previous_rag]
        return "worse" if change > 0 else "better" if change < 0 else "same"

    @property
    def improved_without_evidence(self) -> bool:
        """The rating went up this period and no update this period carries evidence."""
        return self.direction == "better" and not self.developments

    @property
    def flagged(self) -> bool:
        """Progress claimed without evidence: updates with none, or a better rating with none."""
        return bool(self.claims) or self.improved_without_evidence

    @property
    def is_exception(self) -> bool:
        """The exception report covers it: its rating changed, or it has evidence, risks or unbacked claims."""
        return self.direction in ("better", "worse") or bool(self.developments or self.risks) or self.flagged


@dataclass(frozen=True)
class PlanReport:
    """The board's plan this period."""

    board: Board
    since: datetime | None
    generated_at: datetime
    today: date
    areas: tuple[AreaStatus, ...]

    @property
    def exceptions(self) -> tuple[AreaStatus, ...]:
        """The areas with an exception entry, in plan order."""
        return tuple(a for a in self.areas if a.is_exception)


def _area_rag_at(events: Sequence[PlanAreaEvent], at: datetime) -> str | None:
    rag = None
    for event in events:
        if event.at <= at and event.kind in ("created", "rag", "imported"):
            rag = event.data.get("rag_to", rag)
    return rag


def _action_rag_at(events: Sequence[ActionEvent], at: datetime) -> str | None:
    rag = None
    for event in events:
        if event.at > at:
            break
        if event.kind == "created":
            rag = event.data.get("rag")
        elif event.kind == "rag":
            rag = event.data.get("rag_to")
    return rag


def _action_previous(action: Action, events: Sequence[ActionEvent], since: datetime | None) -> str | None:
    if since is not None and action.created_at <= since:
        return _action_rag_at(events, since)
    created = next((e for e in events if e.kind == "created"), None)
    return created.data.get("previous_rag") if created is not None else None


def _area_previous(area: PlanArea, events: Sequence[PlanAreaEvent], since: datetime | None) -> str | None:
    if since is not None and area.created_at <= since:
        return _area_rag_at(events, since)
    return area.opening_rag


def period_start(session: Session, board: Board, now: datetime) -> datetime | None:
    """When the current reporting period began: the start of the last meeting held before `now`."""
    previous = meeting_store.previous_meeting(session, board.id, now)
    return previous.starts_at if previous else None


def build_plan_report(
    session: Session, *, board: Board, now: datetime, since: datetime | None = None, history: bool = False
) -> PlanReport:
    """The board's plan as it stands at `now`, this period beginning at `since` (default: the last meeting).

    With `history`, each area also carries its rating at the close of the last few periods."""
    if since is None:
        since = period_start(session, board, now)
    today = local_date(now, board.tz)
    areas = store.areas_of_board(session, board.id)
    area_ids = [a.id for a in areas]
    area_events: dict[int, list[PlanAreaEvent]] = {}
    for event in store.area_events(session, area_ids):
        area_events.setdefault(event.area_id, []).append(event)
    actions = store.area_actions(session, area_ids)
    action_events: dict[int, list[ActionEvent]] = {}
    for event in store.action_events(session, [a.id for a in actions], ("created", "rag", "update")):
        action_events.setdefault(event.action_id, []).append(event)
    by_area: dict[int, list[Action]] = {}
    for action in actions:
        by_area.setdefault(action.area_id or 0, []).append(action)
    closes = store.meeting_boundaries(session, board.id, now)[-PERIODS_SHOWN:] if history else []

    statuses = []
    for area in areas:
        events = area_events.get(area.id, [])
        priorities, developments, risks, claims = [], [], [], []
        for action in by_area.get(area.id, []):
            own = action_events.get(action.id, [])
            for event in own:
                if event.kind != "update" or (since is not None and event.at <= since):
                    continue
                evidence = (event.data or {}).get("evidence")
                if evidence:
                    developments.append(Development(action, event.note or "", evidence, event.at))
                elif not (event.data or {}).get("imported"):
                    claims.append(Claim(action, event.note or "", event.at))
            if action.status != "open":
                continue
            overdue = (today - action.due_date).days if action.due_date and action.due_date < today else 0
            priorities.append(Priority(action, _action_previous(action, own, since), action.rag, overdue))
            if overdue or action.rag == "red":
                risks.append(Risk(action, overdue, action.rag == "red"))
        priorities.sort(key=lambda p: (p.action.due_date or date.max, p.action.number))
        risks.sort(key=lambda r: (-r.days_overdue, r.action.number))
        ratings = tuple((at, _area_rag_at(events, at) if area.created_at <= at else None) for at in closes)
        statuses.append(
            AreaStatus(
                area=area,
                previous_rag=_area_previous(area, events, since),
                rag=area.rag,
                priorities=tuple(priorities),
                developments=tuple(developments),
                risks=tuple(risks),
                claims=tuple(claims),
                history=ratings,
            )
        )
    return PlanReport(board=board, since=since, generated_at=now, today=today, areas=tuple(statuses))
