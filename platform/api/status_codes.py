"""THE table from the project's exception tree to gRPC and HTTP status codes; both servers use only this.

Each class of ``singlewindow.platform.errors`` has its own row (a test walks the tree), so a new branch
cannot silently fall back to a parent's code. Anything unexpected is INTERNAL / 500 and is logged.
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc

from singlewindow.platform import errors


@dataclass(frozen=True, slots=True)
class Status:
    grpc: grpc.StatusCode
    http: int


TABLE: dict[type[errors.NswError], Status] = {
    errors.NswError: Status(grpc.StatusCode.INTERNAL, 500),
    errors.PermanentError: Status(grpc.StatusCode.FAILED_PRECONDITION, 400),
    errors.InvalidInput: Status(grpc.StatusCode.INVALID_ARGUMENT, 422),
    errors.PayloadTooLarge: Status(grpc.StatusCode.INVALID_ARGUMENT, 413),
    errors.NotFound: Status(grpc.StatusCode.NOT_FOUND, 404),
    errors.Conflict: Status(grpc.StatusCode.FAILED_PRECONDITION, 409),  # state does not allow it
    errors.AccessDenied: Status(grpc.StatusCode.PERMISSION_DENIED, 403),
    errors.Unauthenticated: Status(grpc.StatusCode.UNAUTHENTICATED, 401),
    errors.ConfigurationError: Status(grpc.StatusCode.INTERNAL, 500),  # the server is misconfigured
    errors.Unroutable: Status(grpc.StatusCode.INTERNAL, 500),  # a missing inbox: topology, not the caller
    errors.PublishRejected: Status(grpc.StatusCode.RESOURCE_EXHAUSTED, 503),
    errors.TransientError: Status(grpc.StatusCode.UNAVAILABLE, 503),
    errors.BrokerUnavailable: Status(grpc.StatusCode.UNAVAILABLE, 503),
    errors.StorageUnavailable: Status(grpc.StatusCode.UNAVAILABLE, 503),
    errors.DependencyUnavailable: Status(grpc.StatusCode.UNAVAILABLE, 503),
}

INTERNAL = Status(grpc.StatusCode.INTERNAL, 500)


def status_of(error: BaseException) -> Status:
    """The row of the error's own class, else of its nearest listed ancestor; INTERNAL for foreign errors."""
    for cls in type(error).__mro__:
        if cls in TABLE:
            return TABLE[cls]
    return INTERNAL


def error_code(error: BaseException) -> str:
    return error.code if isinstance(error, errors.NswError) else "internal"


def error_message(error: BaseException) -> str:
    """What the caller may read: the project's own message; never a foreign exception's text."""
    return error.message if isinstance(error, errors.NswError) else "internal error"


def problems_of(error: BaseException) -> tuple[errors.Problem, ...]:
    return error.problems if isinstance(error, errors.InvalidInput) else ()
