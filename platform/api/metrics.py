"""Prometheus metrics of one hub process, attached through small hooks instead of edits in every module.

* ``nsw_publishes_total`` / ``nsw_redeliveries_total``: a transport wrapper counts confirmed (or refused)
  publishes and deliveries that the broker flagged as redelivered.
* ``nsw_decision_latency_seconds{agency}``: the recipients' ``apply_changes`` (a batch of decisions) is
  wrapped to note the decisions it applied; the time from routing to each is read from the event history
  off the hot path, with the gauges' refresh: one query for every decision noted since (a query per batch
  was 2.5 % of the hub's CPU). Once per decision message: duplicates add nothing.
* ``nsw_submissions{status}`` and ``nsw_outbox_backlog``: gauges refreshed from the database every few
  seconds (cluster-wide values: every process reports the same, so aggregate them with ``max``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from sqlalchemy import and_, func, select

from singlewindow.platform.aggregation import Consolidated
from singlewindow.platform.errors import NswError
from singlewindow.platform.hub.runtime import Hub
from singlewindow.platform.state import EventLog
from singlewindow.platform.state.changes import Change, DecisionChange
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.state.recipients import AfterChanges
from singlewindow.platform.storage.tables import submission_versions, submissions
from singlewindow.platform.transport import Delivery, OutgoingMessage, QueueState, Subscription, Transport

log = structlog.get_logger(__name__)
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600)
Handler = Callable[[Delivery], Awaitable[None]]
MAX_NOTED = 50_000  # decisions noted between two refreshes; beyond it they are not measured (memory bound)


class HubMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.submissions = Gauge(
            "nsw_submissions", "Submissions by consolidated status", ["status"], registry=self.registry
        )
        self.decision_latency = Histogram(
            "nsw_decision_latency_seconds",
            "Time from routing to an agency's decision",
            ["agency"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.publishes = Counter(
            "nsw_publishes",
            "Publishes by exchange and outcome (confirmed or the error code)",
            ["exchange", "outcome"],
            registry=self.registry,
        )
        self.redeliveries = Counter(
            "nsw_redeliveries", "Deliveries the broker flagged as redelivered", ["queue"], registry=self.registry
        )
        self.outbox_backlog = Gauge("nsw_outbox_backlog", "Outbox rows not yet published", registry=self.registry)
        self._decided: list[DecisionChange] = []  # applied since the last observe_latencies
        self._noted_since: datetime | None = None

    def wrap_transport(self, transport: Transport) -> Transport:
        return InstrumentedTransport(transport, self)

    def instrument(self, hub: Hub) -> None:
        """Note the decisions of every batch the aggregator writes (``observe_latencies`` measures them)."""
        original = hub.recipients.apply_changes

        async def apply_changes(batch: Sequence[Change], after: AfterChanges | None = None) -> Any:
            started = utcnow()
            result = await original(batch, after)
            decided = [change for change in batch if isinstance(change, DecisionChange)]
            if decided:
                self._decided.extend(decided[: MAX_NOTED - len(self._decided)])
                self._noted_since = min(self._noted_since or started, started)
            return result

        setattr(hub.recipients, "apply_changes", apply_changes)  # noqa: B010 (a hook, not an edit)

    async def observe_latencies(self, events: EventLog) -> None:
        """The routing-to-decision time of every decision noted since the last call, in one query."""
        decided, self._decided = self._decided, []
        since, self._noted_since = self._noted_since, None
        if not decided or since is None:
            return
        try:
            latencies = await decision_latencies(events, decided, since)
        except NswError as exc:
            log.warning("decision latency not measured", error=str(exc))
            return
        for agency, seconds in latencies:
            self.decision_latency.labels(agency).observe(seconds)

    async def refresh(self, hub: Hub) -> None:
        current = and_(
            submission_versions.c.submission_id == submissions.c.id,
            submission_versions.c.version == submissions.c.current_version,
        )
        query = select(submission_versions.c.status, func.count()).where(current).group_by(submission_versions.c.status)
        async with hub.engine.connect() as conn:
            counts = {status: count for status, count in await conn.execute(query)}
        for status in Consolidated:
            self.submissions.labels(status.value).set(counts.get(status.value, 0))
        self.outbox_backlog.set(await hub.relay.backlog())
        await self.observe_latencies(hub.events)

    async def run(self, hub: Hub, stop: asyncio.Event, interval_seconds: float = 5.0) -> None:
        while not stop.is_set():
            try:
                await self.refresh(hub)
            except Exception as exc:  # a metrics scrape must never take the hub down
                log.warning("metrics refresh failed", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_seconds)


async def decision_latencies(
    events: EventLog, decided: Sequence[DecisionChange], since: datetime
) -> list[tuple[str, float]]:
    """(agency, seconds from ROUTED to the DECISION event this batch appended) for each decision the batch
    appended; a duplicate (no event appended) gives nothing."""
    routed_at: dict[tuple[str, int], datetime] = {}
    decided_at: dict[tuple[str, int, str | None, Any], datetime] = {}
    for event in await events.of_submissions({c.submission_id for c in decided}, ("ROUTED", "DECISION")):
        key = (event.submission_id, event.version)
        if event.kind == "ROUTED":
            routed_at.setdefault(key, event.at)
        elif event.at >= since - timedelta(seconds=1):
            decided_at[(*key, event.recipient, event.detail.get("message_id"))] = event.at
    found = []
    for change in decided:
        routed = routed_at.get((change.submission_id, change.version))
        decided_now = decided_at.get((change.submission_id, change.version, change.recipient, change.message_id))
        if routed is not None and decided_now is not None:
            found.append((change.recipient, max((decided_now - routed).total_seconds(), 0.0)))
    return found


class InstrumentedTransport(Transport):
    """Counts around another transport; every call is delegated unchanged."""

    def __init__(self, inner: Transport, metrics: HubMetrics) -> None:
        self._inner = inner
        self._metrics = metrics

    async def publish(self, message: OutgoingMessage) -> None:
        try:
            await self._inner.publish(message)
        except NswError as exc:
            self._metrics.publishes.labels(message.exchange, exc.code).inc()
            raise
        self._metrics.publishes.labels(message.exchange, "confirmed").inc()

    def _counted(self, queue: str, handler: Handler) -> Handler:
        async def counted(delivery: Delivery) -> None:
            if delivery.redelivered:
                self._metrics.redeliveries.labels(queue).inc()
            await handler(delivery)

        return counted

    async def consume(self, queue: str, handler: Handler, *, prefetch: int) -> Subscription:
        return await self._inner.consume(queue, self._counted(queue, handler), prefetch=prefetch)

    async def consume_private(
        self, exchange: str, routing_key: str, handler: Handler, *, prefetch: int
    ) -> Subscription:
        return await self._inner.consume_private(exchange, routing_key, handler, prefetch=prefetch)

    async def declare_passive(self, queue: str) -> QueueState:
        return await self._inner.declare_passive(queue)

    async def close(self) -> None:
        await self._inner.close()
