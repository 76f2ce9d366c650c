"""Subject access and erasure for one person (UK GDPR articles 15 and 17).

Export gathers everything held about a Slack user. Erasure replaces their identity with a
placeholder everywhere it is stored (ids, names, mentions in texts, ids inside history data)
while keeping the history's shape: the board still sees that "a person" did each thing, when.
Every erasure leaves an audit row on each board it touched, saying who erased and when.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.errors import UserError
from bot.services.audit import record_board_event
from storage import home_tabs
from storage import personal_data as store

ERASED_NAME = "[erased person]"
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")


def _check_user_id(user_id: str) -> None:
    if not _USER_ID.match(user_id):
        raise UserError(f"`{user_id}` is not a Slack user id: they look like U0123ABCD (see the person's profile).")


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export_person(session: Session, user_id: str) -> dict[str, Any]:
    """Everything held about `user_id`, as JSON-ready data."""
    _check_user_id(user_id)
    memberships = store.memberships(session, user_id)
    member_ids = [m.id for m, _ in memberships]
    return {
        "user_id": user_id,
        "memberships": [
            {
                "board": board.code,
                "team_id": board.team_id,
                "initials": m.initials,
                "name": m.name,
                "role": m.role,
                "added_at": _iso(m.added_at),
                "removed_at": _iso(m.removed_at),
            }
            for m, board in memberships
        ],
        "boards_chaired_or_set_up": [
            {"board": b.code, "chair": b.chair_user_id == user_id, "set_up": b.created_by == user_id}
            for b in store.boards_led(session, user_id)
        ],
        "actions": [
            {
                "ref": f"{board.code}-{a.number}",
                "text": a.text,
                "status": a.status,
                "due": _iso(a.due_date),
                "owner": any(o.id in member_ids for o in a.owners),
                "logged_by_them": a.created_by == user_id,
                "closed_by_them": a.closed_by == user_id,
                "created_at": _iso(a.created_at),
                "closed_at": _iso(a.closed_at),
                "close_note": a.close_note,
            }
            for a, board in store.actions_touching(session, user_id, member_ids)
        ],
        "history": [
            {
                "ref": f"{board.code}-{action.number}",
                "at": _iso(e.at),
                "kind": e.kind,
                "by_them": e.actor_user_id == user_id,
                "note": e.note,
                "data": e.data,
            }
            for e, action, board in store.events_by_or_about(session, user_id)
        ],
        "board_history": [
            {"board_id": e.board_id, "at": _iso(e.at), "kind": e.kind, "by_them": e.actor_user_id == user_id}
            for e in store.board_events_by_or_about(session, user_id)
        ],
        "plan_areas": [
            {
                "board_id": a.board_id,
                "area": a.short_name,
                "lead": a.lead_member_id in member_ids,
                "added_by_them": a.created_by == user_id,
                "rated_by_them": a.rag_changed_by == user_id,
                "removed_by_them": a.removed_by == user_id,
                "rag_reason": a.rag_reason,
            }
            for a in store.plan_areas_touching(session, user_id, member_ids)
        ],
        "plan_history": [
            {
                "area_id": e.area_id,
                "at": _iso(e.at),
                "kind": e.kind,
                "by_them": e.actor_user_id == user_id,
                "note": e.note,
            }
            for e in store.plan_events_by_or_about(session, user_id)
        ],
        "messages_to_them": [
            {"kind": m.kind, "status": m.status, "created_at": _iso(m.created_at), "sent_at": _iso(m.sent_at)}
            for m in store.messages_to(session, user_id)
        ],
        "home_tab_opened": [
            {"team_id": team, "last_opened_at": _iso(at)} for team, at in home_tabs.home_opened_at(session, user_id)
        ],
    }


@dataclass
class ErasureReport:
    """What an erasure changed: rows by column, texts rewritten, boards touched."""

    placeholder: str
    ids_replaced: dict[str, int] = field(default_factory=dict)
    texts_rewritten: int = 0
    history_data_rewritten: int = 0
    names_erased: int = 0
    messages_cancelled: int = 0
    boards: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.ids_replaced.values()) + self.texts_rewritten + self.history_data_rewritten + self.names_erased


def _scrub(text: str | None, user_id: str) -> str | None:
    if not text or user_id not in text:
        return text
    return re.sub(rf"<@{user_id}(\|[^>]*)?>", ERASED_NAME, text).replace(user_id, ERASED_NAME)


def erase_person(session: Session, *, user_id: str, actor: str, now: datetime) -> ErasureReport:
    """Replace `user_id`'s identity everywhere with a placeholder, in one transaction."""
    _check_user_id(user_id)
    report = ErasureReport(placeholder="UERASED" + secrets.token_hex(3).upper())
    memberships = store.memberships(session, user_id)
    member_ids = [m.id for m, _ in memberships]
    boards = {board.id: board.code for _, board in memberships}
    boards |= {b.id: b.code for b in store.boards_led(session, user_id)}
    for member, _ in memberships:
        member.name, member.role = ERASED_NAME, None
        report.names_erased += 1
    for action, board in store.actions_touching(session, user_id, member_ids):
        boards[board.id] = board.code
        for name in ("text", "source_text", "close_note", "rag_reason"):
            before = getattr(action, name)
            after = _scrub(before, user_id)
            if after != before:
                setattr(action, name, after)
                report.texts_rewritten += 1
    for event, _, board in store.events_by_or_about(session, user_id):
        boards[board.id] = board.code
        if (note := _scrub(event.note, user_id)) != event.note:
            event.note = note
            report.texts_rewritten += 1
        raw = json.dumps(event.data or {})
        if user_id in raw:
            event.data = json.loads(raw.replace(user_id, report.placeholder))
            report.history_data_rewritten += 1
    for event in store.board_events_by_or_about(session, user_id):
        boards[event.board_id] = boards.get(event.board_id, "")
        raw = json.dumps(event.data or {})
        if user_id in raw:
            event.data = json.loads(raw.replace(user_id, report.placeholder))
            report.history_data_rewritten += 1
    for area in store.plan_areas_touching(session, user_id, member_ids):
        boards[area.board_id] = boards.get(area.board_id, "")
        for name in ("rag_reason", "recommendation"):
            before = getattr(area, name)
            if (after := _scrub(before, user_id)) != before:
                setattr(area, name, after)
                report.texts_rewritten += 1
    for plan_event in store.plan_events_by_or_about(session, user_id):
        if (note := _scrub(plan_event.note, user_id)) != plan_event.note:
            plan_event.note = note
            report.texts_rewritten += 1
        raw = json.dumps(plan_event.data or {})
        if user_id in raw:
            plan_event.data = json.loads(raw.replace(user_id, report.placeholder))
            report.history_data_rewritten += 1
    for message in store.messages_to(session, user_id):
        if message.status in ("pending", "sending"):
            message.status = "cancelled"
            report.messages_cancelled += 1
    session.flush()
    report.ids_replaced = store.replace_user_id(session, user_id, report.placeholder)
    # Who opened the Home tab is not history: the rows go, so nothing is published to them again.
    report.ids_replaced["home_openers.deleted"] = home_tabs.forget_home_opener(session, user_id)
    report.boards = sorted(code for code in boards.values() if code)
    for board_id in boards:
        # The audit row names the placeholder, never the erased id.
        record_board_event(
            session, board_id, actor, "person_erased", now, placeholder=report.placeholder, rows=report.total
        )
    session.flush()
    return report
