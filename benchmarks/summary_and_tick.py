"""Prints how long the summary of a large log and a tick over many boards take.

Run: .venv/bin/python benchmarks/summary_and_tick.py [--database-url URL] [--actions N] [--boards N]
Uses a throw-away SQLite file by default; Slack calls go to a recording stub, not the network.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.deps import Deps
from bot.directory import Person
from bot.rendering.summary import slack_messages
from bot.scheduled.due_work import run_due
from bot.services.meetings import next_meeting, to_utc
from bot.services.summary import build_summary
from storage.db import make_engine, make_session_factory, session_scope
from storage.migrate import upgrade_to_head
from storage.models import Action, ActionEvent, ActionOwner, Board, Meeting, Member

NOW = datetime(2026, 12, 11, 9, 0, tzinfo=UTC)


class StubSender:
    """Counts posts instead of calling Slack."""

    def __init__(self) -> None:
        self.posts = 0

    def post(self, recipient: str, message: dict[str, Any], thread: tuple[str, str] | None) -> tuple[str, str]:
        self.posts += 1
        return (recipient, f"{self.posts}.0")


class StubDirectory:
    def person(self, user_id: str) -> Person | None:
        return Person(user_id=user_id, is_admin=False, tz="Europe/London")


def seed(session_factory: Any, boards: int, actions: int, first: int = 0) -> None:
    created = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    with session_scope(session_factory) as session:
        for b in range(first, first + boards):
            board = Board(
                team_id="T1",
                code=f"B{b:03d}",
                name=f"Board {b}",
                channel_id=f"C{b:04d}",
                chair_user_id="UCHAIR",
                tz="Europe/London",
                last_action_number=actions,
                created_by="UCHAIR",
                created_at=created,
            )
            session.add(board)
            session.flush()
            owners = [
                Member(
                    board_id=board.id, initials=f"O{i}", slack_user_id=f"U{b}X{i}", added_by="UCHAIR", added_at=created
                )
                for i in range(10)
            ]
            session.add_all(owners)
            local = datetime(2026, 12, 16, 9, 0)
            session.add(
                Meeting(
                    board_id=board.id,
                    local_start=local,
                    starts_at=to_utc(local, board.tz),
                    status="scheduled",
                    created_by="UCHAIR",
                    created_at=created,
                )
            )
            session.flush()
            for n in range(1, actions + 1):
                action = Action(
                    board_id=board.id,
                    number=n,
                    text=f"Action {n} of board {b}",
                    status="open",
                    due_kind="date",
                    due_date=date(2026, 11 + n % 2, 1 + n % 28),
                    due_change_count=n % 3,
                    rag=("red", "amber", "green")[n % 3],
                    created_by="UCHAIR",
                    created_at=created,
                    updated_at=created,
                )
                session.add(action)
                session.flush()
                session.add(ActionOwner(action_id=action.id, member_id=owners[n % 10].id))
                session.add(
                    ActionEvent(
                        action_id=action.id,
                        at=created,
                        actor_user_id="UCHAIR",
                        kind="rag",
                        data={"rag_from": None, "rag_to": action.rag},
                    )
                )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--boards", type=int, default=30)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    factory = make_session_factory(engine)

    t0 = time.perf_counter()
    seed(factory, 1, args.actions)
    print(f"seed 1 board x {args.actions} actions: {time.perf_counter() - t0:.2f} s")
    with session_scope(factory) as session:
        board = session.query(Board).filter_by(code="B000").one()
        t0 = time.perf_counter()
        summary = build_summary(session, board=board, meeting=next_meeting(session, board, NOW), now=NOW)
        built = time.perf_counter() - t0
        t0 = time.perf_counter()
        messages = slack_messages(summary)
        rendered = time.perf_counter() - t0
    print(
        f"summary of {args.actions} actions: build {built * 1000:.0f} ms, render {rendered * 1000:.0f} ms, "
        f"{len(messages)} messages, {sum(len(m.blocks) for m in messages)} blocks"
    )

    seed(factory, args.boards - 1, 20, first=1)
    sender = StubSender()
    deps = Deps(session_factory=factory, directory=StubDirectory(), clock=lambda: NOW)
    t0 = time.perf_counter()
    report = run_due(deps, sender, NOW)
    print(
        f"tick over {args.boards} boards: {time.perf_counter() - t0:.2f} s, {report.summaries} summaries queued, "
        f"{report.chasers} chasers, {sender.posts} posts"
    )
    t0 = time.perf_counter()
    run_due(deps, sender, NOW)
    print(f"repeat tick (nothing new): {time.perf_counter() - t0:.2f} s, {sender.posts} posts in all")


if __name__ == "__main__":
    main()
