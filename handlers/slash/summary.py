"""`/summary [CODE] [post]`: the matters-arising summary on demand."""

from __future__ import annotations

from bot.deps import Deps
from bot.errors import UserError
from bot.refs import BOARD_CODE
from bot.rendering import summary as render
from bot.rendering.care import shared_channel_post_warning
from bot.services import meetings as meeting_service
from bot.services.boards import resolve_board
from bot.services.context import Caller
from bot.services.summary import build_summary, ensure_may_post
from bot.text import escape
from handlers.reply import Reply, private
from handlers.slash.wording import error_reply
from storage.db import session_scope

USAGE = "/summary [CODE] [post [anyway]]"


def run(deps: Deps, caller: Caller, text: str) -> Reply:
    """Preview the summary privately, or (`post`, chair and admins) post it to the board's channel."""
    try:
        return _run(deps, caller, text)
    except UserError as exc:
        return error_reply(exc, USAGE)


def _run(deps: Deps, caller: Caller, text: str) -> Reply:
    words = text.split()
    anyway = len(words) >= 2 and [w.lower() for w in words[-2:]] == ["post", "anyway"]
    if anyway:
        words = words[:-1]
    post = bool(words) and words[-1].lower() == "post"
    if post:
        words = words[:-1]
    if len(words) > 1 or (words and not BOARD_CODE.match(words[0])):
        raise UserError(f"`{escape(text.strip())}` is not understood: give a board code and/or `post`.")
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        board = resolve_board(session, caller, words[0] if words else None)
        if post:
            ensure_may_post(board, caller, deps.directory)
        if post and not anyway and deps.channels is not None and deps.channels.shared_externally(board.channel_id):
            return private(shared_channel_post_warning(board.code, board.channel_id))
        meeting = meeting_service.next_meeting(session, board, now)
        summary = build_summary(session, board=board, meeting=meeting, now=now)
        if post:
            messages = render.slack_messages(summary)
            return Reply(channel_id=board.channel_id, channel=messages[0], thread=tuple(messages[1:]))
        return private(render.slack_messages(summary, overflow_note=f"post it with `/summary {board.code} post`")[0])
