"""The outbox: scheduled messages written before they are sent, claimed atomically to send."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, ColumnElement, and_, bindparam, or_, select, text, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.listed import among, chunks
from storage.models import Meeting, OutboxMessage
from storage.types import UTCDateTime

PENDING, SENDING, SENT, FAILED, MISSED = "pending", "sending", "sent", "failed", "missed"
CANCELLED = "cancelled"


# Rows per INSERT statement: 14 parameters a row stays far below SQLite's and PostgreSQL's limits.
INSERT_CHUNK = 500


def _insert_for(session: Session):  # type: ignore[no-untyped-def]
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def insert_many(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert the rows whose key was never written; returns the keys this call inserted.

    `INSERT … ON CONFLICT (key) DO NOTHING RETURNING key`, given all the rows at once: SQLAlchemy's
    "insertmanyvalues" sends it as one multi-row statement per INSERT_CHUNK rows, compiled once.
    Two processes planning the same messages at once both succeed, and each key goes in once.
    Every row has the same columns.
    """
    if not rows:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        return _insert_many_arrays(session, rows)
    table = OutboxMessage.__table__
    statement = (
        _insert_for(session)(table)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.key)
        .execution_options(insertmanyvalues_page_size=INSERT_CHUNK)
    )
    # Core, not the ORM's bulk path: the rows are plain values and nothing needs to be tracked.
    return set(session.connection().execute(statement, list(rows)).scalars())


def _insert_many_arrays(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    """`insert_many` on PostgreSQL: `INSERT … SELECT * FROM ROWS FROM (unnest(<array>), …)`, one
    array per column, one statement per INSERT_CHUNK rows with one parameter per column.

    A multi-row VALUES statement has a parameter per value, and psycopg parses any statement with
    more than 50 of them again on every run (it caches only short ones): that cost more than the
    insert. JSON goes as one JSON array (`json_array_elements`), not as an array of JSON texts,
    which psycopg escapes character by character."""
    table = OutboxMessage.__table__
    dialect = session.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    names = list(rows[0])
    columns = [table.c[name] for name in names]
    sources = ", ".join(
        f"json_array_elements(CAST(:{name} AS JSON))"
        if isinstance(column.type, JSON)
        else f"unnest(CAST(:{name} AS {column.type.compile(dialect)}[]))"
        for name, column in zip(names, columns, strict=True)
    )
    statement = text(
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"SELECT * FROM ROWS FROM ({sources}) ON CONFLICT (key) DO NOTHING RETURNING key"
    )
    inserted: set[str] = set()
    connection = session.connection()
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        params: dict[str, Any] = {}
        for name, column in zip(names, columns, strict=True):
            values = [row[name] for row in chunk]
            if isinstance(column.type, JSON):
                params[name] = json.dumps(values)
            elif isinstance(column.type, UTCDateTime):
                params[name] = [column.type.process_bind_param(v, dialect) for v in values]
            else:
                params[name] = values
        inserted.update(connection.execute(statement, params).scalars())
    return inserted


def existing_keys(session: Session, keys: Iterable[str]) -> set[str]:
    """Which of these keys were ever written (one query; one per 500 keys on SQLite)."""
    found: set[str] = set()
    for chunk in chunks(session, keys):
        found.update(session.scalars(select(OutboxMessage.key).where(among(session, OutboxMessage.key, chunk))))
    return found


def keys_of_meetings(session: Session, meeting_ids: Iterable[int], kinds: Sequence[str]) -> set[str]:
    """The keys of rows of these kinds written for these meetings (one query; one per 500 on SQLite)."""
    found: set[str] = set()
    for chunk in chunks(session, meeting_ids):
        found.update(
            session.scalars(
                select(OutboxMessage.key).where(
                    among(session, OutboxMessage.meeting_id, chunk), OutboxMessage.kind.in_(kinds)
                )
            )
        )
    return found


@dataclass(frozen=True)
class Claimed:
    """A row this process claimed for sending, with what sending it needs; `token` names the claim."""

    id: int
    key: str
    recipient: str
    messages: list[dict[str, Any]]
    parts_sent: int
    thread: str | None
    attempts: int
    due_at: datetime
    not_after: datetime | None
    meeting_id: int | None
    last_error: str | None
    token: datetime


def _due(now: datetime, lease_from: datetime) -> ColumnElement[bool]:
    return or_(
        and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_until < lease_from),
    )


def claim_batch(
    session: Session,
    now: datetime,
    lease_from: datetime,
    lease: timedelta,
    *,
    limit: int,
    after: tuple[datetime, int] | None = None,
    skip_recipients: Iterable[str] = (),
) -> list[Claimed]:
    """Claim up to `limit` due rows in (due_at, id) order after `after`, in one statement.

    `UPDATE … WHERE id IN (due rows … LIMIT n) AND <still due>`: the outer condition is checked
    again on each row as it is written, so of two processes claiming at once each row goes to one
    (PostgreSQL re-reads a row another transaction changed; SQLite runs one writer at a time). On
    PostgreSQL the inner select skips rows another claimer has locked, so it takes other rows
    instead of waiting. `now` and `lease_from` mean what they mean for `claim`.
    """
    until = lease_from + lease
    due = _due(now, lease_from)
    inner = select(OutboxMessage.id).where(due)
    skipped = list(skip_recipients)
    if skipped:
        inner = inner.where(OutboxMessage.recipient.not_in(skipped))
    if after is not None:
        due_at, row_id = after
        inner = inner.where(
            or_(OutboxMessage.due_at > due_at, and_(OutboxMessage.due_at == due_at, OutboxMessage.id > row_id))
        )
    inner = inner.order_by(OutboxMessage.due_at, OutboxMessage.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        inner = inner.with_for_update(skip_locked=True)
    rows = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(inner.scalar_subquery()), due)
        .values(status=SENDING, claimed_until=until)
        .returning(
            OutboxMessage.id,
            OutboxMessage.key,
            OutboxMessage.recipient,
            OutboxMessage.payload,
            OutboxMessage.parts_sent,
            OutboxMessage.thread,
            OutboxMessage.attempts,
            OutboxMessage.due_at,
            OutboxMessage.not_after,
            OutboxMessage.meeting_id,
            OutboxMessage.last_error,
        )
    ).all()
    # Unpacked by position, in the order of RETURNING: a Row's columns read by name cost more.
    claimed = [
        Claimed(
            id=row_id,
            key=key,
            recipient=recipient,
            messages=list((payload or {}).get("messages", [])),
            parts_sent=parts_sent,
            thread=thread,
            attempts=attempts,
            due_at=due_at,
            not_after=not_after,
            meeting_id=meeting_id,
            last_error=last_error,
            token=until,
        )
        for (
            row_id,
            key,
            recipient,
            payload,
            parts_sent,
            thread,
            attempts,
            due_at,
            not_after,
            meeting_id,
            last_error,
        ) in rows
    ]
    return sorted(claimed, key=lambda c: (c.due_at, c.id))


def meeting_states(session: Session, meeting_ids: Iterable[int]) -> dict[int, tuple[str, datetime]]:
    """(status, starts_at) of these meetings, by id; a deleted meeting is absent."""
    ids = sorted(set(meeting_ids))
    if not ids:
        return {}
    rows = session.execute(select(Meeting.id, Meeting.status, Meeting.starts_at).where(Meeting.id.in_(ids)))
    return {row.id: (row.status, row.starts_at) for row in rows}


def claim(session: Session, row_id: int, now: datetime, lease_from: datetime, lease: timedelta) -> datetime | None:
    """Take the row for sending; the conditional UPDATE lets only one process win.

    `now` decides whether the row is due; `lease_from` (the wall clock, when later) dates the claim
    and decides whether another process's claim has expired. Returns the claim's end, which is
    also its token: every later write by this claimant names it (`update_claimed`), so a process
    whose claim was taken over can no longer change the row.
    """
    until = lease_from + lease
    claimed = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row_id,
            or_(
                and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now),
                and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_until < lease_from),
            ),
        )
        .values(status=SENDING, claimed_until=until)
        .returning(OutboxMessage.id)
    ).scalar_one_or_none()
    return until if claimed is not None else None


# The UPDATE of `update_claimed`, built once per set of columns written: the clock runs it once per
# post, and building and coercing the statement cost more than running it.
_claimed_updates: dict[tuple[str, ...], Any] = {}


def _claimed_update(columns: tuple[str, ...]) -> Any:
    statement = _claimed_updates.get(columns)
    if statement is None:
        table = OutboxMessage.__table__
        statement = (
            update(table)
            .where(
                table.c.id == bindparam("_row_id"),
                table.c.status == SENDING,
                table.c.claimed_until == bindparam("_token"),
            )
            .values({column: bindparam(column) for column in columns})
            .returning(table.c.id)
        )
        _claimed_updates[columns] = statement
    return statement


def update_claimed(session: Session, row_id: int, token: datetime, **values: Any) -> bool:
    """Change a row this process holds (status `sending`, claim `token`); False if it no longer does.

    While a row is `sending`, `claimed_until` identifies the claim: taking over an expired claim
    always sets a later end, and a claimant that released its row writes to it no more.
    """
    # Core, not an ORM-enabled UPDATE: nothing in the session needs synchronising.
    statement = _claimed_update(tuple(sorted(values)))
    changed = (
        session.connection().execute(statement, {"_row_id": row_id, "_token": token, **values}).scalar_one_or_none()
    )
    return changed is not None


# The UPDATE of `update_claimed_many`, built once per (set of columns written, number of rows):
# the recorder runs it once per group commit, with at most one write per sending worker.
_claimed_many: dict[tuple[tuple[str, ...], int], Any] = {}


def _claimed_update_many(columns: tuple[str, ...], count: int) -> Any:
    key = (columns, count)
    statement = _claimed_many.get(key)
    if statement is None:
        table = OutboxMessage.__table__
        rows = [
            select(
                bindparam(f"_w{n}_row_id", type_=table.c.id.type).label("_row_id"),
                bindparam(f"_w{n}_token", type_=table.c.claimed_until.type).label("_token"),
                *[bindparam(f"_w{n}_{column}", type_=table.c[column].type).label(column) for column in columns],
            )
            for n in range(count)
        ]
        written = union_all(*rows).subquery("written")
        statement = (
            update(table)
            .where(
                table.c.id == written.c._row_id,
                table.c.status == SENDING,
                table.c.claimed_until == written.c._token,
            )
            .values({column: written.c[column] for column in columns})
            .returning(table.c.id)
        )
        _claimed_many[key] = statement
    return statement


def update_claimed_many(session: Session, writes: Sequence[tuple[int, datetime, dict[str, Any]]]) -> set[int]:
    """`update_claimed` for many rows, each (row id, claim token, values): one statement for the
    rows that write the same columns (`UPDATE … FROM` the rows' new values), each row changed only
    while this process still holds it. Returns the ids of the rows changed."""
    by_columns: dict[tuple[str, ...], list[tuple[int, datetime, dict[str, Any]]]] = {}
    for write in writes:
        by_columns.setdefault(tuple(sorted(write[2])), []).append(write)
    changed: set[int] = set()
    connection = session.connection()
    for columns, group in by_columns.items():
        if len(group) == 1:
            row_id, token, values = group[0]
            if update_claimed(session, row_id, token, **values):
                changed.add(row_id)
            continue
        params: dict[str, Any] = {}
        for n, (row_id, token, values) in enumerate(group):
            params[f"_w{n}_row_id"] = row_id
            params[f"_w{n}_token"] = token
            params.update((f"_w{n}_{column}", values[column]) for column in columns)
        changed.update(connection.execute(_claimed_update_many(columns, len(group)), params).scalars())
    return changed
