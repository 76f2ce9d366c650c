"""Finding an action's owners in the way boards write them.

Minutes say `AF to circulate…`, `AF & EA to…`, `AF/EA: …`, `Action: AF and EA
to…`, or mention people in Slack. This module only reads the text; which
member each token means is the service's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# <@U123> or <@U123|name>, as Slack sends mentions in command text.
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_MENTION_SRC = r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>"
_INITIALS_SRC = r"[A-Z][A-Z0-9]{1,5}"
_TOKEN = rf"(?:{_MENTION_SRC}|{_INITIALS_SRC})"
_JOIN = r"(?:\s*(?:,|&|/|\+|\band\b)\s*|\s+)"
_ACTION_PREFIX = re.compile(r"^\s*actions?\s*[:\-–]\s*", re.IGNORECASE)
_OWNER_CLAUSE = re.compile(
    rf"^(?P<owners>{_TOKEN}(?:{_JOIN}{_TOKEN})*)\s*(?:(?P<to>\bto\b)|:|\s[-–]\s)\s*(?P<rest>.*)$",
    re.DOTALL,
)
_SPLIT = re.compile(rf"{_MENTION_SRC}|{_INITIALS_SRC}")
INITIALS = re.compile(r"^[A-Z][A-Z0-9]{1,5}$")


@dataclass(frozen=True)
class OwnerToken:
    """One owner as written: a Slack user id or board initials."""

    user_id: str | None = None
    initials: str | None = None


@dataclass
class OwnedText:
    """Action text split into its owners and the task itself."""

    owners: list[OwnerToken] = field(default_factory=list)
    task: str = ""
    owners_from_clause: bool = False


def split_owner_tokens(text: str) -> list[OwnerToken]:
    """All owner tokens in a list such as `AF & EA`, `<@U1>, JB`, `AF/EA`."""
    tokens: list[OwnerToken] = []
    for raw in _SPLIT.findall(text):
        if m := MENTION.fullmatch(raw):
            token = OwnerToken(user_id=m.group(1))
        else:
            token = OwnerToken(initials=raw)
        if token not in tokens:
            tokens.append(token)
    return tokens


def owners_list_is_clean(text: str) -> bool:
    """True when `text` holds nothing but owner tokens and separators (for `/action assign`)."""
    stripped = re.sub(rf"{_MENTION_SRC}|{_INITIALS_SRC}|,|&|/|\+|\band\b", " ", text.strip())
    return stripped.strip() == "" and bool(_SPLIT.search(text))


def find_owners(text: str) -> OwnedText:
    """Read the leading owner clause of an action, else collect the mentions in it.

    `Action: AF and EA to review thresholds` → owners AF, EA; task `review thresholds`.
    Without a leading clause, every `<@U…>` in the text is an owner and the task is the text.
    """
    body = _ACTION_PREFIX.sub("", text, count=1).strip()
    if m := _OWNER_CLAUSE.match(body):
        # `AF & EA to` with nothing after it still names the owners: an empty task is for the
        # service to refuse, not a reason to log "AF & EA to" as the caller's own action.
        return OwnedText(split_owner_tokens(m.group("owners")), m.group("rest").strip(), owners_from_clause=True)
    mentions = [OwnerToken(user_id=uid) for uid in dict.fromkeys(MENTION.findall(body))]
    return OwnedText(mentions, body, owners_from_clause=False)
