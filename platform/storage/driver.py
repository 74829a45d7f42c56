"""The hot path's statements on PostgreSQL's driver itself, inside the caller's SQLAlchemy transaction.

Measured on this project's machine (docs/performance.md): one statement through SQLAlchemy's async engine
costs about 0.31 ms of client CPU, the same statement on the asyncpg connection under it 0.07-0.10 ms; the
difference is SQLAlchemy's execution context, result wrapping and the greenlet bridge. The statements that
run for every batch (``state.changes``, the event and outbox inserts, the outbox's row locks) therefore go
through ``DriverConnection`` on PostgreSQL, with fixed texts (arrays and ``unnest`` instead of a list or a
VALUES row per item) so asyncpg prepares each one once per connection. Everything else, SQLite (the
embedded default and the unit tests) and the schema stay with SQLAlchemy.

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


class Row:
    """A driver record read by attribute, like a SQLAlchemy row (``row.submission_id``)."""

    __slots__ = ("_record",)

    def __init__(self, record: Any) -> None:
        self._record = record

    def __getattr__(self, name: str) -> Any:
        try:
            return self._record[name]
        except KeyError:
            raise AttributeError(name) from None


class DriverConnection:
    """The asyncpg connection under an ``AsyncConnection``, in the connection's transaction."""

    def __init__(self, conn: AsyncConnection, adapted: Any, driver: Any) -> None:
        self._conn = conn
        self._adapted = adapted
        self._driver = driver

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        try:
            return [Row(record) for record in await self._driver.fetch(sql, *args)]
        except Exception as exc:
            raise self._translated(sql, exc) from exc

    async def column(self, sql: str, *args: Any) -> list[Any]:
        """The first column of every row."""
        try:
            return [record[0] for record in await self._driver.fetch(sql, *args)]
        except Exception as exc:
            raise self._translated(sql, exc) from exc

    async def execute(self, sql: str, *args: Any) -> None:
        try:
            await self._driver.execute(sql, *args)
        except Exception as exc:
            raise self._translated(sql, exc) from exc

    def _translated(self, sql: str, exc: Exception) -> Exception:
        try:
            self._adapted._handle_exception(exc)  # raises the DB-API error the dialect maps ``exc`` to
        except Exception as dbapi_error:
            return _as_sqlalchemy(self._conn, sql, dbapi_error)
        return exc  # pragma: no cover (``_handle_exception`` always raises)


def _as_sqlalchemy(conn: AsyncConnection, sql: str, dbapi_error: Exception) -> Exception:
    """A DB-API error as SQLAlchemy raises it for a statement (the connection invalidated if it is gone)."""
    dialect = conn.dialect
    if not isinstance(dbapi_error, dialect.loaded_dbapi.Error):
        return dbapi_error
    disconnected = dialect.is_disconnect(dbapi_error, None, None)
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
            raise _as_sqlalchemy(conn, "BEGIN", exc) from exc
    return DriverConnection(conn, adapted, fairy.driver_connection)


def json_texts(values: Sequence[Any]) -> list[str]:
    """JSON column values as the texts a ``::json`` cast reads (``None`` is JSON null, as SQLAlchemy writes
    it for a JSON column)."""
    return [json.dumps(value) for value in values]


def _array_type(table: Table, column: str) -> str:
    """The PostgreSQL array a column's values travel in (JSON as text, cast back in the statement)."""
    kind = table.c[column].type
    if isinstance(kind, JSON):
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
    if isinstance(kind, String):
        return "text"
    raise TypeError(f"{table.name}.{column}: no driver array type for {kind!r}")


def _unnest(table: Table, columns: Sequence[str], alias: str) -> tuple[str, str]:
    """``unnest($1::t1[], ...) AS alias(c1, ...)`` and the select list with JSON columns cast back."""
    arrays = ", ".join(f"${i}::{_array_type(table, c)}[]" for i, c in enumerate(columns, 1))
    values = ", ".join(f"{alias}.{c}::json" if isinstance(table.c[c].type, JSON) else f"{alias}.{c}" for c in columns)
    return f"unnest({arrays}) AS {alias}({', '.join(columns)})", values


@lru_cache(maxsize=64)
def insert_sql(table: Table, columns: tuple[str, ...], returning: tuple[str, ...] = ()) -> str:
    """One INSERT of any number of rows, its text fixed for these columns."""
    source, values = _unnest(table, columns, "u")
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT {values} FROM {source}"
    return f"{sql} RETURNING {', '.join(returning)}" if returning else sql


@lru_cache(maxsize=64)
def update_sql(table: Table, keys: tuple[str, ...], columns: tuple[str, ...]) -> str:
    """One UPDATE of any number of rows, each found by ``keys`` and set to its own ``columns`` values."""
    source, _ = _unnest(table, keys + columns, "u")
    assignments = ", ".join(
        f"{c} = u.{c}::json" if isinstance(table.c[c].type, JSON) else f"{c} = u.{c}" for c in columns
    )
    match = " AND ".join(f"t.{k} = u.{k}" for k in keys)
    return f"UPDATE {table.name} AS t SET {assignments} FROM {source} WHERE {match}"


def arrays(table: Table, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    """The rows' values column by column, as ``insert_sql``/``update_sql`` take them."""
    out = []
    for column in columns:
        values = [row[column] for row in rows]
        out.append(json_texts(values) if isinstance(table.c[column].type, JSON) else values)
    return out


async def insert_rows(
    driver: DriverConnection, table: Table, rows: Sequence[Mapping[str, Any]], returning: tuple[str, ...] = ()
) -> list[Row]:
    """Insert ``rows`` (same keys in each) with one statement; the ``returning`` columns of each."""
    columns = tuple(rows[0])
    sql = insert_sql(table, columns, returning)
    values = arrays(table, columns, rows)
    if returning:
        return await driver.fetch(sql, *values)
    await driver.execute(sql, *values)
    return []


async def update_rows(
    driver: DriverConnection, table: Table, keys: tuple[str, ...], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Update each row found by its ``keys`` values to its other values, with one statement."""
    columns = tuple(c for c in rows[0] if c not in keys)
    await driver.execute(update_sql(table, keys, columns), *arrays(table, keys + columns, rows))
