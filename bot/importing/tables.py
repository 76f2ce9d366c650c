"""Row extractors: one candidate action per table row (or per priority, in RAG reports)."""

from __future__ import annotations

import datetime
import re

from bot.importing.layout import Col, Layout, TableLayout, column_role
from bot.importing.model import AreaInfo, Candidate, Row, Table
from bot.importing.reading import (
    Due,
    DueKind,
    due_in_cell,
    due_in_text,
    dues_in_cell,
    is_owner_list,
    leading_owners,
    mentions_next_meeting,
    owners_in_cell,
    trailing_due,
)

_RAG_WORDS = {"red": "red", "r": "red", "amber": "amber", "a": "amber", "green": "green", "g": "green"}
_DONE = re.compile(r"^(?:done|complete[d]?|closed|achieved|finished|blue|implemented|resolved)\b", re.IGNORECASE)
_DROPPED = re.compile(r"^(?:dropped|withdrawn|cancell?ed|superseded|no longer required|removed)\b", re.IGNORECASE)
_COLOUR = re.compile(r"\b(red|amber|green|blue)\b", re.IGNORECASE)
_ARROW = re.compile(r"\s*(?:→|->|=>|>|to)\s*")


def squash(text: str) -> str:
    """Cell text on one line."""
    return " ".join(text.split())


def tidy_task(text: str) -> str:
    """An action's text as stored: one line, capitalised, without trailing full stop or dash."""
    text = squash(text).strip(" -–—;:,")
    text = re.sub(r"\.$", "", text).strip()
    return text[:1].upper() + text[1:]


def read_rag(text: str) -> tuple[str | None, str | None]:
    """(previous, current) from `Amber`, `A`, `Amber → Red`, `Red/Amber`; blue (complete) has no RAG."""
    text = squash(text)
    if not text:
        return None, None
    parts = [p for p in _ARROW.split(text) if p] if "→" in text or "->" in text else [text]
    colours = []
    for part in parts:
        word = part.strip().lower()
        colour = _RAG_WORDS.get(word)
        if colour is None and (m := _COLOUR.search(part)):
            colour = _RAG_WORDS.get(m.group(1).lower())
        colours.append(colour)
    if len(colours) >= 2:
        return colours[0], colours[-1]
    return None, colours[0] if colours else None


def read_status(text: str) -> str:
    """open, done or dropped, from a status cell (`Complete`, `Closed`, `Withdrawn`, `Ongoing`)."""
    text = squash(text)
    if _DROPPED.match(text):
        return "dropped"
    if _DONE.match(text):
        return "done"
    return "open"


def _cell(row: Row, index: int | None) -> str:
    if index is None or index >= len(row.cells):
        return ""
    return row.cells[index]


def _is_header_again(row: Row, layout: TableLayout) -> bool:
    # Tables broken across pages repeat their header row.
    matches = sum(1 for i, col in layout.columns.items() if column_role(_cell(row, i)) == col)
    return matches >= max(2, len(layout.columns) // 2)


def _owners_of_cell(text: str) -> list[str]:
    owners: list[str] = []
    for part in re.split(r"\s*(?:;|/|&|\n)\s*", text):
        if not squash(part):
            continue
        # A role with no initials ("Head of Early Help", "AD Commissioning") is kept as written, never dropped.
        for owner in owners_in_cell(part) or [squash(part)]:
            if owner not in owners:
                owners.append(owner)
    return owners


def _area_leads(text: str) -> list[str]:
    """Leads named under an area's title: the first line after it that holds only names."""
    for line in text.split("\n")[1:4]:
        if is_owner_list(line):
            return owners_in_cell(line)
        words = line.split()
        # Names run together by extraction: "Grainne Siggins Phil Bullingham".
        if len(words) in (4, 6) and all(w[:1].isupper() and w[1:].islower() for w in words):
            pairs = [" ".join(words[i : i + 2]) for i in range(0, len(words), 2)]
            if all(is_owner_list(p) for p in pairs):
                return pairs
    return []


_RAG_IN_AREA = re.compile(r"^(?P<which>previous|current)\s+rag\s*:?\s*(?P<rag>red|amber|green)\b", re.IGNORECASE)


def area_of_cell(text: str, leads: list[str], previous: str | None, rag: str | None) -> AreaInfo | None:
    """A RAG report's AREA cell as an area: its title (first line), the recommendation after a line that
    names one, and `Previous RAG: Green` / `Current RAG: Amber` lines when the RAG columns are empty."""
    lines = [squash(line) for line in text.split("\n") if squash(line)]
    if not lines:
        return None
    recommendation: list[str] = []
    in_recommendation = False
    for line in lines[1:]:
        if m := _RAG_IN_AREA.match(line):
            colour = m.group("rag").lower()
            previous, rag = (colour, rag) if m.group("which").lower() == "previous" else (previous, rag or colour)
            in_recommendation = False
        elif re.search(r"\brecommendations?\b", line, re.IGNORECASE) and len(line.split()) <= 5:
            in_recommendation = True
        elif in_recommendation:
            recommendation.append(line)
    return AreaInfo(
        name=lines[0].strip(" :"),
        leads=tuple(leads),
        recommendation=" ".join(recommendation) or None,
        previous_rag=previous,
        rag=rag,
    )


_BULLET = re.compile(r"^\s*(?:•|·|▪|■|\*|-(?=\s)|\d+[.)](?=\s))\s*")
# Imperative openings that start a new priority when an extraction has run a list together.
_VERBS = frozenset(
    [
        "reduce",
        "evidence",
        "progress",
        "stabilise",
        "stabilize",
        "understand",
        "monitor",
        "ensure",
        "develop",
        "analyse",
        "analyze",
        "produce",
        "convene",
        "coordinate",
        "co-ordinate",
        "increase",
        "retain",
        "improve",
        "embed",
        "review",
        "promote",
        "make",
        "fully",
        "implement",
        "deliver",
        "establish",
        "agree",
        "complete",
        "undertake",
        "introduce",
        "launch",
        "refresh",
        "publish",
        "continue",
        "create",
        "strengthen",
        "maintain",
        "secure",
        "provide",
        "identify",
        "test",
        "raise",
        "update",
        "consult",
        "commission",
        "recruit",
        "train",
        "extend",
        "confirm",
        "engage",
        "present",
    ]
)


# Words after which a list item cannot have ended: "… audit of Conference outcomes" is one item.
_GLUE = frozenset(
    ["of", "the", "to", "in", "at", "for", "with", "within", "on", "by", "from", "and", "or", "a", "an", "into",
     "after", "before", "across", "between", "against", "including", "via", "per", "as", "than", "under", "over",
     "through", "&", "re", "about", "towards"]
)  # fmt: skip
_PREPOSITIONS = frozenset(["of", "for", "in", "on", "with", "against", "across", "to", "from", "within"])
# "Phase 1", "Stage 2": a sub-heading inside a list, which starts the next item.
_LIST_STAGE = re.compile(r"\b(?:phase|stage|part|year)\s+\d+\b:?", re.IGNORECASE)


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and any(c.islower() for c in word)


def _item_starts(words: list[str]) -> list[set[int]]:
    """Where items may start in a list run together, as evidence of increasing doubt (tiers).

    0. a capitalised imperative verb, or any word after `;` or `.` (`… Strategy Discussions Analyse gradings …`);
    1. a capitalised word opening a phrase after a word that can end an item (`… supervision Audits to show …`);
    2. any capitalised word after such a word (`… pre-proceeding meeting Dip Sampling …`);
    3. a capitalised noun opening a phrase after a run of capitalised words (`… Practice Consistency of …`).
    Nothing inside brackets starts an item.
    """
    tiers: list[set[int]] = [set(), set(), set(), set()]
    depth = 0
    for i, word in enumerate(words):
        if i and depth == 0 and _capitalised(word):
            before = words[i - 1]
            before_bare = before.lower().strip(",.;:")
            after = words[i + 1] if i + 1 < len(words) else ""
            glued = before_bare in _GLUE
            if (word.lower().strip(",.") in _VERBS and not glued) or before.endswith((";", ".")):
                tiers[0].add(i)
            # After a verb ending in -ing the capitalised words are its object: "… becoming Looked After children".
            if (before[:1].islower() or before.endswith(")")) and not glued and not before_bare.endswith("ing"):
                tiers[1 if after[:1].islower() else 2].add(i)
            if _capitalised(before) and after.lower() in _PREPOSITIONS:
                tiers[3].add(i)
        depth = max(0, depth + word.count("(") - word.count(")"))
    return tiers


def _split_run(segments: list[list[str]], count: int) -> list[str] | None:
    """`count` items from the segments of a run-together list, or None when the evidence gives no such split."""
    tiers = [_item_starts(words) for words in segments]
    # The surest evidence first, adding the less sure only while there are too few items.
    for levels in ((0,), (0, 1), (0, 1, 2), (0, 1, 2, 3)):
        starts = [set().union(*(segment_tiers[level] for level in levels)) for segment_tiers in tiers]
        if sum(len(s) + 1 for s in starts) != count:
            continue
        items = []
        for words, found in zip(segments, starts, strict=True):
            bounds = [0, *sorted(found), len(words)]
            items += [" ".join(words[bounds[i] : bounds[i + 1]]) for i in range(len(bounds) - 1)]
        return items
    return None


def split_items(text: str, count: int) -> list[str]:
    """A priorities cell as its items: one per line or bullet. When an extraction ran them together and
    there are `count` target dates, the list is cut where the structure says an item starts (see
    `_item_starts`), taking only as much evidence as it needs to find `count` items."""
    items = [squash(p) for p in re.split(r"\n|(?:^|\s)[•·▪■]\s*", text) if squash(p)]
    items = [_BULLET.sub("", item, count=1).strip() for item in items]
    items = [i for i in items if i and not _LIST_STAGE.fullmatch(i)]
    if count <= 1 or len(items) >= count:
        return items
    # Lines, bullets and stage headings are sure boundaries; the cuts are looked for between them.
    parts = [line for part in _LIST_STAGE.split("\n".join(items)) for line in part.split("\n")]
    segments = [part.split() for part in parts if part.strip()]
    return _split_run(segments, count) or items


# A decision/action log marks each row: `ACTION: …`, `DECISION: …`, `Agreed to …`, `Noted …`.
_ROW_KIND = re.compile(
    r"^(?:(?P<action>actions?\s*[:\-–]\s*)|(?:decisions?\s*[:\-–]|agreed\b|resolved\b|noted\b))", re.I
)
_NUMBERED = re.compile(r"^(?P<ref>\d{1,3}(?:\.\d{1,3})*[a-z]?)[.)]\s+(?P<rest>\S.*)$")


def _row_candidates(row: Row, layout: TableLayout, today: datetime.date) -> list[Candidate]:
    text = _cell(row, layout.first(Col.DETAILS if layout.layout == Layout.DECISIONS else Col.TEXT))
    if not squash(text):
        return []
    ref = next((squash(_cell(row, i)) for i in layout.all(Col.REF) if squash(_cell(row, i))), None)
    owner_index = layout.first(Col.OWNER)
    owner_cell = _cell(row, owner_index)
    # "Lead and timescale" columns: `KD – end of May 2026` is the owner and the due date.
    owner_due = None
    if "\n" not in owner_cell.strip():
        owner_cell, owner_due = trailing_due(owner_cell, today=today, min_words=1)
    owners = _owners_of_cell(owner_cell) if owner_index is not None else []
    if layout.layout == Layout.DECISIONS:
        owners = []
    previous, rag = read_rag(_cell(row, layout.first(Col.RAG)))
    if layout.first(Col.PREVIOUS_RAG) is not None:
        previous = read_rag(_cell(row, layout.first(Col.PREVIOUS_RAG)))[1]
    status_cell = _cell(row, layout.first(Col.STATUS))
    status = read_status(status_cell) if status_cell else "open"
    if re.search(r"\bblue\b", _cell(row, layout.first(Col.RAG)), re.IGNORECASE):
        status = "done"
    updates = [squash(_cell(row, i)) for i in layout.all(Col.UPDATE) if squash(_cell(row, i))]
    update = updates[0] if updates else None
    raised = squash(_cell(row, layout.first(Col.RAISED))) or squash(_cell(row, layout.first(Col.MEETING))) or None
    due_cell = _cell(row, layout.first(Col.DUE))

    if layout.layout == Layout.RAG_REPORT:
        area = _cell(row, layout.first(Col.AREA))
        leads = owners or _area_leads(area)
        dues = dues_in_cell(due_cell, today=today)
        items = split_items(text, len(dues))
        if len(dues) != len(items):
            dues = [dues[0]] * len(items) if len(dues) == 1 else [None] * len(items)  # type: ignore[list-item]
        info = area_of_cell(area, leads, previous, rag)
        if info is not None and rag is None:
            rag, previous = info.rag, info.previous_rag
        return [
            Candidate(tidy_task(item), row.number, ref, list(leads), due, status, rag, previous, None, raised, info)
            for item, due in zip(items, dues, strict=True)
        ]

    if layout.layout == Layout.DECISIONS:
        details, said = squash(text), squash(_cell(row, owner_index))
        owners, task = (owners_in_cell(said), "") if is_owner_list(said) else leading_owners(said)
        if not owners:
            return []  # a decision with no owner is not an action
        lead, rest = leading_owners(details)
        if lead and set(lead) <= set(owners) and not rest.lower().startswith("be "):
            details = rest  # "AF to confirm …" under owner AF: the task without its owner
        body = details if not squash(task) else f"{details} – {squash(task)}" if details else task
        due, body = _due_of(due_cell, body, today)
        return [Candidate(tidy_task(body), row.number, ref, owners, due, status, rag, previous, update, raised)]

    task = text
    if marked := _ROW_KIND.match(squash(text)):
        if marked.group("action"):
            task = squash(text)[marked.end() :]
        elif not squash(owner_cell):
            return []  # "DECISION: The Board approved …", "Agreed to defer …": a record, not an action
    if ref is None and (numbered := _NUMBERED.match(squash(task))):
        # "1. Arrange …" in a table without a number column: the number is the action's reference.
        ref, task = numbered.group("ref"), numbered.group("rest")
    if owner_index is None:
        owners, task = leading_owners(squash(text))
    due, task = _due_of(due_cell, task, today)
    due = due or owner_due
    if not owners and due is None and owner_index is not None and not status_cell:
        return []  # a heading or note row: no owner, no date
    return [Candidate(tidy_task(task), row.number, ref, owners, due, status, rag, previous, update, raised)]


def _due_of(due_cell: str, text: str, today: datetime.date) -> tuple[Due | None, str]:
    if squash(due_cell):
        return due_in_cell(due_cell, today=today), text
    body, due = due_in_text(squash(text), today=today)
    if due is None and mentions_next_meeting(body):
        due = Due(DueKind.NEXT_MEETING)
    return due, body


_HEADING = re.compile(
    r"^(?:(?P<word>priority|recommendation|rec|area|theme|objective)\s*)?(?P<number>\d+)\s*[:.)\-–]?\s*(?P<title>.*)$",
    re.IGNORECASE,
)
_NUMBERED_REF = re.compile(r"^(?P<number>\d+)\.\d+")


def _heading(row: Row) -> AreaInfo | None:
    """A plan's heading row, alone in its row: numbered (`Priority 1: Leadership …`) or bold (`**Early Help**`)."""
    written = [squash(c) for c in row.cells if squash(c).strip("*_ ")]
    if len(written) != 1:
        return None
    text = written[0].strip("*_ ")
    m = _HEADING.match(text)
    if m is not None and m.group("title"):
        return AreaInfo(name=m.group("title").strip(), number=m.group("number"))
    bold = written[0].startswith("**") and written[0].endswith("**")
    return AreaInfo(name=text) if bold and len(text.split()) <= 12 else None


def _plan_area(candidate: Candidate, heading: AreaInfo | None) -> AreaInfo | None:
    """An improvement plan's action belongs to its recommendation: the heading above it, or `1` of `1.2`."""
    m = _NUMBERED_REF.match(candidate.ref or "")
    if m and (heading is None or heading.number not in (None, m.group("number"))):
        return AreaInfo(name=f"Recommendation {m.group('number')}", number=m.group("number"))
    return heading


def table_candidates(table: Table, layout: TableLayout, today: datetime.date) -> list[Candidate]:
    """The candidate actions in a table of a known layout."""
    out: list[Candidate] = []
    heading: AreaInfo | None = None
    for row in table.rows:
        if row.number <= layout.header.number or _is_header_again(row, layout):
            continue
        found = _row_candidates(row, layout, today)
        if layout.layout == Layout.IMPROVEMENT_PLAN:
            if not found:
                heading = _heading(row) or heading
            for candidate in found:
                # An action whose number the extraction lost stays with the one before it.
                candidate.area = _plan_area(candidate, heading)
                heading = candidate.area or heading
        out.extend(found)
    return out
