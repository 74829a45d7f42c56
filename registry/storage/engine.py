"""Async engines from a URL: aiosqlite by default, asyncpg for PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}


def async_url(url: str) -> str:
    """``postgresql://`` and ``sqlite://`` become their async drivers; explicit drivers are kept."""
    parsed = make_url(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    return parsed.set(drivername=driver).render_as_string(hide_password=False) if driver else url


def create_engine(url: str) -> AsyncEngine:
    """One engine per process; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    full = async_url(url)
    if full.startswith("sqlite"):
        in_memory = make_url(full).database in (None, "", ":memory:")
        # An in-memory database lives in one connection: share it, or each checkout sees an empty one.
        pooling: dict[str, Any] = {"poolclass": StaticPool} if in_memory else {}
        engine = create_async_engine(full, connect_args={"timeout": 30}, **pooling)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_async_engine(full, pool_pre_ping=True)
