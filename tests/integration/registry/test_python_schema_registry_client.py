"""python-schema-registry-client (sync and async), unmodified, against the real server."""

from __future__ import annotations

import pytest
from schema_registry.client import AsyncSchemaRegistryClient, SchemaRegistryClient, schema
from schema_registry.client.errors import ClientError

from .conftest import RunningRegistry

pytestmark = pytest.mark.integration

V1 = {"type": "record", "name": "Seal", "fields": [{"name": "number", "type": "string"}]}
V2 = {
    "type": "record",
    "name": "Seal",
    "fields": [{"name": "number", "type": "string"}, {"name": "kind", "type": "string", "default": "ELECTRONIC"}],
}
BREAKING = {"type": "record", "name": "Seal", "fields": [{"name": "number", "type": "int"}]}


def test_sync_client_round_trip(registry: RunningRegistry) -> None:
    client = SchemaRegistryClient(registry.operator_url)  # basic auth from the URL: the token as password
    first = client.register("seal", schema.AvroSchema(V1))
    assert client.register("seal", schema.AvroSchema(V1)) == first
    assert client.register("seal-copy", schema.AvroSchema(V1)) == first
    fetched = client.get_by_id(first)
    assert fetched is not None and fetched.raw_schema["name"] == "Seal"
    version = client.get_schema("seal")
    assert version is not None and (version.schema_id, version.version) == (first, 1)
    assert client.check_version("seal", schema.AvroSchema(V1)).version == 1  # type: ignore[union-attr]
    assert client.test_compatibility("seal", schema.AvroSchema(V2)) is True
    assert client.test_compatibility("seal", schema.AvroSchema(BREAKING)) is False
    assert client.test_compatibility("nope", schema.AvroSchema(V2)) is False  # 404 -> False
    assert client.update_compatibility("FULL")  # PUT /config/ (trailing slash = global)
    assert client.get_compatibility() == "FULL"
    assert client.update_compatibility("NONE", "seal")
    assert client.get_compatibility("seal") == "NONE"
    assert client.get_versions("seal") == [1]
    pairs = client.get_schema_subject_versions(first)
    assert [(pair.subject, pair.version) for pair in pairs] == [("seal", 1), ("seal-copy", 1)]
    assert client.delete_subject("seal-copy") == [1]
    assert client.get_versions("seal-copy") == []
    assert client.get_by_id(999) is None


async def test_async_client_json_and_incompatible(registry: RunningRegistry) -> None:
    client = AsyncSchemaRegistryClient(registry.operator_url)
    json_schema = schema.JsonSchema({"type": "object", "properties": {"ucr": {"type": "string"}}})
    json_id = await client.register("ucr-json", json_schema, schema_type="JSON")
    fetched = await client.get_by_id(json_id)
    assert fetched is not None and fetched.schema_type == "JSON"
    first = await client.register("seal-async", schema.AvroSchema(V1))
    assert await client.register("seal-async", schema.AvroSchema(V2)) != first
    from schema_registry.client.errors import ClientError

    with pytest.raises(ClientError) as caught:
        await client.register("seal-async", schema.AvroSchema(BREAKING))
    assert caught.value.http_code == 409
    assert caught.value.server_traceback["error_code"] == 409  # type: ignore[index]
    assert await client.delete_version("seal-async", 2) == 2
    assert await client.get_versions("seal-async") == [1]
    assert sorted(await client.get_subjects()) == ["seal-async", "ucr-json"]


def test_without_credentials_writes_are_refused_and_reads_open(registry: RunningRegistry) -> None:
    anonymous = SchemaRegistryClient(registry.url)
    with pytest.raises(ClientError) as caught:
        anonymous.register("seal", schema.AvroSchema(V1))
    assert caught.value.http_code == 401 and caught.value.server_traceback["error_code"] == 401
    assert SchemaRegistryClient(registry.operator_url).register("seal", schema.AvroSchema(V1)) >= 1
    assert anonymous.get_subjects() == ["seal"]
