"""A real registry (uvicorn on a free port) over SQLite or a fresh PostgreSQL database per test."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest
import uvicorn

from singlewindow.registry.server import build_server, open_service
from singlewindow.registry.settings import RegistrySettings

POSTGRES_URL = os.environ.get("NSW_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture
def postgres_db_url(postgres_available: None) -> Iterator[str]:
    """A fresh database, dropped afterwards (even when the test fails)."""
    name = f"nsw_registry_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@dataclass
class RunningRegistry:
    """uvicorn in a thread with its own event loop, so blocking clients can call it from tests."""

    settings: RegistrySettings
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None
    failure: list[BaseException] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.http_port}"

    def start(self) -> RunningRegistry:
        self.thread = threading.Thread(target=self._run, name="registry", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not (self.server is not None and self.server.started):
            if self.failure:
                raise RuntimeError("registry failed to start") from self.failure[0]
            if time.monotonic() > deadline:
                raise TimeoutError("registry did not start within 20 s")
            time.sleep(0.02)
        return self

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # surfaced to the test thread by start()
            self.failure.append(exc)

    async def _serve(self) -> None:
        service = await open_service(self.settings)
        try:
            self.server = build_server(service, self.settings)
            await self.server.serve()
        finally:
            await service.store.close()

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=20)
        self.server = None


def start_registry(db_url: str, **overrides: object) -> RunningRegistry:
    settings = RegistrySettings(db_url=db_url, http_port=free_port(), **overrides)  # type: ignore[arg-type]
    return RunningRegistry(settings).start()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.db'}"
    return str(request.getfixturevalue("postgres_db_url"))


@pytest.fixture
def registry(db_url: str) -> Iterator[RunningRegistry]:
    running = start_registry(db_url)
    try:
        yield running
    finally:
        running.stop()
