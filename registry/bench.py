"""A small throughput loop for the registry: new registrations and idempotent re-registrations per second.

    .venv/bin/python -m singlewindow.registry.bench --db sqlite:///bench.db --count 500
    .venv/bin/python -m singlewindow.registry.bench --db postgresql://postgres@127.0.0.1/bench --count 500

Runs against the service directly (no HTTP) with ``--concurrency`` registrations in flight; each new
registration is a distinct schema under its own subject (compatibility is checked but has no history).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from singlewindow.registry.models import SchemaType
from singlewindow.registry.server import open_service
from singlewindow.registry.settings import RegistrySettings


def _schema(n: int) -> str:
    fields = [{"name": "ucr", "type": "string"}, {"name": f"f{n}", "type": ["null", "long"], "default": None}]
    return json.dumps({"type": "record", "name": "Bench", "namespace": "nsw.bench", "fields": fields})


async def _run(db_url: str, count: int, concurrency: int) -> dict[str, float]:
    service = await open_service(RegistrySettings(db_url=db_url))
    gate = asyncio.Semaphore(concurrency)
    run = f"{time.time_ns()}"

    async def one(n: int) -> None:
        async with gate:
            await service.register(f"bench-{run}-{n}", _schema(n), SchemaType.AVRO)

    try:
        figures: dict[str, float] = {}
        for label in ("new", "idempotent"):
            started = time.perf_counter()
            await asyncio.gather(*(one(n) for n in range(count)))
            figures[label] = count / (time.perf_counter() - started)
        return figures
    finally:
        await service.store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of a scratch database")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    figures = asyncio.run(_run(args.db, args.count, args.concurrency))
    for label, rate in figures.items():
        print(f"{label}: {rate:.0f} registrations/s ({args.count} registrations, concurrency {args.concurrency})")


if __name__ == "__main__":
    main()
