"""The hub's gRPC listener: SubmissionService, health checking and reflection; TLS when configured."""

from __future__ import annotations

import grpc
from grpc_health.v1 import health, health_pb2_grpc
from grpc_health.v1._async import HealthServicer as AsyncHealthServicer  # = health.aio; grpc-stubs lacks aio
from grpc_reflection.v1alpha import reflection

from singlewindow.platform.api.agency_grpc import add_agency_services
from singlewindow.platform.api.agency_services import AgencyServices
from singlewindow.platform.api.grpc_service import SubmissionServicer
from singlewindow.platform.api.operations import SubmissionApi
from singlewindow.platform.api.permits_grpc import PermitServicer
from singlewindow.platform.api.proto import permits_pb2, permits_pb2_grpc, submission_pb2, submission_pb2_grpc
from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.permits import PermitService, PermitStore
from singlewindow.platform.settings import HubSettings
from singlewindow.registry.grpc_api.listener import GrpcListener

SERVICE_NAME: str = submission_pb2.DESCRIPTOR.services_by_name["SubmissionService"].full_name
PERMITS_SERVICE_NAME: str = permits_pb2.DESCRIPTOR.services_by_name["PermitService"].full_name


def server_credentials(settings: HubSettings) -> grpc.ServerCredentials | None:
    if settings.tls_cert_file is None and settings.tls_key_file is None:
        return None
    if settings.tls_cert_file is None or settings.tls_key_file is None:
        raise ConfigurationError("TLS needs both hub.tls_cert_file and hub.tls_key_file")
    try:
        key, cert = settings.tls_key_file.read_bytes(), settings.tls_cert_file.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"cannot read the TLS certificate or key: {exc}") from exc
    return grpc.ssl_server_credentials([(key, cert)])


def build_grpc_listener(
    api: SubmissionApi, settings: HubSettings, port: int | None = None, agency: AgencyServices | None = None
) -> GrpcListener:
    """A server bound to ``settings.host`` and ``port`` (``settings.grpc_port`` when None; 0 picks a free one);
    with ``agency``, also the attachment and officer services (nsw.agency.v1)."""
    server = grpc.aio.server()
    submission_pb2_grpc.add_SubmissionServiceServicer_to_server(SubmissionServicer(api), server)  # type: ignore[no-untyped-call]
    permits = PermitServicer(PermitService(PermitStore(api.hub.engine)), api.principal)
    permits_pb2_grpc.add_PermitServiceServicer_to_server(permits, server)  # type: ignore[no-untyped-call]
    health_servicer = AsyncHealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names: tuple[str, ...] = (SERVICE_NAME, PERMITS_SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME)
    if agency is not None:
        names += add_agency_services(server, agency, api.principal)
    reflection.enable_server_reflection(names, server)
    address = f"{settings.host}:{settings.grpc_port if port is None else port}"
    credentials = server_credentials(settings)
    bound = server.add_secure_port(address, credentials) if credentials else server.add_insecure_port(address)
    if bound == 0:
        raise ConfigurationError(f"cannot listen for gRPC on {address}")
    return GrpcListener(server, health_servicer, bound, (SERVICE_NAME,))
