"""Prints how long the summary of a large board and clock ticks over many boards take.

1. The 100,000-action seed (benchmarks/seed_log.py), with one board's 2,000 actions all open and
   each given a RAG change: the summary of that board, built and rendered (median of 10 runs).
2. On the same database emptied and re-migrated: `--boards` boards (default 300) with a meeting on
   16 Dec 2026, 10 owners and 20 actions each, the first board 500: one tick at the summary time
   against an instant stub sender (every message planned, claimed, sent and recorded), then a tick
   with nothing new (median of 5).

Each figure is printed next to a baseline measured in the same run: one indexed read.

Run: .venv/bin/python -m benchmarks.summary_and_tick [--database-url URL_OF_AN_EMPTY_DATABASE] [--boards N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, event, insert, inspect, select, text, update

from benchmarks.seed_log import CREATED, Seeded, analyze, seeded_database
from bot.deps import Deps
from bot.directory import Person
from bot.rendering.summary import slack_messages, stream_slack_messages
from bot.scheduled.due_work import run_due
from bot.scheduler import tune_collector_for_ticks
from bot.services.meetings import next_meeting, to_utc
from bot.services.summary import build_summary
from storage.db import make_session_factory
from storage.migrate import upgrade_to_head
from storage.models import Action, ActionEvent, ActionOwner, Base, Board, Meeting, Member

NOW = datetime(2026, 12, 11, 9, 0, tzinfo=UTC)
SUMMARY_BOARD = 2  # a board of the seed (2,000 actions), made all open for the summary


class StubSender:
    """Counts posts instead of calling Slack: an instant Slack."""

    per_channel_interval = 0.0

    def __init__(self) -> None:
        self.posts = 0

    def post(self, recipient: str, message: dict[str, Any], thread: tuple[str, str] | None) -> tuple[str, str]:
        self.posts += 1
        return (recipient, f"{self.posts}.0")


class DbClock:
    """Adds up the database work, from every thread: the time in the driver's execute and commit
    (wall, and CPU of the calling thread: SQLite's own work runs there) and, on PostgreSQL, the CPU
    the server processes serving this database's clients used (read from /proc: the server is local).

    Wall time grows with the machine's load; the CPU figures much less. SQLite reads some rows after
    execute, as they are fetched, so its figures are a little low.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seconds = 0.0
        self.cpu = 0.0
        self.statements = 0
        self.commits = 0
        self._lock = threading.Lock()
        self._server_start: dict[int, float] = {}
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        commit = engine.dialect.do_commit

        def timed_commit(dbapi_connection: Any) -> None:
            started, cpu = time.perf_counter(), time.thread_time()
            commit(dbapi_connection)
            self._add(time.perf_counter() - started, time.thread_time() - cpu, commits=1)

        engine.dialect.do_commit = timed_commit  # type: ignore[method-assign]
        self.reset()

    def _before(self, conn: Any, *args: Any) -> None:
        conn.info.setdefault("started", []).append((time.perf_counter(), time.thread_time()))

    def _after(self, conn: Any, *args: Any) -> None:
        started, cpu = conn.info["started"].pop()
        self._add(time.perf_counter() - started, time.thread_time() - cpu, statements=1)

    def _add(self, seconds: float, cpu: float, statements: int = 0, commits: int = 0) -> None:
        with self._lock:
            self.seconds += seconds
            self.cpu += cpu
            self.statements += statements
            self.commits += commits

    def _server_cpu(self) -> dict[int, float]:
        if self.engine.dialect.name != "postgresql":
            return {}
        with self.engine.connect() as conn:
            pids = conn.scalars(
                # Client backends only: an autovacuum worker that happens to run on the freshly
                # seeded tables is not the tick's work. This connection's own backend is included: it
                # is a pooled one, maybe the seed's, and left out of the first reading it would be
                # counted from zero (the whole seed) in the next.
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_type = 'client backend'"
                )
            ).all()
        ticks = os.sysconf("SC_CLK_TCK")
        found = {}
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                found[pid] = (int(fields[11]) + int(fields[12])) / ticks
            except (OSError, IndexError, ValueError):
                continue
        return found

    def server_cpu(self) -> float | None:
        """CPU seconds the server's processes for this database used since `reset` (PostgreSQL)."""
        if self.engine.dialect.name != "postgresql":
            return None
        return sum(cpu - self._server_start.get(pid, 0.0) for pid, cpu in self._server_cpu().items())

    def reset(self) -> None:
        self._server_start = self._server_cpu()
        with self._lock:
            self.seconds, self.cpu, self.statements, self.commits = 0.0, 0.0, 0, 0

    def line(self, messages: int) -> str:
        server = self.server_cpu()
        cpu = self.cpu + (server or 0.0)
        where = "driver + server" if server is not None else "in-process"
        return (
            f"{'  database work':58} {self.seconds * 1000:8.0f} ms   (CPU {cpu * 1000:.0f} ms {where}, "
            f"{cpu * 1000 / max(1, messages):.2f} ms CPU a message; {self.statements:,} statements, "
            f"{self.commits:,} commits)"
        )


class StubDirectory:
    def person(self, user_id: str) -> Person | None:
        return Person(user_id=user_id, is_admin=False, tz="Europe/London")


def median_ms(work: Callable[[], object], runs: int) -> float:
    return medians_ms(work, runs)[0]


def medians_ms(work: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process (all its threads), in ms."""
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def _baseline(factory: Any, board_id: int) -> Callable[[], None]:
    def run() -> None:
        with factory() as session:
            session.scalar(select(Action).where(Action.board_id == board_id, Action.number == 1000))

    return run


def summary_figures(engine: Engine) -> None:
    """The summary of a board with 2,000 open actions, each with one RAG change."""
    factory = make_session_factory(engine)
    with engine.begin() as conn:
        conn.execute(update(Action).where(Action.board_id == SUMMARY_BOARD).values(status="open", closed_at=None))
        ids = conn.scalars(select(Action.id).where(Action.board_id == SUMMARY_BOARD)).all()
        conn.execute(
            insert(ActionEvent),
            [
                {
                    "action_id": i,
                    "at": CREATED,
                    "actor_user_id": "USEED",
                    "kind": "rag",
                    "data": {"rag_from": None, "rag_to": "amber"},
                }
                for i in ids
            ],
        )
        local = datetime(2026, 12, 16, 9, 0)
        conn.execute(
            insert(Meeting),
            [
                {
                    "board_id": SUMMARY_BOARD,
                    "local_start": local,
                    "starts_at": to_utc(local, "Europe/London"),
                    "status": "scheduled",
                    "created_by": "USEED",
                    "created_at": CREATED,
                }
            ],
        )

    def build() -> tuple[Any, list[Any]]:
        with factory() as session:
            board = session.scalar(select(Board).where(Board.code == Seeded.code(SUMMARY_BOARD - 1)))
            assert board is not None
            summary = build_summary(session, board=board, meeting=next_meeting(session, board, NOW), now=NOW)
            return summary, slack_messages(summary)

    def first_message() -> None:
        with factory() as session:
            board = session.scalar(select(Board).where(Board.code == Seeded.code(SUMMARY_BOARD - 1)))
            assert board is not None
            summary = build_summary(session, board=board, meeting=next_meeting(session, board, NOW), now=NOW)
            next(stream_slack_messages(summary))

    summary, messages = build()
    print(f"{'baseline: one indexed read':58} {median_ms(_baseline(factory, SUMMARY_BOARD), 20):8.2f} ms")
    wall, cpu = medians_ms(first_message, 10)
    print(f"{f'summary of {summary.open_count:,} open: build + first message':58} {wall:8.2f} ms   (CPU {cpu:.0f} ms)")
    wall, cpu = medians_ms(build, 10)
    print(
        f"{'  … and its whole thread rendered':58} {wall:8.2f} ms   (CPU {cpu:.0f} ms; "
        f"{len(messages)} messages, {sum(len(m.blocks) for m in messages)} blocks)"
    )


def seed_boards(engine: Engine, boards: int, actions: int, first: int = 0) -> None:
    """Boards with a meeting on 16 Dec 2026, 10 owners and `actions` actions each (Core inserts)."""
    with engine.begin() as conn:
        for b in range(first, first + boards):
            board_id = conn.execute(
                insert(Board).returning(Board.id),
                [
                    {
                        "team_id": "T1",
                        "code": f"K{b:03d}",
                        "name": f"Board {b}",
                        "channel_id": f"C{b:04d}",
                        "chair_user_id": "UCHAIR",
                        "tz": "Europe/London",
                        "last_action_number": actions,
                        "created_by": "UCHAIR",
                        "created_at": CREATED,
                    }
                ],
            ).scalar_one()
            members = (
                conn.execute(
                    insert(Member).returning(Member.id, sort_by_parameter_order=True),
                    [
                        {
                            "board_id": board_id,
                            "initials": f"O{i}",
                            "slack_user_id": f"U{b}X{i}",
                            "added_by": "UCHAIR",
                            "added_at": CREATED,
                        }
                        for i in range(10)
                    ],
                )
                .scalars()
                .all()
            )
            local = datetime(2026, 12, 16, 9, 0)
            conn.execute(
                insert(Meeting),
                [
                    {
                        "board_id": board_id,
                        "local_start": local,
                        "starts_at": to_utc(local, "Europe/London"),
                        "status": "scheduled",
                        "created_by": "UCHAIR",
                        "created_at": CREATED,
                    }
                ],
            )
            rows = [
                {
                    "board_id": board_id,
                    "number": n,
                    "text": f"Action {n} of board {b}",
                    "status": "open",
                    "due_kind": "date",
                    "due_date": date(2026, 11 + n % 2, 1 + n % 28),
                    "due_change_count": n % 3,
                    "rag": ("red", "amber", "green")[n % 3],
                    "created_by": "UCHAIR",
                    "created_at": CREATED,
                    "updated_at": CREATED,
                }
                for n in range(1, actions + 1)
            ]
            ids = conn.execute(insert(Action).returning(Action.id, sort_by_parameter_order=True), rows).scalars().all()
            conn.execute(
                insert(ActionOwner), [{"action_id": a, "member_id": members[n % 10]} for n, a in enumerate(ids, 1)]
            )


def tick_figures(engine: Engine, boards: int) -> None:
    # The collector as a ticking process (`arising clock`, `arising tick`, a clock in `serve`) sets it.
    tune_collector_for_ticks()
    factory = make_session_factory(engine)
    seed_boards(engine, 1, 500)
    seed_boards(engine, boards - 1, 20, first=1)
    analyze(engine)
    sender = StubSender()
    deps = Deps(session_factory=factory, directory=StubDirectory(), clock=lambda: NOW)
    db = DbClock(engine)
    db.reset()
    started, cpu = time.perf_counter(), time.process_time()
    report = run_due(deps, sender, NOW)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    queued = report.summaries + report.chasers + report.reminders
    print(f"{'baseline: one indexed read':58} {median_ms(_baseline(factory, 1), 20):8.2f} ms")
    print(
        f"{f'tick over {boards} boards, {sender.posts:,} posts':58} {took * 1000:8.0f} ms"
        f"   (CPU {cpu * 1000:.0f} ms; {queued:,} rows queued: {report.summaries} summaries, {report.chasers} "
        f"chasers, {report.reminders} reminders; {report.dispatch.sent:,} sent)"
    )
    print(db.line(queued))
    steps = ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in report.seconds.items())
    print(f"{'':58} steps: {steps}")
    db.reset()
    empty, cpu = medians_ms(lambda: run_due(deps, sender, NOW), 5)
    print(
        f"{f'tick with nothing new, {boards} boards':58} {empty:8.2f} ms   (CPU {cpu:.0f} ms; "
        f"{db.statements // 5} statements a tick; {sender.posts:,} posts in all)"
    )


def _empty(engine: Engine) -> None:
    """Drop every table, so the tick part starts from a fresh migrated database."""
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        if inspect(conn).has_table("alembic_version"):
            conn.execute(text("DROP TABLE alembic_version"))
    upgrade_to_head(engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--boards", type=int, default=300)
    args = parser.parse_args()
    engine, seeded = seeded_database(args.database_url)
    print(f"{engine.dialect.name}: {seeded.actions:,} actions, {seeded.boards} boards, {seeded.people:,} people")
    summary_figures(engine)
    _empty(engine)
    tick_figures(engine, args.boards)


if __name__ == "__main__":
    main()
