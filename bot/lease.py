"""The clock's lease: of all the clock processes on one database, the one holding it ticks.

A second `arising clock` started by mistake (or a web process with its clock left on) finds the
lease held and stands by; it takes over when the holder stops renewing (it died, or released the
lease on SIGTERM). The outbox keys are the second guard: even two ticking clocks send nothing twice.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from storage.db import session_scope
from storage.leases import release_lease, take_lease

log = logging.getLogger(__name__)

CLOCK_LEASE = "clock"


def holder_id() -> str:
    """Who this process is, for the lease row and the logs: host, pid and a random tag."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class ClockLease:
    """Take, renew and release the clock's lease for this process."""

    def __init__(self, session_factory: sessionmaker[Session], ttl: timedelta, holder: str | None = None) -> None:
        self._session_factory = session_factory
        self.ttl = ttl
        self.holder = holder or holder_id()
        self._held: bool | None = None  # unknown until the first `hold`

    @property
    def held(self) -> bool:
        """Whether the last `hold` took or renewed the lease."""
        return bool(self._held)

    def hold(self, now: datetime) -> bool:
        """Take or renew the lease until `now + ttl`; False when another clock holds it."""
        try:
            with session_scope(self._session_factory) as session:
                held = take_lease(session, CLOCK_LEASE, self.holder, now, self.ttl)
        except Exception as exc:
            # Without the database nobody can tick anyway; the next tick asks again.
            log.warning("clock lease: could not reach the database (%s)", type(exc).__name__)
            held = False
        if held != self._held:
            log.info("clock lease %s by %s", "taken" if held else "held by another clock; standing by", self.holder)
        self._held = held
        return held

    def release(self, now: datetime) -> None:
        """Give the lease up (on shutdown) so a standby clock takes over at its next tick."""
        if not self._held:
            return
        try:
            with session_scope(self._session_factory) as session:
                release_lease(session, CLOCK_LEASE, self.holder, now)
            log.info("clock lease released by %s", self.holder)
        except Exception as exc:
            log.warning("clock lease: could not release it (%s); it expires by itself", type(exc).__name__)
        self._held = False
