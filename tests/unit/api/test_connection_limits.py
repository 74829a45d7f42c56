"""Slow and greedy HTTP clients against a real listener on 127.0.0.1: half a request head, a stalled body and
one connection too many are closed; a Watch stream outlives every request deadline.

Each test asserts what happened to the connection (closed, with which answer), never how long it took;
``asyncio.wait_for`` only keeps a broken server from hanging the run.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog.testing
from starlette.types import Receive, Scope, Send

from singlewindow.platform.api.agency_services import build_agency_services
from singlewindow.platform.api.http_app import build_http_app
from singlewindow.platform.api.http_server import HttpListener
from singlewindow.platform.settings import AttachmentSettings, HttpSettings, Settings
from singlewindow.platform.specs import Catalog, DocumentValidator

from .conftest import Env, example

SHORT = HttpSettings(header_timeout_seconds=0.5, body_timeout_seconds=0.5, max_connections_per_client=3)
GUARD = 20.0  # seconds; a safety net, not an assertion


class EchoApp:
    """Reads the whole body, answers its length; counts the requests it began and the ones it answered."""

    def __init__(self) -> None:
        self.began = 0
        self.answered = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        self.began += 1
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise AssertionError("a disconnect mid-body must end the request before the application sees it")
            size += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = str(size).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(body))]})
        await send({"type": "http.response.body", "body": body})
        self.answered += 1


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


async def until_logged(logs: list[dict[str, Any]], event: str) -> None:
    for _ in range(400):
        if any(entry["event"] == event for entry in logs):
            return
        await asyncio.sleep(0.02)


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


async def test_a_stalled_body_is_closed_and_the_request_ends_quietly(echo: tuple[EchoApp, int]) -> None:
    app, port = echo
    with structlog.testing.capture_logs() as logs:
        answer = await closed_after(port, b"POST / HTTP/1.1\r\nHost: hub\r\nContent-Length: 100\r\n\r\n0123456789")
        await until_logged(logs, "http.client_left")
    assert answer == b""  # no response: the request never finished
    assert (app.began, app.answered) == (1, 0)
    assert not [entry for entry in logs if entry["log_level"] in ("error", "critical")], logs


async def test_a_stalled_attachment_upload_leaves_no_error_and_no_file(env: Env, tmp_path: Path) -> None:
    """Through the hub's own routes (attachments), whose error handler logs unexpected failures."""
    settings = Settings(attachments=AttachmentSettings(folder=tmp_path / "blobs"))
    services = build_agency_services(env.embedded.hub, settings, DocumentValidator(Catalog()))
    app = build_http_app(env.api, extra_routes=services.routes())
    listener = HttpListener(app, "127.0.0.1", 0, grace_seconds=1, limits=SHORT)
    await listener.start()
    head = (
        f"POST /v1/attachments?fileName=a.pdf HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {env.tokens['trader-a']}"
        "\r\nContent-Type: application/pdf\r\nContent-Length: 1000\r\n\r\n"
    )
    try:
        with structlog.testing.capture_logs() as logs:
            assert await closed_after(listener.port, head.encode() + b"%PDF-1.7 half") == b""
            await until_logged(logs, "http.client_left")
    finally:
        await listener.stop()
    assert not [entry for entry in logs if entry["log_level"] in ("error", "critical")], logs
    assert not [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]  # the partial upload was discarded


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
