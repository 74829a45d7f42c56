"""The hub warns at start when PostgreSQL's autovacuum is off (nothing would refresh the planner's
statistics); SQLite has no such setting."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from structlog.testing import capture_logs

from singlewindow.platform.storage import open_engine, warn_if_autovacuum_off


async def test_the_warning_follows_the_servers_setting(fresh_postgres_url: str) -> None:
    engine = open_engine(fresh_postgres_url)
    try:
        async with engine.connect() as connection:
            setting = (await connection.execute(text("SHOW autovacuum"))).scalar_one()
        with capture_logs() as logs:
            warned = await warn_if_autovacuum_off(engine)
    finally:
        await engine.dispose()
    assert warned is (setting != "on")
    assert any("autovacuum is off" in entry["event"] for entry in logs) is warned


async def test_sqlite_is_never_warned_about(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        with capture_logs() as logs:
            assert await warn_if_autovacuum_off(engine) is False
    finally:
        await engine.dispose()
    assert logs == []
