"""The one place the importer reads owners and dates: a thin adapter over the project's parsers.

Owners and dates in minutes are read with the same rules as `/action add` (`bot.dates`,
`bot.owners`, `bot.services.actions.resolve_owners`). Everything the importer needs from those
parsers goes through the functions here, so that when the parsers change only this module is
re-pointed. What the current owner parser does not yet read (full names, `Role (XX)`, `All`) is
recognised here only as far as splitting an owner list into its parts.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

from sqlalchemy.orm import Session

from bot.dates import DateParseError, Due, DueKind, extract_due, parse_due, split_leading_due
from bot.errors import UserError
from bot.owners import INITIALS, Kind, OwnerRef, OwnerToken, Place, Strength, find_owners, parse_segment
from bot.services.actions import resolve_owners
from storage.models import Board, Member

__all__ = [
    "INITIALS",
    "Due",
    "DueKind",
    "due_in_cell",
    "due_in_text",
    "dues_in_cell",
    "initials_for",
    "inside_owners",
    "is_owner_list",
    "leading_owners",
    "mentions_next_meeting",
    "owners_in_cell",
    "resolve_owner",
    "role_subject",
    "trailing_due",
]

# --- dates -----------------------------------------------------------------------------------------------

# Words in a due column that mean "no date": kept undated, never guessed.
_NO_DATE = re.compile(r"^(?:n/?a|none|ongoing|on-going|continuous|various|-+|–|tbc\?)$", re.IGNORECASE)


def due_in_cell(text: str, *, today: datetime.date) -> Due | None:
    """The due date a table cell gives (`31/03/2026`, `Oct-20`, `TBC`, `next meeting`), or None."""
    text = " ".join(text.split())
    if not text or _NO_DATE.match(text):
        return None
    try:
        return parse_due(text, today=today)
    except DateParseError:
        pass
    try:
        return split_leading_due(text, today=today)[0]
    except DateParseError:
        pass
    # "Progress report by March 2026", "Completed 12/01/2026": a date later in the cell.
    for match in re.finditer(r"\S+", text):
        try:
            return split_leading_due(text[match.start() :], today=today)[0]
        except DateParseError:
            continue
    return None


def dues_in_cell(text: str, *, today: datetime.date) -> list[Due | None]:
    """Every date in a cell that lists one per line or per word (`Oct-20 Apr-20 May-20`), in order."""
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) > 1:
        # One per line: a line that is no date ("TBC" aside) keeps its place as None.
        return [due_in_cell(line, today=today) for line in lines]  # type: ignore[misc]
    dues: list[Due | None] = []
    rest = " ".join(text.split())
    while rest:
        try:
            due, after = split_leading_due(rest, today=today)
        except DateParseError:
            return dues
        dues.append(due)
        if after == rest:
            break
        rest = after
    return dues


_NEXT_MEETING = re.compile(
    r"\b(?:at|to|for|by|until|before)\s+(?:the\s+)?next\s+(?:(?:board|group|executive|partnership|sub-?group)\s+)?"
    r"(?:meeting|board)\b",
    re.IGNORECASE,
)


def mentions_next_meeting(text: str) -> bool:
    """True when a sentence asks for something at, to or before the next meeting (no other date given)."""
    return bool(_NEXT_MEETING.search(text))


_DEADLINE = re.compile(
    r"[\s,;(\-–—]+(?:deadline|target(?:\s+date)?|timescale|completion\s+date|by\s+when)\s*[:\-–]?\s*(?P<rest>[^:]+?)\)?$",
    re.IGNORECASE,
)


# "… (OS) – 05/03/26", "… – before the next meeting": a date column after a dash, the whole of it a date.
_DASH_DATE = re.compile(r"\s[-–—]+\s*(?P<date>[^-–—()]{2,40}?)\s*\.?\s*$")


# `- by <date>` and `- due <date>` are read by `due_in_text`, which also knows sentences with two dates; a
# time of day is not a due date.
_NOT_A_DATE_COLUMN = re.compile(r"^(?:by|due)\b|^\d{1,2}[.:]\d{2}\s*(?:am|pm)?$", re.IGNORECASE)


def trailing_due(text: str, *, today: datetime.date, min_words: int = 3) -> tuple[str, Due | None]:
    """Split a due date written as the last, dash-separated column of a line (`… – 05/03/26`, `… – TBC`);
    only when everything after the dash reads as a date, so `… – 3 schools` stays whole, and `min_words`
    words are left before it (an owner cell, `KD – May 2026`, needs one)."""
    m = _DASH_DATE.search(text)
    if not m or _NOT_A_DATE_COLUMN.match(m.group("date")):
        return text, None
    head = text[: m.start()].rstrip(" ,;")
    if len(re.findall(r"[A-Za-z]{2,}", head)) < min_words:
        return text, None  # "11.00 am – 1.00pm" is a time of day, not an action and its date
    try:
        due = parse_due(m.group("date"), today=today)
    except DateParseError:
        return text, None
    return head, due


_TRAILING_BY = re.compile(r"\s[-–—]\s*by\s+(?P<date>[^-–—]+?)\.?\s*$", re.IGNORECASE)


def due_in_text(text: str, *, today: datetime.date) -> tuple[str, Due | None]:
    """Split a trailing `by <date>`, `due <date>`, `- by <date>` or `Due: <date>` off a sentence."""
    try:
        body, due = extract_due(text, today=today)
    except DateParseError:
        body, due = text, None
        # Minutes end an action with its deadline (`… at the July Board – by 15 July`): when the
        # sentence names two dates, the trailing `- by <date>` is the due date and the rest is the task.
        if m := _TRAILING_BY.search(text):
            try:
                return text[: m.start()].rstrip(" ,;:-–—("), parse_due(m.group("date"), today=today)
            except DateParseError:
                pass
    if due is None and (m := _DEADLINE.search(text)):
        # "… Deadline 15/12/2026", "… target date: March 2026": the parser's "by"/"due" under another name.
        try:
            return text[: m.start()].rstrip(" ,;:-–—("), parse_due(m.group("rest"), today=today)
        except DateParseError:
            pass
    return body, due


# --- owners ----------------------------------------------------------------------------------------------

# "Head of Early Help (JM)": a short role or name, then initials in brackets, and nothing after.
_ROLE_WITH_INITIALS = re.compile(r"^[^:;()]{0,60}?\s*\(([A-Z][A-Z0-9]{1,5})\)$")
_SEPARATORS = re.compile(r"\s*(?:,|&|/|\+|;|\band\b|\n)\s*", re.IGNORECASE)
_TITLE = r"(?:Dr|Mr|Mrs|Ms|Miss|Prof|Cllr|Councillor|DCI|DI|DS|Supt)\.?"
_NAME_WORD = r"(?:[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?|O'[A-Z][a-z]+|Mc[A-Z][a-z]+|Mac[A-Z][a-z]+)"
# A name is two or three capitalised words, or a title and a surname: one word alone ("Health",
# "Schools") is more often an agency or a subject than a person.
_NAME = re.compile(
    rf"^(?:{_TITLE}\s+{_NAME_WORD}|{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}}|{_TITLE}\s+{_NAME_WORD}\s+{_NAME_WORD})$"
)
_ALL = re.compile(r"^(?:all|all members|all partners|all agencies|everyone)$", re.IGNORECASE)
# Capitalised words that start sentences, not names: "The Board to receive…" has no owner.
_NOT_NAMES = frozenset(
    [
        "the",
        "this",
        "that",
        "these",
        "those",
        "it",
        "we",
        "they",
        "board",
        "group",
        "partnership",
        "meeting",
        "members",
        "agencies",
        "partners",
        "minutes",
        "item",
        "report",
        "paper",
        "actions",
        "action",
        "update",
        "progress",
        "agreed",
        "decision",
        "members'",
        "each",
        "any",
        "no",
    ]
)


# Capitals that stand for a date, never for someone's initials: `… – TBC`.
_DATE_CAPITALS = frozenset(["TBC", "TBA", "TBD", "ASAP", "EOD", "EOW", "COP", "COB"])


def _owner_piece(piece: str) -> list[str]:
    piece = piece.strip(" .:;-–*_")
    if not piece or piece.upper() in _DATE_CAPITALS:
        return []
    if m := _ROLE_WITH_INITIALS.match(piece):
        return [m.group(1).upper()]
    if _ALL.match(piece):
        return ["All"]
    if INITIALS.match(piece):
        return [piece]
    words = piece.split()
    if all(INITIALS.match(w) for w in words):
        return [ref.initials or ref.written for ref in parse_segment(piece) or []]
    if _NAME.match(piece) and words[0].lower() not in _NOT_NAMES:
        return [piece]
    return []


def owners_in_cell(text: str) -> list[str]:
    """Owners as written in an owner cell or marker: `AF & EA`, `JC EA`, `Felicity Budgen`,
    `Head of Service (JS)`, `Dawn Maxwell / JB`, `All`. Parts that are not owners are left out."""
    owners: list[str] = []
    for piece in _SEPARATORS.split(text.replace("*", " ")):
        for owner in _owner_piece(piece):
            if owner and owner not in owners:
                owners.append(owner)
    return owners


def is_owner_list(text: str) -> bool:
    """True when the text holds only owners (`WD`, `LV/AM`, `**Dawn Maxwell / JB**`)."""
    pieces = [p for p in _SEPARATORS.split(text.replace("*", " ").strip(" .")) if p.strip()]
    return bool(pieces) and all(_owner_piece(p) for p in pieces)


_LEADING_CLAUSE = re.compile(
    r"^(?P<owners>[^.;:!?]{1,80}?)\s+(?:(?:has\s+)?agreed\s+to|will|to)\s+(?P<rest>\S.*)$", re.DOTALL
)


def leading_owners(text: str, *, named_elsewhere: bool = False) -> tuple[list[str], str]:
    """The owners a sentence starts with and the task after them: `AF & EA to review…`,
    `Dawn Maxwell and JB to update…`, `FB agreed to send…`. No owners: `([], text)`.

    `named_elsewhere`: the action's owners are marked elsewhere (`… **AM**`). Then, as in `/action add`,
    words that only probably name people (SOFT: `the Domestic Violence Forum will …`) are not owners."""
    owned = find_owners(text)
    lead = owned.lead
    weakest = Strength.SOFT if named_elsewhere else Strength.WEAK
    # Words the reading is not sure name people (WEAK) are left to the patterns below.
    if lead is not None and lead.refs and all(r.strength > weakest for r in lead.refs):
        return [_as_written(ref) for ref in lead.refs], owned.task
    if lead is not None and named_elsewhere and any(r.strength <= weakest for r in lead.refs):
        return [], text
    m = _LEADING_CLAUSE.match(text.strip())
    if m and is_owner_list(m.group("owners")):
        return owners_in_cell(m.group("owners")), m.group("rest").strip()
    return [], text


def inside_owners(text: str) -> list[str]:
    """Owners the shared parser finds inside a sentence that names none at its start (`…, KD to coordinate`),
    as far as it is sure they name people."""
    owned = find_owners(text)
    return [
        _as_written(ref)
        for clause in owned.clauses
        if clause.place is Place.INSIDE
        for ref in clause.refs
        if ref.strength > Strength.WEAK
    ]


def _as_written(ref: OwnerRef) -> str:
    """An owner of the shared parser in the importer's form: initials, a mention, `All`, or the words."""
    if ref.kind is Kind.ALL:
        return "All"
    if ref.kind is Kind.MENTION and ref.user_id:
        return f"<@{ref.user_id}>"
    return ref.initials or ref.written


_ROLE_SUBJECT = re.compile(
    r"^(?:the\s+)?(?P<who>[A-Z][\w'’&-]*(?:\s+(?:of|for|and|&|[A-Z][\w'’&-]*|team|lead|leads|manager|officer|"
    r"group|sub-group|partners?|agencies|members|colleagues|representatives?)){0,5})\s+(?:to|will)\s+(?!be\b)(?P<rest>\S.*)$",
    re.DOTALL,
)


_ONE_WORD_ROLES = frozenset(
    ["chair", "vice-chair", "chairman", "chairperson", "clerk", "secretary", "secretariat", "police", "health",
     "education", "schools", "council", "ccg", "icb", "everyone"]
)  # fmt: skip


def role_subject(text: str) -> tuple[str | None, str]:
    """A role or group an action line starts with (`Director of Public Health to …`, `Public Health team
    to …`, `All partners to …`): (the role as written, the task). `All …` is `All`. None when there is none."""
    m = _ROLE_SUBJECT.match(text.strip())
    if not m:
        return None, text
    who = m.group("who")
    if _ALL.match(who) or who.lower().startswith("all "):
        return "All", m.group("rest")
    if who.lower() in _NOT_NAMES or (" " not in who and who.lower() not in _ONE_WORD_ROLES):
        return None, text  # "Circulate to all members": a verb, not a role
    return who, m.group("rest")


# --- matching owners to members ------------------------------------------------------------------------


def _surname(name: str) -> str:
    return name.split()[-1].lower()


def resolve_owner(session: Session, board: Board, written: str, members: Sequence[Member]) -> list[Member]:
    """The board's current members an owner as written means: initials through `resolve_owners`,
    names by the member's stored name (or title and surname). `All` is every current member.
    Nothing matched: an empty list, for the caller to show and to add as a member without Slack."""
    if written == "All":
        return list(members)
    if INITIALS.match(written):
        try:
            return resolve_owners(session, board, [OwnerToken(initials=written)])
        except UserError:
            return []
    wanted = " ".join(written.lower().split())
    by_name = [m for m in members if m.name and " ".join(m.name.lower().split()) == wanted]
    if by_name:
        return by_name[:1]
    if re.match(rf"^{_TITLE}\s+", written):
        surname = _surname(written)
        by_surname = [m for m in members if m.name and _surname(m.name) == surname]
        if len(by_surname) == 1:
            return by_surname
    return []


def initials_for(name: str) -> str:
    """Initials for a new member known only by name: `Felicity Budgen` → `FB`."""
    words = [w for w in re.sub(rf"^{_TITLE}\s+", "", name).split() if w[:1].isalpha()]
    letters = "".join(w[0] for w in words).upper()[:5]
    return letters if len(letters) >= 2 else (letters + "X")[:2] if letters else "XX"
