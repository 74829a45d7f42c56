"""The project's one exception tree.

Branches follow what the caller does next, the way httpx draws its tree::

    NswError
    ├── PermanentError                 do not retry: the same call fails the same way
    │   ├── InvalidInput               bad request data; carries field-level problems
    │   │   └── PayloadTooLarge
    │   ├── NotFound
    │   ├── Conflict                   e.g. same trader reference, different payload
    │   ├── AccessDenied               authenticated but not allowed
    │   │   └── Unauthenticated        no or bad credentials
    │   ├── ConfigurationError         settings or topology do not match what is required
    │   ├── Unroutable                 the broker returned a mandatory publish
    │   └── PublishRejected            the broker nacked a publish (queue full, access refused)
    └── TransientError                 retry later: the same call may succeed
        ├── BrokerUnavailable          connection or channel lost
        ├── StorageUnavailable
        └── DependencyUnavailable      an agency system or partner hub is not answering

Third-party errors are translated where they enter (``raise NswError(...) from exc``), so nothing above a
boundary sees a pika, SQLAlchemy or gRPC exception. ``singlewindow.platform.api.status_codes`` (one table)
maps each class to a gRPC and an HTTP status. The registry is a standalone service with its own tree
(``singlewindow.registry.errors``); the hub translates its client's errors at that boundary too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One field-level problem, shaped as DESIGN.md fixes: a JSON pointer, a code, a message, a severity."""

    path: str
    code: str
    message: str
    severity: Severity = "error"

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message, "severity": self.severity}


class NswError(Exception):
    """Root of every error the project raises on purpose."""

    code: str = "nsw_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PermanentError(NswError):
    """Retrying the same call will not help."""

    code = "permanent"


class InvalidInput(PermanentError):
    """The request was understood but its data is wrong; ``problems`` says where."""

    code = "invalid_input"

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[Problem, ...] = tuple(problems)


class PayloadTooLarge(InvalidInput):
    code = "payload_too_large"


class NotFound(PermanentError):
    code = "not_found"


class Conflict(PermanentError):
    code = "conflict"


class AccessDenied(PermanentError):
    code = "access_denied"


class Unauthenticated(AccessDenied):
    code = "unauthenticated"


class ConfigurationError(PermanentError):
    code = "configuration_error"


class Unroutable(PermanentError):
    """A ``mandatory`` publish matched no queue: a missing inbox, never skipped silently."""

    code = "unroutable"


class PublishRejected(PermanentError):
    """The broker refused a publish with a negative confirm."""

    code = "publish_rejected"


class TransientError(NswError):
    """The same call may succeed later; retry with backoff."""

    code = "transient"


class BrokerUnavailable(TransientError):
    code = "broker_unavailable"


class StorageUnavailable(TransientError):
    code = "storage_unavailable"


class DependencyUnavailable(TransientError):
    code = "dependency_unavailable"
