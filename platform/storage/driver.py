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
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Write:
    """Rows for one table, all with the same keys: inserted, or with ``keys`` updated where those match."""

    table: Table
    rows: Sequence[Mapping[str, Any]]
    keys: tuple[str, ...] = ()
    returning: tuple[str, ...] = ()

    def shape(self) -> _Shape:
        columns = tuple(c for c in self.rows[0] if c not in self.keys)
        return self.table, self.keys, columns, self.returning


_Shape = tuple[Table, tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # table, keys, columns, returning


def _unnest(table: Table, columns: Sequence[str], first: int) -> str:
    """``unnest($first::t1[], ...) AS u(c1, ...)``: one array parameter per column."""
    arrays = ", ".join(f"${i}::{_array_type(table, c)}[]" for i, c in enumerate(columns, first))
    return f"unnest({arrays}) AS u({', '.join(columns)})"


def _value(table: Table, column: str) -> str:
    return f"u.{column}::json" if isinstance(table.c[column].type, JSON) else f"u.{column}"


def _write_sql(shape: _Shape, first: int) -> str:
    table, keys, columns, returning = shape
    source = _unnest(table, keys + columns, first)
    if keys:
        assignments = ", ".join(f"{c} = {_value(table, c)}" for c in columns)
        match = " AND ".join(f"t.{k} = u.{k}" for k in keys)
        sql = f"UPDATE {table.name} AS t SET {assignments} FROM {source} WHERE {match}"
    else:
        values = ", ".join(_value(table, c) for c in columns)
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT {values} FROM {source}"
    return f"{sql} RETURNING {', '.join(returning)}" if returning else sql


@lru_cache(maxsize=256)
def write_sql(shapes: tuple[_Shape, ...]) -> str:
    """One statement for every write: the writes as data-modifying CTEs of one WITH when there are several
    (one round trip; they see the same snapshot, so no two may touch the same table), the rows of the one
    write with ``returning`` as its result. Fixed text per shape: asyncpg prepares it once per connection."""
    if len(shapes) == 1:
        return _write_sql(shapes[0], 1)
    parts, first, result = [], 1, "SELECT 1"
    for index, shape in enumerate(shapes):
        parts.append(f"w{index} AS ({_write_sql(shape, first)})")
        first += len(shape[1]) + len(shape[2])
        if shape[3]:
            result = f"SELECT {', '.join(shape[3])} FROM w{index}"
    return f"WITH {', '.join(parts)} {result}"


def _arrays(write: Write, shape: _Shape) -> list[list[Any]]:
    """The rows' values column by column (keys first), JSON as text."""
    table, keys, columns, _ = shape
    out = []
    for column in keys + columns:
        values = [row[column] for row in write.rows]
        out.append(json_texts(values) if isinstance(table.c[column].type, JSON) else values)
    return out


async def write_rows(driver: DriverConnection, writes: Sequence[Write]) -> list[Row]:
    """Every write in one statement; the ``returning`` rows of the one write that asks for them."""
    writes = [w for w in writes if w.rows]
    if not writes:
        return []
    if len({w.table.name for w in writes}) < len(writes) or sum(1 for w in writes if w.returning) > 1:
        raise ValueError("one statement writes each table once and returns the rows of one write at most")
    shapes = tuple(w.shape() for w in writes)
    args = [values for write, shape in zip(writes, shapes, strict=True) for values in _arrays(write, shape)]
    sql = write_sql(shapes)
    if any(w.returning for w in writes):
        return await driver.fetch(sql, *args)
    await driver.execute(sql, *args)
    return []
