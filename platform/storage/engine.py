"""Async engines for the embedded default (SQLite) and production (PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from singlewindow.platform.errors import ConfigurationError

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
    return create_async_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=10)
