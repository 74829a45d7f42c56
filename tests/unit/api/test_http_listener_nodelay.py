"""The hub's HTTP listener answers without Nagle's delay: accepted connections have TCP_NODELAY set.

The listener binds its own socket (so a port in use is a clear error); a socket made with proto 0 made
asyncio skip TCP_NODELAY on every accepted connection, and each small response waited for the peer's
delayed ACK (about 40 ms on loopback instead of about 2 ms).
"""

from __future__ import annotations

import asyncio
import socket

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from singlewindow.platform.api.http_server import HttpListener


async def test_accepted_connections_have_tcp_nodelay() -> None:
    async def ok(_request: object) -> PlainTextResponse:
        return PlainTextResponse("ok")

    listener = HttpListener(Starlette(routes=[Route("/", ok)]), "127.0.0.1", 0, grace_seconds=1)
    await listener.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", listener.port)
    try:
        writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        await writer.drain()
        assert (await reader.readline()).startswith(b"HTTP/1.1 200")
        connections = listener._server.server_state.connections
        assert connections
        for protocol in connections:
            accepted = protocol.transport.get_extra_info("socket")
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        writer.close()
        await listener.stop()
