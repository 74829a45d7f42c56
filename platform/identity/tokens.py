"""Bearer tokens: 256 random bits, stored as SHA-256 (no slow hash needed at that entropy)."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "nsw_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"
