"""The raw baseline of ``nsw bench pipeline``: the hub's message pattern in plain pika, one process per role.

A producer publishes the run's consignments (persistent, pipelined confirms) to a fan-out exchange bound to
one quorum queue per agency; each agency queue has a consumer process that publishes a confirmed reply per
document to a reply queue and then acknowledges it; a collector process counts the replies. Documents per
second = documents with every agency's reply / (first publish -> last such document). Prefetch and the
producer's confirm window are swept over a grid, each point on queues of its own in one scratch vhost
(deleted afterwards), and the best point is the baseline.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from singlewindow.platform.bench.children import Child, child_group, start_child
from singlewindow.platform.bench.raw_pipeline_worker import write_bodies
from singlewindow.platform.bench.scratch_vhost import QUORUM, amqp_user, scratch_vhost
from singlewindow.platform.settings import BrokerSettings
from singlewindow.platform.topology.management import ManagementClient

WORKER = "singlewindow.platform.bench.raw_pipeline_worker"
READY_LIMIT_SECONDS = 60.0  # a role's process start and its broker connection


@dataclass(frozen=True, slots=True)
class RawPoint:
    """One point of the sweep."""

    prefetch: int
    window: int
    documents: int  # asked for
    complete: int  # with every agency's reply
    seconds: float

    @property
    def docs_per_s(self) -> float:
        return self.complete / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "prefetch": self.prefetch,
            "window": self.window,
            "documents": self.documents,
            "complete": self.complete,
            "seconds": round(self.seconds, 4),
            "docs_per_s": round(self.docs_per_s, 1),
        }


def best(points: Sequence[RawPoint]) -> RawPoint:
    """The fastest point that completed every document (the fastest of all if none did)."""
    if not points:
        raise ValueError("no raw points measured")
    complete = [p for p in points if p.complete == p.documents]
    return max(complete or points, key=lambda p: p.docs_per_s)


def _environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("NSW_")}


async def _declare(client: ManagementClient, vhost: str, prefix: str, agencies: int) -> list[str]:
    await client.put_exchange(vhost, f"{prefix}.fanout", "fanout", durable=True, arguments={})
    queues = [f"{prefix}.agency-{n}" for n in range(agencies)]
    for queue in [*queues, f"{prefix}.replies"]:
        await client.put_queue(vhost, queue, QUORUM)
    for queue in queues:
        await client.bind(vhost, f"{prefix}.fanout", queue, "", {})
    return queues


async def _start(children: list[Child], label: str, role: str, folder: Path, config: dict[str, Any]) -> Child:
    child = await start_child(label, WORKER, [role], _environment(), folder / f"{label}.log", config)
    children.append(child)
    return child


async def _point(
    base: dict[str, Any], queues: list[str], prefix: str, folder: Path, prefetch: int, window: int
) -> RawPoint:
    documents, limit = base["documents"], base["limit_seconds"]
    common = base | {"prefetch": prefetch, "window": window, "reply_queue": f"{prefix}.replies"}
    async with child_group() as children:
        collector = await _start(
            children, f"{prefix}-collector", "collector", folder, common | {"per_document": len(queues)}
        )
        consumers = [
            await _start(
                children,
                f"{prefix}-consumer-{n}",
                "consumer",
                folder,
                common | {"queue": queue, "label": f"agency-{n}", "bodies": base["reply_file"]},
            )
            for n, queue in enumerate(queues)
        ]
        for child in [collector, *consumers]:
            await child.answer(READY_LIMIT_SECONDS)
        producer = await _start(
            children,
            f"{prefix}-producer",
            "producer",
            folder,
            common | {"exchange": f"{prefix}.fanout", "bodies": base["bodies_file"]},
        )
        published = await producer.answer(limit + READY_LIMIT_SECONDS)
        collected = await collector.answer(limit + READY_LIMIT_SECONDS)
    seconds = max(float(collected["last_completed_at"]) - float(published["started_at"]), 0.0)
    return RawPoint(prefetch, window, documents, int(collected["complete"]), seconds)


async def raw_pipeline(
    broker: BrokerSettings,
    amqp_url: str,
    bodies: Sequence[bytes],
    reply: bytes,
    agencies: int,
    sweep: Sequence[int],
    folder: Path,
    limit_seconds: float,
) -> tuple[str, list[RawPoint]]:
    """Every (prefetch, window) of ``sweep`` x ``sweep`` within ``limit_seconds`` in all: (the scratch vhost's
    name, the points measured)."""
    bodies_file, reply_file = folder / "raw-bodies.bin", folder / "raw-reply.bin"
    write_bodies(bodies_file, bodies)
    write_bodies(reply_file, [reply])
    points: list[RawPoint] = []
    deadline = time.monotonic() + limit_seconds
    async with scratch_vhost(broker, amqp_user(amqp_url), ()) as vhost:
        base = {
            "url": amqp_url,
            "vhost": vhost,
            "documents": len(bodies),
            "limit_seconds": limit_seconds,
            "bodies_file": str(bodies_file),
            "reply_file": str(reply_file),
        }
        async with ManagementClient.from_settings(broker) as client:
            for prefetch, window in itertools.product(sweep, sweep):
                remaining = deadline - time.monotonic()
                if remaining <= 0:  # the phase's time is up: the points measured so far are the sweep
                    break
                prefix = f"raw-p{prefetch}-w{window}"
                queues = await _declare(client, vhost, prefix, agencies)
                points.append(
                    await _point(base | {"limit_seconds": remaining}, queues, prefix, folder, prefetch, window)
                )
    return vhost, points
