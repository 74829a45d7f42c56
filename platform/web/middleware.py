"""Every response of the portal: the session cookie opened before the page runs and sealed again when the
page changed it (or it is new), and the security headers a server-rendered site should send.

The content security policy allows scripts, styles and images from the portal itself only (no inline
script, no CDN), so an injected tag in a trader's data could not run even if escaping ever failed.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from singlewindow.platform.web.sessions import COOKIE, Session, SessionSealer

SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def session_of(connection: HTTPConnection) -> Session:
    session = connection.state.session
    assert isinstance(session, Session)
    return session


class PortalMiddleware:
    def __init__(self, app: ASGIApp, sealer: SessionSealer, secure_cookies: bool) -> None:
        self.app = app
        self.sealer = sealer
        self.secure = secure_cookies

    def _cookie(self, session: Session) -> str:
        attributes = f"Path=/; Max-Age={self.sealer.max_age_seconds}; HttpOnly; SameSite=Lax"
        return f"{COOKIE}={self.sealer.seal(session)}; {attributes}" + ("; Secure" if self.secure else "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sealed = self.sealer.open(HTTPConnection(scope).cookies.get(COOKIE))
        opened = sealed or Session.anonymous()
        scope.setdefault("state", {})["session"] = opened

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                current = scope["state"]["session"]
                if current is not opened or sealed is None:
                    headers.append("set-cookie", self._cookie(current))
            await send(message)

        await self.app(scope, receive, sending)
