"""Async engines for the embedded default (SQLite) and production (PostgreSQL)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from singlewindow.platform.errors import ConfigurationError

PING_AFTER_IDLE_SECONDS = 2.0
_ASYNC_DRIVERS = {
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
}


def async_url(url: str) -> URL:
    """Accept plain ``postgresql://`` and ``sqlite://`` URLs and pick the async driver for them."""
    parsed = make_url(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    if driver is not None:
        parsed = parsed.set(drivername=driver)
    if parsed.drivername not in _ASYNC_DRIVERS.values():
        raise ConfigurationError(f"unsupported database URL {parsed.drivername!r}: use sqlite or postgresql")
    return parsed


def open_engine(url: str) -> AsyncEngine:
    """An engine with the settings each backend needs to be safe under concurrent writers."""
    parsed = async_url(url)
    if parsed.get_backend_name() == "sqlite":
        # One connection: writers queue in the pool (asyncio) instead of sleeping in SQLite's busy handler.
        engine = create_async_engine(parsed, connect_args={"timeout": 30}, pool_size=1, max_overflow=0)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the driver, open transactions, so "begin" below can make them IMMEDIATE.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin_immediate(connection: Any) -> None:
            # Take the write lock up front: a deferred transaction that reads, then writes, can fail with
            # "database is locked" instead of waiting. SQLite has one writer; this makes callers queue for it.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    engine = create_async_engine(parsed, pool_size=10, max_overflow=10)
    _ping_after_idle(engine)
    return engine


def _ping_after_idle(engine: AsyncEngine) -> None:
    """Check a pooled connection before use only when it sat idle longer than ``PING_AFTER_IDLE_SECONDS``.

    ``pool_pre_ping`` pings on every checkout: a round trip per transaction that cost about a tenth of the
    hub's CPU under load. A connection in steady use is checked by its own traffic instead: one that died
    under it fails with a disconnect error, SQLAlchemy discards it, and the caller's outage rule retries
    (a consumer requeues, the intake answers 503). After a quiet spell, when a restarted database is the
    likely story, the ping replaces dead connections before anyone sees them, as ``pool_pre_ping`` did.
    """
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    @event.listens_for(pool, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError(f"pooled connection failed its ping: {exc!r}") from exc


@asynccontextmanager
async def one_statement(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for one statement that needs no transaction around it (a read, or a single UPDATE that is
    atomic on its own): on PostgreSQL in autocommit, one round trip instead of BEGIN, the statement and
    COMMIT or ROLLBACK; on SQLite an ordinary transaction (its writers must queue through BEGIN IMMEDIATE)."""
    if engine.dialect.name == "postgresql":
        async with engine.connect() as conn:
            yield await conn.execution_options(isolation_level="AUTOCOMMIT")
    else:
        async with engine.begin() as conn:
            yield conn
