"""Many rows in few statements: on PostgreSQL through the driver (``storage.driver``: fixed texts per table
and column set, prepared once per connection; several tables' writes in one round trip), elsewhere through
SQLAlchemy (an ``executemany`` or a multi-row INSERT per table). Callers pass plain rows keyed by column
name; every row of one write has the same keys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, Update, bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from singlewindow.platform.storage.driver import Write, driver_of, write_rows

__all__ = ["Write", "insert_many", "update_many", "write_all"]


async def write_all(conn: AsyncConnection, writes: Sequence[Write]) -> list[Any]:
    """Apply ``writes`` in the caller's transaction (one round trip on PostgreSQL); the ``returning`` rows of
    the one write that asks for them (in no set order: return a key with them to match them up)."""
    writes = [w for w in writes if w.rows]
    if not writes:
        return []
    driver = await driver_of(conn)
    if driver is not None:
        return await write_rows(driver, writes)
    returned: list[Any] = []
    for write in writes:
        returned.extend(await _sqlalchemy_write(conn, write))
    return returned


async def insert_many(
    conn: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]], returning: tuple[str, ...] = ()
) -> list[Any]:
    """Insert ``rows``; the ``returning`` columns of each (``write_all``)."""
    return await write_all(conn, [Write(table, rows, returning=returning)])


async def update_many(
    conn: AsyncConnection, table: Table, keys: tuple[str, ...], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Set each row found by its ``keys`` values to its other values."""
    await write_all(conn, [Write(table, rows, keys)])


async def _sqlalchemy_write(conn: AsyncConnection, write: Write) -> list[Any]:
    table, keys, columns, returning = write.shape()
    if keys:
        await conn.execute(
            _update_statement(table, keys, columns),
            [{f"k_{k}": row[k] for k in keys} | {f"v_{c}": row[c] for c in columns} for row in write.rows],
        )
        return []
    if returning:
        statement = insert(table).returning(*(table.c[c] for c in returning), sort_by_parameter_order=True)
        return list(await conn.execute(statement, list(write.rows)))
    await conn.execute(insert(table), list(write.rows))
    return []


@lru_cache(maxsize=64)
def _update_statement(table: Table, keys: tuple[str, ...], columns: tuple[str, ...]) -> Update:
    # Bind names differ from the columns': SQLAlchemy refuses a bind named like a column it sets.
    return (
        update(table)
        .where(*(table.c[k] == bindparam(f"k_{k}") for k in keys))
        .values({c: bindparam(f"v_{c}", type_=table.c[c].type) for c in columns})
    )
