"""The registry's gRPC listener: RegistryService, health checking and reflection (as the hub's listener)."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer as AsyncHealthServicer  # = health.aio; grpc-stubs lacks aio
from grpc_reflection.v1alpha import reflection

from singlewindow.registry.grpc_api.servicer import RegistryServicer
from singlewindow.registry.proto import registry_pb2, registry_pb2_grpc
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings

SERVICE_NAME: str = registry_pb2.DESCRIPTOR.services_by_name["RegistryService"].full_name
OVERALL = ""  # the health service's name for the whole server


@dataclass
class GrpcListener:
    """A started-on-demand gRPC server with health checking; the hub's listener is one too."""

    server: grpc.aio.Server
    health: AsyncHealthServicer
    port: int
    services: tuple[str, ...] = (SERVICE_NAME,)

    async def start(self) -> None:
        await self.server.start()
        for name in (OVERALL, *self.services):
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)

    async def stop(self, grace_seconds: float) -> None:
        """Report NOT_SERVING first (load balancers stop sending), then let running calls finish."""
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace_seconds)


def server_credentials(settings: RegistrySettings) -> grpc.ServerCredentials | None:
    """TLS from the settings' certificate and key (both or neither, the settings check), else None."""
    if settings.tls_cert_file is None or settings.tls_key_file is None:
        return None
    return grpc.ssl_server_credentials([(settings.tls_key_file.read_bytes(), settings.tls_cert_file.read_bytes())])


def build_grpc_listener(
    service: RegistryService, host: str, port: int, credentials: grpc.ServerCredentials | None = None
) -> GrpcListener:
    """A server bound to ``host:port`` (0 picks a free port; ``listener.port`` says which), TLS with
    ``credentials``."""
    server = grpc.aio.server()
    registry_pb2_grpc.add_RegistryServiceServicer_to_server(RegistryServicer(service), server)  # type: ignore[no-untyped-call]
    health_servicer = AsyncHealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection((SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    address = f"{host}:{port}"
    bound = server.add_secure_port(address, credentials) if credentials else server.add_insecure_port(address)
    if bound == 0:
        raise OSError(f"cannot listen for gRPC on {address}")  # as uvicorn reports a port it cannot bind
    return GrpcListener(server, health_servicer, bound)
