"""``hub run`` with ``registry.url``: schemas read over the registry's REST API (its app, in process)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from singlewindow.platform.api.assembly import RestSchemaSource
from singlewindow.platform.errors import NotFound
from singlewindow.platform.hub.codec import avro_subject
from singlewindow.platform.hub.schemas import build_codec, load_specs_into
from singlewindow.platform.specs import Catalog
from singlewindow.registry.api import create_app
from singlewindow.registry.client import RegistryClient
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.storage.engine import create_engine
from singlewindow.registry.storage.store import SchemaStore

from .conftest import example


async def test_codec_built_from_the_rest_registry_round_trips_a_document(tmp_path: Path) -> None:
    store = SchemaStore(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}"))
    await store.migrate()
    settings = RegistrySettings()
    service = RegistryService(store, settings)
    specs = Catalog()
    await load_specs_into(service, specs)
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(service, settings)), base_url="http://registry"
    )
    client = RegistryClient("http://registry", http=http)
    try:
        source = RestSchemaSource(client)
        schema_id, schema = await source.latest(avro_subject("consignment"))
        shipped = specs.get("consignment").avro_schema
        assert schema["name"] == shipped["name"]  # the registry stores a normalised form
        assert [f["name"] for f in schema["fields"]] == [f["name"] for f in shipped["fields"]]
        assert await source.by_id(schema_id) == schema
        codec = await build_codec(source, ["consignment"])
        document = example("apples")
        assert await codec.decode("consignment", codec.encode("consignment", document)) == document
        with pytest.raises(NotFound):
            await source.latest("nsw.no-such-type.avro")
        with pytest.raises(NotFound):
            await source.by_id(99_999)
    finally:
        await client.close()
        await store.close()
