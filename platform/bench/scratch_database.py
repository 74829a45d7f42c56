"""A fresh PostgreSQL database for one bench run, made on the server ``server_url`` names and dropped
afterwards (``WITH (FORCE)``, so hub processes that did not stop cannot keep it alive), even on failure."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from singlewindow.platform.errors import ConfigurationError, StorageUnavailable
from singlewindow.platform.storage import open_engine

DATABASE_PREFIX = "nsw_bench_"


async def _admin(server_url: str, statement: str) -> None:
    engine = open_engine(server_url)
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(statement))
    except (SQLAlchemyError, OSError) as exc:
        raise StorageUnavailable(
            f"PostgreSQL at {make_url(server_url).host}: {statement.split()[0]} failed: {exc}"
        ) from exc
    finally:
        await engine.dispose()


@asynccontextmanager
async def scratch_database(server_url: str) -> AsyncIterator[str]:
    """Yield the URL of a new, empty database on the same server as ``server_url``."""
    url = make_url(server_url)
    if not url.drivername.startswith("postgresql"):
        raise ConfigurationError(f"--database-url must be a PostgreSQL URL (postgresql://...), not {url.drivername}")
    name = f"{DATABASE_PREFIX}{secrets.token_hex(6)}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with contextlib.suppress(StorageUnavailable):
            await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
