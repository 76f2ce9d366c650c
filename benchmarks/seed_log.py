"""Seeds a large action log quickly (Core bulk inserts): boards, people, actions, owners, history.

Used by the benchmarks; run on its own to fill a database for trying things by hand:
    .venv/bin/python -m benchmarks.seed_log --database-url sqlite:///big.db
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, insert, select

from storage.db import make_engine
from storage.migrate import upgrade_to_head
from storage.models import Action, ActionEvent, ActionOwner, Board, Member

CREATED = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
BATCH = 5_000


@dataclass(frozen=True)
class Seeded:
    """What was seeded: board codes and channels, and the people (Slack ids) who are members."""

    boards: int
    people: int
    actions: int

    # Someone on HEAVY_BOARDS boards who co-owns HEAVY_PER_BOARD open actions on each (220 in all):
    # the person the lists' benchmark asks "what's mine?" for.
    HEAVY = "U999999"
    HEAVY_BOARDS = 10
    HEAVY_PER_BOARD = 22

    @staticmethod
    def channel(board: int) -> str:
        return f"C{board:05d}"

    @staticmethod
    def code(board: int) -> str:
        return f"B{board:03d}"

    @staticmethod
    def user(person: int) -> str:
        return f"U{person:06d}"


def _initials(n: int) -> str:
    # Two letters and a number: unique on the board, and initials as boards write them.
    return f"{chr(65 + n % 26)}{chr(65 + (n // 26) % 26)}{n // 676 or ''}"


def seed(engine: Engine, *, boards: int = 50, people: int = 2_000, actions: int = 100_000) -> Seeded:
    """Fill an empty, migrated database: `people` spread over `boards`, `actions` spread evenly."""
    per_board_people = max(1, people // boards)
    per_board_actions = actions // boards
    today = date(2026, 11, 23)
    with engine.begin() as conn:
        conn.execute(
            insert(Board),
            [
                {
                    "team_id": "T1",
                    "code": Seeded.code(b),
                    "name": f"Board {b}",
                    "channel_id": Seeded.channel(b),
                    "chair_user_id": Seeded.user(b * per_board_people),
                    "tz": "Europe/London",
                    "last_action_number": per_board_actions,
                    "created_by": Seeded.user(b * per_board_people),
                    "created_at": CREATED,
                }
                for b in range(boards)
            ],
        )
        conn.execute(
            insert(Member),
            [
                {
                    "board_id": b + 1,
                    "initials": _initials(i),
                    "slack_user_id": Seeded.user(b * per_board_people + i),
                    "name": f"Person {b * per_board_people + i}",
                    "added_by": "USEED",
                    "added_at": CREATED,
                }
                for b in range(boards)
                for i in range(per_board_people)
            ],
        )
        rows, owners, events = [], [], []
        action_id = 0
        for b in range(boards):
            for n in range(1, per_board_actions + 1):
                action_id += 1
                status = "open" if n % 3 else "done"
                rows.append(
                    {
                        "board_id": b + 1,
                        "number": n,
                        "text": f"Review the multi-agency audit findings, item {n}",
                        "status": status,
                        "rag": ("red", "amber", "green", None)[n % 4],
                        "due_kind": "date",
                        "due_date": today + timedelta(days=(n % 120) - 40),
                        "due_change_count": 0,
                        "created_by": "USEED",
                        "created_at": CREATED,
                        "updated_at": CREATED,
                        "closed_at": CREATED if status == "done" else None,
                    }
                )
                owners.append({"action_id": action_id, "member_id": b * per_board_people + (n % per_board_people) + 1})
                events.append(
                    {"action_id": action_id, "at": CREATED, "actor_user_id": "USEED", "kind": "created", "data": {}}
                )
                if len(rows) >= BATCH:
                    _flush(conn, rows, owners, events)
        _flush(conn, rows, owners, events)
        _seed_heavy_owner(conn, boards=boards, per_board_actions=per_board_actions)
    return Seeded(boards=boards, people=per_board_people * boards, actions=per_board_actions * boards)


def _seed_heavy_owner(conn, *, boards: int, per_board_actions: int) -> None:  # type: ignore[no-untyped-def]
    heavy_boards = min(boards, Seeded.HEAVY_BOARDS)
    conn.execute(
        insert(Member),
        [
            {
                "board_id": b + 1,
                "initials": "ZZ",
                "slack_user_id": Seeded.HEAVY,
                "name": "Heavy Owner",
                "added_by": "USEED",
                "added_at": CREATED,
            }
            for b in range(heavy_boards)
        ],
    )
    member_of = dict(conn.execute(select(Member.board_id, Member.id).where(Member.slack_user_id == Seeded.HEAVY)).all())
    # Actions numbered 1, 10, 19, …: open (n % 3 == 1), their due dates spread over every group.
    numbers = [n for n in range(1, per_board_actions + 1, 9)][: Seeded.HEAVY_PER_BOARD]
    conn.execute(
        insert(ActionOwner),
        [
            {"action_id": b * per_board_actions + n, "member_id": member_of[b + 1]}
            for b in range(heavy_boards)
            for n in numbers
        ],
    )


def _flush(conn, rows: list, owners: list, events: list) -> None:  # type: ignore[no-untyped-def]
    if rows:
        conn.execute(insert(Action), rows)
        conn.execute(insert(ActionOwner), owners)
        conn.execute(insert(ActionEvent), events)
    rows.clear()
    owners.clear()
    events.clear()


def seeded_database(url: str | None) -> tuple[Engine, Seeded]:
    """A migrated database at `url` (an empty one; default: a temporary SQLite file) with the default seed."""
    import tempfile
    from pathlib import Path

    engine = make_engine(url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}")
    upgrade_to_head(engine)
    seeded = seed(engine)
    analyze(engine)
    return engine, seeded


def analyze(engine: Engine) -> None:
    """On PostgreSQL, gather the planner's statistics after a bulk load.

    Autovacuum does this within a minute of a bulk load in production; without statistics the
    planner guesses a few rows per table and picks plans no running system would.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--boards", type=int, default=50)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--actions", type=int, default=100_000)
    args = parser.parse_args()
    engine = make_engine(args.database_url)
    upgrade_to_head(engine)
    print(seed(engine, boards=args.boards, people=args.people, actions=args.actions))


if __name__ == "__main__":
    main()
