"""The registry's gRPC API (``nsw.registry.v1.RegistryService``), beside the REST API over one service."""

from singlewindow.registry.grpc_api.listener import SERVICE_NAME, GrpcListener, build_grpc_listener, server_credentials
from singlewindow.registry.grpc_api.servicer import RegistryServicer
from singlewindow.registry.grpc_api.status import TABLE, code_of, confluent_code, error_status

__all__ = [
    "SERVICE_NAME",
    "TABLE",
    "GrpcListener",
    "RegistryServicer",
    "build_grpc_listener",
    "code_of",
    "confluent_code",
    "error_status",
    "server_credentials",
]
