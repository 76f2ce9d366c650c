"""`/action`: log, update, close and look at actions."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from bot.case_identifiers import find_identifiers
from bot.dates import DateParseError, split_leading_due
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
from bot.services.actions import DueReading
from bot.services.boards import resolve_board
from bot.services.changes import ActionOutcome, AddOutcome, change_action, log_action, owner_user_ids
from bot.services.context import Caller
from bot.services.requests import (
    ActionChange,
    AddAction,
    ChangeRag,
    CloseAction,
    Owners,
    Reassign,
    Redate,
    Reopen,
    UpdateAction,
)
from bot.statuses import ActionStatus, Rag
from bot.text import escape, squash
from bot.walltime import local_date
from handlers.reply import Reply, private, to_channel, touching_homes, with_private
from handlers.slash import importing
from handlers.slash.wording import error_reply
from storage.boards import boards_of_team
from storage.db import read_scope, session_scope
from storage.models import Action, Board

Confirm = Callable[[ActionOutcome], Reply]
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
_RAG_WORD = {"red": Rag.RED, "r": Rag.RED, "amber": Rag.AMBER, "a": Rag.AMBER, "green": Rag.GREEN, "g": Rag.GREEN}
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


def _team_codes(deps: Deps, caller: Caller) -> set[str]:
    with read_scope(deps.session_factory) as session:
        return {b.code for b in boards_of_team(session, caller.team_id)}


def _split_area(text: str) -> tuple[str | None, str]:
    """A trailing `area <short name>`: (the short name, the text without it)."""
    if m := _AREA_TRAILING.search(text):
        return m.group(1), text[: m.start()]
    return None, text


def _plan_area(deps: Deps, caller: Caller, code: str | None, area_name: str) -> bool:
    """Whether `area X` names an area of the board's plan (refused when the board has a plan and not that
    area). A board without a plan reads it as words of the action's text."""
    with read_scope(deps.session_factory) as session:
        board = resolve_board(session, caller, code)
        if not plan_service.areas(session, board):
            return False
        plan_service.find_area(session, board, area_name)
        return True


def _add(deps: Deps, caller: Caller, rest: str) -> Reply:
    area_name, body = _split_area(rest)
    code, body = _board_code(body, lambda: _team_codes(deps, caller))
    if area_name is None:
        area_name, body = _split_area(body)
    if not squash(body):
        raise UserError("Say what the action is, e.g. `/action add AF to circulate the report by 15/12`.")
    if area_name is not None and not _plan_area(deps, caller, code, area_name):
        body = rest if code is None else f"{body} area {area_name}"
        area_name = None

    def present(session: Session, outcome: AddOutcome) -> Reply:
        action = outcome.action
        message = render.logged(action, caller.user_id, outcome.at)
        if area_name is not None:
            # In the same transaction as the add, so an area gone meanwhile leaves nothing logged.
            area = plan_service.find_area(session, action.board, area_name)
            plan_service.place_action(session, caller=caller, action=action, area=area, now=outcome.at)
            message = Message(text=message.text, blocks=[*message.blocks, *plan_render.joined_area(area).blocks])
        reply = _with_readings(to_channel(action.board.channel_id, message), action, outcome.readings, outcome.at)
        reply = _warn_of_identifiers(reply, action.board, action, body)
        return touching_homes(reply, caller.user_id, *outcome.owner_user_ids)

    # Owners and due date are read from the text, as boards write actions.
    return log_action(deps, caller, AddAction(text=body, board_code=code), present)


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
        reply = to_channel(action.board.channel_id, plan_render.action_moved(moved, caller.user_id))
        return touching_homes(reply, caller.user_id, *owner_user_ids(action))


def _with_readings(reply: Reply, action: Action, readings: Sequence[DueReading], now: datetime) -> Reply:
    """The channel confirmation, plus privately how an interpreted due date was read."""
    if not readings:
        return reply
    return with_private(reply, render.due_read_back(action, readings[0], now))


def _ref_and_rest(rest: str) -> tuple[str, str]:
    token, remainder = _split_first(rest)
    if not token:
        raise UserError("Which action? Give its reference, e.g. `SSCB-12`.")
    return token, remainder.strip()


def _change(deps: Deps, caller: Caller, change: ActionChange, usage: str, confirm: Confirm) -> Reply:
    """Apply one change through the shared step; a change already made is refused as before, with usage.
    A change made alters the Home tabs of the caller and of the action's owners, before and after."""

    def present(session: Session, outcome: ActionOutcome) -> Reply:
        if outcome.refusal is not None:
            return error_reply(outcome.refusal, usage)
        return touching_homes(confirm(outcome), caller.user_id, *outcome.owner_user_ids)

    return change_action(deps, caller, change, present)


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
        rag = Rag(m.group(1).lower())
        body = body[: m.start()] + body[m.end() :]
    if not squash(body):
        raise UserError("Say what progress has been made, e.g. `/action update SSCB-12 draft circulated`.")

    def confirm(outcome: ActionOutcome) -> Reply:
        action = outcome.action
        reply = to_channel(
            action.board.channel_id, render.updated(action, caller.user_id, outcome.at, squash(body), evidence)
        )
        return _warn_of_identifiers(reply, action.board, action, f"{body} {evidence or ''}")

    return _change(deps, caller, UpdateAction(ref, body, rag, evidence), USAGE["update"], confirm)


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
    return _change(
        deps,
        caller,
        ChangeRag(ref, rag, reason.strip() or None),
        USAGE["rag"],
        lambda o: to_channel(o.board.channel_id, render.rag_changed(o.action, caller.user_id, o.at)),
    )


def _close(status: ActionStatus) -> Callable[[Deps, Caller, str], Reply]:
    def handler(deps: Deps, caller: Caller, rest: str) -> Reply:
        token, note = _ref_and_rest(rest)
        ref = parse_ref(token)
        return _change(
            deps,
            caller,
            CloseAction(ref, note or None, status),
            USAGE[status.value if status is ActionStatus.DONE else "drop"],
            lambda o: to_channel(o.board.channel_id, render.closed(o.action, caller.user_id, o.at)),
        )

    return handler


def _reopen(deps: Deps, caller: Caller, rest: str) -> Reply:
    token, owners = _ref_and_rest(rest)
    ref = parse_ref(token)
    return _change(
        deps,
        caller,
        Reopen(ref, Owners(text=owners) if owners else None),
        USAGE["reopen"],
        lambda o: to_channel(o.board.channel_id, render.reopened(o.action, caller.user_id, o.at)),
    )


def _assign(deps: Deps, caller: Caller, rest: str) -> Reply:
    token, owners = _ref_and_rest(rest)
    ref = parse_ref(token)
    if not owners:
        raise UserError("Who should own it? Give initials or mentions, e.g. `/action assign SSCB-12 AF & EA`.")
    return _change(
        deps,
        caller,
        Reassign(ref, Owners(text=owners)),
        USAGE["assign"],
        lambda o: to_channel(o.board.channel_id, render.reassigned(o.action, caller.user_id, o.at)),
    )


def _due(deps: Deps, caller: Caller, rest: str) -> Reply:
    token, body = _ref_and_rest(rest)
    ref = parse_ref(token)
    if not body:
        raise UserError("Give the new date, e.g. `/action due SSCB-12 20/01/2027 waiting for data`.")
    now = deps.clock()
    # The date is read with the board's calendar (its bank holidays, meeting names, term dates).
    with read_scope(deps.session_factory) as session:
        board = service.find_action(session, caller, ref).board
        today = local_date(now, board.tz)
        calendar = service.board_calendar(board)
    try:
        due, reason = split_leading_due(body, today=today, **calendar)
    except DateParseError as exc:
        raise UserError(escape(str(exc))) from None
    phrase = body[: len(body) - len(reason)].strip() if reason and body.endswith(reason) else body.strip()

    def confirm(outcome: ActionOutcome) -> Reply:
        reply = to_channel(
            outcome.board.channel_id, render.redated(outcome.action, caller.user_id, outcome.at, outcome.reason)
        )
        return _with_readings(reply, outcome.action, outcome.readings, outcome.at)

    return _change(deps, caller, Redate(ref, due, reason.strip() or None, phrase), USAGE["due"], confirm)


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
            elif low in tuple(Rag):
                rag = Rag(low)
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
    "done": _close(ActionStatus.DONE),
    "drop": _close(ActionStatus.DROPPED),
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
