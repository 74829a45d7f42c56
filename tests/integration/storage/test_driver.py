"""Writes on the driver (``storage.driver`` through ``storage.bulk``) run inside the caller's SQLAlchemy
transaction, write what SQLAlchemy would, and fail with the errors SQLAlchemy would raise."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.types import JSON

from singlewindow.platform.storage import open_engine
from singlewindow.platform.storage.bulk import insert_many, update_many
from singlewindow.platform.storage.driver import driver_of

metadata = MetaData()
things = Table(
    "driver_things",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("name", String(20), nullable=False, unique=True),
    Column("count", Integer, nullable=False),
    Column("flag", Boolean, nullable=False),
    Column("detail", JSON, nullable=True),
    Column("body", LargeBinary, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.fixture
async def engine(fresh_postgres_url: str) -> AsyncEngine:
    engine = open_engine(fresh_postgres_url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


def _row(name: str, count: int, detail: object = None) -> dict[str, object]:
    return {"name": name, "count": count, "flag": count % 2 == 0, "detail": detail, "body": name.encode(), "at": AT}


async def _all(engine: AsyncEngine) -> list[tuple[object, ...]]:
    async with engine.connect() as conn:
        result = await conn.execute(
            select(things.c.name, things.c.count, things.c.flag, things.c.detail, things.c.body, things.c.at).order_by(
                things.c.name
            )
        )
        return [tuple(row) for row in result]


async def test_driver_writes_are_rolled_back_with_the_sqlalchemy_transaction(engine: AsyncEngine) -> None:
    async def write_then_fail() -> None:
        async with engine.begin() as conn:
            await insert_many(conn, things, [_row("a", 1)])  # the driver's first statement begins the transaction
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        await write_then_fail()
    assert await _all(engine) == []


async def test_driver_and_sqlalchemy_statements_share_one_transaction(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await insert_many(conn, things, [_row("a", 1, {"k": [1, "x"]}), _row("b", 2)])
        count = (await conn.execute(text("SELECT count(*) FROM driver_things"))).scalar_one()
        assert count == 2  # SQLAlchemy sees the driver's uncommitted rows: the same transaction
        await update_many(conn, things, ("name",), [{"name": "a", "count": 10, "detail": None}])
    assert await _all(engine) == [
        ("a", 10, False, None, b"a", AT),
        ("b", 2, True, None, b"b", AT),
    ]


async def test_returning_gives_each_row_its_key(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        rows = await insert_many(conn, things, [_row(f"n{i}", i) for i in range(5)], ("id", "name"))
    assert sorted(row["name"] for row in rows) == [f"n{i}" for i in range(5)]
    assert len({row["id"] for row in rows}) == 5


async def test_rows_are_inserted_in_the_order_given(engine: AsyncEngine) -> None:
    names = [f"z{i:02d}" for i in range(30, 0, -1)]  # serial keys must follow this order (event sequence)
    async with engine.begin() as conn:
        await insert_many(conn, things, [_row(name, i) for i, name in enumerate(names)])
    async with engine.connect() as conn:
        stored = [row.name for row in await conn.execute(select(things.c.name).order_by(things.c.id))]
    assert stored == names


async def test_json_none_and_values_read_back_as_sqlalchemy_wrote_them(engine: AsyncEngine) -> None:
    detail = {"k": [1, 2.5, None, "ü"], "nested": {"a": True}}
    async with engine.begin() as conn:
        await insert_many(conn, things, [_row("a", 1, detail), _row("b", 2)])
        await update_many(conn, things, ("name",), [{"name": "b", "detail": detail, "flag": True}])
    rows = await _all(engine)
    assert [row[3] for row in rows] == [detail, detail]


async def test_a_unique_violation_is_sqlalchemys_integrity_error(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await insert_many(conn, things, [_row("a", 1)])
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await insert_many(conn, things, [_row("a", 2)])
    assert [row[:2] for row in await _all(engine)] == [("a", 1)]


async def test_a_killed_connection_is_an_invalidated_dbapi_error(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    admin = open_engine(str(engine.url.render_as_string(hide_password=False)))
    try:
        async with admin.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await admin.dispose()

    async def use_it() -> None:
        async with engine.begin() as conn:
            driver = await driver_of(conn)
            assert driver is not None
            await driver.execute("SELECT 1")

    with pytest.raises(DBAPIError) as caught:
        await use_it()
    assert caught.value.connection_invalidated
    async with engine.begin() as conn:  # the pool replaced it
        await insert_many(conn, things, [_row("c", 3)])
    assert [row[:2] for row in await _all(engine)] == [("c", 3)]
