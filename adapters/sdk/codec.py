"""The document codec an adapter process decodes views and encodes decisions with.

With ``NSW_REGISTRY__URL`` it reads schemas from the hub's registry over REST (production: the hub and
every adapter then agree on schema ids). Without, it loads the shipped specs into a private in-memory
registry, which gives the same ids as a hub that did the same (``nsw demo``, tests) but nothing more.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from singlewindow.platform.errors import NotFound
from singlewindow.platform.hub.codec import DocumentCodec
from singlewindow.platform.hub.schemas import ServiceSchemaSource, build_codec, load_specs_into
from singlewindow.platform.settings import RegistryClientSettings
from singlewindow.platform.specs import Catalog
from singlewindow.registry.client import RegistryClient
from singlewindow.registry.errors import RegistryError
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.storage.engine import create_engine
from singlewindow.registry.storage.store import SchemaStore


class ClientSchemaSource:
    """A ``SchemaSource`` over the registry's REST API (cached by the client)."""

    def __init__(self, client: RegistryClient) -> None:
        self._client = client

    async def latest(self, subject: str) -> tuple[int, Mapping[str, Any]]:
        try:
            found = await self._client.get_version(subject)
        except RegistryError as exc:
            raise NotFound(f"registry has no schema for {subject}: {exc}") from exc
        return found.id, json.loads(found.schema)

    async def by_id(self, schema_id: int) -> Mapping[str, Any]:
        try:
            schema: Mapping[str, Any] = json.loads((await self._client.get_schema(schema_id)).schema)
        except RegistryError as exc:
            raise NotFound(f"no schema with id {schema_id}") from exc
        return schema


@asynccontextmanager
async def open_codec(settings: RegistryClientSettings) -> AsyncIterator[DocumentCodec]:
    specs = Catalog()
    if settings.url is not None:
        async with RegistryClient(settings.url) as client:
            yield await build_codec(ClientSchemaSource(client), specs.names())
        return
    store = SchemaStore(create_engine("sqlite+aiosqlite:///:memory:"))
    await store.migrate()
    try:
        registry = RegistryService(store, RegistrySettings())
        await load_specs_into(registry, specs)
        yield await build_codec(ServiceSchemaSource(registry), specs.names())
    finally:
        await store.close()
