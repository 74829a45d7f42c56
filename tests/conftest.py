"""Shared fixtures: services for integration tests skip locally without them and fail under CI=true."""

from __future__ import annotations

import os
import socket
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
import structlog

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

RABBITMQ_HOST = os.environ.get("NSW_TEST_RABBITMQ_HOST", "127.0.0.1")
RABBITMQ_PORT = int(os.environ.get("NSW_TEST_RABBITMQ_PORT", "5672"))
RABBITMQ_MANAGEMENT_URL = os.environ.get("NSW_TEST_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")
POSTGRES_URL = os.environ.get("NSW_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip with a clear message on a laptop without the service; fail under CI=true (dramatiq's rule)."""
    if _reachable(host, port):
        return
    message = f"{name} is not reachable at {host}:{port}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: integration tests must not skip)")
    pytest.skip(f"{message}; start it to run this integration test")


@pytest.fixture(scope="session")
def rabbitmq_available() -> None:
    require_service("RabbitMQ", RABBITMQ_HOST, RABBITMQ_PORT)


@pytest.fixture(scope="session")
def rabbitmq_management_available() -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(RABBITMQ_MANAGEMENT_URL)
    require_service("RabbitMQ management API", parts.hostname or "127.0.0.1", parts.port or 15672)


@pytest.fixture(scope="session")
def postgres_available() -> None:
    require_service("PostgreSQL", "127.0.0.1", 5432)


async def _admin_sql(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _fresh_database() -> Iterator[str]:
    import asyncio
    import uuid

    name = f"nsw_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin_sql(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(_admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def fresh_postgres_url(postgres_available: None) -> Iterator[str]:
    """A PostgreSQL database of its own for one test, dropped afterwards (plain ``postgresql://`` URL)."""
    yield from _fresh_database()


@pytest.fixture(scope="module")
def module_postgres_url(postgres_available: None) -> Iterator[str]:
    """The same for all tests of one module that share an expensive environment (hub processes)."""
    yield from _fresh_database()


@pytest.fixture(autouse=True)
def _structlog_defaults() -> Iterator[None]:
    """Each test starts with structlog's defaults: a test that ran the CLI (``configure_logging``, level
    WARNING for the demo) must not filter what the next test captures with ``capture_logs``."""
    yield
    structlog.reset_defaults()


@pytest.fixture
def bare_submissions() -> Callable[..., Awaitable[None]]:
    """``await bare_submissions(engine, *ids)``: submission rows with no version or event, for tests of the
    event history alone (every event belongs to a stored submission: its chain head lives on the row)."""

    async def add(engine: Any, *ids: str) -> None:
        from sqlalchemy import insert

        from singlewindow.platform.identity import PrincipalStore, Role
        from singlewindow.platform.state.common import utcnow
        from singlewindow.platform.storage.tables import submissions

        trader = (await PrincipalStore(engine).add(f"trader-{ids[0]}", Role.TRADER)).principal.id
        rows = [
            {"id": sid, "declarant_id": trader, "trader_reference": sid, "document_type": "consignment",
             "ucr": sid.upper(), "current_version": 1, "created_at": utcnow()}
            for sid in ids
        ]  # fmt: skip
        async with engine.begin() as conn:
            await conn.execute(insert(submissions), rows)

    return add
