"""The layout detector: which table row is the header, and what each column holds.

Boards' tables differ in wording and column order, so a column's role comes from its header cell
(`Lead person responsible` is an owner column, `Target date` and `By when` are due columns), never
from its position. Decision tables (`Reference | Details | Action`) write owners in the "Action"
column: that is recognised from the cells, not the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.importing.model import Row, Table
from bot.importing.reading import is_owner_list, leading_owners


class Col(StrEnum):
    """What a table column holds."""

    REF = "ref"
    TEXT = "text"
    DETAILS = "details"
    OWNER = "owner"
    DUE = "due"
    STATUS = "status"
    RAG = "rag"
    PREVIOUS_RAG = "previous_rag"
    UPDATE = "update"
    RAISED = "raised"
    MEETING = "meeting"
    AREA = "area"


class Layout(StrEnum):
    """The kinds of table boards put actions in."""

    ACTION_LOG = "action log"
    DECISIONS = "decision table"
    IMPROVEMENT_PLAN = "improvement plan"
    RAG_REPORT = "RAG report"


# First match wins, so the specific wordings come before the general ones.
_HEADERS: list[tuple[str, Col]] = [
    (r"previous rag|rag previous|last rag|prior rag|rag last", Col.PREVIOUS_RAG),
    (r"rag|r/a/g|rating|current rag|rag status", Col.RAG),
    (r"(action )?(ref|reference|ref no|no|number|id|#|item|item no|rec|recommendation no)", Col.REF),
    (r"action (no|ref|number|id)", Col.REF),
    (r"date raised|raised|date opened|date added|date agreed", Col.RAISED),
    (r"meeting|meeting date|date of meeting|raised at", Col.MEETING),
    (
        r"(action )?owners?(\(s\))?|lead( person| officer| agency| manager)?( responsible)?|"
        r"responsible( officer| person)?|responsibility|by whom|who|assigned to|action by|"
        r"accountable( officer)?|owner\(s\)",
        Col.OWNER,
    ),
    (
        r"(target|due|completion|deadline|review)( date)?|date due|by when|when|by|by date|timescales?|"
        r"date for completion|target completion( date)?|deadline",
        Col.DUE,
    ),
    (r"status|complete\??|completed\??|open/closed|state", Col.STATUS),
    (
        r"(latest )?(update|progress|comments?|commentary|notes?)( update| to date| made)?|analysis.*|progress/update|"
        r"progress and impact|update/comments",
        Col.UPDATE,
    ),
    (r"area|theme|workstream|priority area|objective", Col.AREA),
    (
        r"details|decisions?( agreed)?|description|issue|discussion|summary|decision/action|minutes?|"
        r"notes of discussion",
        Col.DETAILS,
    ),
    (
        r"actions?( required| agreed| to be taken| description)?|agreed actions?|tasks?|priorities|priority|"
        r"what (will|needs to) be done|what|actions? to be taken|decisions? ?(/|and|&|or) ?actions?( agreed)?",
        Col.TEXT,
    ),
]
_COMPILED = [(re.compile(rf"^(?:{pattern})$"), col) for pattern, col in _HEADERS]


def _normalise(cell: str) -> str:
    text = cell.lower().replace("\n", " ").strip()
    text = re.sub(r"[\s_]+", " ", text)
    return text.strip(" .:*?")


# Longer headers ("Target date for completion", "Lead officer / agency"): the first keyword found.
_KEYWORDS: list[tuple[str, Col]] = [
    (r"\b(previous|last|prior) rag\b", Col.PREVIOUS_RAG),
    (r"\brag\b", Col.RAG),
    (r"\bstatus\b", Col.STATUS),
    (r"\b(raised|agreed|opened|added)\b", Col.RAISED),
    (r"\b(owners?|lead|responsib\w*|who|whom)\b", Col.OWNER),
    (r"\b(due|deadline|target|timescales?|when|completion)\b", Col.DUE),
    (r"\b(update|progress|comments?|commentary)\b", Col.UPDATE),
    (r"\b(ref|reference|number)\b", Col.REF),
    (r"\b(actions?|tasks?)\b", Col.TEXT),
]
_KEYWORDS_COMPILED = [(re.compile(pattern), col) for pattern, col in _KEYWORDS]


def column_role(cell: str) -> Col | None:
    """The role a header cell names, or None."""
    text = _normalise(cell)
    if not text or len(text) > 60:
        return None
    if "→" in text and "rag" in text:
        return Col.RAG  # our own export: "RAG (previous → current)"
    text = re.sub(r"\s*\(.*\)$", "", text) or text
    for pattern, col in _COMPILED:
        if pattern.match(text):
            return col
    if len(text.split()) <= 6:
        for pattern, col in _KEYWORDS_COMPILED:
            if pattern.search(text):
                return col
    return None


@dataclass(frozen=True)
class TableLayout:
    """A table's header row and the role of each of its columns."""

    layout: Layout
    header: Row
    columns: dict[int, Col]

    def first(self, col: Col) -> int | None:
        """The index of the first column with this role."""
        return next((i for i, c in self.columns.items() if c == col), None)

    def all(self, col: Col) -> list[int]:
        """Indexes of every column with this role, left to right."""
        return [i for i, c in sorted(self.columns.items()) if c == col]


def _roles(row: Row) -> dict[int, Col]:
    roles: dict[int, Col] = {}
    for index, cell in enumerate(row.cells):
        col = column_role(cell)
        if col is not None and not (col in roles.values() and col not in (Col.REF, Col.UPDATE)):
            roles[index] = col
    return roles


def _mostly_owners(table: Table, header: Row, index: int) -> bool:
    cells = [row.cells[index] for row in table.rows if row.number > header.number and index < len(row.cells)]
    cells = [c for c in cells if c.strip()]
    if not cells:
        return False
    owner_like = 0
    for cell in cells:
        owners, rest = leading_owners(cell)
        if is_owner_list(cell) or (owners and len(rest.split()) <= 8):
            owner_like += 1
    return owner_like / len(cells) >= 0.6


def _wordiest(table: Table, header: Row, exclude: set[int]) -> int | None:
    """The column whose cells hold the most words, other than `exclude`."""
    words: dict[int, int] = {}
    for row in table.rows:
        if row.number <= header.number:
            continue
        for index, cell in enumerate(row.cells):
            if index not in exclude:
                words[index] = words.get(index, 0) + len(cell.split())
    best = max(words.items(), key=lambda item: item[1], default=None)
    return best[0] if best and best[1] > 0 else None


def detect(table: Table) -> TableLayout | None:
    """The layout of a table whose header names an action column and something about it; else None."""
    best: tuple[int, Row, dict[int, Col]] | None = None
    for row in table.rows[:6]:
        roles = _roles(row)
        kinds = set(roles.values())
        has_text = bool(kinds & {Col.TEXT, Col.DETAILS})
        has_more = bool(kinds & {Col.OWNER, Col.DUE, Col.STATUS, Col.RAG, Col.REF})
        if has_text and has_more and (best is None or len(roles) > best[0]):
            best = (len(roles), row, roles)
    if best is None:
        return None
    _, header, roles = best
    if Col.DUE not in roles.values():
        # "Action | Lead | Date": in a table of actions a bare date column after the action is when it is due;
        # before it ("Date | Item | Decision / Action"), when the action was raised.
        text_at = min((i for i, c in roles.items() if c in (Col.TEXT, Col.DETAILS)), default=0)
        for index, cell in enumerate(header.cells):
            if index not in roles and _normalise(cell) in ("date", "dates", "date required"):
                roles[index] = Col.DUE if index > text_at else Col.RAISED
                break
    kinds = set(roles.values())
    if Col.OWNER not in kinds and Col.TEXT in kinds:
        text_index = next(i for i, c in roles.items() if c == Col.TEXT)
        details = next((i for i, c in roles.items() if c == Col.DETAILS), None)
        if details is None:
            details = _wordiest(table, header, exclude={text_index, *(i for i, c in roles.items() if c == Col.REF)})
        if details is not None and _mostly_owners(table, header, text_index):
            # "Item | Minute | Action" with initials under Action: the minute is the action, the initials its owners.
            roles[text_index] = Col.OWNER
            roles[details] = Col.DETAILS
            return TableLayout(Layout.DECISIONS, header, roles)
    if Col.TEXT not in roles.values():
        # "Details" is the action when nothing else is.
        roles = {i: (Col.TEXT if c == Col.DETAILS else c) for i, c in roles.items()}
    if Col.AREA in kinds and (Col.RAG in kinds or Col.PREVIOUS_RAG in kinds):
        return TableLayout(Layout.RAG_REPORT, header, roles)
    if Col.UPDATE in kinds and Col.OWNER in kinds and Col.STATUS not in kinds and Col.RAISED not in kinds:
        return TableLayout(Layout.IMPROVEMENT_PLAN, header, roles)
    return TableLayout(Layout.ACTION_LOG, header, roles)
