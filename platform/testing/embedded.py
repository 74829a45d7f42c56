"""An embedded hub: the whole platform in one process with nothing running (what ``nsw demo`` uses).

The in-memory broker gets exactly the topology ``nsw topology declare`` gives RabbitMQ, including the users
and their permissions, so agencies run under their own broker users here too. With ``amqp_url`` the same
hub runs on RabbitMQ instead (the vhost must have been declared with ``nsw topology declare``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.catalogue import Catalogue, load_catalogue
from singlewindow.platform.hub.runtime import Hub, build_hub
from singlewindow.platform.hub.schemas import ServiceSchemaSource, build_codec, load_specs_into
from singlewindow.platform.settings import BrokerSettings, Settings, TopologySettings
from singlewindow.platform.specs import Catalog, DocumentValidator
from singlewindow.platform.storage import open_engine, upgrade
from singlewindow.platform.topology.apply import apply_memory
from singlewindow.platform.topology.build import build_topology
from singlewindow.platform.transport import MemoryBroker, Transport
from singlewindow.platform.transport.factory import open_transport
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.storage.engine import create_engine as create_registry_engine
from singlewindow.registry.storage.store import SchemaStore

EMBEDDED_PASSWORD = "embedded"  # the in-memory broker's users; never used on a real broker


@dataclass
class EmbeddedHub:
    hub: Hub
    catalogue: Catalogue
    broker: MemoryBroker | None
    broker_settings: BrokerSettings
    registry: RegistryService

    async def agency_transport(self, agency: str, password: str | None = None) -> Transport:
        """A transport logged in as ``agency``'s own broker user (decisions carry its validated user_id)."""
        user = self.catalogue.get(agency).broker_user
        return await open_transport(
            self.broker_settings,
            memory_broker=self.broker,
            username=user,
            password=password or (EMBEDDED_PASSWORD if self.broker else None),
            connection_name=f"nsw-{agency}",
        )


def _prepare_memory_broker(
    catalogue: Catalogue, topology_settings: TopologySettings, vhost: str, broker: MemoryBroker | None = None
) -> MemoryBroker:
    """The hub's topology, users and permissions in ``vhost`` of ``broker`` (a new one by default; a shared
    one holds several countries' hubs in their own vhosts, as one RabbitMQ cluster can)."""
    broker = broker or MemoryBroker()
    topology = build_topology(catalogue, topology_settings)
    apply_memory(topology, broker, vhost)
    for user in topology.users:
        broker.add_user(user.name, EMBEDDED_PASSWORD, user.tags)
    for permission in topology.permissions:
        broker.set_permissions(vhost, permission.user, permission.configure, permission.write, permission.read)
    # The embedded hub runs as the broker's administrator (guest), in whichever vhost it was given.
    broker.set_permissions(vhost, "guest", ".*", ".*", ".*")
    return broker


@asynccontextmanager
async def embedded_hub(
    database_path: Path,
    settings: Settings | None = None,
    *,
    start: bool = True,
    memory_broker: MemoryBroker | None = None,
) -> AsyncIterator[EmbeddedHub]:
    """A started hub on SQLite at ``database_path`` and the broker ``settings.broker`` names (memory if none;
    ``memory_broker`` to share one in-memory broker between hubs, each in its own ``settings.broker.vhost``)."""
    settings = settings or Settings()
    # The same catalogue the hub routes with: a routing_dir may name its own broker users (a demo vhost's).
    routing_dir = settings.hub.routing_dir
    catalogue = load_catalogue(routing_dir / "recipients.json" if routing_dir else None)
    url = f"sqlite+aiosqlite:///{database_path}"
    engine: AsyncEngine = open_engine(url)
    await upgrade(engine)
    store = SchemaStore(create_registry_engine(url))
    await store.migrate()
    registry = RegistryService(store, RegistrySettings())
    specs = Catalog()
    await load_specs_into(registry, specs)
    codec = await build_codec(ServiceSchemaSource(registry), specs.names())
    broker = None
    if settings.broker.url is None:
        broker = _prepare_memory_broker(catalogue, settings.topology, settings.broker.vhost, memory_broker)
    transport = await open_transport(settings.broker, memory_broker=broker, connection_name="nsw-hub")
    hub = build_hub(
        engine, transport, codec, DocumentValidator(specs), settings.hub, settings.limits, settings.risk, settings.fees
    )
    try:
        if start:
            await hub.start()
        yield EmbeddedHub(hub, catalogue, broker, settings.broker, registry)
    finally:
        await hub.stop()
        await transport.close()
        await store.close()
        await engine.dispose()
