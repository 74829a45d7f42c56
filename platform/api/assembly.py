"""Build one hub process from settings: database, schema source, transport; what ``nsw hub run`` starts.

* Schemas: with ``registry.url`` unset, a registry lives in the hub database (tables ``registry_*``) and the
  shipped specs are loaded into it; otherwise they are read from the registry's REST API.
* Broker: with ``broker.url`` set, RabbitMQ, declared beforehand by ``nsw topology declare`` (this process
  only declares passively); unset, an in-memory broker with the same topology, for local development only:
  nothing outside this process can reach it, so no agency adapter can connect.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import structlog

from singlewindow.platform.api.metrics import HubMetrics
from singlewindow.platform.catalogue import load_catalogue
from singlewindow.platform.errors import DependencyUnavailable, NotFound
from singlewindow.platform.hub.runtime import Hub, build_hub
from singlewindow.platform.hub.schemas import SchemaSource, ServiceSchemaSource, build_codec, load_specs_into
from singlewindow.platform.settings import Settings
from singlewindow.platform.specs import Catalog, DocumentValidator
from singlewindow.platform.storage import open_engine, upgrade, warn_if_autovacuum_off
from singlewindow.platform.topology.apply import apply_memory
from singlewindow.platform.topology.build import build_topology
from singlewindow.platform.transport import MemoryBroker, open_transport
from singlewindow.registry.client import RegistryClient
from singlewindow.registry.errors import RegistryError, StoreError
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.storage.engine import create_engine as create_registry_engine
from singlewindow.registry.storage.store import SchemaStore

log = structlog.get_logger(__name__)


class RestSchemaSource:
    """Schemas from a running registry (Confluent REST API) through the registry's cached client."""

    def __init__(self, client: RegistryClient) -> None:
        self._client = client

    async def latest(self, subject: str) -> tuple[int, Mapping[str, Any]]:
        try:
            found = await self._client.get_version(subject, "latest")
        except StoreError as exc:
            raise DependencyUnavailable(f"schema registry unreachable: {exc}") from exc
        except RegistryError as exc:
            raise NotFound(f"registry has no schema for {subject}: {exc}") from exc
        return found.id, json.loads(found.schema)

    async def by_id(self, schema_id: int) -> Mapping[str, Any]:
        try:
            return json.loads((await self._client.get_schema(schema_id)).schema)  # type: ignore[no-any-return]
        except StoreError as exc:
            raise DependencyUnavailable(f"schema registry unreachable: {exc}") from exc
        except RegistryError as exc:
            raise NotFound(f"no schema with id {schema_id}") from exc


async def _schema_source(settings: Settings, stack: AsyncExitStack, specs: Catalog) -> SchemaSource:
    if settings.registry.url is not None:
        client = RegistryClient(settings.registry.url)
        stack.push_async_callback(client.close)
        log.info("schemas from the registry", url=settings.registry.url)
        return RestSchemaSource(client)
    store = SchemaStore(create_registry_engine(settings.database.url))
    stack.push_async_callback(store.close)
    await store.migrate()
    registry = RegistryService(store, RegistrySettings())
    await load_specs_into(registry, specs)
    log.info("schemas from the registry in the hub database", types=len(specs.names()))
    return ServiceSchemaSource(registry)


def _memory_broker(settings: Settings) -> MemoryBroker:
    routing_dir = settings.hub.routing_dir
    catalogue = load_catalogue(routing_dir / "recipients.json" if routing_dir else None)
    broker = MemoryBroker()
    apply_memory(build_topology(catalogue, settings.topology), broker, settings.broker.vhost)
    return broker


@asynccontextmanager
async def hub_from_settings(
    settings: Settings, metrics: HubMetrics | None = None, *, consume: bool = True
) -> AsyncIterator[Hub]:
    """A started hub (``consume=False``: publishing only, as operator tools need); stopped and closed on exit."""
    async with AsyncExitStack() as stack:
        engine = open_engine(settings.database.url)
        stack.push_async_callback(engine.dispose)
        await upgrade(engine)
        await warn_if_autovacuum_off(engine)
        specs = Catalog()
        codec = await build_codec(await _schema_source(settings, stack, specs), specs.names())
        broker = None
        if settings.broker.url is None:
            log.warning(
                "no broker.url: running on an in-memory broker for local development; "
                "agency adapters cannot connect to it (set NSW_BROKER__URL for RabbitMQ)"
            )
            broker = _memory_broker(settings)
        transport = await open_transport(settings.broker, memory_broker=broker, connection_name="nsw-hub")
        stack.push_async_callback(transport.close)
        if metrics is not None:
            transport = metrics.wrap_transport(transport)
        validator = DocumentValidator(specs)
        hub = build_hub(
            engine, transport, codec, validator, settings.hub, settings.limits, settings.risk, settings.fees
        )
        if metrics is not None:
            metrics.instrument(hub)
        await hub.start(consume=consume)
        stack.push_async_callback(hub.stop)
        yield hub
