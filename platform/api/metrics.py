"""Prometheus metrics of one hub process, attached through small hooks instead of edits in every module.

* ``nsw_publishes_total`` / ``nsw_redeliveries_total``: a transport wrapper counts confirmed (or refused)
  publishes and deliveries that the broker flagged as redelivered.
* ``nsw_decision_latency_seconds{agency}``: the aggregator's ``apply_decision`` is wrapped; the time from
  routing to the decision is read from the event history, once per decision message (duplicates add nothing).
* ``nsw_submissions{status}`` and ``nsw_outbox_backlog``: gauges refreshed from the database every few
  seconds (cluster-wide values: every process reports the same, so aggregate them with ``max``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from sqlalchemy import and_, func, select

from singlewindow.platform.aggregation import Consolidated
from singlewindow.platform.errors import NswError
from singlewindow.platform.hub.runtime import Hub
from singlewindow.platform.state import EventLog
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.storage.tables import submission_versions, submissions
from singlewindow.platform.transport import Delivery, OutgoingMessage, QueueState, Subscription, Transport

log = structlog.get_logger(__name__)
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600)
Handler = Callable[[Delivery], Awaitable[None]]


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

    def wrap_transport(self, transport: Transport) -> Transport:
        return InstrumentedTransport(transport, self)

    def instrument(self, hub: Hub) -> None:
        """Observe decision latency around the aggregator's one write of a decision."""
        original = hub.recipients.apply_decision
        events = hub.events

        async def apply_decision(*args: Any, **kwargs: Any) -> Any:
            started = utcnow()
            result = await original(*args, **kwargs)
            submission_id, version, recipient = args[0], args[1], args[2]
            message_id = args[6] if len(args) > 6 else kwargs.get("message_id")
            try:
                latency = await decision_latency(events, submission_id, version, recipient, message_id, started)
            except NswError as exc:
                log.warning("decision latency not measured", error=str(exc))
                latency = None
            if latency is not None:
                self.decision_latency.labels(recipient).observe(latency)
            return result

        setattr(hub.recipients, "apply_decision", apply_decision)  # noqa: B010 (a hook, not an edit)

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

    async def run(self, hub: Hub, stop: asyncio.Event, interval_seconds: float = 5.0) -> None:
        while not stop.is_set():
            try:
                await self.refresh(hub)
            except Exception as exc:  # a metrics scrape must never take the hub down
                log.warning("metrics refresh failed", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_seconds)


async def decision_latency(
    events: EventLog, submission_id: str, version: int, recipient: str, message_id: str | None, since: Any
) -> float | None:
    """Seconds from ROUTED to the DECISION event this call appended; None for a duplicate (none appended)."""
    routed_at = decided_at = None
    for event in await events.of(submission_id):
        if event.version != version:
            continue
        if event.kind == "ROUTED" and routed_at is None:
            routed_at = event.at
        if (
            event.kind == "DECISION"
            and event.recipient == recipient
            and event.detail.get("message_id") == message_id
            and event.at >= since - timedelta(seconds=1)
        ):
            decided_at = event.at
    if routed_at is None or decided_at is None:
        return None
    return max((decided_at - routed_at).total_seconds(), 0.0)


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
