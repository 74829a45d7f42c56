"""Schema migrations: an ordered list of steps recorded in ``registry_migrations``.

A small versioned table rather than alembic: the registry owns four tables, the steps must run
programmatically at start-up on both SQLite and PostgreSQL from an installed wheel (no alembic.ini or
env.py to ship and locate), and each step is plain SQLAlchemy Core DDL. Concurrent start-ups of several
processes apply each step exactly once: PostgreSQL takes a transaction-level advisory lock, SQLite the
database write lock (a no-op DELETE) before reading which steps are done. Step 1
creates the version-1 layout; later steps must be explicit DDL (ALTER ...), never edits of step 1.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import structlog
from sqlalchemy import Connection, delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.schema import CreateTable

from singlewindow.registry.storage import tables

log = structlog.get_logger(__name__)

_LOCK_KEY = 0x6E7377_7265  # "nsw" "re": any constant shared by every registry process


def _create_v1(connection: Connection) -> None:
    tables.metadata.create_all(
        connection,
        tables=[tables.schemas, tables.subjects, tables.versions, tables.settings],
        checkfirst=True,
    )


STEPS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "schemas, subjects, versions and settings", _create_v1),
]


async def migrate(engine: AsyncEngine) -> list[int]:
    """Apply the steps not yet recorded; returns the versions applied now."""
    try:
        return await _migrate(engine)
    except IntegrityError:
        # Another SQLite process recorded the same step between our check and insert: it is applied.
        return await _migrate(engine)


async def _migrate(engine: AsyncEngine) -> list[int]:
    applied_now: list[int] = []
    async with engine.begin() as connection:
        await connection.execute(CreateTable(tables.migrations, if_not_exists=True))
        if connection.dialect.name == "postgresql":
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        else:  # SQLite: a write statement takes the database's write lock until this transaction ends
            await connection.execute(delete(tables.migrations).where(tables.migrations.c.version < 0))
        done = set((await connection.execute(select(tables.migrations.c.version))).scalars())
        for version, description, step in STEPS:
            if version in done:
                continue
            await connection.run_sync(step)
            await connection.execute(
                tables.migrations.insert().values(
                    version=version, description=description, applied_at=datetime.now(UTC)
                )
            )
            applied_now.append(version)
    if applied_now:
        log.info("registry.migrated", steps=applied_now)
    return applied_now
