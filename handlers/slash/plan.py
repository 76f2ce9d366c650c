"""`/plan`: a board's improvement plan — its areas, their leads and RAG ratings."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.deps import Deps
from bot.errors import UserError
from bot.owners import INITIALS, MENTION
from bot.rendering import plans as render
from bot.rendering.help import help_message
from bot.services import plans as service
from bot.services.boards import resolve_board
from bot.services.context import Caller
from bot.services.plan_report import build_plan_report
from bot.text import escape, squash
from handlers.reply import Reply, private, to_channel
from handlers.slash.parsing import split_subcommand
from handlers.slash.wording import error_reply
from storage.db import session_scope

USAGE = {
    "area add": '/plan area add <short name> ["Full name"] lead @user|INITIALS [recommendation <text>]',
    "area lead": "/plan area lead <short name> @user|INITIALS|name",
    "area remove": "/plan area remove <short name>",
    "areas": "/plan areas [in CODE]",
    "rag": "/plan rag <short name> red|amber|green <reason>",
    "show": "/plan show <short name> [in CODE]",
    "help": "/plan help",
}
HELP_LINES = [
    ("area add", "add an area to the board's improvement plan, with its lead and the recommendation it answers"),
    ("area lead", "give an area a new lead, a member of the board"),
    (
        "area remove",
        "take an area out of the plan (its ratings and history are kept); move its open actions out of it first "
        "with `/action move SSCB-12 area none`",
    ),
    ("areas", "RAG at a glance: every area, its lead, last period's rating and this period's"),
    ("rag", "rate an area (its lead, the chair or an admin), saying why"),
    ("show", "an area: ratings at each meeting, priorities and target dates, evidence and risks"),
]
FOOTER = (
    "An area's priorities are actions: add one with `/action add … area MASH`, or move one with "
    "`/action move SSCB-12 area MASH`. Each meeting closes a reporting period. Adding and removing areas and "
    "changing their leads is for the chair, whoever set the board up, or a workspace admin."
)
_AREA_ADD = re.compile(
    r"^(?P<short>\S+)(?:\s+[\"“](?P<name>[^\"”]+)[\"”])?\s+lead\s+(?P<lead><@[^>]*>|\S+)"
    r"(?:\s+recommendation\s*:?\s*(?P<rec>.*))?$",
    re.IGNORECASE | re.DOTALL,
)
_IN_CODE = re.compile(r"\s+in\s+([A-Za-z0-9]{2,10})\s*$", re.IGNORECASE)
_RAG_WORD = {"red": "red", "r": "red", "amber": "amber", "a": "amber", "green": "green", "g": "green"}


def plan_help() -> Reply:
    """The `/plan` reference."""
    return private(help_message("/plan", USAGE, HELP_LINES, FOOTER))


def run(deps: Deps, caller: Caller, text: str) -> Reply:
    """Interpret one `/plan` command."""
    key, rest = split_subcommand(text, "area")
    if key in ("", "help"):
        return plan_help()
    handler = _HANDLERS.get(key)
    if handler is None:
        return error_reply(
            UserError(f"`{escape(squash(text))}` is not a `/plan` command. Try `/plan help`."),
            "/plan area add|area lead|area remove|areas|rag|show|help …",
        )
    try:
        return handler(deps, caller, rest)
    except service.AreaNotFound as exc:
        return error_reply(UserError(f"{exc.message} `/plan areas` lists them with their leads."), USAGE[key])
    except UserError as exc:
        return error_reply(exc, USAGE[key])


def _code(rest: str) -> tuple[str | None, str]:
    if m := _IN_CODE.search(" " + rest):
        return m.group(1).upper(), (" " + rest)[: m.start()].strip()
    return None, rest


def parse_area_add(rest: str) -> service.NewArea:
    """`MASH "Multi-Agency Safeguarding Hub" lead @jo recommendation …` as a typed request."""
    m = _AREA_ADD.match(squash(rest))
    if not m:
        raise UserError("Give the area's short name and its lead, e.g. `/plan area add MASH lead @jo`.")
    lead_text = m.group("lead")
    if mention := MENTION.fullmatch(lead_text):
        lead = service.LeadRef(user_id=mention.group(1))
    elif INITIALS.match(lead_text):
        lead = service.LeadRef(initials=lead_text)
    else:
        raise UserError(f"`{escape(lead_text)}` is not a lead: mention them (`lead @jo`) or give a member's initials.")
    rec = m.group("rec")
    if rec is not None and not squash(rec):
        raise UserError("`recommendation` needs the recommendation's text after it.")
    return service.NewArea(short_name=m.group("short"), lead=lead, name=m.group("name"), recommendation=rec)


def parse_area_lead(rest: str) -> tuple[str, service.LeadRef]:
    """`MASH @jo`, `MASH EA` or `MASH Jo Bloggs`: the area and its new lead as typed."""
    parts = squash(rest).split(" ", 1)
    if len(parts) < 2 or not parts[0]:
        raise UserError("Name the area and its new lead, e.g. `/plan area lead MASH @jo` (or their initials).")
    who = parts[1].strip().strip('"“”').strip()
    if mention := MENTION.fullmatch(who):
        return parts[0], service.LeadRef(user_id=mention.group(1))
    if who.startswith("<"):
        raise UserError(f"`{escape(who)}` is not a member: mention them (`@jo`), or give their initials or name.")
    if not who:
        raise UserError("Name the area and its new lead, e.g. `/plan area lead MASH @jo` (or their initials).")
    # Initials or a name: the board's members say which (initials first).
    return parts[0], service.LeadRef(name=who)


def parse_rag(rest: str) -> service.AreaRating:
    """`MASH red learning circles delayed by Covid` as a typed request."""
    parts = squash(rest).split(" ", 2)
    if len(parts) < 2 or not parts[0]:
        raise UserError("Name the area and the rating, then why, e.g. `/plan rag MASH amber audit delayed`.")
    rag = _RAG_WORD.get(parts[1].lower())
    if rag is None:
        raise UserError(f"`{escape(parts[1])}` is not a RAG rating: use red, amber or green.")
    reason = parts[2] if len(parts) > 2 else ""
    if not reason.strip():
        raise UserError(
            f"Say why {escape(parts[0])} is {rag.capitalize()}: the board reads the reason with the rating."
        )
    return service.AreaRating(short_name=parts[0], rag=rag, reason=reason)


def _area_add(deps: Deps, caller: Caller, rest: str) -> Reply:
    request = parse_area_add(rest)
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        board = resolve_board(session, caller, None)
        area = service.add_area(session, caller=caller, board=board, request=request, directory=deps.directory, now=now)
        return to_channel(board.channel_id, render.area_added(board, area, caller.user_id))


def _area_lead(deps: Deps, caller: Caller, rest: str) -> Reply:
    short_name, lead = parse_area_lead(rest)
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        board = resolve_board(session, caller, None)
        changed = service.set_area_lead(
            session, caller=caller, board=board, short_name=short_name, lead=lead, directory=deps.directory, now=now
        )
        return to_channel(board.channel_id, render.lead_changed(changed, caller.user_id))


def _area_remove(deps: Deps, caller: Caller, rest: str) -> Reply:
    words = rest.split()
    if len(words) != 1:
        raise UserError("Name the one area to remove by its short name, e.g. `/plan area remove MASH`.")
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        board = resolve_board(session, caller, None)
        removed = service.remove_area(
            session, caller=caller, board=board, short_name=words[0], directory=deps.directory, now=now
        )
        return to_channel(board.channel_id, render.area_removed(board, removed, caller.user_id))


def _areas(deps: Deps, caller: Caller, rest: str) -> Reply:
    code, rest = _code(rest)
    if rest.strip():
        raise UserError(f"`{escape(rest.strip())}` is not understood here.")
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        board = resolve_board(session, caller, code)
        return private(render.areas_list(board, build_plan_report(session, board=board, now=now)))


def _rag(deps: Deps, caller: Caller, rest: str) -> Reply:
    request = parse_rag(rest)
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        board = resolve_board(session, caller, None)
        changed = service.set_area_rag(
            session, caller=caller, board=board, request=request, directory=deps.directory, now=now
        )
        return to_channel(board.channel_id, render.rag_changed(changed, caller.user_id))


def _show(deps: Deps, caller: Caller, rest: str) -> Reply:
    code, rest = _code(rest)
    words = rest.split()
    if len(words) != 1:
        raise UserError("Name one area by its short name, e.g. `/plan show MASH`.")
    now = deps.clock()
    with session_scope(deps.session_factory) as session:
        board = resolve_board(session, caller, code)
        area = service.find_area(session, board, words[0])
        report = build_plan_report(session, board=board, now=now, history=True)
        [status] = [s for s in report.areas if s.area.id == area.id]
        return private(render.area_detail(report, status))


_HANDLERS: dict[str, Callable[[Deps, Caller, str], Reply]] = {
    "area add": _area_add,
    "area lead": _area_lead,
    "area remove": _area_remove,
    "areas": _areas,
    "rag": _rag,
    "show": _show,
}
