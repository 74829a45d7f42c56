"""The registry's REST listener refuses slow and greedy clients like the hub's (registry.http_limits): half a
request head gets 408 and is closed, a stalled body is closed, one connection too many gets 429.

Assertions are on what happened to the connection, never on how long it took."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import structlog.testing
from pydantic import ValidationError

from singlewindow.registry.server import build_server
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings

GUARD = 20.0  # seconds; a safety net, not an assertion


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def port(service: RegistryService) -> AsyncIterator[int]:
    settings = service.settings.model_copy(
        update={
            "http_port": free_port(),
            "header_timeout_seconds": 0.5,
            "body_timeout_seconds": 0.5,
            "max_connections_per_client": 2,
        }
    )
    server = build_server(service, settings)
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(500):  # uvicorn offers no started event
            if server.started:
                break
            await asyncio.sleep(0.02)
        yield settings.http_port
    finally:
        server.should_exit = True
        await serving


async def closed_after(port: int, sent: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    received = b""
    try:
        writer.write(sent)
        await writer.drain()

        async def drain() -> None:
            nonlocal received
            while chunk := await reader.read(4096):
                received += chunk

        with contextlib.suppress(ConnectionResetError):
            await asyncio.wait_for(drain(), GUARD)
        return received
    finally:
        writer.close()


async def test_half_a_head_and_a_stalled_body_are_closed(port: int) -> None:
    assert (await closed_after(port, b"GET /subjects HTTP/1.1\r\nHost: r")).startswith(b"HTTP/1.1 408 ")
    head = b"POST /subjects/x/versions HTTP/1.1\r\nHost: r\r\nContent-Type: application/json\r\nContent-Length: 50"
    with structlog.testing.capture_logs() as logs:
        assert await closed_after(port, head + b"\r\n\r\n{") == b""  # closed: the request never finished
        for _ in range(200):  # the application's task ends after the connection
            if any(entry["event"] == "http.client_left" for entry in logs):
                break
            await asyncio.sleep(0.02)
    assert [entry["event"] for entry in logs if entry["event"].startswith("http.")] == [
        "http.body_timeout",
        "http.client_left",
    ]
    assert not [entry for entry in logs if entry["log_level"] in ("error", "critical")], logs
    async with httpx.AsyncClient(timeout=GUARD) as http:  # a complete request is still served
        assert (await http.get(f"http://127.0.0.1:{port}/schemas/types")).json() == ["AVRO", "JSON"]


async def test_one_connection_too_many_from_one_client_gets_429(port: int) -> None:
    held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(2)]
    try:
        assert (await closed_after(port, b"")).startswith(b"HTTP/1.1 429 ")
    finally:
        for _, writer in held:
            writer.close()


def test_limits_are_validated() -> None:
    with pytest.raises(ValidationError):
        RegistrySettings(header_timeout_seconds=0)
    with pytest.raises(ValidationError):
        RegistrySettings(max_connections_per_client=0)
