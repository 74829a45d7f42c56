"""confluent-kafka's SchemaRegistryClient and its Avro serde, unmodified, against the real server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

from .conftest import RunningRegistry

pytestmark = pytest.mark.integration

V1 = {
    "type": "record",
    "name": "Consignment",
    "namespace": "nsw",
    "fields": [
        {"name": "ucr", "type": "string"},
        {"name": "grossMassKg", "type": {"type": "bytes", "logicalType": "decimal", "precision": 15, "scale": 3}},
    ],
}
V2 = {**V1, "fields": [*V1["fields"], {"name": "seal", "type": ["null", "string"], "default": None}]}
BREAKING = {**V1, "fields": [*V1["fields"], {"name": "carrier", "type": "string"}]}


def avro(schema: dict[str, Any]) -> Schema:
    return Schema(json.dumps(schema), "AVRO")


@pytest.fixture
def client(registry: RunningRegistry) -> Iterator[SchemaRegistryClient]:
    with SchemaRegistryClient(
        {"url": registry.url, "max.retries": 0, **bearer_conf(registry.operator_token)}
    ) as client:
        yield client


def bearer_conf(token: str) -> dict[str, str]:
    """confluent-kafka's static bearer token; it also sends ``target-sr-cluster`` (required, ignored here)."""
    return {
        "bearer.auth.credentials.source": "STATIC_TOKEN",
        "bearer.auth.token": token,
        "bearer.auth.logical.cluster": "nsw",
    }


def error_of(call: Any, *args: Any, **kwargs: Any) -> SchemaRegistryError:
    with pytest.raises(SchemaRegistryError) as caught:
        call(*args, **kwargs)
    return caught.value


def test_register_fetch_lookup(client: SchemaRegistryClient) -> None:
    schema_id = client.register_schema("consignment-value", avro(V1))
    assert client.register_schema("consignment-value", avro(V1)) == schema_id
    assert client.register_schema("other-value", avro(V1)) == schema_id  # one id across subjects
    fetched = client.get_schema(schema_id)
    assert json.loads(fetched.schema_str)["name"] == "Consignment"
    assert fetched.schema_type == "AVRO"
    latest = client.get_latest_version("consignment-value")
    assert (latest.schema_id, latest.version, latest.subject) == (schema_id, 1, "consignment-value")
    assert client.get_version("consignment-value", 1).schema_id == schema_id
    looked_up = client.lookup_schema("consignment-value", avro(V1))
    assert (looked_up.schema_id, looked_up.version) == (schema_id, 1)
    second = client.register_schema("consignment-value", avro(V2))
    assert second != schema_id
    assert client.get_versions("consignment-value") == [1, 2]
    assert sorted(client.get_subjects()) == ["consignment-value", "other-value"]
    assert sorted(client.get_subjects_by_schema_id(schema_id)) == ["consignment-value", "other-value"]
    pairs = {(v.subject, v.version) for v in client.get_schema_versions(schema_id)}
    assert pairs == {("consignment-value", 1), ("other-value", 1)}
    assert set(client.get_schema_types()) == {"AVRO", "JSON"}


def test_serialise_and_deserialise_with_schema_resolution(client: SchemaRegistryClient) -> None:
    from decimal import Decimal

    ctx = SerializationContext("consignment", MessageField.VALUE)
    writer = AvroSerializer(client, json.dumps(V1))
    record = {"ucr": "KZ-2026-0001", "grossMassKg": Decimal("1250.500")}
    payload = writer(record, ctx)
    assert payload[0] == 0
    schema_id = int.from_bytes(payload[1:5], "big")
    assert client.get_schema(schema_id) is not None
    assert AvroDeserializer(client)(payload, ctx) == record
    # a consumer on V2 reads V1 data: the new optional field takes its default
    client.register_schema("consignment-value", avro(V2))
    resolved = AvroDeserializer(client, json.dumps(V2))(payload, ctx)
    assert resolved == {**record, "seal": None}


def test_compatibility_checks_and_409(client: SchemaRegistryClient) -> None:
    client.register_schema("c-value", avro(V1))
    assert client.test_compatibility("c-value", avro(V2)) is True
    assert client.test_compatibility("c-value", avro(BREAKING)) is False
    assert client.test_compatibility_all_versions("c-value", avro(BREAKING)) is False
    error = error_of(client.register_schema, "c-value", avro(BREAKING))
    assert (error.http_status_code, error.error_code) == (409, 409)
    assert "field 'carrier'" in error.error_message
    client.set_compatibility("c-value", "NONE")
    assert client.get_compatibility("c-value") == "NONE"
    assert client.register_schema("c-value", avro(BREAKING)) > 0


def test_error_codes(client: SchemaRegistryClient) -> None:
    client.register_schema("e-value", avro(V1))
    cases = [
        (lambda: client.get_schema(9999), 404, 40403),
        (lambda: client.get_latest_version("missing"), 404, 40401),
        (lambda: client.get_version("e-value", 7), 404, 40402),
        (lambda: client.get_version("e-value", 0), 422, 42202),
        (lambda: client.register_schema("e-value", Schema('{"type": "nonsense"}', "AVRO")), 422, 42201),
        (lambda: client.set_compatibility("e-value", "SIDEWAYS"), 422, 42203),
        (lambda: client.lookup_schema("e-value", avro(V2)), 404, 40403),
        (lambda: client.lookup_schema("missing", avro(V2)), 404, 40401),
    ]
    for call, status, code in cases:
        error = error_of(call)
        assert (error.http_status_code, error.error_code) == (status, code), error


def test_soft_then_permanent_delete(client: SchemaRegistryClient) -> None:
    client.register_schema("d-value", avro(V1))
    client.register_schema("d-value", avro(V2))
    error = error_of(client.delete_version, "d-value", 1, permanent=True)
    assert error.error_code == 40407
    assert client.delete_version("d-value", 1) == 1
    assert client.delete_version("d-value", 1, permanent=True) == 1
    error = error_of(client.delete_subject, "d-value", permanent=True)
    assert error.error_code == 40405
    assert client.delete_subject("d-value") == [2]
    assert client.delete_subject("d-value", permanent=True) == [2]
    assert client.get_subjects() == []


def test_readonly_mode_and_subject_with_slash(client: SchemaRegistryClient) -> None:
    subject = "nsw/consignment.avro"  # the client percent-encodes it as nsw%2Fconsignment.avro
    schema_id = client.register_schema(subject, avro(V1))
    assert client.get_latest_version(subject).subject == subject
    client.update_global_mode("READONLY")
    assert client.get_global_mode() == "READONLY"
    error = error_of(client.register_schema, subject, avro(V2))
    assert (error.http_status_code, error.error_code) == (422, 42205)
    client.update_mode(subject, "READWRITE")  # the subject's own mode wins over the global one
    assert client.get_mode(subject) == "READWRITE"
    assert client.register_schema(subject, avro(V2)) != schema_id
    error = error_of(client.register_schema, "other-subject", avro(V2))
    assert error.error_code == 42205


def test_json_schema_serde(client: SchemaRegistryClient) -> None:
    from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer

    schema = json.dumps(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "Seal",
            "type": "object",
            "properties": {"number": {"type": "string", "maxLength": 12}},
            "required": ["number"],
            "additionalProperties": False,
        }
    )
    ctx = SerializationContext("seals", MessageField.VALUE)
    payload = JSONSerializer(schema, client)({"number": "KZ-000123"}, ctx)
    schema_id = int.from_bytes(payload[1:5], "big")
    assert client.get_schema(schema_id).schema_type == "JSON"
    assert JSONDeserializer(schema, schema_registry_client=client)(payload, ctx) == {"number": "KZ-000123"}
    assert client.get_latest_version("seals-value").schema_id == schema_id


def test_writes_need_a_token_and_an_agency_writes_only_its_prefix(registry: RunningRegistry) -> None:
    seal = avro({"type": "record", "name": "Seal", "fields": [{"name": "number", "type": "string"}]})
    with SchemaRegistryClient({"url": registry.url, "max.retries": 0}) as anonymous:
        refused = error_of(anonymous.register_schema, "nsw.view-veterinary.avro", seal)
        assert (refused.http_status_code, refused.error_code) == (401, 401)
        assert anonymous.get_subjects() == []  # reads stay open
    # basic.auth.user.info for clients configured for basic auth: the token is the password.
    basic = {"basic.auth.user.info": f"vet:{registry.agency_token}"}
    with SchemaRegistryClient({"url": registry.url, "max.retries": 0, **basic}) as agency:
        assert agency.register_schema("nsw.view-veterinary.avro", seal) >= 1
        refused = error_of(agency.register_schema, "nsw.view-customs.avro", seal)
        assert (refused.http_status_code, refused.error_code) == (403, 40301)
        refused = error_of(agency.set_compatibility, level="NONE")  # the global level: operators only
        assert (refused.http_status_code, refused.error_code) == (403, 40301)
