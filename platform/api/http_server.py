"""Serve an ASGI app with uvicorn inside the hub's event loop (no signal handlers of its own: the hub
process owns SIGTERM/SIGINT and stops every listener in order).

Every listener applies connection limits (request head and body deadlines, connections per client and in
total): the registry's ``http_limits`` protocol, shared because the registry may not import the hub."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.settings import HttpSettings
from singlewindow.registry.http_limits import ConnectionLimits, QuietDisconnects


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class HttpListener:
    def __init__(
        self,
        app: ASGIApp,
        host: str,
        port: int,
        *,
        tls_cert_file: Path | None = None,
        tls_key_file: Path | None = None,
        grace_seconds: float = 10.0,
        limits: HttpSettings | None = None,
    ) -> None:
        """Without ``limits`` the defaults of ``HttpSettings`` apply: no listener is ever unprotected."""
        config = uvicorn.Config(
            QuietDisconnects(app),
            host=host,
            port=port,
            lifespan="off",
            log_config=None,
            access_log=False,
            ssl_certfile=str(tls_cert_file) if tls_cert_file else None,
            ssl_keyfile=str(tls_key_file) if tls_key_file else None,
            timeout_graceful_shutdown=int(grace_seconds) or 1,
            **ConnectionLimits.of(limits or HttpSettings()).uvicorn_options(),
        )
        self._server = _Server(config)
        self._host = host
        self._task: asyncio.Task[None] | None = None
        self.port = port

    async def start(self) -> None:
        """Bind here, so a port in use is a clear ConfigurationError (uvicorn itself would exit the process)."""
        # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP, and
        # accepted sockets inherit the listener's proto (with 0, every response waited ~40 ms for Nagle).
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        listening = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listening.bind((self._host, self.port))
        except OSError as exc:
            listening.close()
            raise ConfigurationError(f"cannot listen for HTTP on {self._host}:{self.port}: {exc}") from exc
        self._task = asyncio.create_task(self._server.serve(sockets=[listening]), name="http-listener")
        while not self._server.started:
            if self._task.done():
                error = self._task.exception() if not self._task.cancelled() else None
                raise ConfigurationError(f"HTTP listener did not start: {error!r}")
            await asyncio.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop accepting, let running requests finish (up to the grace period), close."""
        if self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
