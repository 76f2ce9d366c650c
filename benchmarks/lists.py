"""Server-side time of the lists on a seeded log: `/mine`, `/action list` (first and a late page).

Seeds 100,000 actions over 50 boards (2,000 each) and 2,000 people, then times the service and the
rendering of each list (median of 20 runs), next to a baseline measured in the same run: one
indexed query that reads a single action.

Run: .venv/bin/python -m benchmarks.lists [--database-url URL_OF_AN_EMPTY_DATABASE]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from benchmarks.seed_log import Seeded, seeded_database
from bot.rendering.actions import action_list, mine
from bot.services.action_lists import ListFilter, list_actions, my_actions
from bot.services.context import Caller
from storage.db import make_session_factory
from storage.models import Action, Board

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def median_ms(work: Callable[[], object], runs: int = 20) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    engine, seeded = seeded_database(args.database_url)
    factory = make_session_factory(engine)
    caller = Caller(team_id="T1", user_id=Seeded.HEAVY, channel_id=Seeded.channel(1))

    def baseline() -> None:
        with factory() as session:
            session.scalar(select(Action).where(Action.board_id == 2, Action.number == 1000))

    def mine_list() -> None:
        with factory() as session:
            mine(my_actions(session, caller=caller, include_closed=False, now=NOW), NOW, include_closed=False)

    def board_page(page: int) -> Callable[[], None]:
        def run() -> None:
            with factory() as session:
                board = session.scalar(select(Board).where(Board.code == Seeded.code(1)))
                result = list_actions(session, board=board, wanted=ListFilter(status="all"), now=NOW, page=page)
                action_list(board, result, "all", NOW, "/action list all page 2")

        return run

    with factory() as session:
        owned = my_actions(session, caller=caller, include_closed=False, now=NOW).count
    rows = [
        ("baseline: one indexed read", baseline),
        (f"/mine ({owned} open across boards)", mine_list),
        ("/action list all, page 1 of a 2,000-action board", board_page(1)),
        ("/action list all, page 80 of a 2,000-action board", board_page(80)),
    ]
    print(f"{engine.dialect.name}, {seeded.actions:,} actions, {seeded.boards} boards, {seeded.people:,} people")
    for name, work in rows:
        print(f"{name:52} {median_ms(work):8.2f} ms")


if __name__ == "__main__":
    main()
