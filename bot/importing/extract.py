"""From a read document to candidate actions: tables by their detected layout, text by the line rules."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from bot.importing.layout import Layout, detect
from bot.importing.lines import line_candidates
from bot.importing.model import Candidate, Document, Line, Row, Table
from bot.importing.tables import table_candidates

_NUMBER = re.compile(r"^[A-Za-z]{0,3}\d+(?:\.\d+)*[a-z]?\.?$")
INITIALS_ONLY = re.compile(r"^[A-Z][A-Z0-9]{1,5}(?:\s*(?:[/&,+]|and)?\s*[A-Z][A-Z0-9]{1,5})*$")


@dataclass(frozen=True)
class Extraction:
    """The candidate actions of a document, in source order, and the layouts they came from."""

    candidates: list[Candidate]
    layouts: list[str]


def _row_line(row: Row) -> Line:
    cells = [" ".join(c.split()) for c in row.cells if c.strip()]
    if len(cells) >= 2 and _NUMBER.match(cells[0]):
        cells = cells[1:]  # an item number is not part of the sentence
    # Minutes laid out as "discussion | owner": initials alone in the last cell own the row.
    if len(cells) >= 2 and INITIALS_ONLY.match(cells[-1]) and len(" ".join(cells[:-1]).split()) >= 6:
        return Line(row.number, f"{'  '.join(cells[:-1])} **{cells[-1]}**")
    return Line(row.number, "  ".join(cells))


def _row_lines(table: Table) -> list[Line]:
    # A table whose header names no action column: each row is read as a line of text.
    return [_row_line(row) for row in table.rows]


def extract_actions(document: Document, *, today: datetime.date) -> Extraction:
    """Every candidate action in `document`; `today` dates relative forms (the meeting's date)."""
    candidates: list[Candidate] = []
    layouts: list[str] = []
    pending: list[Line] = []

    def flush() -> None:
        if pending:
            found = line_candidates(pending, today)
            if found and "minutes (action lines)" not in layouts:
                layouts.append("minutes (action lines)")
            candidates.extend(found)
            pending.clear()

    for block in document.blocks:
        if isinstance(block, Line):
            pending.append(block)
            continue
        flush()
        layout = detect(block)
        if layout is None:
            found = line_candidates(_row_lines(block), today)
            if found and "table rows (action lines)" not in layouts:
                layouts.append("table rows (action lines)")
            candidates.extend(found)
            continue
        found = table_candidates(block, layout, today)
        if layout.layout.value not in layouts:
            layouts.append(layout.layout.value)
        candidates.extend(found)
    flush()
    return Extraction(candidates, layouts)


def due_json(candidate: Candidate) -> str | None:
    """The due date as the JSON output writes it: `YYYY-MM-DD`, `next meeting`, or null (none, TBC)."""
    due = candidate.due
    if due is None or due.kind.value == "tbc":
        return None
    if due.kind.value == "next_meeting":
        return "next meeting"
    return due.date.isoformat() if due.date else None


def as_dict(candidate: Candidate) -> dict[str, Any]:
    """A candidate in the shape of `arising import --format json`, owners as written."""
    return {
        "ref": candidate.ref,
        "text": candidate.text,
        "owners": list(candidate.owners),
        "due": due_json(candidate),
        "status": "open" if candidate.status == "open" else "done",
        "rag": candidate.rag,
    }


__all__ = ["Extraction", "Layout", "as_dict", "due_json", "extract_actions"]
