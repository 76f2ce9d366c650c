"""Line extractors: actions written in running text.

The forms recognised, from the structure boards use rather than from any one document:
- `Action: AB to …`, `ACTION – AB and CD to …`, `Action 3: …`, and items under an `Actions:` heading;
- owners marked after the sentence, in bold (`… **AB**`), in brackets (`… (AB)`), after a full stop
  (`… report. AB`) or alone on the following line(s) (`AB`, `LV/AM`);
- labelled fields, on the line or the lines after it: `Owner: … Due: …`, `Lead: …`, `Deadline: …`;
- a sentence that starts with its owners (`AB to circulate …`) or ends with `- by <date>` / `Due: <date>`.
Decisions (`Agreed:`, `Decision:`) and narrative are not actions.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from bot.importing.model import AreaInfo, Candidate, Line
from bot.importing.reading import (
    Due,
    DueKind,
    due_in_cell,
    due_in_text,
    inside_owners,
    is_owner_list,
    leading_owners,
    mentions_next_meeting,
    owners_in_cell,
    role_subject,
    trailing_due,
)
from bot.importing.tables import squash, tidy_task

_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|>\s*)?(?:(?:[-*•·▪–]|\(?[0-9ivx]{1,4}[.)]|\(?[a-h][.)])\s+)?")
_ACTION_PREFIX = re.compile(
    r"^(?:agreed\s+)?(?:action(?:\s+point)?s?|ap)\s*(?P<ref>\d+(?:\.\d+)*[a-z]?)?\s*(?:\((?P<marked>[^)]{0,40})\))?\s*[:\-–—]\s*(?P<body>.*)$",
    re.IGNORECASE,
)
_NO_ACTIONS = re.compile(r"^(?:none|nil|n/?a|-+|no\s+(?:new\s+|further\s+)?actions?(?:\s+arising)?)\W*$", re.I)
_ACTIONS_HEADING = re.compile(
    r"^(?:agreed\s+|new\s+)?actions?(?:\s+(?:agreed|arising|points?|from (?:this|the) (?:meeting|item)))?\s*:?\s*$",
    re.IGNORECASE,
)
_NOT_ACTION = re.compile(
    r"^(?:decisions?|agreed|resolved|noted|recommendations?|present|attendees|in attendance|also present|apologies|"
    r"members present|attending|circulation|distribution|minutes|chair|date of next meeting|next meeting)\s*[:\-–—]",
    re.IGNORECASE,
)
_BOLD_TAIL = re.compile(r"\*\*(?P<owners>[^*]{1,60})\*\*\s*$")
_PAREN_TAIL = re.compile(r"[(\[](?P<owners>[A-Z][A-Za-z0-9 ,/&+]{0,40})[)\]]\s*\.?\s*$")
_PLAIN_TAIL = re.compile(
    r"(?<=[.!?;)])\s*(?:[-–—]\s*)?(?P<owners>[A-Z][A-Z0-9]{1,5}(?:\s*[/&,+]\s*[A-Z][A-Z0-9]{1,5})*)\s*$"
)
_DASH_TAIL = re.compile(r"\s[-–—]\s*(?P<owners>[A-Z][A-Z0-9]{1,5}(?:\s*[/&,+]\s*[A-Z][A-Z0-9]{1,5})*)\s*$")
_OWNER_LABEL = r"(?:action\s+)?(?:owners?|owner\(s\)|lead(?:\s+(?:officer|person|agency))?|responsible|by\s+whom|who)"
_DUE_LABEL = r"(?:due(?:\s+date)?|deadline|target(?:\s+date)?|by\s+when|timescales?|completion\s+date|when|date)"
_LABEL = re.compile(rf"(?:^|(?<=[\s.;,(|]))(?P<label>{_OWNER_LABEL}|{_DUE_LABEL}|status)\s*:\s*", re.IGNORECASE)
_DUE_LABEL_RE = re.compile(rf"^{_DUE_LABEL}$", re.IGNORECASE)
_STATUS_LABEL_RE = re.compile(r"^status$", re.IGNORECASE)
_OWNER_TO = re.compile(r"^(?P<owners>[^.;:!?]{1,80}?)\s+(?:(?:has\s+|have\s+)?agreed\s+to|will|to)\s+(?!be\s)\S")
_EXPLICIT_DUE = re.compile(r"(?:\s[-–—]\s*(?:by|due)\b|\bdue\s*:|\(\s*(?:by|due)\b)", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def clean_line(text: str) -> str:
    """A line without list bullets, numbering, heading marks or bold around the whole of it."""
    text = _MARKUP.sub("", text, count=1).strip()
    tail = ""
    if (m := _BOLD_TAIL.search(text)) and m.start() > 0 and is_owner_list(m.group("owners")):
        text, tail = text[: m.start()], " " + m.group(0).strip()  # `… **AB**` marks the owners: keep it
    text = text.replace("**", "").replace("__", "").strip()
    return _MARKUP.sub("", text, count=1).strip() + tail


@dataclass
class _Found:
    line: int
    body: str
    ref: str | None = None
    owners: list[str] = field(default_factory=list)
    due: Due | None = None
    status: str = "open"
    prefixed: bool = False
    listed: bool = False  # an item of a list under an "Actions" heading


# "… to circulate the report. Action: AF" / "(Action by AF/EA)" at the end of a paragraph.
_ACTION_TAIL = re.compile(
    r"(?<=[\s.;(])\s*\(?\s*action(?:\s+by)?\s*[:\-–]?\s*(?P<owners>[A-Z][^:()]{0,60}?)\)?\s*\.?\s*$", re.IGNORECASE
)


def _take_tail_owners(body: str) -> tuple[str, list[str]]:
    for pattern in (_BOLD_TAIL, _PAREN_TAIL, _PLAIN_TAIL, _DASH_TAIL, _ACTION_TAIL):
        m = pattern.search(body)
        if m and is_owner_list(m.group("owners")):
            return body[: m.start()].rstrip(" -–—"), owners_in_cell(m.group("owners"))
    return body, []


def _take_labels(found: _Found, today: datetime.date) -> None:
    """Move `Owner: …`, `Due: …`, `Status: …` fields out of the body into the action."""
    matches = list(_LABEL.finditer(found.body))
    if not matches:
        return
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(found.body)
        value = found.body[m.end() : end].strip(" .;,|")
        if value.count("(") != value.count(")"):
            value = value.strip("()")
        _apply_label(found, m.group("label"), value, today)
    found.body = found.body[: matches[0].start()].rstrip(" .;,|(-–—")


def _apply_label(found: _Found, label: str, value: str, today: datetime.date) -> None:
    label = " ".join(label.lower().split())
    if _DUE_LABEL_RE.match(label):
        found.due = found.due or due_in_cell(value, today=today)
    elif _STATUS_LABEL_RE.match(label):
        if re.match(r"(?:done|complete|closed)", value, re.IGNORECASE):
            found.status = "done"
    else:
        # "Lead: AF, by 15/12": the date can ride along with the owner.
        value, due = due_in_text(value, today=today)
        found.due = found.due or due
        value = value.strip(" ,;")
        for owner in owners_in_cell(value) or ([squash(value)] if squash(value) else []):
            if owner not in found.owners:
                found.owners.append(owner)


def _label_only(text: str) -> bool:
    m = _LABEL.match(text)
    return bool(m and m.start() == 0)


def _merge(first: list[str], second: list[str]) -> list[str]:
    out = list(first)
    for owner in second:
        if owner not in out:
            out.append(owner)
    return out


def _drop_initials_of_names(owners: list[str]) -> list[str]:
    """`Dawn Maxwell` and a marker `DM` are one person: keep the name."""
    from bot.importing.reading import initials_for

    names = {initials_for(o) for o in owners if " " in o}
    return [o for o in owners if " " in o or o not in names]


def _split_sentences(found: _Found) -> list[tuple[list[str], str]]:
    """`FB to send … DM to advise …`: sentences that start with their own owners are their own actions."""
    sentences = _SENTENCE.split(found.body)
    parts: list[tuple[list[str], str]] = []
    for sentence in sentences:
        owners, task = leading_owners(sentence, named_elsewhere=bool(found.owners))
        if parts and (not owners or task.lower().startswith("be ")):
            parts[-1] = (parts[-1][0], f"{parts[-1][1]} {sentence}")
        else:
            parts.append((owners, task) if owners and not task.lower().startswith("be ") else ([], sentence))
    return parts


def _finish(found: _Found, today: datetime.date) -> list[Candidate]:
    out: list[Candidate] = []
    parts = _split_sentences(found)
    claimed = {o for owners, _ in parts for o in owners}
    spare = [o for o in found.owners if o not in claimed]
    for index, (owners, task) in enumerate(parts):
        task, due = due_in_text(task, today=today)
        due = due or (found.due if index == 0 else None)
        if due is None and mentions_next_meeting(task):
            due = Due(DueKind.NEXT_MEETING)
        mine = _merge(owners, spare if index == 0 else [])
        if not owners and index == 0:
            mine = list(found.owners)
        if not mine and (found.prefixed or found.listed):
            # "Action: Director of Public Health to …": a role named before "to" owns it, as written.
            role, rest = role_subject(task)
            if role:
                mine, task = [role], rest
            else:
                mine = inside_owners(task)  # "…, KD to coordinate"
        mine = _drop_initials_of_names(mine)
        text = tidy_task(task)
        if text:
            out.append(Candidate(text, found.line, found.ref, mine, due, found.status))
    return out


def _owner_lines(lines: list[Line], start: int) -> tuple[list[str], int, bool]:
    """Owners alone on the lines from `start` (blank lines between are allowed); the index after them."""
    owners: list[str] = []
    index, bold = start, False
    while index < len(lines):
        text = lines[index].text.strip()
        if not text:
            index += 1
            continue
        bare = text.strip("*_ ")
        if len(bare) <= 40 and is_owner_list(bare) and not _label_only(bare):
            owners = _merge(owners, owners_in_cell(bare))
            bold = bold or text.startswith("**")
            index += 1
            continue
        break
    if not owners:
        return [], start, False
    return owners, index, bold


# `b) …`, `(ii) …`: the next item of a list, not the rest of this one.
_NEXT_ITEM = re.compile(r"^\(?(?:[a-z]|[ivx]{1,4})[.)]\s")


def _continues(text: str, following: str) -> bool:
    nxt = following.strip()
    return (
        bool(nxt)
        and nxt[:1].islower()
        and not _NEXT_ITEM.match(nxt)
        and not re.search(r"[.!?:;]\s*(?:\*\*)?$", text)
        and not _BOLD_TAIL.search(text)
        and not _label_only(clean_line(nxt))
        and not is_owner_list(nxt.strip("* "))
    )


# A sentence cannot end on these words: when it does, the extraction broke it (`… families in **DM**`, then
# `Southampton` on a line of its own).
_DANGLING = frozenset(
    ["in", "of", "the", "to", "at", "for", "with", "and", "or", "a", "an", "by", "from", "on", "into", "across",
     "within", "between", "about", "our", "their", "its", "his", "her", "this", "that", "these", "those"]
)  # fmt: skip


def _dangling_end(lines: list[Line], index: int, text: str) -> tuple[str, int]:
    """`text` completed by the short fragment on the next non-blank line when it stops on a word no sentence
    ends with; an owner marker at its end stays at the end. Else `text` and `index` unchanged."""
    tail_match = _BOLD_TAIL.search(text)
    body = text[: tail_match.start()].rstrip() if tail_match and tail_match.start() > 0 else text
    tail = text[len(body) :]
    words = body.split()
    if not words or words[-1].lower() not in _DANGLING:
        return text, index
    after = index
    while after < len(lines) and not lines[after].text.strip():
        after += 1
    if after >= len(lines):
        return text, index
    fragment = clean_line(lines[after].text)
    if (
        not fragment
        or len(fragment.split()) > 6
        or _ACTION_PREFIX.match(fragment)
        or _label_only(fragment)
        or is_owner_list(fragment)
        or fragment.endswith(":")
    ):
        return text, index
    return f"{body} {fragment}{tail}", after + 1


_LIST_ITEM = re.compile(r"^\s*(?:[-*•·▪]|\d+[.)])\s+(?P<text>\S.*)$")
_CURRENT_RAG = re.compile(r"\bcurrent\s+rag\s*[:\-–]?\s*(?P<rag>red|amber|green)\b", re.IGNORECASE)


_PREVIOUS_RAG = re.compile(r"\bprevious\s+rag\s*[:\-–]?\s*(?P<rag>red|amber|green)\b", re.IGNORECASE)


def _area_above(
    texts: list[str], lead_at: int | None, lead: list[str], previous: str | None, rag: str | None
) -> AreaInfo | None:
    """The area a flattened RAG report's priorities belong to: the short title just above its lead."""
    if lead_at is None:
        return None
    for back in range(lead_at - 1, max(lead_at - 3, -1), -1):
        text = " ".join(texts[back].split())
        if not text:
            continue
        if "rag" in text.lower() or not re.search(r"[A-Za-z]", text) or len(text.split()) > 8:
            return None
        return AreaInfo(name=text.strip(" :"), leads=tuple(lead), previous_rag=previous, rag=rag)
    return None


def _date_line(text: str, today: datetime.date) -> bool:
    text = text.strip()
    return bool(text) and len(text) <= 24 and due_in_cell(text, today=today) is not None and not _LIST_ITEM.match(text)


def listed_priorities(lines: list[Line], today: datetime.date) -> tuple[list[Candidate], set[int]]:
    """A list of priorities followed by a list of as many target dates (a RAG report whose table an
    extraction flattened): one action per item with its date, the lead named above, the current RAG."""
    out: list[Candidate] = []
    used: set[int] = set()
    texts = [line.text for line in lines]
    index = 0
    while index < len(lines):
        start = index
        items: list[int] = []
        while index < len(lines) and (_LIST_ITEM.match(texts[index]) or (items and not texts[index].strip())):
            if texts[index].strip():
                items.append(index)
            index += 1
        if len(items) < 2:
            index = start + 1
            continue
        dates: list[int] = []
        while index < len(lines) and (_date_line(texts[index], today) or not texts[index].strip()):
            if texts[index].strip():
                dates.append(index)
            index += 1
        if len(dates) != len(items):
            index = items[-1] + 1
            continue
        lead: list[str] = []
        rag = previous = None
        lead_at = None
        for back in range(start - 1, max(start - 10, -1), -1):
            text = texts[back].strip()
            if rag is None and (m := _CURRENT_RAG.search(text)):
                rag = m.group("rag").lower()
            elif previous is None and (m := _PREVIOUS_RAG.search(text)):
                previous = m.group("rag").lower()
            elif not lead and " " in text and is_owner_list(text):
                lead, lead_at = owners_in_cell(text), back
        area = _area_above(texts, lead_at, lead, previous, rag)
        for item, date_index in zip(items, dates, strict=True):
            m = _LIST_ITEM.match(texts[item])
            assert m is not None
            due = due_in_cell(texts[date_index], today=today)
            out.append(
                Candidate(tidy_task(m.group("text")), lines[item].number, None, list(lead), due, "open", rag, area=area)
            )
        used.update(lines[i].number for i in (*items, *dates))
    return out, used


def line_candidates(lines: list[Line], today: datetime.date) -> list[Candidate]:
    """The actions written in a run of lines."""
    listed, used = listed_priorities(lines, today)
    if used:
        kept = [line for line in lines if line.number not in used]
        # Each list is read once, as priorities; the rest of the text by the line rules, in source order.
        return sorted(listed + line_candidates(kept, today), key=lambda c: c.line)
    out: list[Candidate] = []
    index = 0
    in_actions_block = False
    previous_line: Line | None = None
    while index < len(lines):
        previous = previous_line
        line = lines[index]
        raw = line.text.strip()
        index += 1
        if not raw:
            in_actions_block = False
            continue
        text = clean_line(raw)
        if _ACTIONS_HEADING.match(text.strip("*: ")):
            in_actions_block = True
            continue
        if _NOT_ACTION.match(text):
            continue
        if not _ACTION_PREFIX.match(text) and not text.endswith(":"):
            previous_line = line
        # PDF extractions wrap long lines: a next line that carries on the sentence belongs to it.
        while index < len(lines) and _continues(text, lines[index].text):
            text = f"{text} {clean_line(lines[index].text)}"
            index += 1
        text, index = _dangling_end(lines, index, text)
        found = _Found(line.number, text)
        if m := _ACTION_PREFIX.match(text):
            found.body, found.ref, found.prefixed = m.group("body").strip(), m.group("ref"), True
            if _NO_ACTIONS.match(found.body):
                continue  # "Actions: none."
            if (marked := m.group("marked")) and is_owner_list(marked):
                found.owners = owners_in_cell(marked)  # "ACTION (JS): …": the owners in the brackets
            if not found.body:
                in_actions_block = True
                continue
            if is_owner_list(found.body) and previous is not None:
                # "Action: AF" under a paragraph: the paragraph is the action, AF its owner.
                owners = owners_in_cell(found.body)
                if out and out[-1].line == previous.number:
                    out[-1].owners = _merge(out[-1].owners, owners)
                    continue
                found = _Found(previous.number, clean_line(previous.text), found.ref, owners, prefixed=True)
        dash_due = False
        if found.due is None:
            found.body, found.due = trailing_due(found.body, today=today)
            dash_due = found.due is not None
        # An owner label takes its whole value (`Responsible: Head of Service (LC)`) before the tail rules
        # could read `(LC)` alone.
        _take_labels(found, today)
        found.body, tail = _take_tail_owners(found.body)
        found.owners = _merge(found.owners, tail)
        # Labelled fields and owner-only lines that follow belong to this line.
        while index < len(lines) and _label_only(clean_line(lines[index].text)):
            extra = _Found(line.number, clean_line(lines[index].text))
            extra.body = "x " + extra.body
            _take_labels(extra, today)
            found.owners = _merge(found.owners, extra.owners)
            found.due = found.due or extra.due
            found.status = extra.status if extra.status != "open" else found.status
            index += 1
        next_owners, after, bold = ([], index, False) if tail else _owner_lines(lines, index)
        # Without an "Action:" prefix a line starts with its owners only in the form "AB to …".
        m = _OWNER_TO.match(found.body)
        leading = owners_in_cell(m.group("owners")) if m and is_owner_list(m.group("owners")) else []
        if found.body.endswith(":") and not found.prefixed:
            continue  # a heading
        # Under "Actions:", every item of a list is an action, owned or not.
        found.listed = in_actions_block and bool(_LIST_ITEM.match(raw)) and len(found.body.split()) >= 3
        is_action = (
            found.prefixed
            or (in_actions_block and (leading or found.owners or next_owners))
            or (bool(tail) and (raw.rstrip().endswith("**") or leading or len(found.body.split()) >= 4))
            or (bool(found.owners) and found.due is not None)
            or (bool(next_owners) and (bold or leading) and len(found.body.split()) >= 3)
            or (bool(leading) and len(found.body.split()) >= 3)
            # A date after a dash alone does not make an action: "Learning subgroup – 3 March 2026" is a heading.
            or (found.due is not None and bool(found.body) and not dash_due)
            or found.listed
            or (bool(_EXPLICIT_DUE.search(found.body)) and due_in_text(found.body, today=today)[1] is not None)
        )
        if not is_action:
            continue
        if next_owners:
            found.owners = _merge(found.owners, next_owners)
            index = after
        out.extend(_finish(found, today))
    return out
