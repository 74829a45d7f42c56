"""The gRPC RegistryService as a client without the generated code sees it: reflection lists it and a call
built from the reflected descriptors works (what grpcurl does); health checking; the error table; and the
same operations answering as the REST API does."""

from __future__ import annotations

import asyncio
import json

import grpc
import httpx
import pytest
from google.protobuf import descriptor_pool, message_factory
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase
from grpc_status import rpc_status

from singlewindow.registry import errors
from singlewindow.registry.grpc_api import SERVICE_NAME, TABLE, GrpcListener, code_of, confluent_code
from singlewindow.registry.proto import registry_pb2 as pb
from singlewindow.registry.proto import registry_pb2_grpc

from .conftest import Tokens, bearer

SCHEMA = json.dumps({"type": "record", "name": "Seal", "fields": [{"name": "number", "type": "string"}]})
Stub = registry_pb2_grpc.RegistryServiceStub


def reflect_and_call(port: int, token: str) -> tuple[list[str], list[str], dict[str, object]]:
    """Blocking, as grpcurl or a script would be: discover the service, then call CreateVersion and
    ListSubjects with message classes made from the reflected descriptors only."""
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        services = sorted(database.get_services())
        pool = descriptor_pool.DescriptorPool(database)
        service = pool.FindServiceByName(SERVICE_NAME)
        methods = sorted(m.name for m in service.methods)
        create = service.methods_by_name["CreateVersion"]
        request_class = message_factory.GetMessageClass(create.input_type)
        response_class = message_factory.GetMessageClass(create.output_type)
        call = channel.unary_unary(
            f"/{SERVICE_NAME}/CreateVersion",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=response_class.FromString,
        )
        request = request_class(subject="nsw.view-veterinary.avro", schema=SCHEMA, schema_type="AVRO")
        response = call(request, metadata=(("authorization", f"Bearer {token}"),), timeout=10)
        return services, methods, {"id": response.id, "version": response.version, "created": response.created}


async def test_reflection_lists_the_service_and_a_reflected_call_works(
    grpc_listener: GrpcListener, stub: Stub, tokens: Tokens
) -> None:
    services, methods, created = await asyncio.to_thread(reflect_and_call, grpc_listener.port, tokens.operator)
    assert SERVICE_NAME == "nsw.registry.v1.RegistryService"
    assert SERVICE_NAME in services and "grpc.health.v1.Health" in services
    assert {"CreateVersion", "LookupVersion", "GetSchema", "CheckCompatibility", "UpdateSchemaMode"} <= set(methods)
    assert created == {"id": 1, "version": 1, "created": True}
    assert list((await stub.ListSubjects(pb.ListSubjectsRequest())).subjects) == ["nsw.view-veterinary.avro"]


async def test_health_reports_serving(grpc_listener: GrpcListener) -> None:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{grpc_listener.port}") as channel:
        health = health_pb2_grpc.HealthStub(channel)  # type: ignore[no-untyped-call]
        for name in ("", SERVICE_NAME):
            answer = await health.Check(health_pb2.HealthCheckRequest(service=name))
            assert answer.status == health_pb2.HealthCheckResponse.SERVING


def test_every_registry_error_has_its_own_row() -> None:
    def walk(cls: type[errors.RegistryError]) -> list[type[errors.RegistryError]]:
        return [cls] + [sub for child in cls.__subclasses__() for sub in walk(child)]

    missing = [cls.__name__ for cls in walk(errors.RegistryError) if cls not in TABLE]
    assert missing == []
    assert code_of(errors.AccessDenied("x")) is grpc.StatusCode.PERMISSION_DENIED
    assert code_of(errors.Unauthenticated("x")) is grpc.StatusCode.UNAUTHENTICATED
    assert code_of(errors.SubjectNotFound("x")) is grpc.StatusCode.NOT_FOUND
    assert code_of(ValueError("foreign")) is grpc.StatusCode.INTERNAL


async def test_the_same_operations_answer_as_rest(rest: httpx.AsyncClient, stub: Stub, tokens: Tokens) -> None:
    """Every RPC against one subject, compared with the REST answer for the same question."""
    subject, token = "agency.veterinary.seal", bearer(tokens.veterinary)
    created = await stub.CreateVersion(pb.CreateVersionRequest(subject=subject, schema=SCHEMA), metadata=token)
    again = await stub.CreateVersion(pb.CreateVersionRequest(subject=subject, schema=SCHEMA), metadata=token)
    assert (again.id, again.version, again.created) == (created.id, 1, False)
    rest_version = (await rest.get(f"/subjects/{subject}/versions/latest")).json()
    for version in (0, -1, 1):
        got = await stub.GetVersion(pb.GetVersionRequest(subject=subject, version=version))
        assert (got.subject, got.version, got.id, got.schema) == (
            rest_version["subject"], rest_version["version"], rest_version["id"], rest_version["schema"]
        )  # fmt: skip
    usages = await stub.ListSchemaVersions(pb.ListSchemaVersionsRequest(id=created.id))
    assert [(u.subject, u.version) for u in usages.versions] == [(subject, 1)]
    assert list((await stub.ListSchemaTypes(pb.ListSchemaTypesRequest())).schema_types) == [pb.AVRO, pb.JSON]
    one = await stub.CheckCompatibility(pb.CheckCompatibilityRequest(subject=subject, schema=SCHEMA, version=1))
    assert one.is_compatible
    # Config and mode, per subject and global, with Confluent's 40408 when a subject has no level of its own.
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetSchemaConfig(pb.GetSchemaConfigRequest(subject=subject))
    assert caught.value.code() is grpc.StatusCode.NOT_FOUND
    fallback = await stub.GetSchemaConfig(pb.GetSchemaConfigRequest(subject=subject, default_to_global=True))
    assert fallback.compatibility == pb.BACKWARD
    await stub.UpdateSchemaConfig(pb.UpdateSchemaConfigRequest(subject=subject, compatibility=pb.NONE), metadata=token)
    assert (await rest.get(f"/config/{subject}")).json() == {"compatibilityLevel": "NONE"}
    old = await stub.DeleteSchemaConfig(pb.DeleteSchemaConfigRequest(subject=subject), metadata=token)
    assert old.compatibility == pb.NONE
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.UpdateSchemaConfig(pb.UpdateSchemaConfigRequest(subject=subject), metadata=token)
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT  # unspecified never means NONE
    operator = bearer(tokens.operator)
    await stub.UpdateSchemaMode(pb.UpdateSchemaModeRequest(subject=subject, mode=pb.READONLY), metadata=operator)
    assert (await rest.get(f"/mode/{subject}")).json() == {"mode": "READONLY"}
    old_mode = await stub.DeleteSchemaMode(pb.DeleteSchemaModeRequest(subject=subject), metadata=operator)
    assert old_mode.mode == pb.READONLY
    # Deletes: soft, then permanent, as Confluent orders them.
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.DeleteVersion(pb.DeleteVersionRequest(subject=subject, version=1, permanent=True), metadata=token)
    assert caught.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    soft = await stub.DeleteVersion(pb.DeleteVersionRequest(subject=subject, version=1), metadata=token)
    assert soft.version == 1
    deleted = await stub.ListVersions(pb.ListVersionsRequest(subject=subject, deleted_only=True))
    assert list(deleted.versions) == [1]
    hard = await stub.DeleteVersion(pb.DeleteVersionRequest(subject=subject, version=1, permanent=True), metadata=token)
    assert hard.version == 1
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.ListVersions(pb.ListVersionsRequest(subject=subject))
    assert caught.value.code() is grpc.StatusCode.NOT_FOUND
    assert (await rest.get(f"/subjects/{subject}/versions")).json()["error_code"] == 40401


async def test_bad_input_is_invalid_argument(stub: Stub) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetVersion(pb.GetVersionRequest(subject="s", version=-7))
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.LookupVersion(pb.LookupVersionRequest(subject="s", schema="{not avro"))
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    status = rpc_status.from_call(caught.value)  # type: ignore[arg-type]
    assert status is not None and confluent_code(status) == 42201
