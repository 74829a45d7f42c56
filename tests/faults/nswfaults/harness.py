"""One fault run: stream, strike, heal, drain, check; returns a ``Report`` (the test asserts on it)."""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import pika

from nswfaults.broker import Management
from nswfaults.checker import Report, check_decisions, check_queues, check_terminals
from nswfaults.driver import Driver, StatusStream
from nswfaults.processes import AGENCIES, VHOST, System
from singlewindow.platform.audit.verify import verify
from singlewindow.platform.storage import open_engine

RESEND = re.compile(r"reconnecting, (\d+) unconfirmed to resend")
POISON_AGENCY = "sanitary"


@dataclass(frozen=True)
class Params:
    rate: float = 4.0  # submissions offered per second
    stream_seconds: float = 24.0  # how long the driver offers load
    strike_after: float = 6.0  # seconds of normal traffic before the fault
    outage_seconds: float = 5.0  # how long a service stays down / an alarm stays raised
    drain_seconds: float = 120.0  # how long healing and draining may take before the run fails


@dataclass
class FaultContext:
    system: System
    management: Management
    params: Params
    driver: Driver


Fault = Callable[[FaultContext], Awaitable[dict[str, Any]]]


class VoidRun(AssertionError):
    """The fault did not strike anything in flight: the run proves nothing and must not pass."""


async def chain_findings(database_url: str) -> list[str]:
    """Every submission's event chain recomputed (issue 17): no crash or retry may leave a broken link."""
    engine = open_engine(database_url)
    try:
        return [finding.message for finding in (await verify(engine, [])).findings]
    finally:
        await engine.dispose()


async def _rows(database_url: str, query: str, *args: Any) -> list[Any]:
    connection = await asyncpg.connect(database_url)
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


def plant_poison(system: System, tag: str, count: int = 2) -> list[str]:
    """Documents no adapter can read (not Avro), straight into an inbox: they must end in its DLQ and, parked by
    the hub as dead letters of no delivery it sent, in nsw.hub.dlq; nowhere else."""
    ids = [f"poison-{tag}-{n}" for n in range(count)]
    connection = pika.BlockingConnection(pika.URLParameters(system.rabbit.amqp_url(vhost=VHOST)))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        for message_id in ids:
            channel.basic_publish(
                "nsw.agency",
                POISON_AGENCY,
                b"\x00not avro at all",
                pika.BasicProperties(message_id=message_id, delivery_mode=2, type="view-sanitary"),
                mandatory=True,
            )
    finally:
        connection.close()
    return ids


def republished(system: System, offsets: dict[str, int]) -> int:
    """Publishes the transports had to resend after a lost connection, from the processes' logs."""
    return sum(int(n) for p in system.processes() for n in RESEND.findall(p.text(offsets.get(p.name, 0))))


async def queue_totals(management: Management) -> dict[str, int]:
    return {name: q.total for name, q in (await management.queues()).items()}


async def drain(ctx: FaultContext, accepted: set[str], planted: dict[str, int]) -> bool:
    """Wait until every accepted submission is terminal and every queue holds only what was planted."""
    deadline = time.monotonic() + ctx.params.drain_seconds
    while time.monotonic() < deadline:
        rows = await _rows(
            ctx.system.database_url,
            "SELECT count(*) FROM terminal_statuses WHERE submission_id = ANY($1::text[])",
            list(accepted),
        )
        if rows[0][0] >= len(accepted):
            totals = await queue_totals(ctx.management)
            if all(total == planted.get(name, 0) for name, total in totals.items()):
                return True
        await asyncio.sleep(1)
    return False


async def run_fault(system: System, name: str, fault: Fault, params: Params, *, poison: int = 2) -> Report:
    report = Report(fault=name)
    management = Management(lambda: system.rabbit.management_url, VHOST)  # a node that is up, on a cluster
    tag = f"{name[:6].upper()}{secrets.token_hex(2).upper()}"
    driver = Driver(system.hub_urls, system.token, tag, params.rate)
    ctx = FaultContext(system, management, params, driver)
    started = time.monotonic()
    system.check_alive()
    offsets = {p.name: p.size() for p in system.processes()}
    before = await management.queues()
    sequence = (await _rows(system.database_url, "SELECT coalesce(max(sequence), 0) FROM events"))[0][0]
    planted_before = await queue_totals(management)
    planted = {q: n for q, n in planted_before.items() if n}  # earlier runs' parked poison stays put
    ids = plant_poison(system, tag, poison) if poison else []
    planted[f"agency.{POISON_AGENCY}.dlq"] = planted.get(f"agency.{POISON_AGENCY}.dlq", 0) + len(ids)
    # Their copies in nsw.deadletters name no delivery the hub sent: the hub refuses and parks each one,
    # with its reason, in nsw.hub.dlq (issue 11, defect 1), so they end there too.
    planted["nsw.hub.dlq"] = planted.get("nsw.hub.dlq", 0) + len(ids)

    stop_stream = asyncio.Event()
    stream = StatusStream(system.hub_urls, system.token, str(sequence) if sequence else None)
    follower = asyncio.create_task(stream.follow(stop_stream))
    load = asyncio.create_task(driver.run(params.stream_seconds))
    await asyncio.sleep(params.strike_after)
    fault_started = time.monotonic()
    evidence = await fault(ctx)
    report.seconds["fault"] = time.monotonic() - fault_started
    await load
    accepted = set(driver.accepted.values())
    drain_started = time.monotonic()
    drained = await drain(ctx, accepted, planted)
    report.seconds["drain"] = time.monotonic() - drain_started
    last = (await _rows(system.database_url, "SELECT coalesce(max(sequence), 0) FROM events"))[0][0]
    deadline = time.monotonic() + 20
    while stream.last_sequence < last and time.monotonic() < deadline:  # noqa: ASYNC110 (another task's state)
        await asyncio.sleep(0.2)
    stop_stream.set()
    await follower

    after = await management.queues()
    redelivered = 0
    for queue, reading in after.items():
        earlier = before.get(queue)
        delta = reading.redelivered - (earlier.redelivered if earlier else 0)
        redelivered += delta if delta >= 0 else reading.redelivered  # statistics restart with the node
    evidence |= {
        "broker_redelivered": redelivered,
        "transport_republished": republished(system, offsets),
        "driver_retries": driver.retries,
        "stream_reconnects": stream.reconnects,
        "offered": driver.offered,
        "not_accepted": len(driver.indeterminate),
    }
    report.evidence = evidence
    terminal = await _rows(
        system.database_url,
        "SELECT submission_id, version, status FROM terminal_statuses WHERE submission_id = ANY($1::text[])",
        list(accepted),
    )
    check_terminals(report, accepted, [tuple(r) for r in terminal], stream.terminal)
    expected = await _rows(
        system.database_url,
        "SELECT submission_id, version, recipient FROM recipients WHERE submission_id = ANY($1::text[])",
        list(accepted),
    )
    applied = await _rows(
        system.database_url,
        "SELECT submission_id, version, recipient, detail::json->>'message_id' FROM events "
        "WHERE kind = 'DECISION' AND submission_id = ANY($1::text[])",
        list(accepted),
    )
    ledgers = {a: set(system.ledger(a).read_text().split()) for a in AGENCIES if system.ledger(a).exists()}
    check_decisions(report, [tuple(r) for r in expected], [tuple(r) for r in applied], ledgers)
    check_queues(report, await queue_totals(management), planted)
    report.broken_chains = await chain_findings(system.database_url)
    report.evidence["drained"] = drained
    report.seconds["total"] = time.monotonic() - started
    system.check_alive()
    return report
