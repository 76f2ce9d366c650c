"""Finding an action's owners in the way boards write them.

Minutes say `AF to circulate…`, `AF & EA to…`, `AF/EA: …`, `Action: AF and EA
to…`, `Dawn Maxwell and JB to…`, `Ms Beattie will…`, `Chair to…`, `All to…`,
`AF (lead) & EA to…`, `FB agreed to send…`, `FB proposed that LV AT and AM do…`,
put the owners after the task (`… – AF & EA`, `(Lead: AF)`, `**AF**`), or
mention people in Slack. This module only reads the text: it says which words
name owners and how sure it is that they name people. Which member each one
means is the business of `bot.services.owner_resolution`.

The structure it relies on: an owner clause is a short run of owner words
(initials, mentions, capitalised names, a title and a name, a role, `All`)
joined by `,` `&` `/` `+` `and`, at the start of a sentence and followed by
`to`, `will`, `agreed to`, `:` … Everything else in the sentence is the task.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum, IntEnum

# <@U123> or <@U123|name>, as Slack sends mentions in command text.
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_MENTION_SRC = r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>"
_INITIALS_SRC = r"[A-Z][A-Z0-9]{1,5}"
INITIALS = re.compile(r"^[A-Z][A-Z0-9]{1,5}$")


class Kind(Enum):
    """What an owner word is."""

    MENTION = "mention"
    INITIALS = "initials"
    NAME = "name"  # a full name, a first name, `Ms Beattie`, `Dawn M`
    ROLE = "role"  # `Chair`, `the Business Manager`
    ALL = "all"  # every current member


class Strength(IntEnum):
    """How sure the reading is that the words name a person.

    HARD: they do; a word that matches no member is refused.
    SOFT: probably (`Schools to…`); refused only if nothing else in the text names an owner.
    WEAK: only if they match a member; otherwise they were not names at all.
    """

    WEAK = 0
    SOFT = 1
    HARD = 2


@dataclass(frozen=True)
class OwnerRef:
    """One owner as written."""

    written: str
    kind: Kind
    strength: Strength
    user_id: str | None = None
    initials: str | None = None
    title: str | None = None
    words: tuple[str, ...] = ()


class Place(Enum):
    """Where in the text an owner clause was found."""

    LEAD = "lead"  # starts the text: `AF to …`
    LATER = "later"  # starts a later sentence: `… DM to advise the date.`
    TRAILING = "trailing"  # after the task: `… – AF & EA`, `(Lead: AF)`
    INSIDE = "inside"  # within a sentence that has no owner at its start: `… with EA to attend`
    NAMED = "named"  # names people who are not the owners: `RB asked that …`, `AF explained …`


@dataclass(frozen=True)
class Clause:
    """Owner words found together, and where."""

    refs: tuple[OwnerRef, ...]
    place: Place


@dataclass(frozen=True)
class OwnerToken:
    """One owner as written in a plain list: a Slack user id or board initials."""

    user_id: str | None = None
    initials: str | None = None


@dataclass
class OwnedText:
    """Action text read for owners.

    `task` is the text without its leading owner clause; `whole` is the text with
    only prefixes and a trailing owner column removed, for when the leading clause
    turns out not to name members (WEAK words that match no one).
    """

    clauses: list[Clause] = field(default_factory=list)
    task: str = ""
    whole: str = ""
    mentions: list[OwnerRef] = field(default_factory=list)

    @property
    def lead(self) -> Clause | None:
        """The owner clause at the start of the text, if any."""
        return next((c for c in self.clauses if c.place is Place.LEAD), None)


# --- vocabulary --------------------------------------------------------------------------------

TITLES = {
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "cllr", "councillor", "sir", "dame", "lord",
    "lady", "rev", "revd", "reverend", "di", "dci", "dsi", "ds", "dc", "pc", "ps", "sgt", "insp", "inspector",
    "supt", "superintendent", "ch", "judge", "father", "sister",
}  # fmt: skip
# Head words of a job title: `the Business Manager`, `Designated Nurse`, `Head of Service`.
ROLE_WORDS = {
    "chair", "chairman", "chairwoman", "chairperson", "vice-chair", "co-chair", "manager", "director", "officer",
    "lead", "head", "nurse", "doctor", "administrator", "coordinator", "co-ordinator", "commander", "secretary",
    "representative", "rep", "adviser", "advisor", "consultant", "practitioner", "commissioner", "chief",
    "executive", "superintendent", "headteacher", "clerk", "trustee", "treasurer", "paediatrician", "gp",
    "solicitor", "lawyer", "principal", "governor", "member", "dsl", "lado", "iro", "deputy", "assistant",
    "analyst", "minute-taker", "convenor", "convener", "ceo", "dcs", "dass", "sponsor",
    "champion", "partner", "president", "inspector", "controller", "registrar", "midwife", "psychologist",
    "psychiatrist", "therapist", "worker", "leader", "mayor", "councillor",
}  # fmt: skip
CHAIR_WORDS = {"chair", "chairman", "chairwoman", "chairperson"}
# A phrase ending in one of these names an organisation, not a person: `Domestic Violence Forum`.
ORG_WORDS = {
    "forum", "group", "board", "team", "teams", "service", "services", "panel", "partnership", "trust", "council",
    "committee", "subgroup", "sub-group", "department", "unit", "agency", "agencies", "authority", "police",
    "school", "schools", "office", "network", "hub", "centre", "center", "project", "programme", "plan",
    "report", "strategy", "framework", "policy", "colleagues", "partners", "health", "education", "nhs",
}  # fmt: skip
# Everyone on the board: `All to…`, `All members to…`, `Everyone will…`.
ALL_PHRASES = {
    "all", "everyone", "everybody", "all members", "all board members", "all partners", "all agencies",
    "all partner agencies", "all present", "all attendees", "all group members", "all sub-group members",
    "all subgroup members", "everyone present", "members", "board members", "group members", "all group",
    "the board", "the group", "the partnership", "all leads", "all colleagues", "all of us", "partners",
    "each partner", "every partner", "each agency", "every agency", "each member", "every member", "agencies",
    "partner agencies", "all partner organisations", "each organisation", "all organisations", "whole group",
    "the whole group", "the whole board", "all sub group members", "all board partners", "all group partners",
}  # fmt: skip
# Acronyms boards write in capitals that are not anybody's initials (only used inside sentences).
ACRONYMS = {
    "CSE", "CCE", "CAF", "LAC", "CIN", "CLA", "SCR", "CSPR", "LCSPR", "MASH", "MARAC", "MAPPA", "CAMHS", "NHS",
    "LSCB", "LSCP", "SSCB", "LADO", "IRO", "GP", "NSPCC", "CCG", "ICB", "DFE", "SEND", "SEN", "EHCP", "EHC",
    "PLO", "DSL", "DSP", "CYP", "CYPP", "VCS", "VCSE", "CQC", "HMIP", "JTAI", "ILACS", "MASE", "CDOP", "CP",
    "IA", "CA", "NI", "APA", "JAR", "KPI", "KPIS", "TOR", "AOB", "QA", "EP", "DV", "DA", "FGM", "PREVENT",
    "UK", "LA", "LAS", "ASAP", "TBC", "EOD", "EOW", "COP", "COB", "OFSTED", "DBS", "HR", "IT", "PDF", "CPD",
}  # fmt: skip
# Verbs an action may start with straight before `to` (`Write to the Trust`, `Continue to monitor`); names that
# are also verbs (Mark, Pat, Will, Sue) are left out: they are names when a member has them.
IMPERATIVES = {
    "write", "speak", "talk", "report", "respond", "reply", "return", "go", "refer", "send", "circulate", "forward",
    "present", "feed", "link", "add", "move", "submit", "escalate", "contribute", "commit", "continue", "arrange",
    "plan", "aim", "need", "remember", "try", "seek", "begin", "start", "meet", "agree", "attend", "invite",
    "provide", "bring", "take", "give", "email", "explain", "offer", "propose", "ensure", "liaise",
    "look", "listen", "reach", "get", "come", "volunteer", "apply", "be", "have", "work", "wait", "ask",
    "update", "review", "share", "check", "confirm", "consider", "develop", "draft", "prepare", "produce",
    "complete", "organise", "organize", "identify", "explore", "discuss", "establish", "circulating", "reporting",
    "outcome", "decision", "action", "actions", "agreed", "noted", "please", "also", "then", "needs",
}  # fmt: skip
_DETERMINERS = {
    "the", "a", "an", "all", "each", "every", "this", "that", "these", "those", "his", "her", "their", "our", "my",
    "your", "its", "them", "him", "us", "me", "it", "any", "some", "both", "other", "others", "next",
}  # fmt: skip
_PARTICLES = {"de", "van", "von", "der", "den", "da", "di", "du", "le", "la", "st", "bin", "al", "ap"}
_FILLERS = re.compile(r"^(?:maybe|possibly|perhaps|also|both|then|jointly|probably)\s+", re.IGNORECASE)
_TAGS = re.compile(
    r"\(\s*(?:joint\s+|co-?\s*)?(?:lead|leads|chair|vice[- ]chair|minutes|owner|sponsor)\s*\)", re.IGNORECASE
)
_COLLECTIVE_BODIES = {"the board", "the group", "the partnership", "the whole group", "the whole board", "whole group"}
_BRACKETED_INITIALS = re.compile(r"\(\s*([A-Z][A-Z0-9]{1,5})\s*\)")
_POSSESSIVE = re.compile(
    r"['’]s?\s+(?:team|teams|office|service|staff|department|colleagues|deputy|representative|nominee)\s*$",
    re.IGNORECASE,
)
_JOIN = re.compile(r"\s*(?:,|&amp;|&|/|\+|;)\s*|\s+(?:and|with|plus|or|n')\s+", re.IGNORECASE)

# --- clauses ------------------------------------------------------------------------------------

_PREFIXES = [
    re.compile(r"^\s*(?:[-–—•*·▪‣◦>]+|\(?\d{1,3}(?:\.\d{1,3})*[.)]|\(?[a-z][.)]|\(?[ivx]{1,4}\))\s+"),
    re.compile(r"^\s*(?:ref(?:erence)?\.?\s*)?\d{1,3}(?:\.\d{1,3})*\s*\t\s*", re.IGNORECASE),
    # A table row pasted with its reference number: `2 Review processes … AF & EA`.
    re.compile(r"^\s*\d{1,3}(?:\.\d{1,3})*\s+(?=[A-Z][a-z])"),
    re.compile(r"^\s*(?:agreed\s+)?actions?(?:\s+points?|\s+agreed)?\s*(?:\d+\s*)?[:\-–—]\s*", re.IGNORECASE),
    re.compile(r"^\s*(?:ap|todo|to do|decision)\s*[:\-–—]\s*", re.IGNORECASE),
    re.compile(r"^\s*actions?\s+(?:for|on)\s+(?=\S)", re.IGNORECASE),  # `Action for AF: circulate …`
    re.compile(r"^\s*(?:it\s+was\s+)?(?:agreed|decided|resolved)(?:\s+that\b|\s*[:\-–—])\s*", re.IGNORECASE),
]
_TRIGGER = re.compile(
    r"""
    \s*:(?!\d)
    | \s+(?:has\s+|have\s+)?(?:kindly\s+|also\s+)?
        (?:agreed|agrees|agree|offered|offers|volunteered|volunteers|undertook|undertakes|promised|committed|
           took\s+an\s+action|took\s+the\s+action|have\s+the\s+action|has\s+the\s+action|are\s+going|is\s+going)
        \s+to\b
    | \s+(?:is|are|was|were|has\s+been|have\s+been)\s+(?:asked\s+|requested\s+|tasked\s+|invited\s+|due\s+)?to\b
    | \s+(?:needs?|each|both|all|jointly|together|also|then)\s+to\b
    | \s+(?:will|would|shall|should|must)\b(?:\s+also\b|\s+each\b|\s+both\b|\s+jointly\b)?
    | \s+to\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
_THAT = re.compile(
    r"\s+(?:has\s+|have\s+)?(?:proposed|suggested|agreed|recommended|requested|asked|felt|said|confirmed|stated|"
    r"noted|advised|reported|explained)\s+that\s+",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"^(?:lead(?:\s+(?:officer|person|agency))?(?:\s+responsible)?|leads|owners?|responsible(?:\s+(?:officer|person))?|"
    r"by\s+whom|who|action(?:ed)?\s+by|assigned\s+to|person\s+responsible|responsibility)\s*[:\-–—]?\s+(?=\S)",
    re.IGNORECASE,
)
_TRAILING_PAREN = re.compile(
    r"\s*\(\s*(?P<label>(?:lead|owners?|by|responsible)\s*[:\-–]?\s*)?(?P<seg>[^()]+)\)\s*$", re.I
)
# The Action column of a table row, pasted after the task without a separator: `… new subgroups AF & EA`.
_TRAILING_INITIALS = re.compile(
    rf"(?<=[a-z0-9)])\s+(?P<seg>{_INITIALS_SRC}(?:\s*(?:,|&amp;|&|/|\+)\s*{_INITIALS_SRC}|\s+and\s+{_INITIALS_SRC}"
    rf"|\s+{_INITIALS_SRC})*)\s*$"
)
_TRAILING_NAME = re.compile(r"(?<=[a-z0-9)])\s+(?P<seg>[A-Z][a-z][\w'’-]*(?:\s+[A-Z][\w'’-]+){1,2})\s*$")
# After these words, initials at the end are who the task involves, not its owners: `… and send to WD`.
_NOT_AN_OWNER_COLUMN = {
    "to", "with", "from", "by", "for", "of", "on", "at", "and", "or", "inform", "tell", "ask", "remind", "copy", "cc",
    "send", "email", "contact", "support", "between", "via", "into", "about", "involving", "including", "chaired",
    "the", "a", "an", "our", "their", "his", "her", "its", "each", "every", "all", "any", "this", "that", "these",
    "those", "new", "re",
}  # fmt: skip
_TRAILING_BOLD = re.compile(r"\s*\*\*(?P<seg>[^*]+)\*\*\s*$|\s+\*(?P<seg1>[^*\s][^*]*)\*\s*$")
_MARKUP = re.compile(r"(?<![\w*])\*{1,2}(?=\S)|(?<=\S)\*{1,2}(?![\w*])")
_INSIDE = re.compile(
    rf"(?:\bwith|\band|,|;|:)\s+(?P<seg>(?:{_MENTION_SRC}|[A-Z][\w'’-]*)(?:(?:\s*(?:,|&amp;|&|/|\+)\s*|\s+and\s+|\s+)"
    rf"(?:{_MENTION_SRC}|[A-Z][\w'’-]*)){{0,5}})\s+(?:to|will)\s+(?=[a-z])"
)
# `Update from AF at the next meeting`, `Paper by the Chair to the April board`: who brings it.
_BRINGER = re.compile(
    rf"^(?:an?\s+|the\s+)?(?:(?:verbal|written|progress|further)\s+)?"
    rf"(?:update|report|paper|feedback|briefing|presentation|proposal|response|summary|note)s?\s+(?:from|by)\s+"
    rf"(?P<seg>(?:{_MENTION_SRC}|[A-Za-z][\w'’-]*)(?:(?:\s*(?:,|&amp;|&|/|\+)\s*|\s+and\s+|\s+)"
    rf"(?:{_MENTION_SRC}|(?-i:[A-Z])[\w'’-]*)){{0,5}})(?=\s+(?:to|at|on|for|by|in|re|about|regarding)\b|\s*[.;,:–-]|\s*$)",
    re.IGNORECASE,
)
# `Proposals to be circulated by EA`, `Review of the register by SB`: who does it is named after `by`.
_AGENT = re.compile(r"\s+by\s+(?P<seg>[^.;]+?)[.\s]*$", re.IGNORECASE)
_PASSIVE = re.compile(r"\b(?:to|will|shall|should|must|is\s+to|are\s+to)\s+be\s+[a-z][\w-]*\b", re.IGNORECASE)
_NO_SPLIT_AFTER = re.compile(
    r"(?:\b(?:dr|mr|mrs|ms|prof|cllr|st|rev|revd|insp|supt|sgt|no|approx|etc|e\.g|i\.e|vs|cf)|\b[A-Z])\.$", re.I
)
_UNIT_BREAK = re.compile(r"(?<=[.!?])\s+|(?<!&amp)(?<!&lt)(?<!&gt)(?<=;)\s+|\t+|\s+\|\s+|\s+[-–—]+\s+|\s*\n+\s*")


def _strip_prefixes(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for pattern in _PREFIXES:
            new = pattern.sub("", text, count=1)
            if new != text:
                text, changed = new, True
    return text.strip()


def _norm_word(word: str) -> str:
    return word.strip(".,;:'’\"()").lower()


def _is_capitalised(word: str) -> bool:
    return bool(word) and (word[0].isupper() or word.startswith("O'") or word.startswith("O’"))


def _initials_of(word: str) -> str | None:
    """`AF`, or `A.F.` written with dots, as initials; None if the word is not initials."""
    bare = word.replace(".", "") if re.fullmatch(r"(?:[A-Z]\.){2,6}", word) else word
    return bare if INITIALS.match(bare) else None


def _piece_refs(piece: str, context: str) -> list[OwnerRef] | None:
    """Read one piece of an owner list (`AF`, `Dawn Maxwell`, `the Business Manager`, `LV AT`).

    None when the piece is not owner words at all. `context` is lead, that, bare, labelled or inside.
    """
    piece = _TAGS.sub(" ", piece)
    # `Dawn Maxwell (DM)`: the initials in brackets name the same person.
    piece = _BRACKETED_INITIALS.sub(r" \1 ", piece)
    # `JB (Police)`, `Dawn Maxwell (Health)`: the agency in brackets is not another owner.
    piece = re.sub(r"\([^)]*\)", " ", piece)
    # `Dawn Maxwell's team`, `the Chair's office`: the person whose team it is.
    piece = _POSSESSIVE.sub("", piece)
    piece = _FILLERS.sub("", piece.strip()).strip(" .,:;-–")
    if not piece:
        return []
    if m := MENTION.fullmatch(piece):
        return [OwnerRef(piece, Kind.MENTION, Strength.HARD, user_id=m.group(1))]
    words = piece.split()
    if len(words) > 6:
        return None
    lowered = " ".join(_norm_word(w) for w in words)
    if lowered in ALL_PHRASES:
        # `the group agreed to …` means everyone only when no one else is named (`… ACTION: LH`).
        strength = Strength.SOFT if lowered in _COLLECTIVE_BODIES else Strength.HARD
        return [OwnerRef(piece, Kind.ALL, strength)]
    initials = [_initials_of(w) for w in words]
    if len(words) >= 2 and _norm_word(words[0]) in TITLES and initials[0] and not any(initials[1:]):
        # `DCI Armstrong`, `DS Khan`: a rank written in capitals, then a name.
        initials = [None] * len(words)
    if all(initials):
        strength = Strength.HARD
        if context == "inside":
            strength = Strength.SOFT if len(words) == 1 and len(words[0]) <= 3 else Strength.WEAK
        if context in ("bare", "inside"):
            # Inside a sentence or in a loose trailing column, `CAMHS` or `MASH` is an agency, not initials.
            refs = []
            for w, i in zip(words, initials, strict=True):
                s = Strength.WEAK if (i or "") in ACRONYMS else strength
                refs.append(OwnerRef(w, Kind.INITIALS, s, initials=i))
            return refs
        return [OwnerRef(w, Kind.INITIALS, strength, initials=i) for w, i in zip(words, initials, strict=True)]
    normed_all = [_norm_word(w) for w in words]
    if (
        any(initials)
        and _is_role(normed_all)
        and (
            normed_all[0] in ("the", "our")
            or any(n in ("of", "for") for n in normed_all[1:-1])
            or all(i is None or i in ACRONYMS for i in initials)
        )
    ):
        # `Chair of LSCB`, `Head of CAMHS`, `LA Director`, `ICB Chief Nurse`: a role whose organisation is
        # written in capitals.
        words_ = normed_all[1:] if normed_all[0] in ("the", "our") else normed_all
        return [OwnerRef(piece, Kind.ROLE, Strength.HARD, words=tuple(words_))]
    if (
        normed_all[0] in ("the", "our")
        and len(words) > 1
        and all(_is_capitalised(w) for w in words[1:])
        and not _is_role(normed_all[1:])
    ):
        # `The NSPCC to …`, `The Domestic Violence Forum will …`: an organisation, a member only by name.
        return [OwnerRef(piece, Kind.NAME, Strength.SOFT, words=tuple(normed_all[1:]))]
    if any(initials):
        # `Dawn Maxwell JB`: runs of names and of initials.
        out: list[OwnerRef] = []
        run: list[str] = []
        for w, i in zip(words, initials, strict=True):
            if i:
                if run:
                    got = _piece_refs(" ".join(run), context)
                    if got is None:
                        return None
                    out += got
                    run = []
                out += _piece_refs(w, context) or []
            else:
                run.append(w)
        if run:
            got = _piece_refs(" ".join(run), context)
            if got is None:
                return None
            out += got
        return out
    normed = [_norm_word(w) for w in words]
    if normed[0] in ("the", "our", "their", "your", "a", "an"):
        rest_words, rest_normed = words[1:], normed[1:]
        if not rest_words:
            return None
        if _is_role(rest_normed):
            return [OwnerRef(piece, Kind.ROLE, Strength.HARD, words=tuple(rest_normed))]
        return None
    if _is_role(normed) and all(
        _is_capitalised(w) or n in ("of", "for", "and", "the") for w, n in zip(words, normed, strict=True)
    ):
        return [OwnerRef(piece, Kind.ROLE, Strength.HARD, words=tuple(normed))]
    if _is_role(normed) and normed[-1] in CHAIR_WORDS and len(normed) <= 2:
        return [OwnerRef(piece, Kind.ROLE, Strength.HARD, words=tuple(normed))]
    title = None
    if normed[0].rstrip(".") in TITLES and len(words) >= 2 and _is_capitalised(words[0]) and _is_capitalised(words[1]):
        title, words, normed = words[0], words[1:], normed[1:]
    capitalised = all(_is_capitalised(w) or n in _PARTICLES for w, n in zip(words, normed, strict=True))
    if capitalised and _is_capitalised(words[0]):
        if len(words) > 4:
            return None
        if title:
            strength = Strength.HARD if context != "inside" else Strength.WEAK
        elif normed[-1] in ORG_WORDS:
            strength = Strength.SOFT if context == "lead" and len(words) > 1 else Strength.WEAK
        elif len(words) == 1:
            strength = Strength.SOFT if context in ("lead", "labelled") else Strength.WEAK
        elif context in ("lead", "labelled", "that"):
            strength = Strength.HARD
        else:
            strength = Strength.SOFT if context == "bare" else Strength.WEAK
        return [OwnerRef(piece, Kind.NAME, strength, title=title, words=tuple(normed))]
    if len(words) <= 3 and all(re.fullmatch(r"[a-zà-ÿ][\w'’.-]*", w) for w in words) and context in _TYPED_LOWER:
        # `dawn maxwell to …` typed in lower case: a name only if it is a member's.
        return [OwnerRef(piece, Kind.NAME, Strength.WEAK, words=tuple(normed))]
    return None


# Where a name typed in lower case (`dawn maxwell to …`) may still be an owner, if it is a member's.
_TYPED_LOWER = ("lead", "that", "labelled")


def _is_role(normed: list[str]) -> bool:
    if not normed:
        return False
    if any(w in CHAIR_WORDS or w in ("vice-chair", "co-chair") for w in normed):
        return True
    head = normed[normed.index("of") - 1] if "of" in normed[1:] else normed[-1]
    return head in ROLE_WORDS or normed[-1] in ROLE_WORDS


def parse_segment(segment: str, context: str = "labelled") -> list[OwnerRef] | None:
    """Owner words of a list such as `AF & EA`, `Dawn Maxwell and JB`, `LV AT and AM`; None if it is not one."""
    segment = segment.replace("&amp;", "&").strip()
    words = segment.split()
    if not words or len(words) > 14:
        return None
    if len(words) > 1 and _norm_word(words[0]) in IMPERATIVES and not _initials_of(words[0]):
        return None  # `Add CSE to …`, `Invite Police to …`: a sentence that starts with its verb
    refs: list[OwnerRef] = []
    for piece in _JOIN.split(segment):
        got = _piece_refs(piece, context)
        if got is None:
            return None
        for ref in got:
            if ref not in refs:
                refs.append(ref)
    return refs or None


def _demoted_before_colon(ref: OwnerRef) -> OwnerRef:
    if ref.kind is not Kind.NAME or ref.title:
        return ref
    if len(ref.words) == 1 or ref.words[-1] in ORG_WORDS or ref.strength is not Strength.HARD:
        return _with_strength(ref, Strength.WEAK)
    return _with_strength(ref, Strength.SOFT)


def _passive(rest: str) -> bool:
    # `to be reissued` is passive; `will be monitoring` is not.
    return bool(re.match(r"\s*(?:be|have\s+been|been)\s+(?![a-z]+ing\b)", rest, re.IGNORECASE))


def _leading(unit: str) -> tuple[list[OwnerRef], int] | None:
    """Owners at the start of `unit` followed by a trigger word; with where the task starts."""
    for trigger in _TRIGGER.finditer(unit):
        segment = unit[: trigger.start()]
        if not segment.strip():
            return None
        refs = parse_segment(segment, "lead")
        if refs is None:
            # The first trigger decides: `Feedback on lessons to the board` has no owner clause.
            return None
        rest = unit[trigger.end() :]
        if trigger.group(0).strip() == ":":
            # `Neglect Strategy: consult partners` is a heading; `Sarah Beattie: update …` an owner if a member.
            refs = [_demoted_before_colon(r) for r in refs]
        if _passive(rest) and not any(r.kind in (Kind.INITIALS, Kind.MENTION) for r in refs):
            return None  # `Scorecard to be reissued`: a thing, not a person
        if all(r.strength is Strength.SOFT and len(r.words) == 1 for r in refs) and (
            re.search(r"\bto\s+be\b", rest, re.IGNORECASE)
            or refs[0].words[0] in IMPERATIVES
            or (trigger.group(0).strip().lower() == "to" and _next_word(rest) in _DETERMINERS)
        ):
            # `Write to the Trust`, `Continue to monitor`, `Proposals to constitute a board to be taken forward`:
            # one capitalised word before `to` is a person only if a member has that name.
            refs = _weak(refs)
        return refs, trigger.end()
    return None


_WORD_OR_MENTION = r"(?:[A-Z][\w'’.-]*|<@[^>]+>)"
_STARTS_WITH_NAMES = re.compile(
    rf"^({_WORD_OR_MENTION}(?:(?:\s*(?:,|&amp;|&|/)\s*|\s+and\s+|\s+){_WORD_OR_MENTION}){{0,5}})\s+[a-z]"
)


def _next_word(text: str) -> str:
    words = text.split(None, 1)
    return words[0].lower() if words else ""


def _named_at_start(unit: str) -> list[OwnerRef]:
    """People a sentence starts with when they are not its owners: `RB asked …`, `AF explained …`."""
    m = _STARTS_WITH_NAMES.match(unit)
    if not m:
        return []
    refs = parse_segment(m.group(1), "bare") or []
    return [OwnerRef(r.written, r.kind, Strength.WEAK, r.user_id, r.initials, r.title, r.words) for r in refs]


def _bare(unit: str) -> tuple[list[OwnerRef], bool] | None:
    """A unit that is only an owner list: `AF`, `Lead: Ann Flynn`, `(AF)`; with whether it was labelled."""
    unit = unit.strip().rstrip(".")
    labelled = False
    if m := _LABEL.match(unit):
        unit, labelled = unit[m.end() :], True
    if unit.startswith("(") and unit.endswith(")"):
        unit = unit[1:-1]
    refs = parse_segment(unit, "labelled" if labelled else "bare")
    if refs is None or any(r.strength is Strength.WEAK for r in refs):
        # A loose column of words that may not be names (`– Southampton`, `– CAMHS`) stays in the task.
        return None
    return refs, labelled


def _units(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences and columns of `text` (split at `. `, `; `, tabs, ` | `, spaced dashes)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _UNIT_BREAK.finditer(text):
        before = text[start : m.start()]
        if m.group(0).strip() == "" and text[m.start() - 1 : m.start()] == "." and _NO_SPLIT_AFTER.search(before):
            continue
        if before.strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def find_owners(text: str) -> OwnedText:
    """Read the owner clauses of an action's text.

    `Action: AF and EA to review thresholds` → lead clause AF, EA; task `review thresholds`.
    Without any clause, every `<@U…>` in the text is an owner and the task is the text.
    """
    body = _strip_prefixes(text)
    trailing: list[Clause] = []
    # An owner column pasted after the task: `… **Dawn Maxwell / JB**`, `… (Lead: AF)`, `… (AF)`.
    for pattern in (_TRAILING_BOLD, _TRAILING_PAREN):
        m = pattern.search(body)
        if not m or m.start() == 0:
            continue
        seg = next(g for g in (m.groupdict().get("seg"), m.groupdict().get("seg1")) if g is not None)
        labelled = pattern is _TRAILING_BOLD or bool(m.groupdict().get("label"))
        refs = parse_segment(seg, "labelled" if labelled else "bare")
        if refs and (labelled or not any(r.strength is Strength.WEAK for r in refs)):
            trailing.append(Clause(tuple(refs), Place.TRAILING))
            body = body[: m.start()].rstrip()
            break
    body = _MARKUP.sub("", body).strip()
    if not trailing and (m := _TRAILING_NAME.search(body)):
        # `… free up management capacity Felicity Budgen` (a table's Lead column): a member's name or nothing.
        before = body[: m.start()].split()
        refs = parse_segment(m.group("seg"), "bare")
        if refs and len(before) >= 2 and _norm_word(before[-1]) not in _NOT_AN_OWNER_COLUMN:
            trailing.append(Clause(tuple(_weak(refs)), Place.TRAILING))
    if not trailing and (m := _TRAILING_INITIALS.search(body)):
        before = body[: m.start()].split()
        refs = parse_segment(m.group("seg"), "bare")
        if (
            refs
            and len(before) >= 2
            and _norm_word(before[-1]) not in _NOT_AN_OWNER_COLUMN
            and not any(r.strength is Strength.WEAK for r in refs)
        ):
            # Kept in the task text too: initials that match no member must not vanish from it.
            soft = [_with_strength(r, Strength.SOFT) for r in refs]
            trailing.append(Clause(tuple(soft), Place.TRAILING))
    owned = OwnedText(task=body, whole=body)
    spans = _units(body)
    task_start = 0
    bare_lead = False
    dropped: list[tuple[int, int]] = []
    for index, (start, end) in enumerate(spans):
        raw = body[start:end]
        unit = _strip_prefixes(raw)
        offset = start + (len(raw) - len(raw.lstrip()) if unit == raw.strip() else raw.find(unit))
        place = Place.LEAD if index == 0 else Place.LATER
        if that := _THAT.search(unit):
            before = unit[: that.start()]
            named = parse_segment(before, "bare") if before.strip() else None
            if named:
                owned.clauses.append(Clause(tuple(_weak(named)), Place.NAMED))
            rest = unit[that.end() :]
            got = _leading(rest) or _subjunctive(rest)
            if got:
                refs, cut = got
                owned.clauses.append(Clause(tuple(refs), place))
                if index == 0:
                    task_start = offset + that.end() + cut
                continue
        if _LABEL.match(unit) and (bare := _bare(unit)) is not None:
            # `Lead: Sarah Beattie – update the register`, `… Owner: AF`
            refs, _ = bare
            if index == 0 and len(spans) > 1:
                owned.clauses.append(Clause(tuple(refs), Place.LEAD))
                task_start = spans[1][0]
                bare_lead = True
            else:
                owned.clauses.append(Clause(tuple(refs), Place.TRAILING))
                dropped.append((start, end))
            continue
        if got := _leading(unit):
            refs, cut = got
            owned.clauses.append(Clause(tuple(refs), place))
            if index == 0:
                task_start = offset + cut
            continue
        bare = _bare(unit)
        if bare is not None and len(spans) == 1:
            # `Action: All`, `AF`: owners and nothing to do (the service refuses an empty task).
            owned.clauses.append(Clause(tuple(bare[0]), Place.LEAD))
            task_start = len(body)
            continue
        if bare is not None and len(spans) > 1:
            refs, labelled = bare
            if index == 0:
                # `AF – circulate the report`
                owned.clauses.append(Clause(tuple(refs), Place.LEAD))
                task_start = spans[1][0]
                bare_lead = True
            else:
                owned.clauses.append(Clause(tuple(refs), Place.TRAILING))
                dropped.append((start, end))
            continue
        inside = [
            ref
            for m in _INSIDE.finditer(unit)
            for ref in (parse_segment(m.group("seg"), "inside") or [])
            if ref.kind is not Kind.ALL
        ]
        if (bringer := _BRINGER.match(unit)) and (refs := parse_segment(bringer.group("seg"), "labelled")):
            inside += [r for r in refs if r.kind is not Kind.ALL]
        elif (agent := _AGENT.search(unit)) and (refs := parse_segment(agent.group("seg"), "bare")):
            if not _PASSIVE.search(unit[: agent.start()]):
                # Without `to be …`, only initials and members' names count: `a paper by Easter` is a date.
                refs = [
                    r if r.kind in (Kind.INITIALS, Kind.MENTION) else _with_strength(r, Strength.WEAK) for r in refs
                ]
            inside += [r for r in refs if r.kind is not Kind.ALL]
        if inside:
            owned.clauses.append(Clause(tuple(inside), Place.INSIDE))
        named = _named_at_start(unit)
        if named:
            owned.clauses.append(Clause(tuple(named), Place.NAMED))
    owned.clauses += trailing
    whole = body
    for start, end in reversed(dropped):
        whole = whole[:start].rstrip(" -–—|\t") + whole[end:]
    owned.whole = whole.strip()
    task = body[task_start:] if task_start else body
    for start, end in reversed(dropped):
        if start >= task_start:
            task = task[: start - task_start].rstrip(" -–—|\t") + task[end - task_start :]
    owned.task = task.strip()
    if bare_lead:
        owned.task = re.sub(r"^(?:to|will)\s+", "", owned.task, flags=re.IGNORECASE)  # `LH – to review the protocol`
    owned.mentions = [
        OwnerRef(m.group(0), Kind.MENTION, Strength.HARD, user_id=m.group(1)) for m in MENTION.finditer(owned.whole)
    ]
    return owned


def _with_strength(ref: OwnerRef, strength: Strength) -> OwnerRef:
    return OwnerRef(ref.written, ref.kind, strength, ref.user_id, ref.initials, ref.title, ref.words)


def _weak(refs: list[OwnerRef]) -> list[OwnerRef]:
    return [_with_strength(r, Strength.WEAK) for r in refs]


def _subjunctive(rest: str) -> tuple[list[OwnerRef], int] | None:
    """`… proposed that LV AT and AM do an audit`: owners then a verb, without `to`."""
    for m in re.finditer(r"\s+(?P<word>[a-z][\w'’-]*)", rest):
        if m.group("word") in _LIST_WORDS:
            continue
        refs = parse_segment(rest[: m.start()], "that")
        return (refs, m.start()) if refs else None
    return None


_LIST_WORDS = {"and", "or", "with", "plus", "maybe", "possibly", "perhaps", "also", "both", "probably"}
