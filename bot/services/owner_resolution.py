"""Which members an action's owner words mean.

`bot.owners` reads the text; this module matches what it found against the
board's current members: initials, Slack mentions, names (full, first name,
surname, `Dawn M`, `D Maxwell`, `Ms Beattie`), roles (`the Business Manager`,
`Chair`: the board's chair) and `All`. Names tolerate case, accents and a
small typo (rapidfuzz); two members matching equally well is a question, never
a guess. A name that matches no member is refused, never replaced by the caller.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rapidfuzz.distance import DamerauLevenshtein
from sqlalchemy.orm import Session

from bot.directory import Directory
from bot.errors import Part, Remedy, RemedyKind, UserError
from bot.owners import CHAIR_WORDS, Clause, Kind, OwnedText, OwnerRef, OwnerToken, Place, Strength, parse_segment
from bot.text import escape
from storage import boards as board_store
from storage.models import Board, Member

if TYPE_CHECKING:
    from bot.services.requests import Owners

# Exact words beat a typo; a typo is only ever a fallback when nothing matches exactly.
EXACT, CONTAINED, TYPO = 3, 2, 1
_ROLE_STOP = {"the", "our", "their", "of", "for", "and", "a", "an", "&"}
_NOT_THE_CHAIR = {"vice", "deputy", "co", "vice-chair", "co-chair", "sub-group", "subgroup"}
MAX_LISTED = 15
# Words that make a job title someone else's: the Deputy Business Manager is not the Business Manager.
_ANOTHER_ROLE = {"deputy", "assistant", "vice", "co", "associate", "trainee", "junior", "sub", "vice-chair", "co-chair"}


@dataclass
class Resolved:
    """The owners the text names, as members, and the task once the owner words are taken out."""

    members: list[Member] = field(default_factory=list)
    all_members: bool = False
    task: str = ""

    @property
    def empty(self) -> bool:
        """True when the text names no owner at all."""
        return not self.members and not self.all_members


@dataclass(frozen=True)
class _Match:
    members: tuple[Member, ...] = ()
    problem: str | None = None  # why nothing matched, worded for the user


def normalise(text: str) -> str:
    """Lower case, no accents, no apostrophes or dots: `Siân O'Connor` → `sian oconnor`."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    bare = bare.replace("'", "").replace("’", "").replace(".", " ")
    return " ".join("".join(c if c.isalnum() or c == "-" else " " for c in bare).split())


def _close(typed: str, known: str, tier_allowed: bool) -> int:
    """EXACT if the words are the same, TYPO if one slip apart (two for long words), else 0."""
    if typed == known:
        return EXACT
    if not tier_allowed or min(len(typed), len(known)) < 4:
        return 0
    limit = 2 if len(known) >= 8 else 1
    return TYPO if DamerauLevenshtein.distance(typed, known) <= limit else 0


def _name_score(ref: OwnerRef, member: Member) -> int:
    """How well the written name fits the member's name: EXACT, TYPO or 0."""
    if not member.name:
        return 0
    known = normalise(member.name).split()
    typed = normalise(" ".join(ref.words)).split()
    if not known or not typed:
        return 0
    typos = ref.strength is not Strength.WEAK
    first, last = known[0], known[-1]

    def words(pairs: list[tuple[str, str]]) -> int:
        scores = [_close(t, k, typos) for t, k in pairs]
        if len(pairs) > 1 and typos and scores.count(0) == 1 and max(scores) == EXACT:
            # `Anne Flynn` for Ann Flynn: one short word a slip away, the other exactly right.
            t, k = pairs[scores.index(0)]
            if min(len(t), len(k)) >= 3 and DamerauLevenshtein.distance(t, k) <= 1:
                scores[scores.index(0)] = TYPO
        return min(scores) if scores and all(scores) else 0

    shapes: list[int] = []
    if ref.title:
        # `Ms Beattie` is a surname; `Dr Ann Flynn` a full name.
        if len(typed) == 1:
            shapes.append(words([(typed[0], last)]))
        else:
            shapes.append(words(list(zip(typed, [first, last], strict=False))) if len(typed) == 2 else 0)
    elif len(typed) == 1:
        shapes += [words([(typed[0], first)]), words([(typed[0], last)]) if len(known) > 1 else 0]
    elif len(typed) == 2 and len(typed[1]) == 1:
        # `Dawn M`: first name and the initial of the surname.
        shapes.append(words([(typed[0], first)]) if last.startswith(typed[1]) and len(known) > 1 else 0)
    elif len(typed) == 2 and len(typed[0]) == 1:
        # `D Maxwell`
        shapes.append(words([(typed[1], last)]) if first.startswith(typed[0]) else 0)
    if len(typed) == len(known):
        shapes.append(words(list(zip(typed, known, strict=True))))
    if len(typed) == 2 and len(known) > 2:
        shapes.append(words([(typed[0], first), (typed[1], last)]))  # no middle name
    if len(typed) != len(known) and not ref.title:
        # `Peter O Neill`, `Gordon Mc Culloch`: the same letters spaced differently.
        shapes.append(words([("".join(typed), "".join(known))]))
    return max(shapes, default=0)


def _role_score(ref: OwnerRef, member: Member) -> int:
    if not member.role:
        return 0
    known = [w for w in normalise(member.role).split() if w not in _ROLE_STOP]
    typed = [w for w in normalise(" ".join(ref.words)).split() if w not in _ROLE_STOP]
    if not typed or not known:
        return 0
    if typed == known:
        return EXACT
    if all(t in known for t in typed):
        return CONTAINED
    extra = set(typed) - set(known)
    if all(k in typed for k in known) and not extra & _ANOTHER_ROLE:
        # `the LSCB Business Manager` for the Business Manager; not `the Deputy Business Manager`.
        return CONTAINED
    # Job titles are short common words (`Head`, `Lead`): a typo counts only in a longer word.
    if all(any(t == k or (len(t) >= 6 and _close(t, k, True)) for k in known) for t in typed):
        return TYPO
    return 0


def _best(scored: list[tuple[int, Member]]) -> tuple[Member, ...]:
    top = max((s for s, _ in scored), default=0)
    return tuple(m for s, m in scored if s == top and s > 0)


def _is_the_chair(ref: OwnerRef) -> bool:
    words = set(normalise(" ".join(ref.words)).split())
    return bool(words & CHAIR_WORDS) and not words & _NOT_THE_CHAIR and len(words - {"the", "independent"}) <= 1


def _match(ref: OwnerRef, board: Board, members: Sequence[Member]) -> _Match:
    if ref.kind is Kind.MENTION:
        found = [m for m in members if m.slack_user_id == ref.user_id]
        return _Match(tuple(found), None if found else "mention")
    if ref.kind is Kind.INITIALS:
        found = [m for m in members if m.initials.upper() == (ref.initials or "").upper()]
        if not found:
            # `LADO to …`, `DCS will …`: a role written in capitals, when exactly one member holds it.
            token = (ref.initials or "").lower()
            found = [m for m in members if m.role and token in normalise(m.role).split()]
            found = found if len(found) == 1 else []
        return _Match(tuple(found), None if found else "initials")
    if ref.kind is Kind.ROLE:
        if _is_the_chair(ref):
            chair = [m for m in members if m.slack_user_id and m.slack_user_id == board.chair_user_id]
            if chair:
                return _Match(tuple(chair))
        found = _best([(_role_score(ref, m), m) for m in members])
        if found:
            return _Match(found)
        return _Match((), "chair" if _is_the_chair(ref) else "role")
    # A name: the members' names, then (`Business Manager` written without `the`) their roles.
    if len(ref.words) == 1 and 2 <= len(ref.words[0]) <= 4 and not ref.title:
        # `af & ea to …` typed in lower case.
        by_initials = [m for m in members if m.initials.lower() == ref.words[0]]
        if by_initials:
            return _Match(tuple(by_initials))
    found = _best([(_name_score(ref, m), m) for m in members])
    if not found and ref.strength is not Strength.WEAK:
        found = tuple(m for s, m in [(_role_score(ref, m), m) for m in members] if s >= CONTAINED)
        found = found if len(found) == 1 else ()
    return _Match(found, None if found else "name")


def _backfill_names(session: Session, members: Sequence[Member], directory: Directory | None) -> None:
    """Give Slack members added without a name their Slack name, once, so names match without Slack calls."""
    if directory is None:
        return
    for member in members:
        if member.name or not member.slack_user_id:
            continue
        person = directory.person(member.slack_user_id)
        if person is not None and person.real_name:
            member.name = person.real_name[:200]
    session.flush()


def resolve_text(session: Session, board: Board, owned: OwnedText, *, directory: Directory | None = None) -> Resolved:
    """The members `owned` names as owners; refuses names that are not members and names that fit two.

    Returns an empty result (for the caller to decide) only when the text names no one.
    """
    members = board_store.current_members(session, board.id)
    refs = [r for c in owned.clauses for r in c.refs] + owned.mentions
    if any(r.kind in (Kind.NAME, Kind.ROLE) for r in refs):
        _backfill_names(session, members, directory)
    result = Resolved(task=owned.task if owned.lead else owned.whole)
    missing: list[tuple[OwnerRef, str]] = []
    ambiguous: list[tuple[OwnerRef, tuple[Member, ...]]] = []
    soft: list[OwnerRef] = []
    named: list[Member] = []
    soft_all = False

    def take(found: Sequence[Member]) -> None:
        for member in found:
            if member not in result.members:
                result.members.append(member)

    for clause in owned.clauses:
        matches = [(ref, _match(ref, board, members)) for ref in clause.refs]
        if clause.place is Place.NAMED:
            named += [m for _, match in matches if len(match.members) == 1 for m in match.members]
            continue
        if clause.place in (Place.LEAD, Place.LATER) and _void(clause, matches):
            # `we will …`, `Review to …`: words that match no member were not names after all.
            if clause.place is Place.LEAD:
                result.task = owned.whole
            continue
        if clause.place is Place.LEAD and not any(
            match.members or (ref.kind is Kind.ALL and ref.strength is Strength.HARD) for ref, match in matches
        ):
            # `The Domestic Violence Forum will …`: the sentence's subject is not an owner, so it stays in the task.
            result.task = owned.whole
        for ref, match in matches:
            if ref.kind is Kind.ALL and ref.strength is Strength.HARD:
                result.all_members = True
            elif ref.kind is Kind.ALL:
                soft_all = True
            elif len(match.members) > 1:
                ambiguous.append((ref, match.members))
            elif match.members:
                take(match.members)
            elif ref.strength is Strength.HARD:
                missing.append((ref, match.problem or "name"))
            elif ref.strength is Strength.SOFT:
                soft.append(ref)
    if missing or ambiguous:
        raise UserError(_problems(board, members, missing, ambiguous))
    if result.empty and owned.mentions:
        # No owner clause: every person mentioned owns it (`Draft the plan with @bob`).
        matches = [(ref, _match(ref, board, members)) for ref in owned.mentions]
        missing = [(ref, "mention") for ref, match in matches if not match.members]
        if missing:
            raise UserError(_problems(board, members, missing, []))
        for _, match in matches:
            take(match.members)
    if result.empty and soft_all:
        result.all_members = True
        lead = owned.lead
        if lead is not None and any(r.kind is Kind.ALL for r in lead.refs):
            result.task = owned.task  # `The board agreed to write to the DfE`: the board is the owner after all
    if result.empty and soft:
        raise UserError(_problems(board, members, [(ref, "soft") for ref in soft], []))
    if result.empty and named:
        who = ", ".join(dict.fromkeys(m.initials for m in named))
        raise UserError(
            (
                f"Who owns this action? It names {who}, but not as the one to do it. ",
                Remedy(RemedyKind.NAME_OWNER, "Name its owner.", {"initials": named[0].initials}),
            )
        )
    return result


def _void(clause: Clause, matches: list[tuple[OwnerRef, _Match]]) -> bool:
    """True when the words were not owners at all: nothing in them is a member and some may not be names."""
    if any(match.members or ref.kind is Kind.ALL for ref, match in matches):
        return False
    return any(ref.strength is Strength.WEAK for ref, _ in matches)


def _who(member: Member) -> str:
    return f"{member.initials} ({escape(member.name)})" if member.name else member.initials


def _member_list(members: Sequence[Member]) -> str:
    shown = ", ".join(m.initials for m in members[:MAX_LISTED])
    more = f" and {len(members) - MAX_LISTED} more" if len(members) > MAX_LISTED else ""
    return (shown + more) or "none yet"


def _suggested_initials(ref: OwnerRef) -> str:
    letters = "".join(w[0] for w in ref.written.split() if w[:1].isalpha()).upper()
    return letters if 2 <= len(letters) <= 6 and not ref.title else "INITIALS"


def _problems(
    board: Board,
    members: Sequence[Member],
    missing: list[tuple[OwnerRef, str]],
    ambiguous: list[tuple[OwnerRef, tuple[Member, ...]]],
) -> list[Part]:
    lines: list[list[Part]] = []
    for ref, problem in missing:
        written = escape(ref.written)
        if problem == "mention":
            lines.append(
                [
                    f"<@{ref.user_id}> is not a member of {board.code}, and owners must be members so the log can "
                    "show their initials. Add them",
                    _add_member("@user", "INITIALS"),
                    ".",
                ]
            )
        elif problem == "initials":
            lines.append(
                [
                    f"`{written}` is not the initials of a member of {board.code}. Add them",
                    _add_member('"Full Name"', written, or_user="yes"),
                    ".",
                ]
            )
        elif problem == "chair":
            lines.append(
                [
                    f"`{written}` means the chair of {board.code} (<@{board.chair_user_id}>), who is not a member, "
                    "so can't own actions yet. Add them",
                    _add_member(f"<@{board.chair_user_id}>", "INITIALS", role="Chair"),
                    ".",
                ]
            )
        elif problem == "role":
            roles = ", ".join(f"{m.initials}: {escape(m.role)}" for m in members if m.role) or "none recorded"
            lines.append(
                [
                    f"No member of {board.code} has the role `{written}` (roles: {roles}). "
                    "Write the owner's initials instead."
                ]
            )
        elif problem == "soft":
            lines.append(
                [
                    f"`{written}` is not a member of {board.code}: actions are owned by members. Start with the "
                    "owner's initials (e.g. `AF to …`), or add them",
                    _add_member('"Full Name"', "INITIALS"),
                    ".",
                ]
            )
        else:
            lines.append(
                [
                    f"`{written}` is not a member of {board.code}. Add them",
                    _add_member(f'"{written}"', _suggested_initials(ref)),
                    ", or name a member as the owner.",
                ]
            )
    for ref, found in ambiguous:
        options = " or ".join(_who(m) for m in found)
        lines.append(
            [
                f"`{escape(ref.written)}` could be {options}: write their initials instead, "
                f"e.g. `{found[0].initials} to …`."
            ]
        )
    lines.append([f"Members of {board.code}: {_member_list(members)}. Nothing was stored."])
    parts: list[Part] = []
    for n, line in enumerate(lines):
        parts.extend(["\n", *line] if n else line)
    return parts


def _add_member(who: str, initials: str, role: str = "", or_user: str = "") -> Remedy:
    """Adding a member, as a remedy: `who` a mention or a quoted name, as the slash surface would quote it."""
    return Remedy(
        RemedyKind.ADD_MEMBER,
        " to the board first",
        {"who": who, "initials": initials, "role": role, "or_user": or_user},
    )


def resolve_list(session: Session, board: Board, text: str, *, directory: Directory | None = None) -> Resolved:
    """The owners of a plain list (`AF & EA`, `Dawn Maxwell and JB`, `the Chair`, `All`), for `/action assign`."""
    refs = parse_segment(text, "labelled")
    if refs is None:
        raise UserError(
            f"`{escape(text) or '(nothing)'}` is not a list of owners. Give members' initials, names or "
            "mentions, e.g. `AF & EA` or `@amy`."
        )
    members = board_store.current_members(session, board.id)
    if any(r.kind in (Kind.NAME, Kind.ROLE) for r in refs):
        _backfill_names(session, members, directory)
    for ref in refs:
        # Lower-case words (`bob from police`) are owners only if they are a member's name.
        if ref.strength is Strength.WEAK and len(_match(ref, board, members).members) != 1:
            raise UserError(
                f"`{escape(text)}` is not a list of owners. Give members' initials, names or "
                "mentions, e.g. `AF & EA` or `@amy`."
            )
    hard = [OwnerRef(r.written, r.kind, Strength.HARD, r.user_id, r.initials, r.title, r.words) for r in refs]
    owned = OwnedText(clauses=[Clause(tuple(hard), Place.LEAD)])
    return resolve_text(session, board, owned, directory=directory)


def resolve_tokens(session: Session, board: Board, tokens: Sequence[OwnerToken]) -> list[Member]:
    """The board's current members that initials or mentions name; unknown ones are errors."""
    refs = [
        OwnerRef(t.initials or "", Kind.MENTION if t.user_id else Kind.INITIALS, Strength.HARD, t.user_id, t.initials)
        for t in tokens
    ]
    owned = OwnedText(clauses=[Clause(tuple(refs), Place.LEAD)])
    return resolve_text(session, board, owned).members


def resolve_choice(
    session: Session, board: Board, owners: Owners, *, directory: Directory | None = None, task: str = ""
) -> Resolved:
    """The owners a request names: text read as a plain list of owners (`resolve_list`), or the Slack users
    and members picked in a modal, each of whom must be a current member of the board."""
    if owners.text is not None:
        resolved = resolve_list(session, board, owners.text, directory=directory)
        resolved.task = task
        return resolved
    members = board_store.current_members(session, board.id)
    by_user = {m.slack_user_id: m for m in members if m.slack_user_id}
    by_id = {m.id: m for m in members}
    missing: list[tuple[OwnerRef, str]] = []
    chosen: list[Member] = []
    for user_id in owners.slack_user_ids:
        if user_id in by_user:
            chosen.append(by_user[user_id])
        else:
            missing.append((OwnerRef("", Kind.MENTION, Strength.HARD, user_id), "mention"))
    for member_id in owners.member_ids:
        if member_id not in by_id:
            # A member removed since the modal was opened.
            raise UserError(f"One of the owners chosen is no longer a member of {board.code}. Nothing was stored.")
        chosen.append(by_id[member_id])
    if missing:
        raise UserError(_problems(board, members, missing, []))
    return Resolved(members=list(dict.fromkeys(chosen)), all_members=owners.all_members, task=task)
