"""`/mine`: what's mine, across every board."""

from __future__ import annotations

from bot.commands.reply import Reply, error_reply, private
from bot.deps import Deps
from bot.errors import UserError
from bot.refs import format_ref, parse_ref
from bot.rendering import actions as render
from bot.rendering.message import Message, section
from bot.services import actions as service
from bot.services import reminders
from bot.services.context import Caller
from bot.text import escape
from storage.db import session_scope

USAGE = "/mine [all]  or  /mine snooze <ref> <days>"


def run(deps: Deps, caller: Caller, text: str) -> Reply:
    """The caller's outstanding actions; `all` adds those closed in the last 30 days; `snooze` pauses reminders."""
    word = text.strip().lower()
    if word.split()[:1] == ["snooze"]:
        try:
            return _snooze(deps, caller, text.strip()[len("snooze") :].strip())
        except UserError as exc:
            return error_reply(exc, USAGE)
    if word not in ("", "all"):
        return error_reply(UserError(f"`/mine` doesn't know `{escape(text.strip())}`."), USAGE)
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        groups = service.my_actions(session, caller=caller, include_closed=word == "all", now=now)
        return private(render.mine(groups, now, include_closed=word == "all"))


def _snooze(deps: Deps, caller: Caller, rest: str) -> Reply:
    words = rest.split()
    if len(words) != 2:
        raise UserError("Give the action and the number of days, e.g. `/mine snooze SSCB-12 14`.")
    ref = parse_ref(words[0])
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        action = service.find_action(session, caller, ref)
        until = reminders.snooze(
            session, caller=caller, action=action, days=words[1], directory=deps.directory, now=now
        )
        text = (
            f":zzz: No reminders about *{format_ref(action.board.code, action.number)}* until "
            f"{until:%a} {until.day} {until:%b} inclusive. Its due date is unchanged."
        )
        return private(Message(text=text, blocks=[section(text)]))
