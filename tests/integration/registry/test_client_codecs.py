"""singlewindow.registry.client against a running registry: caching, framing, Avro and JSON codecs."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

from singlewindow.registry import errors
from singlewindow.registry.client import AvroCodec, JsonCodec, RegistryClient, unframe
from singlewindow.registry.formats import parse_schema
from singlewindow.registry.models import SchemaType

from .conftest import RunningRegistry, start_registry

pytestmark = pytest.mark.integration

SPECS = Path(__file__).resolve().parents[3] / "message_specs" / "documents"
V1 = {
    "type": "record",
    "name": "Goods",
    "fields": [
        {"name": "hsCode", "type": "string"},
        {"name": "netMassKg", "type": {"type": "bytes", "logicalType": "decimal", "precision": 15, "scale": 3}},
        {"name": "packages", "type": "int"},
    ],
}
V2 = {
    "type": "record",
    "name": "Goods",
    "fields": [
        *V1["fields"][:2],
        {"name": "packages", "type": "long"},
        {"name": "marks", "type": "string", "default": ""},
    ],
}


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[RunningRegistry]:
    """SQLite is enough here: the server's storage is exercised on both backends elsewhere."""
    running = start_registry(f"sqlite:///{tmp_path / 'client.db'}", tmp_path)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
async def client(registry: RunningRegistry) -> AsyncIterator[RegistryClient]:
    async with RegistryClient(registry.url, token=registry.operator_token) as client:
        yield client


async def test_caches_by_id_and_version(client: RegistryClient, registry: RunningRegistry) -> None:
    schema_id = await client.register("goods", json.dumps(V1))
    assert await client.register("goods", json.dumps(V1)) == schema_id
    first = await client.get_schema(schema_id)
    assert first.fingerprint == parse_schema(SchemaType.AVRO, json.dumps(V1)).fingerprint
    by_version = await client.get_version("goods", 1)
    registry.stop()  # everything below must come from the caches
    assert await client.get_schema(schema_id) is first
    assert await client.get_version("goods", 1) is by_version
    assert await client.register("goods", json.dumps(V1)) == schema_id
    with pytest.raises(errors.StoreError, match="unreachable"):
        await client.get_schema(schema_id + 1)


async def test_errors_come_back_as_registry_errors(client: RegistryClient) -> None:
    with pytest.raises(errors.SubjectNotFound):
        await client.get_version("nope")
    with pytest.raises(errors.SchemaNotFound):
        await client.get_schema(404)
    await client.register("goods", json.dumps(V1))
    with pytest.raises(errors.IncompatibleSchema, match="field 'packages'"):
        await client.register(
            "goods", json.dumps({**V1, "fields": [*V1["fields"][:2], {"name": "packages", "type": "string"}]})
        )
    ok, messages = await client.test_compatibility("goods", json.dumps(V2), version="latest")
    assert (ok, messages) == (True, [])


async def test_avro_round_trip_and_resolution(client: RegistryClient, registry: RunningRegistry) -> None:
    codec = AvroCodec(client)
    record = {"hsCode": "080810", "netMassKg": Decimal("19850.000"), "packages": 1200}
    data = await codec.encode("goods", record, schema=json.dumps(V1))
    schema_id, _ = unframe(data)
    assert await codec.decode(data) == record
    assert await codec.decode(data, reader_schema=json.dumps(V2)) == {**record, "marks": ""}
    # the unmodified confluent deserializer reads our bytes
    with SchemaRegistryClient({"url": registry.url}) as confluent:
        ctx = SerializationContext("goods", MessageField.VALUE)
        assert AvroDeserializer(confluent)(data, ctx) == record
    with pytest.raises(errors.DocumentInvalid):
        await codec.encode("goods", {"hsCode": 8, "netMassKg": Decimal(1), "packages": 1}, schema=json.dumps(V1))
    await client.register("goods", json.dumps(V2))
    async with RegistryClient(registry.url, latest_ttl=0) as fresh:  # reads need no token
        client_latest = await AvroCodec(fresh).encode("goods", {**record, "marks": "KZ"})
    assert unframe(client_latest)[0] != schema_id  # no schema given: the subject's latest version


async def test_json_codec_validates_both_ways(client: RegistryClient) -> None:
    schema = json.dumps(
        {"type": "object", "properties": {"ucr": {"type": "string", "maxLength": 5}}, "required": ["ucr"]}
    )
    codec = JsonCodec(client)
    data = await codec.encode("ucr-json", {"ucr": "AB1"}, schema=schema)
    assert await codec.decode(data) == {"ucr": "AB1"}
    with pytest.raises(errors.DocumentInvalid, match="/ucr"):
        await codec.encode("ucr-json", {"ucr": "TOO-LONG"}, schema=schema)
    schema_id = unframe(data)[0]
    assert await codec.problems(schema_id, {}) == [("/", "'ucr' is a required property")]
    assert (await client.get_schema(schema_id)).schema_type is SchemaType.JSON


async def test_spec_document_round_trip_through_avro(client: RegistryClient) -> None:
    folder = SPECS / "consignment"
    examples = sorted((folder / "examples" / "valid").glob("*.json"))
    if not (folder / "schema.avsc").exists() or not examples:
        pytest.fail("message_specs/documents/consignment must ship schema.avsc and valid examples")
    avsc = (folder / "schema.avsc").read_text()
    codec = AvroCodec(client)
    for example in examples:
        document = json.loads(example.read_text())
        data = await codec.encode_document("nsw.consignment.avro", document, schema=avsc)
        assert await codec.decode_document(data) == document
