"""Prints how many of the labelled action lines (tests/data/action_lines.tsv) get their owners, task and date right.

Run: .venv/bin/python benchmarks/action_lines.py [--show-misses]
Each line goes through the service that `/action add` calls (`add_action`), on a throw-away SQLite database,
with the same boards and members as the tests; nothing talks to Slack.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.directory import Person
from bot.errors import UserError
from bot.services.actions import add_action
from bot.services.context import Caller
from bot.services.requests import AddAction
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade_to_head
from storage.models import Action
from tests.action_lines_data import TEAM, Line, due_right, load_lines, load_slack_names, owners_right, seed_board

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 23 November 2026, as in the tests


class NamesDirectory:
    """users.info as the tests' fake Slack answers it: the board's Slack users with their names."""

    def __init__(self, names: dict[str, str]) -> None:
        self._names = names

    def person(self, user_id: str) -> Person | None:
        return Person(user_id=user_id, is_admin=False, tz="Europe/London", real_name=self._names.get(user_id))


@dataclass
class Outcome:
    line: Line
    owners: bool
    task: bool | None
    due: bool | None
    said: str


def run(line: Line, factory) -> Outcome:  # type: ignore[no-untyped-def]
    session = factory()
    try:
        board = seed_board(session, line.board, NOW)
        caller = Caller(team_id=TEAM, user_id=line.caller, channel_id=line.channel)
        action: Action | None
        said = ""
        try:
            action = add_action(
                session,
                caller=caller,
                board=board,
                request=AddAction(text=line.text),
                now=NOW,
                directory=NamesDirectory(load_slack_names()[line.board]),
            )
            said = f"{'All members ' if action.all_members else ''}{', '.join(m.initials for m in action.owners)}"
            said += f" | {action.text} | {action.due_kind} {action.due_date}"
        except UserError as exc:
            action, said = None, f"refused: {str(exc).splitlines()[0]}"
        owners = owners_right(line, action)
        if line.refused and action is None:
            owners = line.refusal in said or line.refusal in str(said)
        task = None if not line.task or line.refused else (action is not None and action.text == line.task)
        due = None if line.refused else due_right(line, action)
        return Outcome(line, owners, task, due, said)
    finally:
        session.rollback()
        session.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-misses", action="store_true", help="list the lines read wrongly")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade_to_head(engine)
        factory = make_session_factory(engine)
        outcomes = [run(line, factory) for line in load_lines()]
        engine.dispose()

    def count(rows: list[Outcome], attr: str) -> str:
        judged = [getattr(o, attr) for o in rows if getattr(o, attr) is not None]
        return f"{sum(judged)}/{len(judged)}" if judged else "-"

    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(o.line.board, []).append(o)
    pending = [o for o in outcomes if o.line.due_pending]
    ready = [o for o in outcomes if not o.line.due_pending]
    print(f"{'set':<28}{'lines':>6}{'owners right':>14}{'task right':>12}{'date right':>12}")
    for name, rows in [*groups.items(), ("dates readable today", ready), ("dates for the date half", pending)]:
        print(f"{name:<28}{len(rows):>6}{count(rows, 'owners'):>14}{count(rows, 'task'):>12}{count(rows, 'due'):>12}")
    print(
        f"{'all':<28}{len(outcomes):>6}{count(outcomes, 'owners'):>14}{count(outcomes, 'task'):>12}"
        f"{count(outcomes, 'due'):>12}"
    )
    if args.show_misses:
        for o in outcomes:
            if o.owners is False or o.task is False or o.due is False:
                marks = ",".join(k for k in ("owners", "task", "due") if getattr(o, k) is False)
                print(
                    f"\n#{o.line.number} [{marks}] {o.line.text}\n    expected: {o.line.owners} | {o.line.task} | "
                    f"{o.line.due}\n    got:      {o.said}"
                )


if __name__ == "__main__":
    main()
