"""Many rows written in one call: on PostgreSQL through the driver (``storage.driver``), elsewhere through
SQLAlchemy (an ``executemany``). Callers pass plain rows keyed by column name; every row of a call has the
same keys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, Update, bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from singlewindow.platform.storage.driver import driver_of, insert_rows, update_rows


async def insert_many(
    conn: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]], returning: tuple[str, ...] = ()
) -> list[Any]:
    """Insert ``rows`` in the caller's transaction, in their order; the ``returning`` columns of each row,
    read by name (``row["id"]``), in no set order (return a key with them to match them up)."""
    if not rows:
        return []
    driver = await driver_of(conn)
    if driver is not None:
        return await insert_rows(driver, table, rows, returning)
    if not returning:
        await conn.execute(insert(table), list(rows))
        return []
    statement = insert(table).returning(*(table.c[c] for c in returning), sort_by_parameter_order=True)
    return [row._mapping for row in await conn.execute(statement, list(rows))]


async def update_many(
    conn: AsyncConnection, table: Table, keys: tuple[str, ...], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Set each row found by its ``keys`` values to its other values, in the caller's transaction."""
    if not rows:
        return
    driver = await driver_of(conn)
    if driver is not None:
        await update_rows(driver, table, keys, rows)
        return
    columns = tuple(c for c in rows[0] if c not in keys)
    await conn.execute(
        _update_statement(table, keys, columns),
        [{f"k_{k}": row[k] for k in keys} | {f"v_{c}": row[c] for c in columns} for row in rows],
    )


@lru_cache(maxsize=64)
def _update_statement(table: Table, keys: tuple[str, ...], columns: tuple[str, ...]) -> Update:
    # Bind names differ from the columns': SQLAlchemy refuses a bind named like a column it sets.
    return (
        update(table)
        .where(*(table.c[k] == bindparam(f"k_{k}") for k in keys))
        .values({c: bindparam(f"v_{c}", type_=table.c[c].type) for c in columns})
    )
