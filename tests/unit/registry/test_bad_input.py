"""Issue 11, defect 4 (registry part): bad input is a clear 4xx on REST and INVALID_ARGUMENT / NOT_FOUND on
gRPC, never 500 or "50001 store error", and nothing is logged at error level."""

from __future__ import annotations

import json
from collections.abc import Iterator

import grpc
import httpx
import pytest
from grpc_status import rpc_status
from structlog.testing import capture_logs

from singlewindow.registry.grpc_api import confluent_code
from singlewindow.registry.proto import registry_pb2 as pb
from singlewindow.registry.proto import registry_pb2_grpc

from .conftest import Tokens, bearer

DEEP = "[" * 1_200 + "]" * 1_200
HUGE = "9" * 5_000
GOOD = json.dumps({"type": "record", "name": "Seal", "fields": [{"name": "n", "type": "string"}]})


@pytest.fixture
def no_error_logs() -> Iterator[list[dict[str, object]]]:
    with capture_logs() as logs:
        yield logs
    assert [entry for entry in logs if entry.get("log_level") in ("error", "critical")] == []


def body_with_schema(schema_text: str) -> bytes:
    return json.dumps({"schema": schema_text}).encode()


RAW_BODIES = {
    "deep body": (("{" + '"a":' * 0) + '{"schema": ' + DEEP + "}").encode(),
    "huge integer in body": ('{"schema": "x", "n": ' + HUGE + "}").encode(),
    "NaN in body": b'{"schema": "x", "n": NaN}',
    "Infinity in body": b'{"schema": "x", "n": -Infinity}',
    "lone surrogate in body": b'{"schema": "\\ud800"}',
    "not UTF-8": b'{"schema": "\xff"}',
}
SCHEMA_TEXTS = {
    "deep schema": (DEEP, 42209),
    "huge integer in schema": ('{"type": "string", "maxLength": ' + HUGE + "}", 42201),
    "NaN in schema": ('{"type": "number", "maximum": NaN}', 42201),
    "overflowing float in schema": ('{"type": "number", "maximum": 1e999}', 42201),
    "lone surrogate in schema": ('{"type": "string", "title": "\\udc00"}', 42201),
}


@pytest.mark.parametrize("name", sorted(RAW_BODIES))
@pytest.mark.parametrize("path", ["/subjects/s/versions", "/subjects/s", "/compatibility/subjects/s/versions"])
async def test_malformed_bodies_are_400(
    rest: httpx.AsyncClient, tokens: Tokens, no_error_logs: object, name: str, path: str
) -> None:
    answer = await rest.post(path, content=RAW_BODIES[name], headers={"Authorization": f"Bearer {tokens.operator}"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error_code"] == 400


@pytest.mark.parametrize("name", sorted(SCHEMA_TEXTS))
@pytest.mark.parametrize("schema_type", ["JSON", "AVRO"])
async def test_bad_schema_texts_are_422(
    rest: httpx.AsyncClient, tokens: Tokens, no_error_logs: object, name: str, schema_type: str
) -> None:
    text, code = SCHEMA_TEXTS[name]
    body = json.dumps({"schema": text, "schemaType": schema_type})
    for path in ("/subjects/s/versions", "/compatibility/subjects/s/versions"):
        answer = await rest.post(path, content=body, headers={"Authorization": f"Bearer {tokens.operator}"})
        assert answer.status_code == 422, answer.text
        assert answer.json()["error_code"] == code


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/subjects/a%00b/versions", 422, 42208),
        ("GET", "/subjects/a%01b/versions/1", 422, 42208),
        ("POST", "/subjects/a%00b/versions", 422, 42208),
        ("DELETE", "/subjects/a%00b", 422, 42208),
        ("GET", "/config/a%00b", 422, 42208),
        ("GET", "/mode/a%00b", 422, 42208),
        ("GET", "/schemas/ids/99999999999999999999", 404, 40403),
        ("GET", "/schemas/ids/2147483648", 404, 40403),
        ("GET", "/schemas/ids/%C2%B2", 404, 40403),  # "²": isdigit() but not int()
        ("GET", "/schemas/ids/%D9%A1", 404, 40403),  # Arabic-Indic one: int() reads it, ids do not
        ("GET", "/schemas/ids/" + "9" * 5_000, 404, 40403),
        ("GET", "/schemas/ids/1/versions?offset=%C2%B2", 404, 40403),
        ("GET", "/subjects/s/versions/2147483648", 422, 42202),
        ("GET", "/subjects/s/versions/%C2%B2", 422, 42202),
        ("GET", "/subjects/s/versions/%D9%A1", 422, 42202),
        ("GET", "/subjects/s/versions/1_0", 422, 42202),
        ("GET", "/subjects/s/versions/" + "9" * 5_000, 422, 42202),
        ("GET", "/subjects?offset=%C2%B2", 400, 400),
        ("GET", "/subjects?limit=" + "9" * 5_000, 400, 400),
    ],
)
async def test_bad_path_and_query_values_are_4xx(
    rest: httpx.AsyncClient, tokens: Tokens, no_error_logs: object, method: str, path: str, status: int, code: int
) -> None:
    content = json.dumps({"schema": GOOD}) if method == "POST" else None
    answer = await rest.request(method, path, content=content, headers={"Authorization": f"Bearer {tokens.operator}"})
    assert (answer.status_code, answer.json()["error_code"]) == (status, code), answer.text
    assert "asyncpg" not in answer.text and "sqlite" not in answer.text.lower()


async def test_nul_inside_schema_strings_is_stored_escaped(rest: httpx.AsyncClient, tokens: Tokens) -> None:
    """NUL inside a JSON string is fine: the normalised text escapes it, so every store can hold it."""
    schema = json.dumps({"type": "string", "title": "a\u0000b"})
    answer = await rest.post(
        "/subjects/s/versions",
        json={"schema": schema, "schemaType": "JSON"},
        headers={"Authorization": f"Bearer {tokens.operator}"},
    )
    assert answer.status_code == 200, answer.text
    stored = (await rest.get(f"/schemas/ids/{answer.json()['id']}")).json()["schema"]
    assert json.loads(stored)["title"] == "a\u0000b"


# ---- gRPC ------------------------------------------------------------------------------------------------

Stub = registry_pb2_grpc.RegistryServiceStub


async def refused(call: object) -> tuple[grpc.StatusCode, int | None]:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call  # type: ignore[misc]
    error = caught.value
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    return error.code(), confluent_code(status) if status is not None else None


@pytest.mark.parametrize(
    ("schema", "code"),
    [
        (DEEP, 42209),
        ('{"type": "string", "maxLength": ' + HUGE + "}", 42201),
        ('{"type": "number", "maximum": NaN}', 42201),
        ('{"type": "string", "title": "\\ud800"}', 42201),
        ('{"type": "string", "pattern": "(?<=a)b"}', 42201),
    ],
)
async def test_grpc_bad_schemas_are_invalid_argument(
    stub: Stub, tokens: Tokens, no_error_logs: object, schema: str, code: int
) -> None:
    kind = "JSON"
    create = stub.CreateVersion(pb.CreateVersionRequest(subject="s", schema=schema, schema_type=kind),
                                metadata=bearer(tokens.operator))  # fmt: skip
    assert await refused(create) == (grpc.StatusCode.INVALID_ARGUMENT, code)
    check = stub.CheckCompatibility(pb.CheckCompatibilityRequest(subject="s", schema=schema, schema_type=kind))
    assert await refused(check) == (grpc.StatusCode.INVALID_ARGUMENT, code)


async def test_grpc_bad_names_and_ids(stub: Stub, tokens: Tokens, no_error_logs: object) -> None:
    auth = bearer(tokens.operator)
    invalid = (grpc.StatusCode.INVALID_ARGUMENT, 42208)
    assert (
        await refused(stub.CreateVersion(pb.CreateVersionRequest(subject="a\x00b", schema=GOOD), metadata=auth))
        == invalid
    )
    assert await refused(stub.ListVersions(pb.ListVersionsRequest(subject="a\x00b"))) == invalid
    assert await refused(stub.GetVersion(pb.GetVersionRequest(subject="a\x1fb"))) == invalid
    assert await refused(stub.DeleteSubject(pb.DeleteSubjectRequest(subject="\x00"), metadata=auth)) == invalid
    assert await refused(stub.GetSchemaConfig(pb.GetSchemaConfigRequest(subject="a\x00"))) == invalid
    not_found = (grpc.StatusCode.NOT_FOUND, 40403)
    assert await refused(stub.GetSchema(pb.GetSchemaRequest(id=-5))) == not_found
    assert await refused(stub.ListSchemaVersions(pb.ListSchemaVersionsRequest(id=0))) == not_found
    bad_version = (grpc.StatusCode.INVALID_ARGUMENT, 42202)
    assert await refused(stub.GetVersion(pb.GetVersionRequest(subject="s", version=-7))) == bad_version


@pytest.mark.parametrize("dialect", ["true", "1", "null", "[]", "{}"])
def test_a_schema_whose_dialect_is_not_a_string_is_invalid(dialect: str) -> None:
    """``{"$schema": true}`` reached urllib through jsonschema's validator_for: a 500 in the hostile long run."""
    from singlewindow.registry.formats import InvalidSchema, SchemaType, parse_schema

    with pytest.raises(InvalidSchema, match=r"/\$schema"):
        parse_schema(SchemaType.JSON, '{"$schema": ' + dialect + ', "type": "string"}')
