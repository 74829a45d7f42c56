"""Operator tools for dead-letter queues (``nsw dlq list|show|replay``).

Listing and showing go through the management API (counts, and a look at messages that puts them back);
replay goes through the transport: consume from the DLQ, republish each message with confirm to where it
was originally published, then ack, so a crash in between duplicates rather than loses.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from singlewindow.platform.errors import ConfigurationError, NswError
from singlewindow.platform.retry import (
    ATTEMPT_HEADER,
    BROKER_HEADERS,
    LAST_ERROR_HEADER,
    ORIGINAL_EXCHANGE_HEADER,
    ORIGINAL_ROUTING_KEY_HEADER,
    REASON_HEADER,
    republishable,
)
from singlewindow.platform.topology import Topology, names
from singlewindow.platform.topology.management import ManagementClient
from singlewindow.platform.transport import Delivery, Transport

_MAX_PREFETCH = 100
REPLAYED_HEADER = "x-nsw-replayed"
"""How many times operators have replayed this message."""


def dead_letter_queues(topology: Topology) -> list[str]:
    """The DLQs an operator replays: every recipient's (agency or partner hub), and the hub's parking queue."""
    policies = {names.DLQ_POLICY, names.PARKING_POLICY}
    return [q.name for q in topology.queues if q.policy in policies]


def link_dead_letter_queues(topology: Topology) -> list[str]:
    """The cross-border link DLQs (``crossborder.<p>.dlq``): to look at, never to replay.

    What dies there is an envelope or receipt on its way over the link (the out queue's delivery limit) or
    one our gateway refused on the way in. Both ends' gateways keep every envelope they sent and send the
    unreceipted ones again, so a re-send comes from the sending gateway, not from a republish of the copy.
    """
    return [q.name for q in topology.queues if q.policy == names.CROSSBORDER_DLQ_POLICY]


@dataclass(frozen=True, slots=True)
class QueueCount:
    queue: str
    messages: int
    consumers: int


async def list_counts(client: ManagementClient, vhost: str, queues: Sequence[str]) -> list[QueueCount]:
    """Counts as the management API reports them: its statistics are sampled every few seconds."""
    found = {q["name"]: q for q in await client.list_queues(vhost)}
    missing = [name for name in queues if name not in found]
    if missing:
        raise ConfigurationError(f"dead-letter queues missing in {vhost!r}: {missing}; run nsw topology declare")
    return [
        QueueCount(name, int(found[name].get("messages") or 0), int(found[name].get("consumers") or 0))
        for name in queues
    ]


@dataclass(frozen=True, slots=True)
class ShownMessage:
    """One dead-lettered message as an operator needs to see it: where from, why, how many times."""

    message_id: str | None
    origin: tuple[str, str] | None
    reason: str | None
    attempts: int | None
    last_error: str | None
    headers: Mapping[str, Any]
    payload: str


def death_reason(headers: Mapping[str, Any]) -> str | None:
    """Why a message was dead-lettered: the hub's own reason header, else the broker's first non-TTL death."""
    if headers.get(REASON_HEADER):
        return str(headers[REASON_HEADER])
    deaths = [d for d in headers.get("x-death") or [] if isinstance(d, Mapping) and d.get("reason") != "expired"]
    return str(deaths[0].get("reason")) if deaths else None


def newest_death(headers: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The newest ``x-death`` entry: the broker's own, even when a publisher forged older ones.

    RabbitMQ keys entries by (queue, reason) and moves the entry of each new death to the front, so the
    first entry's queue and reason are the broker's. ``x-first-death-*`` are never overwritten once set,
    so a publisher can forge them: they prove nothing.
    """
    deaths = headers.get("x-death")
    if isinstance(deaths, list | tuple) and deaths and isinstance(deaths[0], Mapping):
        return deaths[0]
    return None


def origin_of(headers: Mapping[str, Any]) -> tuple[str, str] | None:
    """(exchange, routing key) the message was first published to, before any retry or dead-lettering.

    Copies made by the retry helper carry it in ``x-nsw-original-*``. Otherwise it is the oldest ``x-death``
    event that is not a wait-queue expiry (RabbitMQ keeps the newest event first).
    """
    exchange, key = headers.get(ORIGINAL_EXCHANGE_HEADER), headers.get(ORIGINAL_ROUTING_KEY_HEADER)
    if isinstance(exchange, str) and isinstance(key, str):
        return exchange, key
    deaths = [d for d in headers.get("x-death") or [] if isinstance(d, Mapping) and d.get("reason") != "expired"]
    if not deaths:
        return None
    oldest = deaths[-1]
    keys = oldest.get("routing-keys") or []
    if not isinstance(oldest.get("exchange"), str) or not keys:
        return None
    return str(oldest["exchange"]), str(keys[0])


async def show(client: ManagementClient, vhost: str, queue: str, count: int) -> list[ShownMessage]:
    """Up to ``count`` messages from the head of ``queue``, left in place.

    On RabbitMQ 3.10 each look counts as a delivery toward the DLQ's own delivery limit (20 by default);
    a message looked at that often moves on to the terminal ``nsw.hub.dlq``, where nothing is dropped.
    """
    shown = []
    for raw in await client.peek_messages(vhost, queue, count):
        props = raw.get("properties") or {}
        headers = props.get("headers") or {}
        attempts = headers.get(ATTEMPT_HEADER)
        shown.append(
            ShownMessage(
                message_id=props.get("message_id"),
                origin=origin_of(headers),
                reason=death_reason(headers),
                attempts=int(attempts) if attempts is not None else None,
                last_error=headers.get(LAST_ERROR_HEADER),
                headers=headers,
                payload=str(raw.get("payload", "")),
            )
        )
    return shown


@dataclass(slots=True)
class ReplayReport:
    queue: str
    replayed: list[tuple[str | None, str, str]] = field(default_factory=list)
    """(message_id, exchange, routing key) of every message put back."""
    skipped: list[str | None] = field(default_factory=list)
    """message_ids left in the DLQ because their origin is unknown."""
    failed: list[tuple[str | None, str]] = field(default_factory=list)
    """(message_id, error) of messages left in the DLQ because the republish was refused."""


def _replay_copy(delivery: Delivery, exchange: str, routing_key: str) -> Any:
    dropped = BROKER_HEADERS | {ATTEMPT_HEADER, LAST_ERROR_HEADER, REASON_HEADER}
    headers = {k: v for k, v in delivery.headers.items() if k not in dropped}
    headers[REPLAYED_HEADER] = int(delivery.headers.get(REPLAYED_HEADER, 0) or 0) + 1
    return republishable(delivery.properties, exchange=exchange, routing_key=routing_key, headers=headers)


Republish = Callable[[Delivery, str, str], Awaitable[bool]]
"""A special way back for some messages: True if it sent the delivery (with confirm), False to leave it to
the plain republish to (exchange, routing key). The hub uses it to replay documents through its state."""


async def replay(
    transport: Transport,
    queue: str,
    *,
    limit: int | None = None,
    idle_seconds: float = 10.0,
    republish: Republish | None = None,
) -> ReplayReport:
    """Republish (with confirm) then ack each message present in ``queue`` now, at most ``limit``.

    A message whose origin is unknown is held unsettled until the end and then returned to the DLQ (so it
    is not redelivered to us in a loop) and reported. Messages beyond the count present at the start are
    left for the next replay, so the command always ends.
    """
    report = ReplayReport(queue)

    async def send(delivery: Delivery, exchange: str, routing_key: str) -> None:
        if republish is None or not await republish(delivery, exchange, routing_key):
            await transport.publish(_replay_copy(delivery, exchange, routing_key))

    present = (await transport.declare_passive(queue)).message_count
    budget = present if limit is None else min(present, limit)
    if budget == 0:
        return report
    seen = 0
    progress, done, release = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def handle(delivery: Delivery) -> None:
        nonlocal seen
        if seen >= budget:
            await release.wait()  # returning unsettled requeues it, once we are finished
            return
        seen += 1
        origin = origin_of(delivery.headers)
        held = True
        if origin is None:
            report.skipped.append(delivery.message_id)
        else:
            try:
                await send(delivery, *origin)
            except NswError as exc:
                report.failed.append((delivery.message_id, exc.message))
            else:
                await delivery.ack()
                report.replayed.append((delivery.message_id, *origin))
                held = False
        progress.set()
        if seen >= budget:
            done.set()
        if held:
            await release.wait()

    subscription = await transport.consume(queue, handle, prefetch=min(budget, _MAX_PREFETCH))
    try:
        await _until(done, progress, idle_seconds)
    finally:
        release.set()
        await subscription.cancel()
    return report


async def _until(done: asyncio.Event, progress: asyncio.Event, idle_seconds: float) -> None:
    """Wait for ``done``, giving up after ``idle_seconds`` without ``progress``."""
    last = time.monotonic()
    while not done.is_set():
        progress.clear()
        try:
            await asyncio.wait_for(progress.wait(), timeout=0.2)
            last = time.monotonic()
        except TimeoutError:
            if time.monotonic() - last > idle_seconds:
                return
