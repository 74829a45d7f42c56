"""Listeners: health checking, reflection, the OpenAPI document, /healthz."""

from __future__ import annotations

import asyncio

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase
from openapi_spec_validator import validate

from singlewindow.platform.api.grpc_server import SERVICE_NAME

from .conftest import Env


async def test_health_reports_the_service_serving(env: Env) -> None:
    stub = health_pb2_grpc.HealthStub(env.channel)
    for name in ("", SERVICE_NAME):
        reply = await stub.Check(health_pb2.HealthCheckRequest(service=name))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


def _reflected(port: int) -> tuple[list[str], list[str]]:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        services = list(database.get_services())
        file = database.FindFileContainingSymbol(SERVICE_NAME)
        methods = [m.name for m in file.service[0].method]
    return services, methods


async def test_reflection_lists_the_service_and_its_methods(env: Env) -> None:
    services, methods = await asyncio.to_thread(_reflected, env.grpc_listener.port)
    assert SERVICE_NAME in services
    assert "grpc.health.v1.Health" in services
    assert methods == ["Submit", "Amend", "Cancel", "RespondToQuery", "Get", "List", "Watch"]


async def test_openapi_document_is_valid_and_covers_every_route(env: Env) -> None:
    document = (await env.http.get("/openapi.json")).json()
    validate(document)
    assert set(document["paths"]) == {
        "/v1/submissions",
        "/v1/submissions/watch",
        "/v1/submissions/{id}",
        "/v1/submissions/{id}/watch",
        "/v1/submissions/{id}/document",
        "/v1/submissions/{id}/amend",
        "/v1/submissions/{id}/cancel",
        "/v1/submissions/{id}/answers",
        "/v1/me",
        "/openapi.json",
        "/healthz",
    }


async def test_healthz(env: Env) -> None:
    response = await env.http.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
