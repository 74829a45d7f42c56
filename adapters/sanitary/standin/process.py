"""Start the sanitary stand-in as a separate process (tests and the demo) and wait until its table exists."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy import inspect

from singlewindow.adapters.sanitary.database import agency_engine
from singlewindow.adapters.standins import running


async def _table_exists(url: str) -> bool:
    engine = agency_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(lambda sync: inspect(sync).has_table("sanitary_requests"))
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def running_standin(
    db_url: str, *options: str, control: Path | None = None, ready_within: float = 20.0
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python -m singlewindow.adapters.sanitary.standin --db URL`` with ``options``; SIGTERM on exit."""
    args = ["--db", db_url, *options, *(["--control", str(control)] if control is not None else [])]
    async with running(
        "singlewindow.adapters.sanitary.standin", args, lambda: _table_exists(db_url), ready_within
    ) as process:
        yield process
