"""Faults of the three-node RabbitMQ cluster (issue 17), judged by the same checker as every other fault.

The work queues are quorum queues with a member on each node; a queue keeps working while two of its three
members are up. Every process lists all three nodes and starts on the first, so a fault on the node the
clients are connected to also cuts every connection: they reconnect to the next node and resend what was
unconfirmed, and the broker redelivers what was unacknowledged.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from typing import Any

from nswfaults.faults import _total_unacked, _wait_unacked
from nswfaults.harness import FaultContext, VoidRun
from nswfaults.services import PrivateRabbitCluster
from singlewindow.platform.topology import names

RECONNECTED = re.compile(r"reconnected to the broker at ")
WORK_QUEUES = (names.ROUTER_QUEUE, names.AGGREGATOR_QUEUE)
"""Intake (submission events to the router) and decisions (to the aggregator); every agency inbox as well."""


def is_work_queue(name: str) -> bool:
    return name in WORK_QUEUES or (name.startswith("agency.") and name.endswith(".inbox"))


def _cluster(ctx: FaultContext) -> PrivateRabbitCluster:
    rabbit = ctx.system.rabbit
    if not isinstance(rabbit, PrivateRabbitCluster):
        raise TypeError("cluster faults need the system built on PrivateRabbitCluster")
    return rabbit


async def leaders(ctx: FaultContext) -> Counter[str]:
    """How many work-queue leaders each node holds."""
    return Counter(p.leader for name, p in (await ctx.management.placements()).items() if is_work_queue(name))


async def replicas(ctx: FaultContext) -> int:
    """The fewest members any quorum queue has: the replication factor the topology got."""
    return min(len(p.members) for p in (await ctx.management.placements()).values())


async def wait_all_online(ctx: FaultContext, within: float = 120) -> float:
    """Until every quorum queue has all of its members online and a leader; returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        placements = (await ctx.management.placements()).values()
        if all(p.leader and set(p.online) == set(p.members) for p in placements):
            return time.monotonic() - started
        await asyncio.sleep(0.5)
    raise AssertionError(f"quorum queues not all online after {within} s: {await ctx.management.placements()}")


def _log_sizes(ctx: FaultContext) -> dict[str, int]:
    return {p.name: p.size() for p in ctx.system.processes()}


def reconnects(ctx: FaultContext, since: dict[str, int]) -> int:
    """Broker reconnections the hubs and adapters logged since ``since``: the broker's redelivery statistics
    live on the queue leaders' nodes and restart with them, so after a node kill or a rolling restart they
    cannot show that the fault cut anything; the transports' own lines can."""
    return sum(len(RECONNECTED.findall(p.text(since.get(p.name, 0)))) for p in ctx.system.processes())


def _broker_clients(ctx: FaultContext) -> int:
    return len(ctx.system.hubs) + len(ctx.system.adapters)


async def _adapters_consuming(ctx: FaultContext) -> None:
    for agency in ctx.system.adapters:
        await asyncio.to_thread(ctx.system.wait_adapter, agency, 120)


async def kill_leader_node(ctx: FaultContext) -> dict[str, Any]:
    """SIGKILL the node holding the most intake, decisions and inbox leaders while work is unacknowledged;
    while it is down its leaders must move to the other two; then it comes back and rejoins."""
    cluster = _cluster(ctx)
    held = await leaders(ctx)
    victim, count = held.most_common(1)[0]
    index = [node.node for node in cluster.nodes].index(victim)
    unacked = await _wait_unacked(ctx, lambda: _total_unacked(ctx))
    offered = ctx.driver.offered
    logs = _log_sizes(ctx)
    await asyncio.to_thread(cluster.kill, index)
    await asyncio.sleep(ctx.params.outage_seconds)
    during = await leaders(ctx)
    await asyncio.to_thread(cluster.start_node, index)
    rejoined = await wait_all_online(ctx)
    await _adapters_consuming(ctx)
    return {
        "killed_node": victim,
        "leaders_held": count,
        "leaders_on_killed_node_while_down": during.get(victim, 0),
        "unacked_before": unacked,
        "offered_at_strike": offered,
        "reconnects": reconnects(ctx, logs),
        "broker_clients": _broker_clients(ctx),
        "members_online_seconds": round(rejoined, 1),
    }


async def rolling_restart(ctx: FaultContext) -> dict[str, Any]:
    """Stop and start each node in turn under load, the next only once every quorum queue has all of its
    members online again (a queue with two members down would stop)."""
    cluster = _cluster(ctx)
    unacked: list[int] = []
    offered: list[int] = []
    cut: list[int] = []
    for index in range(len(cluster.nodes)):
        unacked.append(await _wait_unacked(ctx, lambda: _total_unacked(ctx)))
        offered.append(ctx.driver.offered)
        logs = _log_sizes(ctx)
        await asyncio.to_thread(cluster.stop, index)
        await asyncio.to_thread(cluster.start_node, index)
        await wait_all_online(ctx)
        cut.append(reconnects(ctx, logs))
    await _adapters_consuming(ctx)
    return {
        "restarted": [node.node for node in cluster.nodes],
        "unacked_before_each": unacked,
        "offered_at_each_stop": offered,
        "reconnects_each_stop": cut,
        "reconnects": sum(cut),
        "broker_clients": _broker_clients(ctx),
    }


CLUSTER_FAULTS = {"kill-leader-node": kill_leader_node, "rolling-restart": rolling_restart}
STREAM_SECONDS = {"kill-leader-node": 40.0, "rolling-restart": 180.0}
"""At least this much load per fault: each node's restart takes up to a minute on a busy machine, and the
last one must still be under load (the check below reads it from the driver's count)."""


def assert_cluster_struck(name: str, evidence: dict[str, Any]) -> None:
    """VOID unless the fault found work in flight, the driver was still offering load after the (last) strike,
    and the hubs and adapters logged at least as many broker reconnections as there are of them (all start on
    node 0, the first node struck); the node kill must also have moved every leader off the dead node while
    it was down. The reconnections per stop of the rolling restart are reported."""
    offered = evidence.get("offered", 0)
    clients = evidence.get("broker_clients", 0)
    if name == "kill-leader-node":
        struck = (
            evidence.get("unacked_before", 0) > 0
            and evidence.get("leaders_held", 0) > 0
            and evidence.get("leaders_on_killed_node_while_down", 1) == 0
            and offered > evidence.get("offered_at_strike", offered)
            and clients > 0
            and evidence.get("reconnects", 0) >= clients
        )
    elif name == "rolling-restart":
        steps = evidence.get("unacked_before_each", [])
        stops = evidence.get("offered_at_each_stop", [offered])
        struck = (
            len(steps) == 3
            and all(n > 0 for n in steps)
            and offered > stops[-1]
            and clients > 0
            and evidence.get("reconnects", 0) >= clients
        )
    else:
        raise ValueError(f"unknown cluster fault {name!r}")
    if not struck:
        raise VoidRun(f"VOID run: cluster fault {name} did not strike anything in flight (evidence {evidence})")
