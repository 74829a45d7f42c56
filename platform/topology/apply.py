"""Apply the topology table to a broker, idempotently, and prove it took effect.

RabbitMQ applies one policy per queue, and a stray higher-priority policy (or an operator's) silently
replaces ours; a queue declared earlier as classic keeps its type. So after declaring, each queue's type
and effective policy are read back and every difference is reported at once in one ConfigurationError.
The same table goes to the in-memory broker through its admin methods, checked the same way.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.topology.management import ManagementClient
from singlewindow.platform.topology.model import Topology
from singlewindow.platform.transport import MemoryBroker

_POLL_SECONDS = 0.5


@dataclass(frozen=True, slots=True)
class ObservedQueue:
    """What the broker reports for one queue (management API ``GET /api/queues/{vhost}/{name}``)."""

    name: str
    type: str
    policy: str | None
    effective_policy_definition: Mapping[str, Any] = field(default_factory=dict)


def mismatches(
    topology: Topology,
    observed: Mapping[str, ObservedQueue],
    bindings: Mapping[tuple[str, str], set[str]] | None = None,
) -> list[str]:
    """Every difference between the table and what the broker reports; empty means applied as designed."""
    problems: list[str] = []
    for queue in topology.queues:
        seen = observed.get(queue.name)
        if seen is None:
            problems.append(f"queue {queue.name}: missing")
            continue
        if seen.type != queue.type.value:
            problems.append(f"queue {queue.name}: type is {seen.type}, expected {queue.type.value}")
        if seen.policy != queue.policy:
            problems.append(f"queue {queue.name}: effective policy is {seen.policy}, expected {queue.policy}")
        expected = dict(topology.policy(queue.policy).definition) if queue.policy else {}
        actual = dict(seen.effective_policy_definition)
        for key in sorted(set(expected) | set(actual)):
            if expected.get(key) != actual.get(key):
                problems.append(f"queue {queue.name}: {key} is {actual.get(key)!r}, expected {expected.get(key)!r}")
    if bindings is not None:
        for binding in topology.bindings:
            keys = bindings.get((binding.exchange, binding.queue), set())
            if binding.routing_key not in keys:
                problems.append(f"binding {binding.exchange} -> {binding.queue} ({binding.routing_key!r}): missing")
    return problems


def _raise_if(problems: list[str], where: str) -> None:
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise ConfigurationError(f"topology in {where} does not match the table ({len(problems)}):\n{listing}")


# ----- RabbitMQ, through the management API -------------------------------------------------------------
async def declare_rabbitmq(topology: Topology, client: ManagementClient, vhost: str) -> None:
    """Create or confirm everything; re-running changes nothing (PUT and binding POST are idempotent)."""
    await client.put_vhost(vhost)
    for exchange in topology.exchanges:
        await client.put_exchange(
            vhost, exchange.name, exchange.type.value, durable=exchange.durable, arguments=exchange.arguments
        )
    # Policies before queues, so a queue is born with its limits and dead-letter target in place.
    for policy in topology.policies:
        await client.put_policy(vhost, policy.name, policy.pattern, policy.definition, policy.apply_to, policy.priority)
    for queue in topology.queues:
        await client.put_queue(vhost, queue.name, queue.arguments)
    for binding in topology.bindings:
        await client.bind(vhost, binding.exchange, binding.queue, binding.routing_key, binding.arguments)


async def observe_rabbitmq(
    topology: Topology, client: ManagementClient, vhost: str, settle_seconds: float
) -> dict[str, ObservedQueue]:
    """Queue types and effective policies, once the management statistics have caught up.

    ``effective_policy_definition`` comes from statistics that lag by up to the collection interval (5 s by
    default), while the queue record's policy name is fresh: wait until both name the same policy. A queue
    whose fresh policy is already the wrong one needs no wait; its policy's definition is read directly.
    """
    expected = {queue.name: queue.policy for queue in topology.queues}
    deadline = time.monotonic() + settle_seconds
    while True:
        fresh = {q["name"]: q.get("policy") or None for q in await client.list_queues(vhost)}
        stats = {q["name"]: q for q in await client.list_queues(vhost, with_stats=True)}
        lagging = [
            name
            for name in expected
            if name in fresh
            and fresh[name] == expected[name]
            and (name not in stats or (stats[name].get("policy") or None) != fresh[name])
        ]
        if not lagging or time.monotonic() >= deadline:
            break
        await asyncio.sleep(_POLL_SECONDS)
    observed: dict[str, ObservedQueue] = {}
    for name in expected.keys() & fresh.keys():
        detail = stats.get(name, {})
        policy = fresh[name]
        if policy is not None and (detail.get("policy") or None) != policy:
            definition = (await client.get_policy(vhost, policy)).get("definition") or {}
        else:
            definition = detail.get("effective_policy_definition") or {}
        observed[name] = ObservedQueue(name, str(detail.get("type", "unknown")), policy, dict(definition))
    return observed


async def verify_rabbitmq(topology: Topology, client: ManagementClient, vhost: str, settle_seconds: float) -> None:
    """Raise ConfigurationError listing every queue whose type, policy or binding differs from the table."""
    observed = await observe_rabbitmq(topology, client, vhost, settle_seconds)
    bindings: dict[tuple[str, str], set[str]] = {}
    for pair in {(b.exchange, b.queue) for b in topology.bindings}:
        if pair[1] in observed:
            found = await client.list_bindings(vhost, *pair)
            bindings[pair] = {str(b.get("routing_key", "")) for b in found}
    _raise_if(mismatches(topology, observed, bindings), f"vhost {vhost!r}")


async def apply_rabbitmq(topology: Topology, client: ManagementClient, vhost: str, settle_seconds: float) -> None:
    """``nsw topology declare``: declare everything, then read it back and fail loudly on any mismatch."""
    await declare_rabbitmq(topology, client, vhost)
    await verify_rabbitmq(topology, client, vhost, settle_seconds)


# ----- the in-memory broker ---------------------------------------------------------------------------
def apply_memory(topology: Topology, broker: MemoryBroker, vhost: str) -> None:
    """The same table on the embedded broker, checked with the same comparison."""
    broker.add_vhost(vhost)
    for exchange in topology.exchanges:
        broker.declare_exchange(vhost, exchange.name, exchange.type.value, exchange.durable, exchange.arguments)
    for policy in topology.policies:
        broker.set_policy(vhost, policy.name, policy.pattern, policy.definition, policy.apply_to, policy.priority)
    for queue in topology.queues:
        broker.declare_queue(vhost, queue.name, queue.arguments)
    for binding in topology.bindings:
        broker.bind(vhost, binding.exchange, binding.queue, binding.routing_key, binding.arguments)
    verify_memory(topology, broker, vhost)


def verify_memory(topology: Topology, broker: MemoryBroker, vhost: str) -> None:
    present = set(broker.queues(vhost))
    observed = {}
    for queue in topology.queues:
        if queue.name in present:
            info = broker.queue_info(vhost, queue.name)
            observed[queue.name] = ObservedQueue(
                info.name, info.type, info.policy, dict(info.effective_policy_definition)
            )
    bindings: dict[tuple[str, str], set[str]] = {}
    for exchange in {b.exchange for b in topology.bindings}:
        for found in broker.bindings(vhost, exchange):
            bindings.setdefault((exchange, found.queue), set()).add(found.routing_key)
    _raise_if(mismatches(topology, observed, bindings), f"in-memory vhost {vhost!r}")
