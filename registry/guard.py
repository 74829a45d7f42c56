"""Who may write: the seam issue 4 fills with principals and bearer tokens.

The service asks its guard before every write (register, delete, config, mode) with the caller's
credentials as the transport received them; reads are open. Until issue 4 the registry allows every write.
"""

from __future__ import annotations

from typing import Protocol

Credentials = str | None  # a bearer token, or None when the caller sent none


class WriteGuard(Protocol):
    async def authorize_write(self, credentials: Credentials, subject: str | None, action: str) -> None:
        """Return if allowed; raise ``AccessDenied``/``Unauthenticated`` otherwise (subject None = global)."""


class AllowAll:
    """Every write allowed: the behaviour before principals exist."""

    async def authorize_write(self, credentials: Credentials, subject: str | None, action: str) -> None:
        return None
