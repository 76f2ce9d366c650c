"""Prometheus metrics for /metrics: requests and their ack latency, the outbox, the clock's lag.

Request figures are counted by the web process as it answers. Outbox and clock figures are read
from the database when /metrics is scraped, so they are right whichever process sent what.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker

from bot.inbox import Inbox
from storage.db import session_scope
from storage.metrics import oldest_due_unsent, outbox_by_status

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
ACK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)


class _StateCollector(Collector):
    """Gauges read at scrape time: outbox rows by status, the clock's lag, jobs waiting in the inbox."""

    def __init__(self, session_factory: sessionmaker[Session], inbox: Inbox | None, clock: Callable[[], datetime]):
        self._session_factory = session_factory
        self._inbox = inbox
        self._clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily("arising_outbox_messages", "Outbox messages by status", labels=["status"])
        lag = GaugeMetricFamily("arising_clock_lag_seconds", "How late the oldest due, unsent message is")
        up = GaugeMetricFamily("arising_database_up", "1 when the database answered this scrape")
        try:
            now = self._clock()
            with session_scope(self._session_factory) as session:
                counts = outbox_by_status(session)
                oldest = oldest_due_unsent(session, now)
            for status in ("pending", "sending", "sent", "failed", "missed", "cancelled"):
                depth.add_metric([status], counts.get(status, 0))
            lag.add_metric([], (now - oldest).total_seconds() if oldest else 0.0)
            up.add_metric([], 1)
            yield depth
            yield lag
        except Exception as exc:
            log.warning("metrics: database not read: %s", type(exc).__name__)
            up.add_metric([], 0)
        yield up
        if self._inbox is not None:
            waiting = GaugeMetricFamily("arising_inbox_pending", "Acked requests waiting for a worker")
            waiting.add_metric([], self._inbox.pending())
            yield waiting


class Metrics:
    """One registry per app (tests build many apps in one process)."""

    def __init__(
        self, session_factory: sessionmaker[Session], inbox: Inbox | None, clock: Callable[[], datetime]
    ) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "arising_requests",
            "Requests answered, by kind and outcome",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "arising_ack_seconds",
            "Time to answer Slack's request (the ack)",
            ["kind"],
            buckets=ACK_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(_StateCollector(session_factory, inbox, clock))

    def observe(self, kind: str, outcome: str, seconds: float) -> None:
        """Count one answered request."""
        self.requests.labels(kind=kind, outcome=outcome).inc()
        self.ack_seconds.labels(kind=kind).observe(seconds)

    def exposition(self) -> bytes:
        """The metrics in Prometheus' text format."""
        return generate_latest(self.registry)
