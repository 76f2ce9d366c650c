"""`/action`: log, update, close and look at actions."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from bot.case_identifiers import find_identifiers
from bot.commands import importing
from bot.commands.reply import Reply, error_reply, private, to_channel, with_private
from bot.deps import Deps
from bot.errors import UserError
from bot.owners import MENTION, OwnerToken
from bot.refs import format_ref, parse_ref
from bot.rendering import actions as render
from bot.rendering import plans as plan_render
from bot.rendering.care import identifier_warning
from bot.rendering.help import help_message
from bot.rendering.message import Message
from bot.services import actions as service
from bot.services import plans as plan_service
from bot.services.action_lists import ListFilter, list_actions
from bot.services.boards import resolve_board
from bot.services.context import Caller
from bot.text import escape, squash
from storage.boards import boards_of_team
from storage.db import session_scope
from storage.models import Action, Board

USAGE = {
    "add": "/action add <owners> to <what> [by <date>] [in CODE]",
    "update": "/action update <ref> <progress> [rag red|amber|green] [evidence <text or link>]",
    "rag": "/action rag <ref> red|amber|green [reason]",
    "done": "/action done <ref> [note]",
    "drop": "/action drop <ref> <reason>",
    "reopen": "/action reopen <ref> [new owners]",
    "assign": "/action assign <ref> <owners>",
    "due": "/action due <ref> <date> [reason]",
    "move": "/action move <ref> area <short name>|none",
    "show": "/action show <ref>",
    "history": "/action history <ref>",
    "list": "/action list [open|overdue|done|dropped|all] [red|amber|green] [@user|INITIALS] [page N] [in CODE]",
    "import": importing.IMPORT_USAGE,
    "export": importing.EXPORT_USAGE,
    "help": "/action help",
}
HELP_LINES = [
    (
        "add",
        "log an action; owners by initials, @mention, name, role or All; the due date from anywhere in it; "
        "`area MASH` at the end makes it a priority of that improvement-plan area",
    ),
    ("update", "record progress"),
    ("rag", "set the RAG rating"),
    ("done", "mark it done"),
    ("drop", "drop it, saying why"),
    ("reopen", "reopen a done or dropped action (naming new owners if its owners have left)"),
    ("assign", "give it new owners (initials, names, roles, @mentions or `All`)"),
    ("due", "re-date it (the original date is kept)"),
    ("move", "make it a priority of an improvement-plan area (`none`: take it out of the plan)"),
    ("show", "the action and its latest updates"),
    ("history", "every change: who, when, what"),
    ("list", "the board's log, filtered, a page at a time"),
    ("import", "paste minutes: preview the actions found, then confirm"),
    ("export", "the log as a file for board papers (xlsx, csv, docx), sent to you"),
]
_IN_CODE_LEADING = re.compile(r"^in\s+([A-Za-z0-9]{2,10})\b\s*", re.IGNORECASE)
_IN_CODE_TRAILING = re.compile(r"\s+in\s+([A-Z0-9]{2,10})\s*$")
_RAG_WORD = {"red": "red", "r": "red", "amber": "amber", "a": "amber", "green": "green", "g": "green"}
_RAG_OPTION = re.compile(r"(?:^|\s)rag\s*[:=]?\s*(red|amber|green)\b", re.IGNORECASE)
# `… area MASH` at the end: a short name starts with a letter, so "visit area 5" stays the action's text.
_AREA_TRAILING = re.compile(r"\s+area\s+([A-Za-z][A-Za-z0-9&'_-]*)\s*$", re.IGNORECASE)
_MOVE = re.compile(r"^area\s+(\S+)$", re.IGNORECASE)
_EVIDENCE_OPTION = re.compile(r"(?:^|\s)evidence\s*[:\-–]?\s+(.*)$", re.IGNORECASE | re.DOTALL)


def action_help() -> Reply:
    """The `/action` reference."""
    return private(help_message("/action", USAGE, HELP_LINES))


def _split_first(text: str) -> tuple[str, str]:
    parts = text.split(None, 1)
    return (parts[0], parts[1] if len(parts) > 1 else "") if parts else ("", "")


def _board_code(text: str, known_codes: Callable[[], set[str]]) -> tuple[str | None, str]:
    """Strip `in CODE` from the start, or from the end when CODE is a board of the workspace."""
    if m := _IN_CODE_LEADING.match(text):
        return m.group(1).upper(), text[m.end() :]
    if (m := _IN_CODE_TRAILING.search(text)) and m.group(1) in known_codes():
        return m.group(1), text[: m.start()]
    return None, text


def run(deps: Deps, caller: Caller, text: str) -> Reply:
    """Interpret one `/action` command and return what to say, and where."""
    text = text.strip()
    sub, rest = _split_first(text)
    sub = sub.lower()
    if sub in ("", "help"):
        return action_help()
    handler = _HANDLERS.get(sub)
    if handler is None:
        return error_reply(
            UserError(f"`{escape(sub)}` is not an `/action` command. Try `/action help` for the full list."),
            "/action add|update|rag|done|drop|reopen|assign|due|move|show|history|list|help …",
        )
    try:
        return handler(deps, caller, rest.strip())
    except UserError as exc:
        return error_reply(exc, USAGE[sub])


def _split_area(text: str) -> tuple[str | None, str]:
    """A trailing `area <short name>`: (the short name, the text without it)."""
    if m := _AREA_TRAILING.search(text):
        return m.group(1), text[: m.start()]
    return None, text


def _add(deps: Deps, caller: Caller, rest: str) -> Reply:
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        area_name, body = _split_area(rest)
        code, body = _board_code(body, lambda: {b.code for b in boards_of_team(session, caller.team_id)})
        if area_name is None:
            area_name, body = _split_area(body)
        if not squash(body):
            raise UserError("Say what the action is, e.g. `/action add AF to circulate the report by 15/12`.")
        board = resolve_board(session, caller, code)
        area = None
        if area_name is not None and plan_service.areas(session, board):
            # Only a board with a plan reads `area X`; elsewhere the words stay in the action's text.
            area = plan_service.find_area(session, board, area_name)
        elif area_name is not None:
            body = rest if code is None else body + f" area {area_name}"
        readings: list[service.DueReading] = []
        action = service.add_action(
            session, caller=caller, board=board, text=body, now=now, directory=deps.directory, readings=readings
        )
        message = render.logged(action, caller.user_id, now)
        if area is not None:
            plan_service.place_action(session, caller=caller, action=action, area=area, now=now)
            message = Message(text=message.text, blocks=[*message.blocks, *plan_render.joined_area(area).blocks])
        reply = _with_readings(to_channel(board.channel_id, message), action, readings, now)
        return _warn_of_identifiers(reply, board, action, body)


def _move(deps: Deps, caller: Caller, rest: str) -> Reply:
    token, body = _ref_and_rest(rest)
    ref = parse_ref(token)
    m = _MOVE.match(squash(body))
    if not m:
        raise UserError("Say which area it moves to, e.g. `/action move SSCB-12 area MASH` (or `area none`).")
    short_name = None if m.group(1).lower() == "none" else m.group(1)
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        action = service.find_action(session, caller, ref)
        moved = plan_service.move_action(
            session, caller=caller, action=action, short_name=short_name, directory=deps.directory, now=now
        )
        return to_channel(action.board.channel_id, plan_render.action_moved(moved, caller.user_id))


def _with_readings(reply: Reply, action: Action, readings: list[service.DueReading], now: datetime) -> Reply:
    """The channel confirmation, plus privately how an interpreted due date was read."""
    if not readings:
        return reply
    return with_private(reply, render.due_read_back(action, readings[0], now))


def _ref_and_rest(rest: str) -> tuple[str, str]:
    token, remainder = _split_first(rest)
    if not token:
        raise UserError("Which action? Give its reference, e.g. `SSCB-12`.")
    return token, remainder.strip()


def _update(deps: Deps, caller: Caller, rest: str) -> Reply:
    token, body = _ref_and_rest(rest)
    ref = parse_ref(token)
    evidence = None
    if m := _EVIDENCE_OPTION.search(body):
        evidence = m.group(1).strip()
        body = body[: m.start()]
        if not evidence:
            raise UserError("`evidence` needs the evidence after it: a sentence or a link.")
    rag = None
    if m := _RAG_OPTION.search(body):
        rag = m.group(1).lower()
        body = body[: m.start()] + body[m.end() :]
    if not squash(body):
        raise UserError("Say what progress has been made, e.g. `/action update SSCB-12 draft circulated`.")
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        action = service.find_action(session, caller, ref)
        service.record_update(
            session,
            caller=caller,
            action=action,
            text=body,
            rag=rag,
            evidence=evidence,
            directory=deps.directory,
            now=now,
        )
        reply = to_channel(action.board.channel_id, render.updated(action, caller.user_id, now, squash(body), evidence))
        return _warn_of_identifiers(reply, action.board, action, f"{body} {evidence or ''}")


def _warn_of_identifiers(reply: Reply, board: Board, action: Action, typed: str) -> Reply:
    """Add a private warning when what was typed seems to identify a child or a case (it is saved anyway)."""
    findings = find_identifiers(typed, board.case_pattern)
    if not findings:
        return reply
    return with_private(reply, identifier_warning(format_ref(board.code, action.number), findings))


def _rag(deps: Deps, caller: Caller, rest: str) -> Reply:
    token, body = _ref_and_rest(rest)
    ref = parse_ref(token)
    word, reason = _split_first(body)
    rag = _RAG_WORD.get(word.lower())
    if rag is None:
        raise UserError(f"`{escape(word) or '(nothing)'}` is not a RAG rating: use red, amber or green.")
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        action = service.find_action(session, caller, ref)
        service.change_rag(
            session,
            caller=caller,
            action=action,
            rag=rag,
            reason=reason.strip() or None,
            directory=deps.directory,
            now=now,
        )
        return to_channel(action.board.channel_id, render.rag_changed(action, caller.user_id, now))


def _close(status: str) -> Callable[[Deps, Caller, str], Reply]:
    def handler(deps: Deps, caller: Caller, rest: str) -> Reply:
        token, note = _ref_and_rest(rest)
        ref = parse_ref(token)
        now = deps.clock()
        with session_scope(deps.session_factory) as session:
            action = service.find_action(session, caller, ref)
            service.close_action(
                session,
                caller=caller,
                action=action,
                status=status,
                note=note or None,
                directory=deps.directory,
                now=now,
            )
            return to_channel(action.board.channel_id, render.closed(action, caller.user_id, now))

    return handler


def _reopen(deps: Deps, caller: Caller, rest: str) -> Reply:
    token, owners = _ref_and_rest(rest)
    ref = parse_ref(token)
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        action = service.find_action(session, caller, ref)
        service.reopen_action(
            session, caller=caller, action=action, directory=deps.directory, now=now, owners_text=owners or None
        )
        return to_channel(action.board.channel_id, render.reopened(action, caller.user_id, now))


def _assign(deps: Deps, caller: Caller, rest: str) -> Reply:
    token, owners = _ref_and_rest(rest)
    ref = parse_ref(token)
    if not owners:
        raise UserError("Who should own it? Give initials or mentions, e.g. `/action assign SSCB-12 AF & EA`.")
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        action = service.find_action(session, caller, ref)
        service.assign_action(
            session, caller=caller, action=action, owners_text=owners, directory=deps.directory, now=now
        )
        return to_channel(action.board.channel_id, render.reassigned(action, caller.user_id, now))


def _due(deps: Deps, caller: Caller, rest: str) -> Reply:
    token, body = _ref_and_rest(rest)
    ref = parse_ref(token)
    if not body:
        raise UserError("Give the new date, e.g. `/action due SSCB-12 20/01/2027 waiting for data`.")
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        action = service.find_action(session, caller, ref)
        readings: list[service.DueReading] = []
        reason = service.redate_action(
            session, caller=caller, action=action, text=body, directory=deps.directory, now=now, readings=readings
        )
        reply = to_channel(action.board.channel_id, render.redated(action, caller.user_id, now, reason))
        return _with_readings(reply, action, readings, now)


def _show(deps: Deps, caller: Caller, rest: str) -> Reply:
    token, _ = _ref_and_rest(rest)
    ref = parse_ref(token)
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        action = service.find_action(session, caller, ref)
        return private(render.show(service.action_detail(session, action), now))


def _history(deps: Deps, caller: Caller, rest: str) -> Reply:
    token, _ = _ref_and_rest(rest)
    ref = parse_ref(token)
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        action = service.find_action(session, caller, ref)
        return private(render.history(action, service.history(session, action), now))


_STATUS_WORDS = {"open", "overdue", "done", "dropped", "closed", "all"}


def _list(deps: Deps, caller: Caller, rest: str) -> Reply:
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        code, body = _board_code(rest, lambda: {b.code for b in boards_of_team(session, caller.team_id)})
        status, rag, owner, page = "open", None, None, 1
        words = body.split()
        filters: list[str] = []
        while words:
            word = words.pop(0)
            low = word.lower()
            if low == "page":
                page = _page_number(words.pop(0) if words else "")
                continue
            # Only words understood go back into the next page's command, rebuilt from what was read.
            if low in _STATUS_WORDS:
                status = low
                filters.append(low)
            elif low in ("red", "amber", "green"):
                rag = low
                filters.append(low)
            elif m := MENTION.fullmatch(word):
                owner = OwnerToken(user_id=m.group(1))
                filters.append(f"<@{owner.user_id}>")
            elif re.fullmatch(r"[A-Za-z][A-Za-z0-9]{1,5}", word):
                owner = OwnerToken(initials=word.upper())
                filters.append(word.upper())
            else:
                raise UserError(f"I don't know the filter `{escape(word)}`.")
        board = resolve_board(session, caller, code)
        wanted = ListFilter(status=status, rag=rag, owner=owner)
        result = list_actions(session, board=board, wanted=wanted, now=now, page=page)
        description = " ".join(x for x in (status, rag, (owner.initials if owner and owner.initials else None)) if x)
        if owner and owner.user_id:
            description += f" for <@{owner.user_id}>"
        where = f" in {board.code}" if code else ""
        next_command = f"/action list {' '.join([*filters, 'page', str(page + 1)])}{where}"
        return private(render.action_list(board, result, description, now, next_command))


def _page_number(word: str) -> int:
    if not word.isdigit() or int(word) < 1:
        raise UserError(f"`page` takes a page number, e.g. `page 2`, not `{escape(word) or '(nothing)'}`.")
    return int(word)


_HANDLERS: dict[str, Callable[[Deps, Caller, str], Reply]] = {
    "add": _add,
    "update": _update,
    "rag": _rag,
    "done": _close(service.DONE),
    "drop": _close(service.DROPPED),
    "reopen": _reopen,
    "assign": _assign,
    "due": _due,
    "move": _move,
    "show": _show,
    "history": _history,
    "list": _list,
    "import": importing.import_command,
    "export": importing.export_command,
}
