"""Bearer-token authentication shared by gRPC (``authorization`` metadata) and HTTP (the header)."""

from __future__ import annotations

from singlewindow.platform.errors import Unauthenticated
from singlewindow.platform.identity import Principal, PrincipalStore

SCHEME = "bearer"


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` value; Unauthenticated when absent or malformed."""
    if not authorization:
        raise Unauthenticated("missing authorization: send 'authorization: Bearer <token>'")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != SCHEME or not token.strip():
        raise Unauthenticated("authorization must be 'Bearer <token>'")
    return token.strip()


async def authenticate(principals: PrincipalStore, authorization: str | None) -> Principal:
    return await principals.authenticate(bearer_token(authorization))
