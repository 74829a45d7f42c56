"""Migration 0011 (invoices) creates exactly the tables ``payments.tables`` declares, on SQLite and on
PostgreSQL, and goes down and up again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from singlewindow.platform.payments import tables as payment_tables
from singlewindow.platform.storage import open_engine, upgrade
from singlewindow.platform.storage.migrate import _config

TABLES = {"invoices", "invoice_lines", "payment_initiations", "payment_notices"}


def _differences(connection: Any) -> list[Any]:
    """What autogenerate would change for the invoice tables: nothing, if the migration matches them."""
    context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": _only_ours})
    return list(compare_metadata(context, payment_tables.metadata))


def _only_ours(item: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    table = name if kind == "table" else getattr(getattr(item, "table", None), "name", None)
    return table in TABLES


async def _check(url: str) -> None:
    engine = open_engine(url)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            assert set(await conn.run_sync(lambda sync: inspect(sync).get_table_names())) >= TABLES
            assert await conn.run_sync(_differences) == []
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: command.downgrade(_config(sync), "0009"))
        async with engine.connect() as conn:
            assert not TABLES & set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
        await upgrade(engine)  # and up again
    finally:
        await engine.dispose()


async def test_the_migration_matches_the_tables_on_sqlite(tmp_path: Path) -> None:
    await _check(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")


@pytest.mark.integration
async def test_the_migration_matches_the_tables_on_postgresql(fresh_postgres_url: str) -> None:
    await _check(fresh_postgres_url)
