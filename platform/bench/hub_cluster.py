"""K ``nsw hub run`` processes on RabbitMQ and PostgreSQL, as in production, for the hub and pipeline benches.

``hub_cluster``: a fresh vhost with the hub topology and users with generated passwords (made exactly as
``nsw demo`` makes its own: :func:`singlewindow.platform.demo.vhost.demo_vhost`), a fresh PostgreSQL database,
the hub processes and a trader. ``cluster_target`` (``nsw bench hub``) adds auto-deciding agencies in this
process under their agency users and submits through the processes' HTTP APIs, round robin. Everything is
removed afterwards, in reverse order, even on failure.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.api.client import HubClient
from singlewindow.platform.bench.agency_process import AgencyLogin, codec_from_database, start_deciders
from singlewindow.platform.bench.cpu import processes_clock
from singlewindow.platform.bench.hub_embedded import BenchTarget
from singlewindow.platform.bench.hub_processes import HubProcess, hub_environment, hub_processes
from singlewindow.platform.bench.loopback import require_loopback
from singlewindow.platform.bench.scratch_database import scratch_database
from singlewindow.platform.demo.vhost import DemoVhost, demo_vhost
from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.settings import BrokerSettings, Settings
from singlewindow.platform.storage import open_engine


@dataclass(frozen=True, slots=True)
class Cluster:
    """What the benches build on: the run's vhost and users, its database, the hub processes, a trader."""

    vhost: DemoVhost
    database_url: str
    processes: list[HubProcess]
    engine: AsyncEngine  # the hub database, for terminal statuses and the outbox
    trader_token: str
    folder: Path  # logs and routing data of this run
    broker: BrokerSettings  # the management API, and the URL the bench was given


def agency_logins(vhost: DemoVhost) -> list[AgencyLogin]:
    """Every agency of the run's catalogue with its own broker user and a URL into the run's vhost."""
    return [AgencyLogin(a.id, a.broker_user, vhost.url_for(a.broker_user)) for a in vhost.catalogue.agencies()]


@asynccontextmanager
async def hub_cluster(settings: Settings, amqp_url: str, server_url: str, hubs: int) -> AsyncIterator[Cluster]:
    """A fresh database and vhost with K hub processes on them; all of it removed on the way out."""
    broker = settings.broker
    require_loopback(broker.management_url, "broker.management_url")
    with tempfile.TemporaryDirectory(prefix="nsw-bench-hub-") as folder:
        async with AsyncExitStack() as stack:
            database_url = await stack.enter_async_context(scratch_database(server_url))
            vhost = await stack.enter_async_context(demo_vhost(broker, settings.topology, amqp_url, Path(folder)))
            environment = hub_environment(
                {
                    "NSW_BROKER__URL": vhost.url_for(vhost.hub_user),
                    "NSW_DATABASE__URL": database_url,
                    "NSW_HUB__ROUTING_DIR": str(vhost.routing_dir),
                }
            )
            processes = await stack.enter_async_context(hub_processes(environment, hubs, Path(folder)))
            engine = open_engine(database_url)
            stack.push_async_callback(engine.dispose)
            token = (await PrincipalStore(engine).add("bench-trader", Role.TRADER)).token
            bench_broker = broker.model_copy(update={"url": amqp_url})
            yield Cluster(vhost, database_url, processes, engine, token, Path(folder), bench_broker)


@asynccontextmanager
async def cluster_target(settings: Settings, amqp_url: str, server_url: str, hubs: int) -> AsyncIterator[BenchTarget]:
    async with AsyncExitStack() as stack:
        cluster = await stack.enter_async_context(hub_cluster(settings, amqp_url, server_url, hubs))
        codec = await codec_from_database(stack, cluster.database_url)
        await start_deciders(stack, codec, agency_logins(cluster.vhost))
        clients = [
            await stack.enter_async_context(HubClient(p.http_url, cluster.trader_token)) for p in cluster.processes
        ]
        turn = itertools.count()

        async def submit(document: dict[str, Any]) -> str:
            client = clients[next(turn) % len(clients)]
            answer = await client.submit(document, trader_reference=document["traderReference"])
            return str(answer["submission"]["submissionId"])

        where = f"{hubs} nsw hub run processes over HTTP, RabbitMQ vhost {cluster.vhost.vhost}, PostgreSQL"
        yield BenchTarget(
            submit,
            cluster.engine,
            where,
            cluster.vhost.vhost,
            cluster.broker,
            cluster.database_url,
            processes_clock([p.process.pid for p in cluster.processes]),
            f"the {hubs} hub processes only",
        )
