"""The hub bench's process target: K ``nsw hub run`` processes on RabbitMQ and PostgreSQL, as in production.

A fresh vhost with the hub topology and users with generated passwords (made exactly as ``nsw demo`` makes
its own: :func:`singlewindow.platform.demo.vhost.demo_vhost`) and a fresh PostgreSQL database; auto-deciding
agencies in this process under their agency users; submissions through the processes' HTTP APIs, round robin.
Everything is removed afterwards, in reverse order, even on failure.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from singlewindow.platform.api.client import HubClient
from singlewindow.platform.bench.cpu import processes_clock
from singlewindow.platform.bench.hub_embedded import BenchTarget
from singlewindow.platform.bench.hub_processes import hub_environment, hub_processes
from singlewindow.platform.bench.loopback import require_loopback
from singlewindow.platform.bench.scratch_database import scratch_database
from singlewindow.platform.demo.vhost import DemoVhost, demo_vhost
from singlewindow.platform.hub.codec import DocumentCodec
from singlewindow.platform.hub.schemas import ServiceSchemaSource, build_codec
from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.settings import BrokerSettings, Settings
from singlewindow.platform.specs import Catalog
from singlewindow.platform.storage import open_engine
from singlewindow.platform.testing.autodecide import AutoDecider, accept_all
from singlewindow.platform.transport import open_transport
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.storage.engine import create_engine as create_registry_engine
from singlewindow.registry.storage.store import SchemaStore


async def _codec(stack: AsyncExitStack, database_url: str) -> DocumentCodec:
    """The codec the hub processes use, read from the registry tables the first of them filled."""
    store = SchemaStore(create_registry_engine(database_url))
    stack.push_async_callback(store.close)
    return await build_codec(ServiceSchemaSource(RegistryService(store, RegistrySettings())), Catalog().names())


async def _start_deciders(stack: AsyncExitStack, vhost: DemoVhost, codec: DocumentCodec) -> None:
    for agency in vhost.catalogue.agencies():
        transport = await open_transport(
            BrokerSettings(url=vhost.url_for(agency.broker_user)), connection_name=f"nsw-bench-{agency.id}"
        )
        stack.push_async_callback(transport.close)
        decider = AutoDecider(agency.id, agency.broker_user, transport, codec, accept_all)
        await decider.start()
        stack.push_async_callback(decider.stop)


@asynccontextmanager
async def cluster_target(settings: Settings, amqp_url: str, server_url: str, hubs: int) -> AsyncIterator[BenchTarget]:
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
            await _start_deciders(stack, vhost, await _codec(stack, database_url))
            clients = [await stack.enter_async_context(HubClient(p.http_url, token)) for p in processes]
            turn = itertools.count()

            async def submit(document: dict[str, Any]) -> str:
                client = clients[next(turn) % len(clients)]
                answer = await client.submit(document, trader_reference=document["traderReference"])
                return str(answer["submission"]["submissionId"])

            where = f"{hubs} nsw hub run processes over HTTP, RabbitMQ vhost {vhost.vhost}, PostgreSQL"
            yield BenchTarget(
                submit,
                engine,
                where,
                vhost.vhost,
                broker.model_copy(update={"url": amqp_url}),
                database_url,
                processes_clock([p.process.pid for p in processes]),
                f"the {hubs} hub processes only",
            )
