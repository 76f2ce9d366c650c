"""`/meeting`: set a board up and keep its members."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.deps import Deps
from bot.errors import UserError
from bot.owners import MENTION
from bot.rendering import boards as render
from bot.rendering.help import help_message
from bot.services import boards as service
from bot.services.context import Caller
from bot.text import escape, squash
from bot.walltime import DEFAULT_TZ
from handlers.reply import Reply, private, to_channel, touching_homes
from handlers.slash import meeting_schedule as schedule
from handlers.slash.parsing import split_subcommand
from handlers.slash.wording import error_reply
from storage.db import session_scope

USAGE = {
    "setup": "/meeting setup <board name> code <CODE> chair @user [tz <IANA zone>]",
    "member add": '/meeting member add @user <INITIALS> [role]  or  /meeting member add "Full Name" <INITIALS> [role]',
    "member remove": "/meeting member remove <INITIALS>",
    "members": "/meeting members [in CODE]",
    # Scheduling sub-commands live in their own module; /meeting is one command to users.
    **schedule.USAGE,
    "help": "/meeting help",
}
HELP_LINES = [
    ("setup", "bind this channel to a new board"),
    ("member add", "add a member by Slack user, or by name for someone without Slack"),
    ("member remove", "remove a member (their actions keep their history)"),
    ("members", "list the board's members"),
    *schedule.HELP_LINES,
]
_SETUP = re.compile(
    # A mention may carry a display name with spaces (`<@U1|Ann Lee>`), so it is read up to its `>`.
    r"^(?P<name>.+?)\s+code\s+(?P<code>\S+)\s+chair\s+(?P<chair><@[^>]*>|\S+)(?:\s+tz\s+(?P<tz>\S+))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_BY_USER = re.compile(r"^(?P<who><@[UW][A-Z0-9]+(?:\|[^>]*)?>)\s+(?P<initials>\S+)(?:\s+(?P<role>.+))?$", re.DOTALL)
_BY_NAME = re.compile(r"^[\"“](?P<who>[^\"”]{1,200})[\"”]\s+(?P<initials>\S+)(?:\s+(?P<role>.+))?$", re.DOTALL)
_IN_CODE = re.compile(r"^in\s+([A-Za-z0-9]{2,10})\s*$", re.IGNORECASE)


def meeting_help() -> Reply:
    """The `/meeting` reference."""
    return private(help_message("/meeting", USAGE, HELP_LINES))


def run(deps: Deps, caller: Caller, text: str) -> Reply:
    """Interpret one `/meeting` command."""
    key, rest = split_subcommand(text, "member")
    if key in ("", "help"):
        return meeting_help()
    handler = _HANDLERS.get(key)
    if handler is None:
        return error_reply(
            UserError(f"`{escape(squash(text))}` is not a `/meeting` command. Try `/meeting help`."),
            "/meeting setup|member add|member remove|members|schedule|next|list|cancel|move|settings|help …",
        )
    try:
        return handler(deps, caller, rest)
    except UserError as exc:
        return error_reply(exc, USAGE[key])


def _setup(deps: Deps, caller: Caller, rest: str) -> Reply:
    m = _SETUP.match(squash(rest))
    if not m:
        raise UserError("I couldn't read that set-up: the board name, `code`, and `chair` are all needed.")
    chair = MENTION.fullmatch(m.group("chair"))
    if not chair:
        raise UserError(f"`{escape(m.group('chair'))}` is not a Slack user: mention the chair, e.g. `chair @ann`.")
    name = m.group("name").strip().strip('"“”')
    setup = service.BoardSetup(
        name=name, code=m.group("code"), chair_user_id=chair.group(1), tz=m.group("tz") or DEFAULT_TZ
    )
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        board = service.setup_board(session, caller=caller, setup=setup, now=now)
        reply = to_channel(board.channel_id, render.board_set_up(board, caller.user_id))
        # The board appears on its chair's Home tab.
        return touching_homes(reply, caller.user_id, board.chair_user_id)


def _member_add(deps: Deps, caller: Caller, rest: str) -> Reply:
    rest = squash(rest)
    user_id = name = None
    if m := _BY_USER.match(rest):
        user_id = MENTION.fullmatch(m.group("who")).group(1)  # type: ignore[union-attr]
    elif m := _BY_NAME.match(rest):
        name = m.group("who").strip()
    else:
        raise UserError("Name the member with an @mention, or their full name in quotes, then their initials.")
    role = (m.group("role") or "").strip() or None
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        board = service.resolve_board(session, caller, None)
        member = service.add_member(
            session,
            caller=caller,
            board=board,
            initials=m.group("initials"),
            slack_user_id=user_id,
            name=name,
            role=role,
            directory=deps.directory,
            now=now,
        )
        reply = to_channel(board.channel_id, render.member_added(board, member, caller.user_id))
        return touching_homes(reply, caller.user_id, member.slack_user_id)


def _member_remove(deps: Deps, caller: Caller, rest: str) -> Reply:
    initials = rest.strip()
    if not initials or len(initials.split()) != 1:
        raise UserError("Give the initials of the member to remove, e.g. `/meeting member remove AF`.")
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        board = service.resolve_board(session, caller, None)
        member = service.remove_member(
            session, caller=caller, board=board, initials=initials, directory=deps.directory, now=now
        )
        reply = to_channel(board.channel_id, render.member_removed(board, member, caller.user_id))
        return touching_homes(reply, caller.user_id, member.slack_user_id)


def _members(deps: Deps, caller: Caller, rest: str) -> Reply:
    code = None
    if rest.strip():
        m = _IN_CODE.match(rest.strip())
        if not m:
            raise UserError(f"`{escape(rest.strip())}` is not understood here.")
        code = m.group(1)
    with session_scope(deps.session_factory) as session:
        board = service.resolve_board(session, caller, code)
        return private(render.members_list(board, service.members(session, board)))


_HANDLERS: dict[str, Callable[[Deps, Caller, str], Reply]] = {
    "setup": _setup,
    "member add": _member_add,
    "member remove": _member_remove,
    "members": _members,
    **schedule.HANDLERS,
}
