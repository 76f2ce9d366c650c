"""Imported improvement-plan and RAG-report rows into plan areas: each imported action joins its area.

An area is matched to one the board has by its title or short name (any case), else created with a short
name made from its title (`Early Help` → `Early-Help`, `Priority 1` → `Priority-1`), the first lead named
as its lead, the recommendation it answers, and the RAG the document gives: the row's current RAG as the
area's rating and its previous RAG as the rating the area closed the last period with. An area the board
already has takes the document's current RAG when it differs, with a history row naming the document.

Runs inside the import's transaction, under the board's row lock that `apply_import` holds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from bot.importing.model import AreaInfo, Candidate
from bot.services.audit import record_action_event
from bot.services.context import Caller
from bot.services.plans import RAGS, create_area
from storage import plans as store
from storage.models import Action, Board, PlanArea, PlanAreaEvent

MAX_SHORT_NAME = 30
_SMALL_WORDS = frozenset(["and", "of", "the", "for", "with", "in", "on", "to", "a", "an"])


def short_name_for(info: AreaInfo) -> str:
    """A one-word name to type after `area`: `MASH`, `Early-Help`, `Leadership-Stability`, `Rec-1`."""
    if info.name.lower().startswith("recommendation ") and info.number:
        return f"Rec-{info.number}"
    words = [re.sub(r"[^A-Za-z0-9-]", "", w) for w in info.name.split()]
    words = [w for w in words if w and w.lower() not in _SMALL_WORDS] or ["Area"]
    name = words[0]
    for word in words[1:]:
        if len(name) + 1 + len(word) > MAX_SHORT_NAME:
            break
        name += f"-{word}"
    name = name[:MAX_SHORT_NAME]
    return name if name[:1].isalpha() else f"Area-{name}"[:MAX_SHORT_NAME]


def _free(short_name: str, taken: set[str]) -> str:
    candidate, n = short_name, 2
    while candidate.lower() in taken:
        suffix = f"-{n}"
        candidate, n = short_name[: MAX_SHORT_NAME - len(suffix)] + suffix, n + 1
    return candidate


def place_imported(
    session: Session,
    *,
    caller: Caller,
    board: Board,
    created: Sequence[tuple[Candidate, Action]],
    source: str,
    now: datetime,
) -> list[PlanArea]:
    """Put each created action that came with an area into it (creating the area); returns the areas created."""
    areas = list(store.areas_of_board(session, board.id))
    by_name = {a.name.lower(): a for a in areas} | {a.key: a for a in areas}
    taken = {a.key for a in areas}
    added: list[PlanArea] = []
    rated: set[int] = set()
    for candidate, action in created:
        info = candidate.area
        if info is None:
            continue
        area = by_name.get(info.name.lower())
        rag = info.rag if info.rag in RAGS else None
        if area is None:
            short_name = _free(short_name_for(info), taken)
            area = create_area(
                session,
                board=board,
                short_name=short_name,
                name=info.name[:200],
                lead=action.owners[0] if action.owners else None,
                recommendation=info.recommendation,
                actor=caller.user_id,
                now=now,
                rag=rag,
                opening_rag=info.previous_rag if info.previous_rag in RAGS else None,
                source_document=source,
            )
            taken.add(area.key)
            by_name[info.name.lower()] = by_name[area.key] = area
            added.append(area)
            rated.add(area.id)
        elif rag and area.rag != rag and area.id not in rated:
            session.add(
                PlanAreaEvent(
                    area_id=area.id,
                    at=now,
                    actor_user_id=caller.user_id,
                    kind="rag",
                    note=f"imported from {source}",
                    data={"rag_from": area.rag, "rag_to": rag, "imported": source},
                )
            )
            area.rag, area.rag_reason, area.rag_changed_at, area.rag_changed_by = rag, None, now, caller.user_id
            rated.add(area.id)
        action.area_id = area.id
        record_action_event(
            session, action, caller.user_id, "area", now, area_from=None, area_to=area.short_name, imported=source
        )
    session.flush()
    return added
