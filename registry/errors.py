"""The registry's own exception tree, one class per Confluent error code.

The registry is a standalone service, so it does not share the hub's tree: each error carries the HTTP
status and the Confluent ``error_code`` that unmodified clients expect, and ``retryable`` tells a caller
whether the same call may succeed later. The REST layer renders every one as
``{"error_code": int, "message": str}``; issue 4's gRPC layer maps the same classes to gRPC codes.
"""

from __future__ import annotations

from collections.abc import Sequence


class RegistryError(Exception):
    """Base: ``http_status`` and ``error_code`` as Confluent defines them (research §1.4)."""

    http_status = 500
    error_code = 50001
    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# 400 / 413: malformed requests (no Confluent code exists, so the HTTP status doubles as the code).
class BadRequest(RegistryError):
    http_status = 400
    error_code = 400


class PayloadTooLarge(RegistryError):
    http_status = 413
    error_code = 413


class UnsupportedMediaType(RegistryError):
    http_status = 415
    error_code = 415


# 401 / 403: guarded writes. Confluent's security plugins answer {"error_code": 401, "message": "Unauthorized"}
# for missing or bad credentials and 403/40301 "User is denied operation Write on Subject: ..." for a refusal.
class Unauthenticated(RegistryError):
    http_status = 401
    error_code = 401


class AccessDenied(RegistryError):
    http_status = 403
    error_code = 40301


# 404: something named does not exist.
class NotFound(RegistryError):
    http_status = 404
    error_code = 404


class SubjectNotFound(NotFound):
    error_code = 40401


class VersionNotFound(NotFound):
    error_code = 40402


class SchemaNotFound(NotFound):
    error_code = 40403


class SubjectSoftDeleted(NotFound):
    error_code = 40404


class SubjectNotSoftDeleted(NotFound):
    error_code = 40405


class VersionSoftDeleted(NotFound):
    error_code = 40406


class VersionNotSoftDeleted(NotFound):
    error_code = 40407


class SubjectConfigNotFound(NotFound):
    error_code = 40408


class SubjectModeNotFound(NotFound):
    error_code = 40409


class RouteNotFound(NotFound):
    error_code = 404


class MethodNotAllowed(RegistryError):
    http_status = 405
    error_code = 405


# 409: the schema breaks the subject's compatibility level.
class IncompatibleSchema(RegistryError):
    """Carries each incompatibility as its own line; the message joins them."""

    http_status = 409
    error_code = 409

    def __init__(self, reasons: Sequence[str], *, level: str) -> None:
        self.reasons = tuple(reasons)
        self.level = level
        joined = "; ".join(self.reasons)
        super().__init__(f"Schema being registered is incompatible with an earlier schema ({level}): {joined}")


# 422: the request is well-formed but says something invalid.
class Unprocessable(RegistryError):
    http_status = 422
    error_code = 422


class InvalidSchema(Unprocessable):
    error_code = 42201


class InvalidVersion(Unprocessable):
    error_code = 42202


class InvalidCompatibilityLevel(Unprocessable):
    error_code = 42203


class InvalidMode(Unprocessable):
    error_code = 42204


class OperationNotPermitted(Unprocessable):
    error_code = 42205


class InvalidSubject(Unprocessable):
    error_code = 42208


class SchemaTooLarge(Unprocessable):
    error_code = 42209


# 5xx: the store failed; the same call may succeed later.
class StoreError(RegistryError):
    http_status = 500
    error_code = 50001
    retryable = True


class StoreTimeout(StoreError):
    error_code = 50002


class WireFormatError(RegistryError):
    """Bytes that are not a Confluent-framed message (client side: magic byte, 4-byte id)."""

    http_status = 400
    error_code = 400


class DocumentInvalid(RegistryError):
    """A document or record does not match its schema (client side, before anything is sent)."""

    http_status = 422
    error_code = 422


_BY_CODE: dict[int, type[RegistryError]] = {
    cls.error_code: cls
    for cls in (
        BadRequest, PayloadTooLarge, UnsupportedMediaType, Unauthenticated, AccessDenied, SubjectNotFound,
        VersionNotFound, SchemaNotFound, SubjectSoftDeleted, SubjectNotSoftDeleted, VersionSoftDeleted,
        VersionNotSoftDeleted, SubjectConfigNotFound, SubjectModeNotFound, MethodNotAllowed, InvalidSchema,
        InvalidVersion, InvalidCompatibilityLevel, InvalidMode, OperationNotPermitted, InvalidSubject,
        SchemaTooLarge, StoreError, StoreTimeout,
    )
}  # fmt: skip


def error_from_response(status: int, body: object) -> RegistryError:
    """The registry error a client raises for an error answer: by Confluent code, else by HTTP status."""
    code = body.get("error_code") if isinstance(body, dict) else None
    message = str(body.get("message")) if isinstance(body, dict) else f"HTTP {status}: {body!r}"
    if status == 409 or code in (409, 40901):
        return IncompatibleSchema([message], level="server")
    cls = _BY_CODE.get(code) if isinstance(code, int) else None
    if cls is None:
        cls = {404: NotFound, 422: Unprocessable, 400: BadRequest}.get(status, StoreError)
    error = cls(message)
    return error
