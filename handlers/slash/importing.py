"""`/action import` (paste minutes, preview, confirm) and `/action export` (the log as a file, sent to you)."""

from __future__ import annotations

import re
from datetime import date, datetime

from bot.deps import Deps
from bot.errors import UserError
from bot.rendering import export as export_render
from bot.rendering import importing as render
from bot.rendering.message import Message, section
from bot.services import importing as service
from bot.services.boards import can_manage_board, resolve_board
from bot.services.changes import owner_user_ids
from bot.services.context import Caller
from bot.services.exporting import action_log
from bot.text import escape, plural
from handlers.reply import Reply, Upload, private, to_channel, touching_homes
from storage import boards as board_store
from storage.db import session_scope

IMPORT_USAGE = "/action import [in CODE] [meeting YYYY-MM-DD] <pasted minutes>  ·  /action import confirm <number>"
EXPORT_USAGE = "/action export [xlsx|csv|docx|markdown] [all] [in CODE]"
PASTED = service.PASTED
_OPTIONS = re.compile(
    r"^(?:in\s+(?P<code>[A-Za-z0-9]{2,10})\b\s*)?(?:meeting\s+(?P<meeting>\S+)\s*)?(?:in\s+(?P<code2>[A-Za-z0-9]{2,10})\b)?",
    re.IGNORECASE,
)
_CONFIRM = re.compile(r"^confirm\s+#?(?P<id>\d{1,9})\s*$", re.IGNORECASE)


def _meeting_date(text: str) -> date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise UserError(f"`{escape(text)}` is not a meeting date: write it as 2026-12-15 or 15/12/2026.")


def import_command(deps: Deps, caller: Caller, rest: str) -> Reply:
    """Preview pasted minutes privately, or import a previewed paste (`confirm N`)."""
    if m := _CONFIRM.match(rest):
        return _confirm(deps, caller, int(m.group("id")))
    first, _, body = rest.partition("\n")
    code, meeting, first = parse_options(first)
    text = first + ("\n" + body if body else "")
    if not text.strip():
        raise UserError("Paste the minutes after `/action import`: the lines with actions, or the whole text.")
    plan, draft_id = service.preview_import(deps, caller, code=code, meeting=meeting, name=PASTED, text=text)
    return private(render.preview(plan, draft_id))


def parse_options(first: str) -> tuple[str | None, date | None, str]:
    """`in CODE` and `meeting DATE` at the start of a line, and what follows them."""
    m = _OPTIONS.match(first)
    code = (m.group("code") or m.group("code2")) if m else None
    meeting = _meeting_date(m.group("meeting")) if m and m.group("meeting") else None
    return code, meeting, first[m.end() :] if m else first


def _confirm(deps: Deps, caller: Caller, draft_id: int) -> Reply:
    channel_id, result = service.confirm_import(deps, caller, draft_id)
    owners = [user for action in result.created for user in owner_user_ids(action)]
    return touching_homes(to_channel(channel_id, render.imported(result)), caller.user_id, *owners)


def export_command(deps: Deps, caller: Caller, rest: str) -> Reply:
    """Send the board's action log to the caller as a file."""
    words = rest.split()
    fmt, status, code = "xlsx", "open", None
    index = 0
    while index < len(words):
        word = words[index].lower()
        if word in export_render.FORMATS or word == "md":
            fmt = "markdown" if word == "md" else word
        elif word in ("open", "all"):
            status = word
        elif word == "in" and index + 1 < len(words):
            code = words[index + 1].upper()
            index += 1
        else:
            raise UserError(f"I don't know `{escape(words[index])}` here: give a format (xlsx, csv, docx, markdown).")
        index += 1
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        board = resolve_board(session, caller, code)
        is_member = board_store.current_member_by_user(session, board.id, caller.user_id) is not None
        if not is_member and not can_manage_board(board, caller.user_id, deps.directory):
            raise UserError(f"Only members of {board.code} can export its action log.")
        log = action_log(session, board=board, status=status, now=now)
        name = export_render.filename(log, fmt)
        data = export_render.render(log, fmt)
        count = len(log.rows)
    note = f":page_facing_up: I've sent you {name} ({plural(count, 'action')}) in a direct message."
    return Reply(
        private=Message(text=note, blocks=[section(note)]),
        uploads=(Upload(caller.user_id, name, f"{log.board_code} action log", data),),
    )
