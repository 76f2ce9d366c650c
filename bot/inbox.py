"""The inbox: every request Slack sends is written here, on local disk, before it is acked.

Why a spool on disk and not a table: the ack must never wait on the database (or Slack), yet
an acked command must survive a crash of the process that acked it. A file written and
renamed into `new/` costs a fraction of a millisecond, does not depend on the database being
up, and is still there after the process dies; the work pool (threads or worker processes)
claims files by renaming them, which is atomic, so one job is claimed by one worker.

Replays: the keys seen in the last ten minutes are kept in memory, so a replay of the same signed
request (or an event Slack retries) that reaches this process is acked and not queued again; one
that reaches another process, or arrives after a restart, is stopped by the request key the work
records in the database (storage/requests.py).

Layout under the root:
- `new/<stamp>-<key>`: jobs waiting, named so that sorting by name is arrival order.
- `work/<name>@<owner>.<attempt>`: jobs claimed by a worker; moved back to `new/` when their
  owner died, and to `failed/` after too many attempts (a job that kills its worker).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

REPLAY_WINDOW_S = 600.0  # Slack refuses timestamps older than 5 minutes; keep markers twice as long.
MAX_ATTEMPTS = 3
_RECOUNT_S = 0.1  # how old the ack's bound of waiting jobs may be before `new/` is listed again
_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,120}$")


class Put(Enum):
    """What happened to a request offered to the inbox."""

    QUEUED = "queued"
    DUPLICATE = "duplicate"  # seen within the replay window: acked, not worked again
    BUSY = "busy"  # too many jobs waiting: the user is asked to try again shortly
    FAILED = "failed"  # the disk refused the write: nothing was queued


@dataclass(frozen=True)
class Job:
    """One unit of work: a typed request (as JSON-ready data) of a known kind."""

    key: str
    kind: str
    request: dict[str, Any]
    received_at: float

    def dumps(self) -> bytes:
        """The job as written to disk."""
        return json.dumps(
            {"key": self.key, "kind": self.kind, "request": self.request, "received_at": self.received_at}
        ).encode()

    @classmethod
    def loads(cls, data: bytes) -> Job:
        """Read a job written by `dumps`."""
        raw = json.loads(data)
        return cls(key=raw["key"], kind=raw["kind"], request=raw["request"], received_at=raw["received_at"])


@dataclass(frozen=True)
class Ticket:
    """A claimed job and the file that holds it while it is worked on."""

    job: Job
    path: Path
    attempt: int


class Inbox:
    """A durable spool of jobs in a directory; safe to share between threads and processes."""

    def __init__(self, root: Path | str, *, max_pending: int = 500) -> None:
        self.root = Path(root)
        self.max_pending = max_pending
        # Unique per Inbox object: which worker holds a claimed file.
        self.owner = uuid.uuid4().hex[:12]
        self._seq = 0
        self._seq_lock = threading.Lock()
        # An upper bound of the jobs waiting, for the ack (see `_reserve`).
        self._bound = 0
        self._in_flight = 0  # reserved by `_reserve`, not yet renamed into new/
        self._counted_at = -_RECOUNT_S
        self._bound_lock = threading.Lock()
        for name in ("new", "work", "tmp", "failed"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        # Plain strings, not Paths: the ack path is measured in microseconds.
        self._new = str(self.root / "new")
        self._tmp = str(self.root / "tmp")
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._seen_lock = threading.Lock()

    # -- the ack side ------------------------------------------------------------------------
    def put(self, job: Job) -> tuple[Put, str | None]:
        """Queue `job` unless its key was seen before; returns the outcome and the queued name."""
        if not _KEY.match(job.key):
            raise ValueError("job keys are letters, digits, '.', '_' and '-'")
        if not self._first_sighting(job.key, time.monotonic()):
            return Put.DUPLICATE, None
        if not self._reserve():
            self._forget(job.key)
            return Put.BUSY, None
        reserved = True
        try:
            name = f"{time.time_ns():020d}-{self._next_seq():06d}-{job.key}"
            tmp = f"{self._tmp}/{name}.{self.owner}"
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            try:
                os.write(fd, job.dumps())
            finally:
                os.close(fd)
            # rename is atomic: a worker never sees half a job. It ends the reservation under the bound's
            # lock, so a count of new/ (`_reserve`) sees each job once: waiting, or still being written.
            with self._bound_lock:
                self._in_flight -= 1
                reserved = False
                os.rename(tmp, f"{self._new}/{name}")
            return Put.QUEUED, name
        except OSError as exc:
            if reserved:
                with self._bound_lock:
                    self._in_flight -= 1
            self._forget(job.key)
            log.error("inbox write failed: errno=%s", exc.errno)
            return Put.FAILED, None

    def pending(self) -> int:
        """How many jobs are waiting to be claimed."""
        return len(os.listdir(self._new))

    def _reserve(self) -> bool:
        """Room for one more job (counted in the bound), or False when `max_pending` are waiting.

        Listing `new/` costs in proportion to what waits (0.3 ms at 1,000 jobs) on every ack. The bound
        is the last count plus the jobs put since: workers only take jobs out, so while it is under the
        limit so is the real number. It is counted again when it reaches the limit (a refusal always
        rests on a real count: the jobs in new/ and those this process is still writing) and every
        _RECOUNT_S, for jobs put back by a restart or another process. `_bound_lock` guards the bound,
        the count of jobs being written, and their move into new/.
        """
        with self._bound_lock:
            now = time.monotonic()
            if self._bound >= self.max_pending or now - self._counted_at > _RECOUNT_S:
                self._bound, self._counted_at = self.pending() + self._in_flight, now
            if self._bound >= self.max_pending:
                return False
            self._bound += 1
            self._in_flight += 1
            return True

    # -- the worker side ---------------------------------------------------------------------
    def claim(self, name: str) -> Ticket | None:
        """Claim the queued job `name`; None if another worker took it first."""
        return self._claim(name, attempt=1)

    def claim_next(self) -> Ticket | None:
        """Claim the oldest waiting job, if any."""
        for name in self._waiting():
            ticket = self._claim(name, attempt=None)
            if ticket is not None:
                return ticket
        return None

    def finish(self, ticket: Ticket) -> None:
        """The job is done (or has told the user it failed): forget it."""
        ticket.path.unlink(missing_ok=True)

    def recover(self, dead_owners: Iterable[str] | None = None) -> int:
        """Put jobs claimed by dead workers back in the queue; returns how many.

        With `dead_owners` None every claimed job is taken back: call it that way only when no
        worker of this inbox is running (at start-up).
        """
        dead = None if dead_owners is None else set(dead_owners)
        recovered = 0
        for entry in os.scandir(self.root / "work"):
            name, _, rest = entry.name.partition("@")
            owner, _, attempt_text = rest.partition(".")
            if dead is not None and owner not in dead:
                continue
            attempt = int(attempt_text or "1")
            target = self.root / ("new" if attempt < MAX_ATTEMPTS else "failed") / f"{name}.r{attempt}"
            try:
                os.replace(entry.path, target)
            except FileNotFoundError:
                continue
            if attempt >= MAX_ATTEMPTS:
                log.error("inbox job failed %s times, set aside: %s", attempt, name)
            else:
                recovered += 1
        if recovered:
            log.warning("inbox recovered %s jobs from stopped workers", recovered)
        return recovered

    def for_owner(self, owner: str) -> Inbox:
        """The same inbox, claiming as `owner` (each worker process claims under its own name)."""
        other = Inbox.__new__(Inbox)
        other.root, other.max_pending, other.owner = self.root, self.max_pending, owner
        other._new, other._tmp = self._new, self._tmp
        other._seq, other._seq_lock = 0, threading.Lock()
        other._seen, other._seen_lock = OrderedDict(), threading.Lock()
        return other

    # -- internals ---------------------------------------------------------------------------
    def _first_sighting(self, key: str, now: float) -> bool:
        with self._seen_lock:
            while self._seen and next(iter(self._seen.values())) < now:
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now + REPLAY_WINDOW_S
            return True

    def _forget(self, key: str) -> None:
        # A request that was not queued may be sent again by the user.
        with self._seen_lock:
            self._seen.pop(key, None)

    def _next_seq(self) -> int:
        with self._seq_lock:
            self._seq = (self._seq + 1) % 1_000_000
            return self._seq

    def _waiting(self) -> list[str]:
        return sorted(entry.name for entry in os.scandir(self.root / "new"))

    def _claim(self, name: str, attempt: int | None) -> Ticket | None:
        base, _, retry = name.partition(".r")
        number = attempt if attempt is not None else (int(retry) + 1 if retry else 1)
        target = self.root / "work" / f"{base}@{self.owner}.{number}"
        try:
            os.replace(self.root / "new" / name, target)
        except FileNotFoundError:
            return None
        try:
            job = Job.loads(target.read_bytes())
        except (OSError, ValueError, KeyError):
            log.error("inbox job unreadable, set aside: %s", base)
            os.replace(target, self.root / "failed" / base)
            return None
        return Ticket(job=job, path=target, attempt=number)
