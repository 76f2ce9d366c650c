"""`/mine`: what's mine, across every board."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.errors import UserError
from bot.refs import format_ref, parse_ref
from bot.rendering import actions as render
from bot.rendering.message import Message, section
from bot.services import snoozing
from bot.services.action_lists import my_actions, my_bucket
from bot.services.changes import ActionOutcome, change_action
from bot.services.context import Caller
from bot.services.requests import Snooze
from bot.text import escape
from handlers.reply import Reply, private, touching_homes
from handlers.slash.parsing import parse_days
from handlers.slash.wording import error_reply
from storage.db import session_scope

USAGE = "/mine [all]  or  /mine overdue|soon|later|undated|closed [page N]  or  /mine snooze <ref> <days>"
_GROUPS = {word: key for key, word in render.MINE_WORDS.items()}


def run(deps: Deps, caller: Caller, text: str) -> Reply:
    """The caller's outstanding actions; `all` adds those closed in the last 30 days; a group's name lists
    that group a page at a time; `snooze` pauses reminders."""
    words = text.strip().lower().split()
    try:
        if words[:1] == ["snooze"]:
            return _snooze(deps, caller, text.strip()[len("snooze") :].strip())
        if words[:1] and words[0] in _GROUPS:
            return _group(deps, caller, words[0], words[1:])
    except UserError as exc:
        return error_reply(exc, USAGE)
    if words not in ([], ["all"]):
        return error_reply(UserError(f"`/mine` doesn't know `{escape(text.strip())}`."), USAGE)
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        groups = my_actions(session, caller=caller, include_closed=words == ["all"], now=now)
        return private(render.mine(groups, now, include_closed=words == ["all"]))


def _group(deps: Deps, caller: Caller, word: str, rest: list[str]) -> Reply:
    page = 1
    if rest:
        if len(rest) != 2 or rest[0] != "page" or not rest[1].isdigit() or int(rest[1]) < 1:
            raise UserError(f"After `{word}` give only a page, e.g. `/mine {word} page 2`.")
        page = int(rest[1])
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        result = my_bucket(session, caller=caller, bucket=_GROUPS[word], now=now, page=page)
        return private(render.mine_group(_GROUPS[word], result, now, f"/mine {word} page {page + 1}"))


def _snooze(deps: Deps, caller: Caller, rest: str) -> Reply:
    words = rest.split()
    if len(words) != 2:
        raise UserError("Give the action and the number of days, e.g. `/mine snooze SSCB-12 14`.")
    ref = parse_ref(words[0])
    days = parse_days(words[1], 1, snoozing.MAX_SNOOZE_DAYS)

    def present(session: Session, outcome: ActionOutcome) -> Reply:
        if outcome.refusal is not None:
            return error_reply(outcome.refusal, USAGE)
        until = outcome.snoozed_until
        assert until is not None
        text = (
            f":zzz: No reminders about *{format_ref(outcome.board.code, outcome.action.number)}* until "
            f"{until:%a} {until.day} {until:%b} inclusive. Its due date is unchanged."
        )
        reply = private(Message(text=text, blocks=[section(text)]))
        return touching_homes(reply, caller.user_id, *outcome.owner_user_ids)

    return change_action(deps, caller, Snooze(ref, days), present)
