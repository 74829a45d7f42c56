"""The hub phase of ``nsw bench pipeline``: K ``nsw hub run`` processes on a fresh vhost and database
(``hub_cluster``), the catalogue's agencies auto-deciding in N processes of their own (each agency under its
own broker user), the open-loop load through the HTTP intake, and the wait for exactly the accepted ids.

CPU is read from /proc before the first submission is due and after the last accepted one is terminal and
the outbox has drained (its status announcements are part of what a submission costs), per process kind.
Resident memory is read at that point too, before anything stops. The run database's statistics and the WAL
position (``database_counters``) are read at the same two points; the statistics only once the backends have
flushed them (about 11 s after each point; the first submission is due after that wait).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.bench.agency_process import MODULE as AGENCY_MODULE
from singlewindow.platform.bench.agency_process import AgencyLogin
from singlewindow.platform.bench.children import Child, child_group, start_child
from singlewindow.platform.bench.cpu import CpuClock, processes_clock
from singlewindow.platform.bench.database_counters import DatabaseCounters, combined, flushed, read
from singlewindow.platform.bench.hub_cluster import Cluster, agency_logins, hub_cluster
from singlewindow.platform.bench.hub_processes import hub_environment
from singlewindow.platform.bench.open_loop import OpenLoopResult, open_loop
from singlewindow.platform.bench.procfs import children_of, resident_mb, tree_cpu_seconds
from singlewindow.platform.bench.servers import broker_pid, postmaster_pid
from singlewindow.platform.bench.terminal_wait import POLL_SECONDS, await_terminal
from singlewindow.platform.settings import HttpSettings, Settings
from singlewindow.platform.storage import open_engine
from singlewindow.platform.storage.tables import outbox

READY_LIMIT_SECONDS = 90.0
DRAIN_LIMIT_SECONDS = 5.0
KINDS = ("hub", "agencies", "broker", "postgres")


@dataclass
class HubPhase:
    load: OpenLoopResult
    terminal: dict[str, float]  # accepted submission id -> terminal status recorded (epoch s)
    unfinished: list[str]  # accepted, not terminal within the bound
    cpu_seconds: dict[str, float | None]  # process kind -> CPU over the run
    rss_mb: dict[str, float | None]  # process label -> resident MB at the end
    vhost: str = ""
    database: str = ""
    agency_processes: list[list[str]] = field(default_factory=list)
    database_before: DatabaseCounters | None = None  # the run database's counters and the WAL position
    database_after: DatabaseCounters | None = None

    @property
    def seconds(self) -> float:
        """First submission due -> last terminal status recorded."""
        return max(max(self.terminal.values(), default=self.load.started_at) - self.load.started_at, 0.0)

    @property
    def docs_per_s(self) -> float | None:
        return len(self.terminal) / self.seconds if self.seconds > 0 else None

    @property
    def latency_seconds(self) -> list[float]:
        """Scheduled submit -> consolidated terminal decision, per accepted submission that finished."""
        return [self.terminal[sid] - self.load.scheduled_at[sid] for sid in self.terminal]


def spread(agencies: Sequence[AgencyLogin], processes: int) -> list[list[AgencyLogin]]:
    """The agencies dealt out over ``processes`` processes in turn (5 agencies over 5: one each)."""
    return [list(agencies[index::processes]) for index in range(processes) if agencies[index::processes]]


def _label(group: Sequence[AgencyLogin], index: int) -> str:
    return f"agency-{group[0].id}" if len(group) == 1 else f"agencies-{index}"


async def _start_agencies(children: list[Child], cluster: Cluster, processes: int) -> list[list[AgencyLogin]]:
    groups = spread(agency_logins(cluster.vhost), processes)
    environment = hub_environment({})
    for index, group in enumerate(groups):
        label = _label(group, index)
        config = {"database_url": cluster.database_url, "agencies": [a.as_dict() for a in group]}
        children.append(
            await start_child(label, AGENCY_MODULE, [], environment, cluster.folder / f"{label}.log", config)
        )
    for child in children:
        await child.answer(READY_LIMIT_SECONDS)
    return groups


async def _drain_outbox(engine: AsyncEngine) -> None:
    query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
    deadline = time.monotonic() + DRAIN_LIMIT_SECONDS
    while time.monotonic() < deadline:
        async with engine.connect() as connection:
            if not int((await connection.execute(query)).scalar_one()):
                return
        await asyncio.sleep(POLL_SECONDS)


def connection_budget() -> int:
    """Connections the load may hold: the hubs' per-client limit (they run on default HTTP settings, and the
    whole load comes from one address) less a tenth for connections a hub is still closing."""
    limit = HttpSettings().max_connections_per_client
    return max(1, limit - limit // 10)


def _unknown() -> float | None:
    return None


def _tree_clock(root: int | None) -> CpuClock:
    if root is None:
        return _unknown
    return lambda: tree_cpu_seconds(root)


def _clocks(
    cluster: Cluster, agencies: Sequence[Child], broker: int | None, postgres: int | None
) -> dict[str, CpuClock]:
    return {
        "hub": processes_clock([p.process.pid for p in cluster.processes]),
        "agencies": processes_clock([child.pid for child in agencies]),
        "broker": processes_clock([broker]) if broker is not None else _unknown,
        "postgres": _tree_clock(postgres),  # the postmaster and every server process under it
    }


def _resident(
    cluster: Cluster, agencies: Sequence[Child], broker: int | None, postgres: int | None
) -> dict[str, float | None]:
    found: dict[str, float | None] = {f"hub-{n}": resident_mb(p.process.pid) for n, p in enumerate(cluster.processes)}
    found |= {child.label: resident_mb(child.pid) for child in agencies}
    found["bench"] = resident_mb(os.getpid())  # the load generator (and the raw phase's parent)
    found["broker"] = resident_mb(broker) if broker is not None else None
    found["postgres-postmaster"] = resident_mb(postgres) if postgres is not None else None
    backends = [resident_mb(pid) for pid in children_of(postgres)] if postgres is not None else []
    found["postgres-largest-child"] = max((mb for mb in backends if mb is not None), default=None)
    return found


def _delta(before: dict[str, float | None], after: dict[str, float | None]) -> dict[str, float | None]:
    deltas: dict[str, float | None] = {}
    for kind in KINDS:
        start, end = before[kind], after[kind]
        deltas[kind] = None if start is None or end is None else end - start
    return deltas


async def hub_phase(
    settings: Settings,
    amqp_url: str,
    server_url: str,
    hubs: int,
    agency_processes: int,
    docs: Sequence[dict[str, Any]],
    rate: float,
    limit_seconds: float,
) -> HubPhase:
    async with AsyncExitStack() as stack:
        cluster = await stack.enter_async_context(hub_cluster(settings, amqp_url, server_url, hubs))
        agencies = await stack.enter_async_context(child_group())
        groups = await _start_agencies(agencies, cluster, agency_processes)
        broker, postgres = await broker_pid(cluster.broker), await postmaster_pid(cluster.engine)
        clocks = _clocks(cluster, agencies, broker, postgres)
        server = open_engine(server_url)  # readings from beside the run database, so they do not count in it
        stack.push_async_callback(server.dispose)
        database = str(make_url(cluster.database_url).database)
        database_before = await flushed(server, database)  # what the setup did is in, before submission 0
        before = {kind: clock() for kind, clock in clocks.items()}
        deadline = time.monotonic() + limit_seconds
        urls = [p.http_url for p in cluster.processes]
        load = await open_loop(urls, cluster.trader_token, docs, rate, limit_seconds, connection_budget())
        terminal = await await_terminal(cluster.engine, load.scheduled_at.keys(), deadline)
        await _drain_outbox(cluster.engine)
        database_at_end = await read(server, database)
        after = {kind: clock() for kind, clock in clocks.items()}
        rss = _resident(cluster, agencies, broker, postgres)
        database_after = combined(await flushed(server, database), database_at_end)  # WAL at the drain
        unfinished = sorted(set(load.scheduled_at) - terminal.keys())
        return HubPhase(
            load,
            terminal,
            unfinished,
            _delta(before, after),
            rss,
            cluster.vhost.vhost,
            database,
            [[a.id for a in group] for group in groups],
            database_before,
            database_after,
        )
