"""`/mine`: what's mine, across every board."""

from __future__ import annotations

from bot.commands.reply import Reply, error_reply, private
from bot.deps import Deps
from bot.errors import UserError
from bot.rendering import actions as render
from bot.services import actions as service
from bot.services.context import Caller
from bot.text import escape
from storage.db import session_scope

USAGE = "/mine [all]"


def run(deps: Deps, caller: Caller, text: str) -> Reply:
    """The caller's outstanding actions; `all` adds those closed in the last 30 days."""
    word = text.strip().lower()
    if word not in ("", "all"):
        return error_reply(UserError(f"`/mine` doesn't know `{escape(text.strip())}`."), USAGE)
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        groups = service.my_actions(session, caller=caller, include_closed=word == "all", now=now)
        return private(render.mine(groups, now, include_closed=word == "all"))
