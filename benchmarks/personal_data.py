"""Times `arising data export` and `data erase` for one person on a seeded 100,000-action log.

Run: .venv/bin/python -m benchmarks.personal_data [--database-url URL_OF_AN_EMPTY_DATABASE]
Baseline printed next to them: one indexed query (the person's memberships) on the same data.
"""

from __future__ import annotations

import argparse
import json
import time

from sqlalchemy import select

from benchmarks.seed_log import Seeded, seeded_database
from bot.services.personal_data import erase_person, export_person
from bot.walltime import utcnow
from storage.db import make_session_factory, session_scope
from storage.models import Member


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    engine, seeded = seeded_database(args.database_url)
    factory = make_session_factory(engine)
    user = Seeded.user(41)
    with session_scope(factory) as session:
        started = time.perf_counter()
        session.scalars(select(Member).where(Member.slack_user_id == user)).all()
        baseline = time.perf_counter() - started
        started = time.perf_counter()
        data = export_person(session, user)
        exported = time.perf_counter() - started
    with session_scope(factory) as session:
        started = time.perf_counter()
        report = erase_person(session, user_id=user, actor="bench", now=utcnow())
    erased = time.perf_counter() - started
    print(
        f"{engine.dialect.name}, {seeded.actions:,} actions; person {user}: {len(data['actions'])} actions, "
        f"{len(data['history'])} history rows, {len(json.dumps(data)):,} bytes of JSON"
    )
    print(f"{'baseline: memberships query':32} {baseline * 1000:9.1f} ms")
    print(f"{'data export':32} {exported * 1000:9.1f} ms")
    print(f"{'data erase (commit included)':32} {erased * 1000:9.1f} ms  ({report.total} rows changed)")


if __name__ == "__main__":
    main()
