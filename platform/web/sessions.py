"""The portal's session: one cookie, sealed with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``).

The cookie carries the principal's bearer token, so it is encrypted as well as signed (a signed-only cookie
would show the token to anything that reads the browser's storage), httpOnly (no script reads it) and
SameSite=Lax (other sites' forms do not send it). Every form also carries the session's CSRF token, checked
on each POST. A cookie that does not open (tampered, another key, too old) is simply a new anonymous
session: nothing about it is trusted.
"""

from __future__ import annotations

import hmac
import json
import secrets
from dataclasses import asdict, dataclass, replace

from cryptography.fernet import Fernet, InvalidToken

COOKIE = "nsw_portal"
MAX_COOKIE_BYTES = 4096  # what browsers keep per cookie; a longer value is not ours


@dataclass(frozen=True, slots=True)
class Session:
    csrf: str
    token: str | None = None  # the principal's bearer token for the hub API; None when signed out
    name: str = ""
    role: str = ""
    language: str | None = None  # chosen with the language switch; None follows Accept-Language

    @property
    def signed_in(self) -> bool:
        return self.token is not None

    @classmethod
    def anonymous(cls, language: str | None = None) -> Session:
        return cls(csrf=secrets.token_urlsafe(24), language=language)

    def signed_in_as(self, token: str, name: str, role: str) -> Session:
        """A new CSRF token with every sign-in, so one learnt before it is worth nothing after."""
        return replace(self, csrf=secrets.token_urlsafe(24), token=token, name=name, role=role)

    def csrf_matches(self, sent: object) -> bool:
        return isinstance(sent, str) and hmac.compare_digest(sent.encode(), self.csrf.encode())


class SessionSealer:
    """Seals and opens session cookies with one key; ``max_age_seconds`` ends a sign-in however it is used."""

    def __init__(self, key: bytes | None, max_age_seconds: int) -> None:
        self._fernet = Fernet(key or Fernet.generate_key())
        self.max_age_seconds = max_age_seconds

    def seal(self, session: Session) -> str:
        return self._fernet.encrypt(json.dumps(asdict(session), separators=(",", ":")).encode()).decode()

    def open(self, cookie: str | None) -> Session | None:
        """The sealed session, or None when there is none that opens (a new one is then started)."""
        if not cookie or len(cookie) > MAX_COOKIE_BYTES:
            return None
        try:
            fields = json.loads(self._fernet.decrypt(cookie.encode(), ttl=self.max_age_seconds))
            return Session(
                csrf=str(fields["csrf"]),
                token=fields["token"] if isinstance(fields["token"], str) else None,
                name=str(fields["name"]),
                role=str(fields["role"]),
                language=fields["language"] if isinstance(fields["language"], str) else None,
            )
        except (InvalidToken, ValueError, KeyError, TypeError):
            return None
