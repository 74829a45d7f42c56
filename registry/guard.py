"""Who may write: the seam a deployment fills (``nsw registry serve`` injects the hub's principals).

The service asks its guard before every write (register, delete, config, mode) with the caller's token as
the transport received it; reads are open. The registry itself knows no principals (it stands alone):
``AllowAll`` is for embedded use and tests, and the guard over the hub's principals lives outside.
Both transports take the token from the same ``Authorization`` value (HTTP header, gRPC metadata).
"""

from __future__ import annotations

import base64
import binascii
from typing import Protocol

from singlewindow.registry.errors import BadRequest

Credentials = str | None  # a bearer token, or None when the caller sent none


class WriteGuard(Protocol):
    async def authorize_write(self, credentials: Credentials, subject: str | None, action: str) -> None:
        """Return if allowed; raise ``AccessDenied``/``Unauthenticated`` otherwise (subject None = global)."""


class AllowAll:
    """Every write allowed: an embedded registry inside one trusted process, and tests."""

    async def authorize_write(self, credentials: Credentials, subject: str | None, action: str) -> None:
        return None


def token_from_authorization(header: str) -> Credentials:
    """The token in an ``Authorization`` value (shared with the gRPC metadata); None when absent."""
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return value or None
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise BadRequest("Malformed basic credentials in the Authorization header") from None
        _, _, password = decoded.partition(":")
        return password or None
    return None
