"""Principals and guarded writes, over REST (Confluent's 401/40301 shapes) and gRPC (UNAUTHENTICATED /
PERMISSION_DENIED): writes need a token, an agency writes only under its own prefixes, an operator writes
anything and alone changes modes; READONLY refuses writes until an operator opens a release; reads stay open."""

from __future__ import annotations

import base64
import json

import grpc
import httpx
import pytest
from grpc_status import rpc_status

from singlewindow.platform.identity import PrincipalStore
from singlewindow.platform.identity.registry_guard import agency_prefixes
from singlewindow.registry.grpc_api import confluent_code
from singlewindow.registry.proto import registry_pb2 as pb
from singlewindow.registry.proto import registry_pb2_grpc

from .conftest import Tokens, bearer

SCHEMA = json.dumps({"type": "record", "name": "Seal", "fields": [{"name": "number", "type": "string"}]})
VET_VIEW = "nsw.view-veterinary.avro"
VET_OWN = "agency.veterinary.certificate-extension"
CUSTOMS_VIEW = "nsw.view-customs.avro"
Stub = registry_pb2_grpc.RegistryServiceStub


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def rest_register(rest: httpx.AsyncClient, subject: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return await rest.post(f"/subjects/{subject}/versions", json={"schema": SCHEMA}, headers=headers or {})


async def grpc_error(call: object) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call  # type: ignore[misc]
    return caught.value


def code_in(error: grpc.aio.AioRpcError) -> int | None:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None
    return confluent_code(status)


# ---- no token ----------------------------------------------------------------------------------------------


async def test_rest_write_without_token_is_401_and_nothing_is_written(rest: httpx.AsyncClient) -> None:
    refused = await rest_register(rest, VET_VIEW)
    assert refused.status_code == 401
    assert refused.json() == {"error_code": 401, "message": refused.json()["message"]}
    for method, path, body in [
        ("PUT", "/config", {"compatibility": "NONE"}),
        ("PUT", "/mode", {"mode": "READONLY"}),
        ("DELETE", f"/subjects/{VET_VIEW}", None),
        ("DELETE", "/config", None),
    ]:
        answer = await rest.request(method, path, json=body)
        assert (answer.status_code, answer.json()["error_code"]) == (401, 401), (method, path)
    assert (await rest.get("/subjects")).json() == []


async def test_rest_write_with_an_unknown_or_revoked_token_is_401(
    rest: httpx.AsyncClient, tokens: Tokens, principals: PrincipalStore
) -> None:
    assert (await rest_register(rest, VET_VIEW, auth("nsw_not-a-token"))).status_code == 401
    await principals.revoke("vet-specs")
    refused = await rest_register(rest, VET_VIEW, auth(tokens.veterinary))
    assert (refused.status_code, refused.json()["error_code"]) == (401, 401)


async def test_grpc_write_without_token_is_unauthenticated(stub: Stub) -> None:
    request = pb.CreateVersionRequest(subject=VET_VIEW, schema=SCHEMA)
    error = await grpc_error(stub.CreateVersion(request))
    assert error.code() is grpc.StatusCode.UNAUTHENTICATED and code_in(error) == 401
    error = await grpc_error(stub.UpdateSchemaMode(pb.UpdateSchemaModeRequest(mode=pb.READONLY)))
    assert error.code() is grpc.StatusCode.UNAUTHENTICATED
    assert (await stub.ListSubjects(pb.ListSubjectsRequest())).subjects == []


# ---- agency prefixes ---------------------------------------------------------------------------------------


def test_the_prefix_rule() -> None:
    assert agency_prefixes("veterinary") == ("agency.veterinary.", "nsw.view-veterinary.")


async def test_agency_writes_its_own_prefixes_and_not_another_agencys_over_rest(
    rest: httpx.AsyncClient, tokens: Tokens
) -> None:
    for subject in (VET_VIEW, VET_OWN):
        assert (await rest_register(rest, subject, auth(tokens.veterinary))).status_code == 200, subject
    put = await rest.put(f"/config/{VET_VIEW}", json={"compatibility": "FULL"}, headers=auth(tokens.veterinary))
    assert put.json() == {"compatibility": "FULL"}
    for subject in (CUSTOMS_VIEW, "nsw.consignment.avro", "agency.veterinaryx.thing", "nsw.view-veterinary-extra"):
        refused = await rest_register(rest, subject, auth(tokens.veterinary))
        assert refused.status_code == 403, subject
        assert set(refused.json()) == {"error_code", "message"} and refused.json()["error_code"] == 40301
        assert "nsw.view-veterinary." in refused.json()["message"]
    refused = await rest.put("/config", json={"compatibility": "NONE"}, headers=auth(tokens.veterinary))
    assert (refused.status_code, refused.json()["error_code"]) == (403, 40301)
    refused = await rest.delete(f"/subjects/{VET_VIEW}", headers=auth(tokens.customs))
    assert refused.status_code == 403
    assert (await rest.delete(f"/subjects/{VET_VIEW}", headers=auth(tokens.veterinary))).json() == [1]


async def test_agency_prefixes_over_grpc(stub: Stub, tokens: Tokens) -> None:
    created = await stub.CreateVersion(
        pb.CreateVersionRequest(subject=VET_VIEW, schema=SCHEMA), metadata=bearer(tokens.veterinary)
    )
    assert (created.version, created.created) == (1, True)
    error = await grpc_error(
        stub.CreateVersion(pb.CreateVersionRequest(subject=VET_VIEW, schema=SCHEMA), metadata=bearer(tokens.customs))
    )
    assert error.code() is grpc.StatusCode.PERMISSION_DENIED and code_in(error) == 40301
    error = await grpc_error(
        stub.DeleteSubject(pb.DeleteSubjectRequest(subject=VET_VIEW), metadata=bearer(tokens.customs))
    )
    assert error.code() is grpc.StatusCode.PERMISSION_DENIED


async def test_trader_may_not_write(rest: httpx.AsyncClient, tokens: Tokens) -> None:
    refused = await rest_register(rest, VET_VIEW, auth(tokens.trader))
    assert (refused.status_code, refused.json()["error_code"]) == (403, 40301)


async def test_operator_writes_anything(rest: httpx.AsyncClient, stub: Stub, tokens: Tokens) -> None:
    for subject in (CUSTOMS_VIEW, VET_VIEW, "nsw.consignment.avro"):
        assert (await rest_register(rest, subject, auth(tokens.operator))).status_code == 200
    config = await stub.UpdateSchemaConfig(
        pb.UpdateSchemaConfigRequest(compatibility=pb.FULL_TRANSITIVE), metadata=bearer(tokens.operator)
    )
    assert config.compatibility == pb.FULL_TRANSITIVE
    assert (await rest.get("/config")).json() == {"compatibilityLevel": "FULL_TRANSITIVE"}
    deleted = await stub.DeleteSubject(pb.DeleteSubjectRequest(subject=CUSTOMS_VIEW), metadata=bearer(tokens.operator))
    assert list(deleted.versions) == [1]


# ---- basic auth with the token as password (clients that speak only basic) ---------------------------------


async def test_basic_auth_carries_the_token_as_password(rest: httpx.AsyncClient, tokens: Tokens) -> None:
    basic = base64.b64encode(f"vet-specs:{tokens.veterinary}".encode()).decode()
    assert (await rest_register(rest, VET_VIEW, {"Authorization": f"Basic {basic}"})).status_code == 200
    wrong = base64.b64encode(b"vet-specs:not-the-token").decode()
    assert (await rest_register(rest, VET_VIEW, {"Authorization": f"Basic {wrong}"})).status_code == 401
    garbled = await rest_register(rest, VET_VIEW, {"Authorization": "Basic %%%"})
    assert (garbled.status_code, garbled.json()["error_code"]) == (400, 400)


# ---- release procedure: READONLY until an operator opens a release -----------------------------------------


async def test_readonly_until_an_operator_opens_a_release(rest: httpx.AsyncClient, stub: Stub, tokens: Tokens) -> None:
    assert (await rest_register(rest, VET_VIEW, auth(tokens.veterinary))).status_code == 200
    closed = await rest.put("/mode", json={"mode": "READONLY"}, headers=auth(tokens.operator))
    assert closed.json() == {"mode": "READONLY"}
    # An agency cannot change the mode, not even of its own subject.
    for path in ("/mode", f"/mode/{VET_VIEW}"):
        refused = await rest.put(path, json={"mode": "READWRITE"}, headers=auth(tokens.veterinary))
        assert (refused.status_code, refused.json()["error_code"]) == (403, 40301), path
    error = await grpc_error(
        stub.UpdateSchemaMode(pb.UpdateSchemaModeRequest(mode=pb.READWRITE), metadata=bearer(tokens.veterinary))
    )
    assert error.code() is grpc.StatusCode.PERMISSION_DENIED
    # Writes are refused for everyone, the operator too, on both APIs.
    v2 = json.dumps({"type": "record", "name": "Seal", "fields": [{"name": "number", "type": "string"},
                     {"name": "kind", "type": "string", "default": "E"}]})  # fmt: skip
    refused = await rest.post(f"/subjects/{VET_VIEW}/versions", json={"schema": v2}, headers=auth(tokens.operator))
    assert (refused.status_code, refused.json()["error_code"]) == (422, 42205)
    error = await grpc_error(
        stub.CreateVersion(pb.CreateVersionRequest(subject=VET_VIEW, schema=v2), metadata=bearer(tokens.veterinary))
    )
    assert error.code() is grpc.StatusCode.FAILED_PRECONDITION and code_in(error) == 42205
    # Compatibility levels are frozen too, so nothing that decides the next registration moves.
    frozen = await rest.put(f"/config/{VET_VIEW}", json={"compatibility": "NONE"}, headers=auth(tokens.veterinary))
    assert (frozen.status_code, frozen.json()["error_code"]) == (422, 42205)
    frozen = await rest.put("/config", json={"compatibility": "NONE"}, headers=auth(tokens.operator))
    assert (frozen.status_code, frozen.json()["error_code"]) == (422, 42205)
    # Reads stay open without a token.
    assert (await rest.get(f"/subjects/{VET_VIEW}/versions/latest")).json()["version"] == 1
    assert (await stub.GetSchemaMode(pb.GetSchemaModeRequest())).mode == pb.READONLY
    # The operator opens the release window over gRPC; the agency's registration goes through; closed again.
    opened = await stub.UpdateSchemaMode(
        pb.UpdateSchemaModeRequest(mode=pb.READWRITE), metadata=bearer(tokens.operator)
    )
    assert opened.mode == pb.READWRITE
    created = await stub.CreateVersion(
        pb.CreateVersionRequest(subject=VET_VIEW, schema=v2), metadata=bearer(tokens.veterinary)
    )
    assert created.version == 2
    await stub.UpdateSchemaMode(pb.UpdateSchemaModeRequest(mode=pb.READONLY), metadata=bearer(tokens.operator))
    assert (await rest.get("/mode")).json() == {"mode": "READONLY"}


async def test_reads_need_no_token(rest: httpx.AsyncClient, stub: Stub, tokens: Tokens) -> None:
    schema_id = (await rest_register(rest, VET_VIEW, auth(tokens.veterinary))).json()["id"]
    assert (await rest.get("/subjects")).json() == [VET_VIEW]
    assert (await rest.get(f"/schemas/ids/{schema_id}")).status_code == 200
    looked_up = await rest.post(f"/subjects/{VET_VIEW}", json={"schema": SCHEMA})
    assert looked_up.json()["version"] == 1
    assert (await rest.post(f"/compatibility/subjects/{VET_VIEW}/versions/latest", json={"schema": SCHEMA})).json() == {
        "is_compatible": True
    }
    fetched = await stub.GetSchema(pb.GetSchemaRequest(id=schema_id))
    assert (fetched.schema_type, json.loads(fetched.schema)["name"]) == (pb.AVRO, "Seal")
    assert list((await stub.ListVersions(pb.ListVersionsRequest(subject=VET_VIEW))).versions) == [1]
    found = await stub.LookupVersion(pb.LookupVersionRequest(subject=VET_VIEW, schema=SCHEMA))
    assert (found.subject, found.version, found.id) == (VET_VIEW, 1, schema_id)
