"""Slow and greedy HTTP clients, refused at the transport: uvicorn's h11 protocol with read deadlines and a
per-client connection cap.

uvicorn bounds only the idle time between requests (keep-alive). A client that opens a connection and sends
half a request head, or a ``Content-Length`` and then a byte now and then, holds a connection (and, with a
body, an application task) for ever: a few hundred such clients exhaust a listener (slowloris). Here

* the request head must be complete within ``header_timeout`` seconds of the connection opening (or of the
  first byte of the next request on a kept-alive connection), else 408 and the connection is closed;
* the request body must be complete within ``body_timeout`` seconds of its head, else the connection is
  closed (the application sees a disconnect);
* one client address may hold at most ``max_connections_per_client`` connections; the next is answered 429
  and closed at once; ``max_connections`` in total is uvicorn's ``limit_concurrency`` (503);
* ``QuietDisconnects`` ends a request whose client left before sending its whole body without letting the
  application treat it as a crash: closing slow clients on purpose must not fill the log with tracebacks.

Only reading the REQUEST is timed: a long response (a Watch stream of server-sent events) is never cut.

It lives in the registry package because the registry stands alone (it may import nothing of the hub),
while the hub may import the registry: both listeners then share this one implementation.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Protocol

import h11
import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

log = structlog.get_logger(__name__)

_TIMEOUT_408 = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain\r\ncontent-length: 16\r\n"
    b"connection: close\r\n\r\nrequest timeout\n"
)
_BUSY_429 = (
    b"HTTP/1.1 429 Too Many Requests\r\ncontent-type: text/plain\r\ncontent-length: 40\r\n"
    b"connection: close\r\nretry-after: 1\r\n\r\ntoo many connections from this address\r\n"
)


class LimitSettings(Protocol):
    """The settings fields both listeners name alike (the hub's HttpSettings, the registry's settings)."""

    @property
    def header_timeout_seconds(self) -> float: ...
    @property
    def body_timeout_seconds(self) -> float: ...
    @property
    def keep_alive_seconds(self) -> int: ...
    @property
    def max_connections(self) -> int: ...
    @property
    def max_connections_per_client(self) -> int: ...


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """What one HTTP listener tolerates; the settings of the hub and of the registry build one."""

    header_timeout: float = 10.0
    body_timeout: float = 120.0
    keep_alive_timeout: int = 5
    max_connections: int = 1000
    max_connections_per_client: int = 100

    @classmethod
    def of(cls, settings: LimitSettings) -> ConnectionLimits:
        return cls(
            header_timeout=settings.header_timeout_seconds,
            body_timeout=settings.body_timeout_seconds,
            keep_alive_timeout=settings.keep_alive_seconds,
            max_connections=settings.max_connections,
            max_connections_per_client=settings.max_connections_per_client,
        )

    def uvicorn_options(self) -> dict[str, Any]:
        """The ``uvicorn.Config`` keywords that apply these limits."""
        return {
            "http": limited_protocol(self),
            "limit_concurrency": self.max_connections,
            "timeout_keep_alive": self.keep_alive_timeout,
        }


def limited_protocol(limits: ConnectionLimits) -> type[H11Protocol]:
    """A protocol class for one listener: the per-client counts are that listener's own."""
    open_by_client: dict[str, int] = {}

    class LimitedH11Protocol(H11Protocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._header_timer: asyncio.TimerHandle | None = None
            self._body_timer: asyncio.TimerHandle | None = None
            self._counted: str | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            address = self.client[0] if self.client else None
            if address is not None:
                if open_by_client.get(address, 0) >= limits.max_connections_per_client:
                    log.warning("http.too_many_connections", client=address, limit=limits.max_connections_per_client)
                    transport.write(_BUSY_429)
                    transport.close()
                    return
                open_by_client[address] = open_by_client.get(address, 0) + 1
                self._counted = address
            self._header_timer = self.loop.call_later(limits.header_timeout, self._head_too_slow)

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_timers()
            if self._counted is not None:
                left = open_by_client.get(self._counted, 1) - 1
                if left > 0:
                    open_by_client[self._counted] = left
                else:
                    open_by_client.pop(self._counted, None)
                self._counted = None
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._follow(arm_header=True)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            # A pipelined request already buffered may be half a head: time it like any other.
            self._follow(arm_header=bool(self.conn.trailing_data[0]))

        def _follow(self, arm_header: bool) -> None:
            """Arm or cancel the deadlines for the state the request is now in."""
            if self.transport.is_closing():
                self._cancel_timers()
                return
            state = self.conn.their_state
            if state is h11.IDLE:  # the head is not complete yet
                if arm_header and self._header_timer is None:
                    self._header_timer = self.loop.call_later(limits.header_timeout, self._head_too_slow)
                return
            self._cancel(header=True)
            if state is h11.SEND_BODY:
                if self._body_timer is None:
                    self._body_timer = self.loop.call_later(limits.body_timeout, self._body_too_slow)
            else:
                self._cancel(body=True)

        def _head_too_slow(self) -> None:
            self._header_timer = None
            if self.transport.is_closing():
                return
            log.info("http.header_timeout", client=self._counted, seconds=limits.header_timeout)
            if self.conn.our_state is h11.IDLE:
                self.transport.write(_TIMEOUT_408)
            self.transport.close()

        def _body_too_slow(self) -> None:
            self._body_timer = None
            if self.transport.is_closing():
                return
            log.info("http.body_timeout", client=self._counted, seconds=limits.body_timeout)
            self.transport.close()

        def _cancel(self, *, header: bool = False, body: bool = False) -> None:
            if header and self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None
            if body and self._body_timer is not None:
                self._body_timer.cancel()
                self._body_timer = None

        def _cancel_timers(self) -> None:
            self._cancel(header=True, body=True)

    return LimitedH11Protocol


class _ClientLeft(BaseException):
    """Raised into the application at the ``receive`` that learns of it; a BaseException, so the
    application's ``except Exception`` error handlers do not log it as a failure."""


class QuietDisconnects:
    """ASGI middleware: a client that disconnects before its request body is complete (a body deadline, or
    a client that gave up) ends the request with one info line, not as an application error."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body_complete = False

        async def watched() -> Message:
            nonlocal body_complete
            message = await receive()
            if message["type"] == "http.request" and not message.get("more_body", False):
                body_complete = True
            elif message["type"] == "http.disconnect" and not body_complete:
                raise _ClientLeft
            return message

        try:
            await self.app(scope, watched, send)
        except _ClientLeft:
            log.info("http.client_left", path=scope.get("path"))
        except BaseExceptionGroup as group:  # read inside a task group
            _, rest = group.split(_ClientLeft)
            if rest is not None:
                raise rest from None
            log.info("http.client_left", path=scope.get("path"))
