"""A registry service on a fresh SQLite file per test; the same behind the principals' guard, over REST
(in process) and gRPC (a real grpc.aio server on a free port)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import httpx
import pytest

from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.identity.registry_guard import PrincipalWriteGuard
from singlewindow.platform.storage import open_engine, upgrade
from singlewindow.registry.api import create_app
from singlewindow.registry.grpc_api import GrpcListener, build_grpc_listener
from singlewindow.registry.proto import registry_pb2_grpc
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.storage import SchemaStore, create_engine


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'registry.db'}"


@pytest.fixture
async def service(db_url: str) -> AsyncIterator[RegistryService]:
    store = SchemaStore(create_engine(db_url))
    await store.migrate()
    yield RegistryService(store, RegistrySettings(db_url=db_url))
    await store.close()


# ---- guarded registry: principals, REST in process, gRPC on a free port --------------------------------


@dataclass(frozen=True)
class Tokens:
    operator: str
    veterinary: str  # agency principal of agency "veterinary"
    customs: str  # agency principal of agency "customs"
    trader: str


@pytest.fixture
async def principals(tmp_path: Path) -> AsyncIterator[PrincipalStore]:
    engine = open_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    await upgrade(engine)
    yield PrincipalStore(engine)
    await engine.dispose()


@pytest.fixture
async def tokens(principals: PrincipalStore) -> Tokens:
    return Tokens(
        operator=(await principals.add("ops", Role.OPERATOR)).token,
        veterinary=(await principals.add("vet-specs", Role.AGENCY, "veterinary")).token,
        customs=(await principals.add("customs-specs", Role.AGENCY, "customs")).token,
        trader=(await principals.add("kaz-fruit", Role.TRADER)).token,
    )


@pytest.fixture
async def guarded(service: RegistryService, principals: PrincipalStore) -> RegistryService:
    """The same store as ``service``, behind the principals' write guard (as ``nsw registry serve`` runs)."""
    return RegistryService(service.store, service.settings, PrincipalWriteGuard(principals))


@pytest.fixture
async def rest(guarded: RegistryService) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(guarded, guarded.settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
        yield client


@pytest.fixture
async def grpc_listener(guarded: RegistryService) -> AsyncIterator[GrpcListener]:
    listener = build_grpc_listener(guarded, "127.0.0.1", 0)
    await listener.start()
    yield listener
    await listener.stop(0)


@pytest.fixture
async def stub(grpc_listener: GrpcListener) -> AsyncIterator[registry_pb2_grpc.RegistryServiceStub]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{grpc_listener.port}") as channel:
        yield registry_pb2_grpc.RegistryServiceStub(channel)  # type: ignore[no-untyped-call]


def bearer(token: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {token}"),)
