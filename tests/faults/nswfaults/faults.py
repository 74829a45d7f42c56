"""The faults, one at a time. Each strikes while work is in flight, heals, and returns its evidence.

Every fault reads the broker (or the agency folder) *before* striking and records what was in flight; the
harness adds redeliveries and republishes afterwards, and ``assert_struck`` turns a fault that hit nothing
into a void run.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from typing import Any

from nswfaults.harness import FaultContext, VoidRun
from nswfaults.processes import Proc

KILLED_AGENCY = "customs"  # every consignment goes to customs: the busiest inbox
DOWN_AGENCY = "border-guard"  # every consignment goes there too


def _ports_of(pid: int, amqp_port: int) -> set[int]:
    """Local ports of ``pid``'s connections to the private node (the management API shows them as peer_port)."""
    out = subprocess.run(
        ["ss", "-tnpH", "state", "established", f"dport = :{amqp_port}"], capture_output=True, text=True, check=False
    ).stdout
    ports = set()
    for line in out.splitlines():
        if f"pid={pid}," in line:
            local = line.split()[2]
            ports.add(int(local.rsplit(":", 1)[1]))
    return ports


async def _unacked_of(ctx: FaultContext, proc: Proc) -> int:
    ports = _ports_of(proc.pid, ctx.system.rabbit.amqp_port)
    held = await ctx.management.unacked_by_connection()
    return sum(n for key, n in held.items() if key.rsplit("@", 1)[1].isdigit() and int(key.rsplit("@", 1)[1]) in ports)


async def _adapter_holds(ctx: FaultContext, agency: str) -> int:
    """Unacked work the ``agency`` adapter holds: read per connection of its process and, as a second
    witness, on its own queues (only that adapter consumes ``agency.<name>.*``). One CI run read 0 per
    connection for 20 s of steady traffic right after close-connections (the reconnected channels' figures
    were not matched to the process); queue figures do not depend on that matching."""
    proc = ctx.system.adapters[agency]
    by_connection = await _unacked_of(ctx, proc)
    queues = await ctx.management.queues()
    by_queue = sum(q.unacked for name, q in queues.items() if name.startswith(f"agency.{agency}."))
    return max(by_connection, by_queue)


async def _wait_unacked(ctx: FaultContext, read: Any, within: float = 15) -> int:
    """Poll until something is delivered and not yet acknowledged; returns that count (0 if never)."""
    deadline = time.monotonic() + within
    best = 0
    while time.monotonic() < deadline:
        best = await read()
        if best > 0:
            return best
        await asyncio.sleep(0.05)
    return best


async def _total_unacked(ctx: FaultContext) -> int:
    return sum(q.unacked for q in (await ctx.management.queues()).values())


async def broker_restart(ctx: FaultContext) -> dict[str, Any]:
    """Stop the node while the customs adapter holds received, unacknowledged work (frozen until the broker
    shows that, as for close-connections: without it the node's graceful stop let every consumer finish,
    and a run could strike nothing), restart it after the outage."""
    proc = ctx.system.adapters[KILLED_AGENCY]
    unacked = await _freeze_holding(ctx, proc, lambda: _adapter_holds(ctx, KILLED_AGENCY))
    rabbit = ctx.system.rabbit
    try:
        await asyncio.to_thread(rabbit.stop_node)
    finally:
        proc.thaw()
    await asyncio.sleep(ctx.params.outage_seconds)
    await asyncio.to_thread(rabbit.start)
    for agency in ctx.system.adapters:
        await asyncio.to_thread(ctx.system.wait_adapter, agency, 120)
    return {"unacked_before": unacked}


async def close_connections(ctx: FaultContext) -> dict[str, Any]:
    """Close every connection while the customs adapter holds received, unacknowledged work (it is frozen
    until the broker shows that, so the fault always strikes something in flight), then let it go on."""
    proc = ctx.system.adapters[KILLED_AGENCY]
    unacked = await _freeze_holding(ctx, proc, lambda: _adapter_holds(ctx, KILLED_AGENCY))
    try:
        closed = await ctx.management.close_all_connections()
    finally:
        proc.thaw()
    for agency in ctx.system.adapters:
        await asyncio.to_thread(ctx.system.wait_adapter, agency, 60)
    return {"unacked_before": unacked, "connections_closed": closed}


async def _freeze_holding(ctx: FaultContext, proc: Proc, held: Any, within: float = 20) -> int:
    """Freeze ``proc`` (SIGSTOP) until the broker shows it holding unacknowledged work; returns that count
    with the process still frozen (0 after ``within``: still frozen, and the run will be VOID).

    Frozen, nothing can be acknowledged, so the broker's figure (statistics are up to half a second old) is
    read while it holds; if it holds nothing the process is thawed and tried again.
    """
    deadline = time.monotonic() + within
    found = 0
    while time.monotonic() < deadline:
        proc.freeze()
        await asyncio.sleep(2.0)  # four statistics intervals: the reading now shows the frozen state
        found = await held()
        if found > 0:
            return found
        proc.thaw()
        await asyncio.sleep(0.3)
    proc.freeze()
    return found


async def _strike_frozen(ctx: FaultContext, proc: Proc, held: Any, within: float = 20) -> int:
    """SIGKILL ``proc`` while it holds received, unacknowledged work; returns how much it held."""
    found = await _freeze_holding(ctx, proc, held, within)
    proc.kill()
    return found


async def _kill_and_restart(ctx: FaultContext, proc: Proc, held: Any, ready: Any) -> dict[str, Any]:
    unacked = await _strike_frozen(ctx, proc, held)
    await asyncio.sleep(ctx.params.outage_seconds)
    proc.start()
    await asyncio.to_thread(ready)
    return {"unacked_before": unacked, "killed": proc.name}


async def kill_hub(ctx: FaultContext) -> dict[str, Any]:
    hub = ctx.system.hubs[0]
    return await _kill_and_restart(ctx, hub, lambda: _unacked_of(ctx, hub), lambda: ctx.system.wait_hub(0))


async def kill_adapter(ctx: FaultContext) -> dict[str, Any]:
    proc = ctx.system.adapters[KILLED_AGENCY]
    return await _kill_and_restart(
        ctx, proc, lambda: _adapter_holds(ctx, KILLED_AGENCY), lambda: ctx.system.wait_adapter(KILLED_AGENCY)
    )


async def _crash_at(ctx: FaultContext, point: str, passes: int = 10) -> dict[str, Any]:
    """Restart hub 0 armed with the crash point (platform.crashpoints): it SIGKILLs itself at the ``passes``-th
    pass through ``point`` while traffic flows, then it is started again unarmed."""
    hub = ctx.system.hubs[0]
    hub.stop()  # graceful: what it held goes back to the queues, nothing is lost by this step
    unarmed = dict(hub.env)
    hub.env = unarmed | {"NSW_CRASH_AT": f"{point}:{passes}"}
    offset = hub.size()
    hub.start()
    deadline = time.monotonic() + 60
    while hub.alive and time.monotonic() < deadline:  # noqa: ASYNC110 (a child process, not a task)
        await asyncio.sleep(0.1)
    crashed = not hub.alive and hub.process is not None and hub.process.returncode == -9
    reached = f"crash point {point} reached" in hub.text(offset)
    if hub.alive:
        hub.kill()
    hub.env = unarmed
    await asyncio.sleep(ctx.params.outage_seconds)
    hub.start()
    await asyncio.to_thread(ctx.system.wait_hub, 0)
    return {"crash_point": point, "crashed_there": crashed and reached}


async def crash_after_commit(ctx: FaultContext) -> dict[str, Any]:
    """SIGKILL between a batch's commit and its acknowledgement: redelivered, never applied twice."""
    return await _crash_at(ctx, "batch-committed")


async def crash_after_publish(ctx: FaultContext) -> dict[str, Any]:
    """SIGKILL between the relay's confirmed publish and the commit that marks it published: sent again."""
    return await _crash_at(ctx, "outbox-published")


def _undecided(ctx: FaultContext, agency: str) -> int:
    system = ctx.system
    handed = {p.stem for p in system.outbox(agency).glob("*.json") if not p.name.startswith(".")}
    decided = set(system.ledger(agency).read_text().split()) if system.ledger(agency).exists() else set()
    return len(handed - decided)


async def kill_standin(ctx: FaultContext) -> dict[str, Any]:
    proc = ctx.system.standins[KILLED_AGENCY]
    pending = await _strike_frozen(ctx, proc, lambda: asyncio.to_thread(_undecided, ctx, KILLED_AGENCY))
    await asyncio.sleep(ctx.params.outage_seconds)
    proc.start()
    return {"received_not_answered_before": pending, "killed": proc.name}


async def postgres_restart(ctx: FaultContext) -> dict[str, Any]:
    unacked = await _wait_unacked(ctx, lambda: _total_unacked(ctx))
    postgres = ctx.system.postgres
    await asyncio.to_thread(postgres.stop)
    await asyncio.sleep(ctx.params.outage_seconds)
    await asyncio.to_thread(postgres.start)
    return {"unacked_before": unacked}


async def agency_down(ctx: FaultContext) -> dict[str, Any]:
    """The agency system goes away (process stopped, its exchange folder unmounted) and comes back."""
    system, agency = ctx.system, DOWN_AGENCY
    waits_before = sum(
        q.published for n, q in (await ctx.management.queues()).items() if n.startswith(f"agency.{agency}.wait")
    )
    system.standins[agency].stop()
    away = system.outbox(agency).with_name("outbox.unmounted")
    system.outbox(agency).rename(away)
    await asyncio.sleep(ctx.params.outage_seconds)
    queues = await ctx.management.queues()
    held = queues[f"agency.{agency}.inbox"].ready
    waits = sum(q.published for n, q in queues.items() if n.startswith(f"agency.{agency}.wait")) - waits_before
    away.rename(system.outbox(agency))
    system.standins[agency].start()
    return {"inbox_ready_while_down": held, "retry_tier_publishes": waits, "agency": agency}


async def memory_alarm(ctx: FaultContext) -> dict[str, Any]:
    rabbit = ctx.system.rabbit
    await asyncio.to_thread(rabbit.ctl, "set_vm_memory_high_watermark", "0")
    blocked = 0
    deadline = time.monotonic() + ctx.params.outage_seconds
    while time.monotonic() < deadline:
        connections = await ctx.management._get(f"/api/vhosts/{ctx.management.vhost}/connections")
        blocked = max(blocked, sum(1 for c in connections if c.get("state") in ("blocked", "blocking")))
        await asyncio.sleep(0.5)
    await asyncio.to_thread(rabbit.ctl, "set_vm_memory_high_watermark", "0.4")
    return {"connections_blocked": blocked}


FAULTS = {
    "broker-restart": broker_restart,
    "close-connections": close_connections,
    "kill-hub": kill_hub,
    "kill-adapter": kill_adapter,
    "kill-standin": kill_standin,
    "postgres-restart": postgres_restart,
    "agency-down": agency_down,
    "memory-alarm": memory_alarm,
    "crash-after-commit": crash_after_commit,
    "crash-after-publish": crash_after_publish,
}
# kill-adapter right after close-connections: the order that showed the re-consume bug (docs/reliability.md).
SHORT = ("close-connections", "kill-adapter", "kill-hub")


def assert_struck(name: str, evidence: dict[str, Any]) -> None:
    """A fault that found nothing in flight, or left no trace of redelivery or republishing, voids the run."""
    raw = evidence.get("broker_redelivered", 0) + evidence.get("transport_republished", 0)
    if name in ("broker-restart", "close-connections", "kill-hub", "kill-adapter", "postgres-restart"):
        struck = evidence.get("unacked_before", 0) > 0 and raw > 0
    elif name == "kill-standin":
        struck = evidence.get("received_not_answered_before", 0) > 0
    elif name == "agency-down":
        struck = evidence.get("inbox_ready_while_down", 0) + evidence.get("retry_tier_publishes", 0) > 0
    elif name == "memory-alarm":
        struck = evidence.get("connections_blocked", 0) > 0
    elif name == "crash-after-commit":  # the committed batch was held, unacknowledged, when it died
        struck = evidence.get("crashed_there", False) and evidence.get("broker_redelivered", 0) > 0
    elif name == "crash-after-publish":
        struck = evidence.get("crashed_there", False)
    else:
        raise ValueError(f"unknown fault {name!r}")
    if not struck:
        raise VoidRun(f"VOID run: fault {name} did not strike anything in flight (evidence {evidence})")
