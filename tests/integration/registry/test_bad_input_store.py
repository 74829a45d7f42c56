"""Issue 11, defect 4 on a real store (SQLite and PostgreSQL): input the database driver used to refuse
("50001 store error" with asyncpg's text) is a 4xx before it reaches the store, and what is accepted is
stored and read back exactly; gRPC answers alike."""

from __future__ import annotations

import json
from collections.abc import Iterator

import grpc
import httpx
import pytest

from singlewindow.registry.proto import registry_pb2 as pb
from singlewindow.registry.proto import registry_pb2_grpc

from .conftest import RunningRegistry

pytestmark = pytest.mark.integration

AVRO = json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]})


@pytest.fixture
def http(registry: RunningRegistry) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=registry.url, headers=registry.operator_auth) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/subjects/a%00b/versions", 422, 42208),
        ("POST", "/subjects/a%00b/versions", 422, 42208),
        ("POST", "/subjects/a%00b", 422, 42208),
        ("GET", "/config/a%00b", 422, 42208),
        ("PUT", "/config/a%00b", 422, 42208),
        ("GET", "/schemas/ids/99999999999", 404, 40403),
        ("GET", "/schemas/ids/9223372036854775808/versions", 404, 40403),
        ("GET", "/subjects/a/versions/9223372036854775808", 422, 42202),
        ("DELETE", "/subjects/a/versions/99999999999", 422, 42202),
    ],
)
def test_driver_refusals_are_4xx(http: httpx.Client, method: str, path: str, status: int, code: int) -> None:
    body = {"compatibility": "NONE"} if method == "PUT" else {"schema": AVRO}
    response = http.request(method, path, json=body if method in ("POST", "PUT") else None)
    assert (response.status_code, response.json()["error_code"]) == (status, code), response.text
    assert "asyncpg" not in response.text and "invalid byte sequence" not in response.text


def test_control_characters_inside_a_schema_round_trip(http: httpx.Client) -> None:
    schema = json.dumps({"type": "string", "description": "nul \u0000 bell \u0007 end", "title": "\u00e9\U0001f600"})
    created = http.post("/subjects/s/versions", json={"schema": schema, "schemaType": "JSON"})
    assert created.status_code == 200, created.text
    stored = http.get(f"/schemas/ids/{created.json()['id']}").json()["schema"]
    assert json.loads(stored) == json.loads(schema)


def test_lone_surrogates_and_nan_never_reach_the_store(http: httpx.Client) -> None:
    for schema, code in (('{"type":"string","title":"\\ud83d"}', 42201), ('{"type":"number","minimum":NaN}', 42201)):
        response = http.post("/subjects/s/versions", json={"schema": schema, "schemaType": "JSON"})
        assert (response.status_code, response.json()["error_code"]) == (422, code), response.text
    assert http.get("/subjects").json() == []


def test_grpc_refuses_nul_subjects_before_the_store(registry: RunningRegistry) -> None:
    assert registry.grpc is not None
    with grpc.insecure_channel(f"127.0.0.1:{registry.grpc.port}") as channel:
        stub = registry_pb2_grpc.RegistryServiceStub(channel)  # type: ignore[no-untyped-call]
        with pytest.raises(grpc.RpcError) as caught:
            stub.ListVersions(pb.ListVersionsRequest(subject="a\x00b"), timeout=10)
        assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
        with pytest.raises(grpc.RpcError) as caught:
            stub.GetSchema(pb.GetSchemaRequest(id=2_000_000_000), timeout=10)
        assert caught.value.code() is grpc.StatusCode.NOT_FOUND  # type: ignore[attr-defined]
