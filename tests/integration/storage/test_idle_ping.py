"""PostgreSQL connections are pinged only after an idle spell (no round trip per transaction under load), and
a connection that died under steady use costs one failed transaction, never a wrong answer."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.storage import engine as engine_module
from singlewindow.platform.storage import open_engine


async def _pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _kill(engine: AsyncEngine, pid: int) -> None:
    admin = open_engine(str(engine.url.render_as_string(hide_password=False)))
    try:
        async with admin.connect() as conn:
            assert (await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})).scalar_one()
    finally:
        await admin.dispose()


async def test_a_connection_killed_while_idle_is_replaced_before_use(
    fresh_postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    engine = open_engine(fresh_postgres_url)
    try:
        killed = await _pid(engine)
        await _kill(engine, killed)
        assert await _pid(engine) != killed  # the ping found it dead; the pool connected again
    finally:
        await engine.dispose()


async def test_a_connection_in_steady_use_is_not_pinged_and_a_dead_one_fails_once(
    fresh_postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    engine = open_engine(fresh_postgres_url)
    pings = 0
    dialect = engine.sync_engine.dialect
    real_ping = dialect.do_ping

    def counting_ping(connection: object) -> bool:
        nonlocal pings
        pings += 1
        return bool(real_ping(connection))

    monkeypatch.setattr(dialect, "do_ping", counting_ping)
    try:
        killed = await _pid(engine)
        assert await _pid(engine) == killed and pings == 0  # reused without a ping
        await _kill(engine, killed)
        with pytest.raises(DBAPIError) as failed:
            await _pid(engine)
        assert failed.value.connection_invalidated  # an outage by the consumers' rule: retried, not parked
        assert await _pid(engine) != killed
    finally:
        await engine.dispose()
