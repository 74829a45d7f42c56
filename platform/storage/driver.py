"""The hot path's writes on PostgreSQL's driver itself, inside the caller's SQLAlchemy transaction.

One statement through SQLAlchemy's async engine costs about 0.31 ms of client CPU, the same statement on the
asyncpg connection under it 0.07-0.10 ms (docs/performance.md): the difference is SQLAlchemy's execution
context, per-row parameter processing, result wrapping and the greenlet bridge. The writes every batch makes
(``storage.bulk``: events, recipients, processed ids, outbox rows, chain heads, statuses) therefore go
through ``DriverConnection`` on PostgreSQL; reads, SQLite (the embedded default and the unit tests) and the
schema stay with SQLAlchemy.

The statement shapes are chosen for PostgreSQL's plan cache. An INSERT of any number of rows is one
statement over ``unnest`` arrays (a fixed text, prepared once per connection; its plan scans no table). An
UPDATE stays one execution per row found by its primary key, pipelined by asyncpg's ``executemany``, exactly
the statement SQLAlchemy sent: an UPDATE joined to ``unnest`` arrays was tried and its cached generic plan,
made while a fresh database's tables were small, scanned whole tables (docs/performance.md, "The hot
statements on the driver: tried, measured, backed out").

The transaction is SQLAlchemy's: ``driver_of`` begins it on the driver exactly as SQLAlchemy's own first
statement would, and the caller's ``engine.begin()`` block commits or rolls it back. Driver errors are
raised as the SQLAlchemy errors the rest of the hub already handles (an outage stays an outage, a unique
violation an ``IntegrityError``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Integer, LargeBinary, String, Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection


class DriverConnection:
    """The asyncpg connection under an ``AsyncConnection``, in the connection's transaction."""

    def __init__(self, conn: AsyncConnection, adapted: Any, driver: Any) -> None:
        self._conn = conn
        self._adapted = adapted
        self._driver = driver

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        """The records (read by key: ``record["id"]``)."""
        try:
            return list(await self._driver.fetch(sql, *args))
        except Exception as exc:
            raise self._translated(sql, exc) from exc

    async def execute(self, sql: str, *args: Any) -> None:
        try:
            await self._driver.execute(sql, *args)
        except Exception as exc:
            raise self._translated(sql, exc) from exc

    async def executemany(self, sql: str, args: Sequence[Sequence[Any]]) -> None:
        try:
            await self._driver.executemany(sql, args)
        except Exception as exc:
            raise self._translated(sql, exc) from exc

    def _translated(self, sql: str, exc: Exception) -> Exception:
        try:
            self._adapted._handle_exception(exc)  # raises the DB-API error the dialect maps ``exc`` to
        except Exception as dbapi_error:
            return _as_sqlalchemy(self._conn, self._adapted, sql, dbapi_error)
        return exc  # pragma: no cover (``_handle_exception`` always raises)


def _as_sqlalchemy(conn: AsyncConnection, adapted: Any, sql: str, dbapi_error: Exception) -> Exception:
    """A DB-API error as SQLAlchemy raises it for a statement (the connection invalidated if it is gone)."""
    dialect = conn.dialect
    if not isinstance(dbapi_error, dialect.loaded_dbapi.Error):
        return dbapi_error
    disconnected = dialect.is_disconnect(dbapi_error, adapted, None)  # asks the driver whether it is closed
    if disconnected:
        conn.sync_connection.invalidate(dbapi_error)  # type: ignore[union-attr]
    return DBAPIError.instance(sql, None, dbapi_error, dialect.loaded_dbapi.Error, connection_invalidated=disconnected)


async def driver_of(conn: AsyncConnection) -> DriverConnection | None:
    """The driver under ``conn`` with its transaction begun, on PostgreSQL; None elsewhere (use SQLAlchemy).

    SQLAlchemy's asyncpg dialect begins a transaction lazily, at the first statement it executes itself;
    a statement run on the driver before that would run outside the transaction, so it is begun here the
    way that first statement would (``tests/integration/storage/test_driver.py`` rolls back driver writes
    to prove it)."""
    if conn.dialect.name != "postgresql":
        return None
    fairy = await conn.get_raw_connection()
    adapted: Any = fairy.dbapi_connection
    if conn.in_transaction() and adapted._transaction is None and not adapted.autocommit:
        try:
            await adapted._start_transaction()  # raises the DB-API error of a failed BEGIN
        except Exception as exc:
            raise _as_sqlalchemy(conn, adapted, "BEGIN", exc) from exc
    return DriverConnection(conn, adapted, fairy.driver_connection)


def _is_json(table: Table, column: str) -> bool:
    return isinstance(table.c[column].type, JSON)


def _array_type(table: Table, column: str) -> str:
    """The PostgreSQL type a column's values travel as (JSON as text, cast back in the statement)."""
    kind = table.c[column].type
    if isinstance(kind, JSON | String):
        return "text"
    if isinstance(kind, BigInteger):
        return "bigint"
    if isinstance(kind, Integer):
        return "integer"
    if isinstance(kind, Boolean):
        return "boolean"
    if isinstance(kind, DateTime):
        return "timestamptz" if kind.timezone else "timestamp"
    if isinstance(kind, LargeBinary):
        return "bytea"
    raise TypeError(f"{table.name}.{column}: no driver type for {kind!r}")


@lru_cache(maxsize=64)
def insert_sql(table: Table, columns: tuple[str, ...], returning: tuple[str, ...] = ()) -> str:
    """One INSERT of any number of rows, in the order given (so serial keys follow it), its text fixed for
    these columns."""
    arrays = ", ".join(f"${i}::{_array_type(table, c)}[]" for i, c in enumerate(columns, 1))
    values = ", ".join(f"u.{c}::json" if _is_json(table, c) else f"u.{c}" for c in columns)
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)})"
        f" SELECT {values} FROM unnest({arrays}) WITH ORDINALITY AS u({', '.join(columns)}, n) ORDER BY u.n"
    )
    return f"{sql} RETURNING {', '.join(returning)}" if returning else sql


@lru_cache(maxsize=64)
def update_sql(table: Table, keys: tuple[str, ...], columns: tuple[str, ...]) -> str:
    """The UPDATE of one row found by ``keys`` (parameters: the keys, then the columns)."""
    place = {c: f"${i}::{_array_type(table, c)}" for i, c in enumerate(keys + columns, 1)}
    assignments = ", ".join(f"{c} = {place[c]}::json" if _is_json(table, c) else f"{c} = {place[c]}" for c in columns)
    match = " AND ".join(f"{k} = {place[k]}" for k in keys)
    return f"UPDATE {table.name} SET {assignments} WHERE {match}"


def _value(table: Table, column: str, value: Any) -> Any:
    # JSON as SQLAlchemy writes it for a JSON column (None is JSON null).
    return json.dumps(value) if _is_json(table, column) else value


async def insert_rows(
    driver: DriverConnection, table: Table, rows: Sequence[Mapping[str, Any]], returning: tuple[str, ...] = ()
) -> list[Any]:
    """Insert ``rows`` (same keys in each) with one statement; the ``returning`` columns of each, in no set
    order (return a key with them to match them up)."""
    columns = tuple(rows[0])
    arrays = [[_value(table, c, row[c]) for row in rows] for c in columns]
    sql = insert_sql(table, columns, returning)
    if returning:
        return await driver.fetch(sql, *arrays)
    await driver.execute(sql, *arrays)
    return []


async def update_rows(
    driver: DriverConnection, table: Table, keys: tuple[str, ...], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Update each row found by its ``keys`` values to its other values (one pipelined execution per row)."""
    columns = tuple(c for c in rows[0] if c not in keys)
    order = keys + columns
    await driver.executemany(
        update_sql(table, keys, columns), [[_value(table, c, row[c]) for c in order] for row in rows]
    )
