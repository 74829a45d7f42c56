"""A real registry (uvicorn on a free port, gRPC beside it) over SQLite or a fresh PostgreSQL database per
test, guarded as ``nsw registry serve`` runs it: writes need a principal's token from a principals database
of its own (an operator and a veterinary agency principal are created for each test)."""

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
from urllib.parse import quote

import asyncpg
import pytest
import uvicorn

from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.identity.registry_guard import PrincipalWriteGuard
from singlewindow.platform.storage import open_engine, upgrade
from singlewindow.registry.grpc_api import GrpcListener, build_grpc_listener
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
    principals_url: str | None = None  # None: every write allowed (the registry's embedded default)
    operator_token: str = ""
    agency_token: str = ""  # agency "veterinary": subjects agency.veterinary.* and nsw.view-veterinary.*
    server: uvicorn.Server | None = None
    grpc: GrpcListener | None = None
    thread: threading.Thread | None = None
    failure: list[BaseException] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.http_port}"

    @property
    def operator_url(self) -> str:
        """The URL with the operator's token as the basic-auth password (python-schema-registry-client)."""
        return f"http://operator:{quote(self.operator_token, safe='')}@127.0.0.1:{self.settings.http_port}"

    @property
    def operator_auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.operator_token}"}

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
        engine = open_engine(self.principals_url) if self.principals_url else None
        guard = PrincipalWriteGuard(PrincipalStore(engine)) if engine is not None else None
        service = await open_service(self.settings, guard)
        try:
            if self.settings.grpc_port is not None:
                self.grpc = build_grpc_listener(service, "127.0.0.1", self.settings.grpc_port)
                await self.grpc.start()
            self.server = build_server(service, self.settings)
            await self.server.serve()
        finally:
            if self.grpc is not None:
                await self.grpc.stop(0)
            await service.store.close()
            if engine is not None:
                await engine.dispose()

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=20)
        self.server = None


async def _add_principals(url: str) -> tuple[str, str]:
    engine = open_engine(url)
    try:
        await upgrade(engine)
        store = PrincipalStore(engine)
        operator = await store.add("registry-operator", Role.OPERATOR)
        agency = await store.add("veterinary-specs", Role.AGENCY, "veterinary")
        return operator.token, agency.token
    finally:
        await engine.dispose()


def start_registry(db_url: str, principals_dir: Path | None = None, **overrides: object) -> RunningRegistry:
    """Guarded by principals in ``principals_dir``/hub.db when given, else open to every write."""
    settings = RegistrySettings(db_url=db_url, http_port=free_port(), **overrides)  # type: ignore[arg-type]
    running = RunningRegistry(settings)
    if principals_dir is not None:
        running.principals_url = f"sqlite:///{principals_dir / 'hub.db'}"
        running.operator_token, running.agency_token = asyncio.run(_add_principals(running.principals_url))
    return running.start()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.db'}"
    return str(request.getfixturevalue("postgres_db_url"))


@pytest.fixture
def registry(db_url: str, tmp_path: Path) -> Iterator[RunningRegistry]:
    running = start_registry(db_url, tmp_path, grpc_port=free_port())
    try:
        yield running
    finally:
        running.stop()
