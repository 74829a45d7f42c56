"""Slow and greedy HTTP clients against a real listener on 127.0.0.1: half a request head, a stalled body and
one connection too many are closed; a Watch stream outlives every request deadline.

Each test asserts what happened to the connection (closed, with which answer), never how long it took;
``asyncio.wait_for`` only keeps a broken server from hanging the run.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from singlewindow.platform.api.http_app import build_http_app
from singlewindow.platform.api.http_server import HttpListener
from singlewindow.platform.settings import HttpSettings

from .conftest import Env, example

SHORT = HttpSettings(header_timeout_seconds=0.5, body_timeout_seconds=0.5, max_connections_per_client=3)
GUARD = 20.0  # seconds; a safety net, not an assertion


class EchoApp:
    """Reads the whole body, answers its length; remembers whether it was told the client went away."""

    def __init__(self) -> None:
        self.disconnects = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.disconnects += 1
                return
            size += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = str(size).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(body))]})
        await send({"type": "http.response.body", "body": body})


@pytest.fixture
async def echo() -> AsyncIterator[tuple[EchoApp, int]]:
    app = EchoApp()
    listener = HttpListener(app, "127.0.0.1", 0, grace_seconds=1, limits=SHORT)
    await listener.start()
    try:
        yield app, listener.port
    finally:
        await listener.stop()


async def until_closed(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    try:
        while chunk := await reader.read(4096):
            received += chunk
    except ConnectionResetError:
        pass
    return received


async def closed_after(port: int, sent: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(sent)
        await writer.drain()
        return await asyncio.wait_for(until_closed(reader), GUARD)
    finally:
        writer.close()


async def test_half_a_request_head_is_answered_408_and_closed(echo: tuple[EchoApp, int]) -> None:
    answer = await closed_after(echo[1], b"GET / HTTP/1.1\r\nHost: hub\r\nX-Slow: ")
    assert answer.startswith(b"HTTP/1.1 408 ")


async def test_a_connection_that_sends_nothing_is_closed(echo: tuple[EchoApp, int]) -> None:
    answer = await closed_after(echo[1], b"")
    assert answer.startswith(b"HTTP/1.1 408 ")


async def test_a_stalled_body_is_closed_and_the_app_sees_a_disconnect(echo: tuple[EchoApp, int]) -> None:
    app, port = echo
    answer = await closed_after(port, b"POST / HTTP/1.1\r\nHost: hub\r\nContent-Length: 100\r\n\r\n0123456789")
    assert answer == b""  # no response: the request never finished
    assert app.disconnects == 1


async def test_complete_requests_on_a_kept_alive_connection_are_served(echo: tuple[EchoApp, int]) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{echo[1]}", timeout=GUARD) as client:
        for size in (0, 10, 70_000):
            response = await client.post("/", content=b"x" * size)
            assert response.status_code == 200 and response.text == str(size)


async def test_one_connection_too_many_from_one_client_is_refused(echo: tuple[EchoApp, int]) -> None:
    port = echo[1]
    held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(SHORT.max_connections_per_client)]
    try:
        answer = await closed_after(port, b"")
        assert answer.startswith(b"HTTP/1.1 429 ")
    finally:
        for _, writer in held:
            writer.close()
    # The held connections are gone, so the same client is served again (the count went down).
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=GUARD) as client:
        for _ in range(200):
            try:
                response = await client.post("/", content=b"abc")
            except httpx.TransportError:
                await asyncio.sleep(0.05)
                continue
            if response.status_code == 200:
                break
            await asyncio.sleep(0.05)
        assert response.status_code == 200 and response.text == "3"


async def test_a_watch_stream_outlives_the_request_deadlines(env: Env) -> None:
    """Heartbeats every 0.1 s, request deadlines of 0.5 s: fifteen heartbeats and an event on one stream
    mean it stayed open well past both deadlines."""
    closing = asyncio.Event()
    app = build_http_app(env.api, closing, heartbeat_seconds=0.1)
    listener = HttpListener(app, "127.0.0.1", 0, grace_seconds=1, limits=SHORT)
    await listener.start()
    heartbeats, events = 0, []
    try:
        async with (
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{listener.port}", timeout=GUARD) as client,
            client.stream("GET", "/v1/submissions/watch", headers=env.headers("trader-a")) as stream,
        ):
            assert stream.status_code == 200
            lines = stream.aiter_lines()
            while heartbeats < 15:
                line = await asyncio.wait_for(anext(lines), GUARD)
                heartbeats += line == ": keep-alive"
            submitted = await env.http.post(
                "/v1/submissions",
                json={"documentType": "consignment", "document": example("laptops")},
                headers=env.headers("trader-a"),
            )
            assert submitted.status_code == 201
            while not events:
                line = await asyncio.wait_for(anext(lines), GUARD)
                if line.startswith("data: "):
                    events.append(json.loads(line.removeprefix("data: ")))
    finally:
        closing.set()
        await listener.stop()
    assert events[0]["submissionId"] == submitted.json()["submission"]["submissionId"]


def test_limits_are_validated() -> None:
    for bad in ({"header_timeout_seconds": 0}, {"body_timeout_seconds": -1}, {"max_connections_per_client": 0}):
        with pytest.raises(ValueError, match="greater than"):
            HttpSettings(**bad)  # type: ignore[arg-type]
