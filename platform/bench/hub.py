"""``nsw bench hub``: submissions per second through the intake, terminal statuses per second, and the
latencies submit -> RECEIVED and submit -> terminal, with agencies deciding automatically (all accept).

Embedded (no URLs): the whole hub in this process. With ``--amqp-url`` and ``--database-url``: K ``nsw hub run``
processes over their HTTP APIs, on a fresh vhost and a fresh PostgreSQL database, both removed afterwards.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.engine import make_url

from singlewindow.platform.bench.broker_stats import settled_counts
from singlewindow.platform.bench.environment import environment
from singlewindow.platform.bench.hub_embedded import BenchTarget, embedded_target
from singlewindow.platform.bench.hub_load import LoadResult, documents, run_load
from singlewindow.platform.bench.limits import (
    MAX_CONCURRENCY,
    MAX_HUBS,
    MAX_SUBMISSIONS,
    PHASE_TIMEOUT_SECONDS,
    bounded,
)
from singlewindow.platform.bench.loopback import redact_password, require_loopback
from singlewindow.platform.bench.report import BenchReport, Figure
from singlewindow.platform.bench.stats import latency_figures, rate
from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.settings import Settings


@dataclass(frozen=True, slots=True)
class HubBenchOptions:
    amqp_url: str | None = None
    database_url: str | None = None
    submissions: int = 200
    concurrency: int = 8
    hubs: int = 2

    @property
    def embedded(self) -> bool:
        return self.amqp_url is None

    def checked(self) -> HubBenchOptions:
        bounded("submissions", self.submissions, 1, MAX_SUBMISSIONS)
        bounded("concurrency", self.concurrency, 1, MAX_CONCURRENCY)
        bounded("hubs", self.hubs, 1, MAX_HUBS)
        if (self.amqp_url is None) != (self.database_url is None):
            raise InvalidInput("give both --amqp-url and --database-url (hub processes share PostgreSQL), or neither")
        if self.amqp_url is not None and self.database_url is not None:
            require_loopback(self.amqp_url, "--amqp-url")
            require_loopback(self.database_url, "--database-url")
        return self


@asynccontextmanager
async def _target(options: HubBenchOptions, settings: Settings) -> AsyncIterator[BenchTarget]:
    if options.amqp_url is None or options.database_url is None:
        async with embedded_target(settings) as target:
            yield target
        return
    from singlewindow.platform.bench.hub_cluster import cluster_target

    async with cluster_target(settings, options.amqp_url, options.database_url, options.hubs) as target:
        yield target


def _figures(options: HubBenchOptions, load: LoadResult, counts: tuple[int, int] | None) -> tuple[Figure, ...]:
    accepted = len(load.submitted_at)
    published, delivered = counts if counts is not None else (None, None)
    no_broker = "" if counts is not None else "in-memory broker: no management API"
    return (
        Figure("submissions accepted", accepted, "", f"of {options.submissions}; {len(load.failures)} refused"),
        Figure("submissions terminal", load.terminal, "", "CLEARED (every agency accepts)"),
        Figure("accepted rate", rate(accepted, load.submit_phase_seconds), "/s", f"{load.submit_phase_seconds:.2f} s"),
        Figure("terminal rate", rate(load.terminal, load.total_seconds), "/s", f"{load.total_seconds:.2f} s"),
        *latency_figures("submit->RECEIVED", load.receipt_seconds),
        *latency_figures("submit->terminal", load.terminal_seconds),
        Figure("outbox backlog peak", load.backlog_peak, "rows", "unpublished outbox rows, sampled every 0.1 s"),
        Figure("broker publish rate", _per_second(published, load), "msg/s", no_broker or f"{published} published"),
        Figure("broker deliver rate", _per_second(delivered, load), "msg/s", no_broker or f"{delivered} delivered"),
    )


def _per_second(count: int | None, load: LoadResult) -> float | None:
    return None if count is None else rate(count, load.total_seconds)


async def run_hub_bench(options: HubBenchOptions, settings: Settings) -> BenchReport:
    options = options.checked()
    docs = documents(options.submissions, secrets.token_hex(3))
    async with _target(options, settings) as target:
        cpu_before = target.hub_cpu()
        load = await run_load(target.submit, target.engine, docs, options.concurrency, PHASE_TIMEOUT_SECONDS)
        cpu_after = target.hub_cpu()
        cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
        counts = None
        if target.vhost is not None and target.broker is not None:
            found = await settled_counts(target.broker, target.vhost)
            counts = (found.published, found.delivered)
        found_env = await environment(target.broker, target.database_url)
    run_settings = {
        "mode": "embedded" if options.embedded else "processes",
        "where": target.where,
        "submissions": options.submissions,
        "concurrency": options.concurrency,
        "hubs": 1 if options.embedded else options.hubs,
        "amqp_url": redact_password(options.amqp_url) if options.amqp_url else None,
        "database_url": redact_password(options.database_url) if options.database_url else None,
        "agencies": "auto-deciding, accept all",
        "vhost": target.vhost,
        "database": make_url(target.database_url).database if target.database_url else "SQLite (temporary file)",
    }
    notes = [f"refused: {failure}" for failure in load.failures[:5]]
    if load.unfinished:
        shown = ", ".join(load.unfinished[:10]) + (" ..." if len(load.unfinished) > 10 else "")
        notes.append(
            f"only {load.terminal} of {len(load.submitted_at)} accepted submissions terminal within "
            f"{PHASE_TIMEOUT_SECONDS:.0f} s; not terminal: {shown}"
        )
    cpu_figure = Figure(
        "hub CPU per submission",
        None if cpu is None or not load.terminal else cpu / load.terminal * 1000,
        "ms",
        target.hub_cpu_counts,
    )
    figures = (*_figures(options, load, counts), cpu_figure)
    return BenchReport("hub", run_settings, found_env, figures, tuple(notes))
