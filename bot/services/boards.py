"""Setting boards up and keeping their membership."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.directory import Directory
from bot.errors import Field, NotAllowed, NotFound, Remedy, RemedyKind, UserError
from bot.owners import INITIALS
from bot.refs import BOARD_CODE
from bot.services.audit import record_board_event
from bot.services.context import Caller
from bot.text import escape, unreadable
from bot.walltime import DEFAULT_TZ, zone
from storage import actions as action_store
from storage import boards as store
from storage.action_lists import boards_of_person
from storage.models import Board, Member

MAX_NAME = 200  # boards.name, members.name and members.role are VARCHAR(200)

NO_BOARD = (
    "This channel is not bound to a board. ",
    Remedy(RemedyKind.CHOOSE_BOARD, "Choose one of your boards, or set one up in its channel."),
)


@dataclass(frozen=True)
class BoardSetup:
    """A new board: its name, code, chair and time zone."""

    name: str
    code: str
    chair_user_id: str
    tz: str = DEFAULT_TZ


def resolve_board(session: Session, caller: Caller, code: str | None) -> Board:
    """The board named by `code`, else the board bound to the caller's channel."""
    if code:
        board = store.board_by_code(session, caller.team_id, code)
        if board is None:
            raise NotFound(
                f"There is no board with code `{escape(code.upper())}` in this workspace.", field=Field.BOARD
            )
        return board
    board = store.board_by_channel(session, caller.team_id, caller.channel_id or "")
    if board is None:
        raise NotFound(NO_BOARD, field=Field.BOARD)
    return board


def setup_board(session: Session, *, caller: Caller, setup: BoardSetup, now: datetime) -> Board:
    """Bind the caller's channel to a new board with its chair and time zone."""
    if not caller.channel_id or caller.channel_id.startswith("D"):
        raise UserError("Set the board up in the channel it will use, not in a DM.")
    if problem := unreadable(setup.name, "board name"):
        raise UserError(problem)
    if not setup.name.strip():
        raise UserError(("Give the board a name", Remedy(RemedyKind.SET_UP_EXAMPLE, ".")))
    if len(setup.name) > MAX_NAME:
        raise UserError(f"The board name is {len(setup.name)} characters long: keep it to {MAX_NAME} characters.")
    if not BOARD_CODE.match(setup.code):
        raise UserError(f"`{escape(setup.code)}` can't be a board code: use 2 to 10 letters or digits, e.g. `SSCB`.")
    try:
        zone(setup.tz)
    except ValueError:
        raise UserError(
            f"`{escape(setup.tz)}` is not a time zone I know. Use an IANA name such as `Europe/London`."
        ) from None
    code = setup.code.upper()
    if store.board_by_code(session, caller.team_id, code):
        raise UserError(f"The code `{code}` is already used by another board in this workspace.")
    existing = store.board_by_channel(session, caller.team_id, caller.channel_id)
    if existing:
        raise UserError(f"This channel is already the channel of *{escape(existing.name)}* (`{existing.code}`).")
    board = Board(
        team_id=caller.team_id,
        code=code,
        name=setup.name,
        channel_id=caller.channel_id,
        chair_user_id=setup.chair_user_id,
        tz=setup.tz,
        last_action_number=0,
        created_by=caller.user_id,
        created_at=now,
    )
    session.add(board)
    try:
        session.flush()
    except IntegrityError:
        # Another set-up took the code or the channel between the checks above and this insert.
        raise UserError(
            f"The code `{code}` or this channel was just taken by another board. Nothing was changed."
        ) from None
    record_board_event(
        session, board.id, caller.user_id, "board_setup", now, code=code, chair=setup.chair_user_id, tz=setup.tz
    )
    return board


def can_manage_board(board: Board, user_id: str, directory: Directory) -> bool:
    """The chair, whoever set the board up, and workspace admins manage a board."""
    if user_id in (board.chair_user_id, board.created_by):
        return True
    person = directory.person(user_id)
    return bool(person and person.is_admin)


def ensure_can_manage(board: Board, caller: Caller, directory: Directory) -> None:
    """Refuse, with the reason, anyone who may not manage the board."""
    if not can_manage_board(board, caller.user_id, directory):
        raise NotAllowed(
            f"Only the chair (<@{board.chair_user_id}>), the person who set up {board.code}, "
            "or a workspace admin can manage its members, meetings and settings. Nothing was changed."
        )


def add_member(
    session: Session,
    *,
    caller: Caller,
    board: Board,
    initials: str,
    slack_user_id: str | None,
    name: str | None,
    role: str | None,
    directory: Directory,
    now: datetime,
) -> Member:
    """Add a member by Slack user or by name (someone without a Slack account).

    Under the board's row lock (taken after the permission check, which may ask Slack), so the
    initials and the user are checked against the membership as it stands."""
    ensure_can_manage(board, caller, directory)
    store.lock_board(session, board.id)
    if not INITIALS.match(initials):
        raise UserError(
            f"`{escape(initials)}` can't be initials: use 2 to 6 capital letters or digits, "
            "starting with a letter, e.g. `AF`."
        )
    if name is not None and not name.strip():
        raise UserError('Give the member\'s full name between the quotes, e.g. `"Jo Bloggs" JB`.')
    for what, value in (("name", name), ("role", role)):
        if value is not None and (problem := unreadable(value, what)):
            raise UserError(problem)
        if value is not None and len(value) > MAX_NAME:
            raise UserError(f"The {what} is {len(value)} characters long: keep it to {MAX_NAME} characters.")
    taken = store.current_member_by_initials(session, board.id, initials)
    if taken:
        raise UserError(f"`{initials}` already stands for {member_label(taken)} on {board.code}.")
    if slack_user_id and (already := store.current_member_by_user(session, board.id, slack_user_id)):
        raise UserError(f"<@{slack_user_id}> is already a member of {board.code} as `{already.initials}`.")
    if slack_user_id and name is None:
        # Stored now so owners written by name (`Ann Flynn to …`) match without asking Slack each time.
        person = directory.person(slack_user_id)
        name = person.real_name[:MAX_NAME] if person and person.real_name else None
    member = Member(
        board_id=board.id,
        initials=initials,
        slack_user_id=slack_user_id,
        name=name,
        role=role,
        added_by=caller.user_id,
        added_at=now,
    )
    session.add(member)
    code = board.code  # read now: a failed flush expires the loaded objects
    try:
        session.flush()
    except IntegrityError:
        # Someone else added these initials between the check above and this insert.
        raise UserError(f"`{initials}` was just taken on {code}. Nothing was changed.") from None
    record_board_event(
        session,
        board.id,
        caller.user_id,
        "member_added",
        now,
        member_id=member.id,
        initials=initials,
        slack_user_id=slack_user_id,
    )
    return member


def remove_member(
    session: Session, *, caller: Caller, board: Board, initials: str, directory: Directory, now: datetime
) -> Member:
    """Mark a member removed (the row stays for the history); refused while they own open actions.

    Under the board's row lock, which adding, assigning and reopening actions take too: the open
    actions they own are counted as they stand, and none can be given to them meanwhile."""
    ensure_can_manage(board, caller, directory)
    store.lock_board(session, board.id)
    member = store.current_member_by_initials(session, board.id, initials)
    if member is None:
        raise UserError(f"No current member of {board.code} has the initials `{escape(initials)}`.")
    owned = action_store.open_actions_owned_by(session, member.id)
    if owned:
        refs = ", ".join(f"{board.code}-{a.number}" for a in owned[:10])
        more = f" and {len(owned) - 10} more" if len(owned) > 10 else ""
        raise UserError(
            (
                f"{member.initials} still owns open actions ({refs}{more}). Reassign them first",
                Remedy(RemedyKind.REASSIGN),
                f", then remove {member.initials}.",
            )
        )
    member.removed_at = now
    member.removed_by = caller.user_id
    record_board_event(
        session, board.id, caller.user_id, "member_removed", now, member_id=member.id, initials=member.initials
    )
    return member


def members(session: Session, board: Board) -> Sequence[Member]:
    """The board's current members."""
    return store.current_members(session, board.id)


def people_of_board(session: Session, board: Board) -> list[str]:
    """The Slack users the board concerns: its chair, then its current members with Slack."""
    users = [board.chair_user_id, *(m.slack_user_id for m in members(session, board) if m.slack_user_id)]
    return list(dict.fromkeys(users))


def member_label(member: Member) -> str:
    """How a member is named in messages: a mention built from the stored id, else their name."""
    if member.slack_user_id:
        return f"<@{member.slack_user_id}>"
    return escape(member.name or member.initials)


@dataclass(frozen=True)
class LogChoices:
    """What a form to log an action offers: the boards (the channel's first), the one to preselect,
    and the members without Slack of those boards."""

    boards: Sequence[Board]
    default: Board | None
    without_slack: Sequence[Member]


def log_choices(session: Session, caller: Caller, *, limit: int = 100) -> LogChoices:
    """The boards the caller belongs to or chairs (and the channel's board, wherever they are), at most
    `limit` of each kind of choice; the channel's board is the default."""
    boards = list(boards_of_person(session, caller.team_id, caller.user_id, limit=limit)[0])
    here = store.board_by_channel(session, caller.team_id, caller.channel_id or "") if caller.channel_id else None
    if here is not None:
        boards = [here, *[b for b in boards if b.id != here.id]][:limit]
    default = here or (boards[0] if boards else None)
    others = store.members_without_slack(session, [b.id for b in boards], limit=limit)
    return LogChoices(boards=boards, default=default, without_slack=others)
