"""The labelled action lines of tests/data: loading them, setting their boards up, and judging what was stored.

Shared by tests/test_action_lines.py (through the HTTP endpoint) and benchmarks/action_lines.py (the service).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from bot.services.meetings import to_utc
from storage.models import Action, Board, Meeting, Member

DATA = Path(__file__).parent / "data"
TEAM = "T1"
CHAIR = "UCAROL"
# Every labelled board meets on these board-local dates (for `next meeting`, `December's meeting`, `the April Board`).
MEETINGS = (datetime(2026, 12, 15, 9, 0), datetime(2027, 2, 16, 9, 0), datetime(2027, 4, 20, 9, 0))


@dataclass(frozen=True)
class BoardMember:
    """One member of a labelled board."""

    initials: str
    name: str | None
    role: str | None
    slack_user_id: str | None


@dataclass(frozen=True)
class Line:
    """One labelled action line and what should come of it."""

    number: int
    board: str
    caller: str
    text: str
    owners: str  # `AF,EA`, `ALL`, `CALLER` or `!refusal text`
    task: str
    due: str  # `YYYY-MM-DD`, `next_meeting`, `tbc`, `meeting YYYY-MM`, or empty; `?` first: not read yet

    @property
    def refused(self) -> bool:
        """The line must be refused."""
        return self.owners.startswith("!")

    @property
    def refusal(self) -> str:
        """What the refusal must say."""
        return self.owners[1:]

    @property
    def due_pending(self) -> bool:
        """The date half of issue 7 is needed to read this line's date."""
        return self.due.startswith("?")

    @property
    def expected_due(self) -> str:
        """The due date without the pending mark."""
        return self.due.lstrip("?")

    @property
    def channel(self) -> str:
        """The board's channel."""
        return f"C{self.board}"


def _rows(name: str) -> list[list[str]]:
    rows = []
    for raw in (DATA / name).read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            rows.append(raw.split("\t"))
    return rows


def load_boards() -> dict[str, list[BoardMember]]:
    """The members of each labelled board."""
    boards: dict[str, list[BoardMember]] = {}
    for code, initials, name, role, slack in _rows("action_line_boards.tsv"):
        boards.setdefault(code, []).append(BoardMember(initials, name or None, role or None, slack or None))
    return boards


def load_slack_names() -> dict[str, dict[str, str]]:
    """The name users.info gives each Slack user, per board."""
    names: dict[str, dict[str, str]] = {}
    for code, user, name in _rows("slack_names.tsv"):
        names.setdefault(code, {})[user] = name
    return names


def load_lines() -> list[Line]:
    """Every labelled line, in file order."""
    lines = []
    for number, (board, caller, text, owners, task, due) in enumerate(_rows("action_lines.tsv"), start=1):
        lines.append(Line(number, board, caller or "UALICE", text.replace("\\t", "\t"), owners, task, due))
    return lines


def seed_board(session: Session, code: str, now: datetime) -> Board:
    """Store board `code` and its members as `/meeting setup` and `member add` would (Slack members without a name)."""
    board = Board(
        team_id=TEAM,
        code=code,
        name=f"{code} board",
        channel_id=f"C{code}",
        chair_user_id=CHAIR,
        tz="Europe/London",
        last_action_number=0,
        created_by=CHAIR,
        created_at=now,
    )
    session.add(board)
    session.flush()
    for m in load_boards()[code]:
        session.add(
            Member(
                board_id=board.id,
                initials=m.initials,
                slack_user_id=m.slack_user_id,
                name=m.name,
                role=m.role,
                added_by=CHAIR,
                added_at=now,
            )
        )
    for local in MEETINGS:
        session.add(
            Meeting(
                board_id=board.id,
                local_start=local,
                starts_at=to_utc(local, board.tz),
                status="scheduled",
                created_by=CHAIR,
                created_at=now,
            )
        )
    session.flush()
    return board


def expected_owners(line: Line) -> tuple[bool, list[str]]:
    """(all members?, sorted initials) the line should be stored with."""
    if line.owners == "ALL":
        return True, []
    if line.owners == "CALLER":
        member = next(m for m in load_boards()[line.board] if m.slack_user_id == line.caller)
        return False, [member.initials]
    return False, sorted(line.owners.split(","))


def owners_right(line: Line, action: Action | None) -> bool:
    """The action was stored with exactly the owners the line names (or refused, when it should be)."""
    if line.refused or action is None:
        return line.refused and action is None
    return (action.all_members, sorted(m.initials for m in action.owners)) == expected_owners(line)


def due_right(line: Line, action: Action | None) -> bool:
    """The stored due date is the one a UK reader means."""
    if action is None:
        return line.refused
    want = line.expected_due
    if not want:
        return action.due_kind is None
    if want in ("next_meeting", "tbc"):
        return action.due_kind == want
    if want.startswith("meeting "):
        year, month = (int(x) for x in want.split()[1].split("-"))
        return action.due_date is not None and (action.due_date.year, action.due_date.month) == (year, month)
    return action.due_date == date.fromisoformat(want)
