"""THE table from the registry's errors to gRPC status codes; the servicer uses only this.

Each class of ``singlewindow.registry.errors`` that a call can raise has its own row (a test walks the
tree), so a new class cannot silently inherit a parent's code. The Confluent ``error_code`` the REST API
sends travels along as a ``google.rpc.ErrorInfo`` in the status details, so a gRPC caller can tell
40401 from 40402 exactly as a REST caller does.
"""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from singlewindow.registry import errors

ERROR_DOMAIN = "registry.singlewindow"

TABLE: dict[type[errors.RegistryError], grpc.StatusCode] = {
    errors.RegistryError: grpc.StatusCode.INTERNAL,
    errors.BadRequest: grpc.StatusCode.INVALID_ARGUMENT,
    errors.PayloadTooLarge: grpc.StatusCode.INVALID_ARGUMENT,
    errors.UnsupportedMediaType: grpc.StatusCode.INVALID_ARGUMENT,
    errors.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    errors.AccessDenied: grpc.StatusCode.PERMISSION_DENIED,
    errors.NotFound: grpc.StatusCode.NOT_FOUND,
    errors.SubjectNotFound: grpc.StatusCode.NOT_FOUND,
    errors.VersionNotFound: grpc.StatusCode.NOT_FOUND,
    errors.SchemaNotFound: grpc.StatusCode.NOT_FOUND,
    errors.SubjectSoftDeleted: grpc.StatusCode.NOT_FOUND,
    errors.SubjectNotSoftDeleted: grpc.StatusCode.FAILED_PRECONDITION,  # permanent delete before soft
    errors.VersionSoftDeleted: grpc.StatusCode.NOT_FOUND,
    errors.VersionNotSoftDeleted: grpc.StatusCode.FAILED_PRECONDITION,
    errors.SubjectConfigNotFound: grpc.StatusCode.NOT_FOUND,
    errors.SubjectModeNotFound: grpc.StatusCode.NOT_FOUND,
    errors.RouteNotFound: grpc.StatusCode.UNIMPLEMENTED,
    errors.MethodNotAllowed: grpc.StatusCode.UNIMPLEMENTED,
    # Refused because of what is already registered: the caller must change the schema, not retry.
    errors.IncompatibleSchema: grpc.StatusCode.FAILED_PRECONDITION,
    errors.Unprocessable: grpc.StatusCode.INVALID_ARGUMENT,
    errors.InvalidSchema: grpc.StatusCode.INVALID_ARGUMENT,
    errors.InvalidVersion: grpc.StatusCode.INVALID_ARGUMENT,
    errors.InvalidCompatibilityLevel: grpc.StatusCode.INVALID_ARGUMENT,
    errors.InvalidMode: grpc.StatusCode.INVALID_ARGUMENT,
    errors.OperationNotPermitted: grpc.StatusCode.FAILED_PRECONDITION,  # READONLY mode
    errors.InvalidSubject: grpc.StatusCode.INVALID_ARGUMENT,
    errors.SchemaTooLarge: grpc.StatusCode.INVALID_ARGUMENT,
    errors.StoreError: grpc.StatusCode.UNAVAILABLE,
    errors.StoreTimeout: grpc.StatusCode.DEADLINE_EXCEEDED,
    errors.WireFormatError: grpc.StatusCode.INVALID_ARGUMENT,
    errors.DocumentInvalid: grpc.StatusCode.INVALID_ARGUMENT,
}


def code_of(error: BaseException) -> grpc.StatusCode:
    """The row of the error's own class, else its nearest listed ancestor; INTERNAL for foreign errors."""
    for cls in type(error).__mro__:
        if cls in TABLE:
            return TABLE[cls]
    return grpc.StatusCode.INTERNAL


def error_status(error: BaseException) -> grpc.Status:
    """The rich status: code from the table, the registry's message, the Confluent code as ErrorInfo."""
    if isinstance(error, errors.RegistryError):
        message, error_code = error.message, error.error_code
    else:
        message, error_code = "Internal error in the schema registry", 50001
    info = error_details_pb2.ErrorInfo(
        reason=type(error).__name__ if isinstance(error, errors.RegistryError) else "InternalError",
        domain=ERROR_DOMAIN,
        metadata={"error_code": str(error_code)},
    )
    detail = any_pb2.Any()
    detail.Pack(info)
    code = code_of(error)
    return rpc_status.to_status(status_pb2.Status(code=code.value[0], message=message, details=[detail]))


def confluent_code(status: status_pb2.Status) -> int | None:
    """The Confluent error code in a status's details (for clients and tests); None when absent."""
    for detail in status.details:
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info) and info.domain == ERROR_DOMAIN:
            return int(info.metadata["error_code"])
    return None
