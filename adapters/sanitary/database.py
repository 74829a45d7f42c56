"""Engines for the agency's database (SQLite or PostgreSQL by URL) with short lock waits.

The legacy system locks its table while it is down for maintenance; the adapter must learn that within a
second or two (and report the system unavailable), not hang on the lock.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}


def agency_engine(url: str, lock_timeout_seconds: float = 2.0) -> AsyncEngine:
    parsed = make_url(url)
    parsed = parsed.set(drivername=_DRIVERS.get(parsed.drivername, parsed.drivername))
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(parsed, connect_args={"timeout": lock_timeout_seconds})

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout_seconds * 1000)}")
            cursor.close()

        return engine
    settings = {"lock_timeout": str(int(lock_timeout_seconds * 1000))}
    return create_async_engine(parsed, connect_args={"server_settings": settings}, pool_pre_ping=True)
