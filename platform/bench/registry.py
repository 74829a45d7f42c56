"""``nsw bench registry``: the registry's own throughput loop (``python -m singlewindow.registry.bench``) run on
a scratch database (a temporary SQLite file by default) and reported like every other bench."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from singlewindow.platform.bench.environment import environment
from singlewindow.platform.bench.limits import MAX_CONCURRENCY, bounded
from singlewindow.platform.bench.loopback import redact_password, require_loopback
from singlewindow.platform.bench.report import BenchReport, Figure
from singlewindow.platform.bench.scratch_database import scratch_database
from singlewindow.registry.bench import _run as registry_throughput

MAX_SCHEMAS = 10_000


@dataclass(frozen=True, slots=True)
class RegistryBenchOptions:
    database_url: str | None = None  # a PostgreSQL server: a fresh database is made on it and dropped
    count: int = 500
    concurrency: int = 8

    def checked(self) -> RegistryBenchOptions:
        bounded("count", self.count, 1, MAX_SCHEMAS)
        bounded("concurrency", self.concurrency, 1, MAX_CONCURRENCY)
        if self.database_url is not None:
            require_loopback(self.database_url, "--database-url")
        return self


async def run_registry_bench(options: RegistryBenchOptions) -> BenchReport:
    options = options.checked()
    if options.database_url is None:
        with tempfile.TemporaryDirectory(prefix="nsw-bench-registry-") as folder:
            url = f"sqlite:///{Path(folder) / 'registry.db'}"
            figures = await registry_throughput(url, options.count, options.concurrency)
        found = await environment()
        where = "SQLite (temporary file)"
    else:
        async with scratch_database(options.database_url) as url:
            found = await environment(database_url=url)
            figures = await registry_throughput(url, options.count, options.concurrency)
        where = f"{make_url(url).database} on {redact_password(options.database_url)} (dropped afterwards)"
    settings = {"database": where, "count": options.count, "concurrency": options.concurrency}
    return BenchReport(
        "registry",
        settings,
        found,
        (
            Figure("new registrations", figures["new"], "/s", "one durable commit each"),
            Figure("idempotent re-registrations", figures["idempotent"], "/s", "read-only transactions"),
        ),
        ("through the RegistryService directly (no HTTP); each new schema has its own subject",),
    )
