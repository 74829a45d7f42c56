"""Migration 0005 (metadata per upload) keeps every existing attachment row, on SQLite and on PostgreSQL:
each uploader keeps its own name and time, gets the media type the content row held, and an uploader the
content row named without an upload row gets one. The downgrade puts the first upload's metadata back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text

from singlewindow.platform.attachments import AttachmentStore
from singlewindow.platform.storage import open_engine, upgrade
from singlewindow.platform.storage.migrate import _config

SHARED, LONE = "ab" * 32, "cd" * 32
T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


async def _check(url: str) -> None:
    engine = open_engine(url)
    try:
        await upgrade(engine, "0004")
        async with engine.begin() as conn:
            for sha256, media_type, name, by in (
                (SHARED, "application/pdf", "a.pdf", "p_a"),
                (LONE, "image/png", "l.png", "p_l"),
            ):
                await conn.execute(
                    text(
                        "INSERT INTO attachments (sha256, size_bytes, media_type, file_name, uploaded_by, uploaded_at)"
                        " VALUES (:sha256, 10, :media_type, :name, :by, :at)"
                    ),
                    {"sha256": sha256, "media_type": media_type, "name": name, "by": by, "at": T0},
                )
            for principal, name, at in (("p_a", "a.pdf", T0), ("p_b", "b-own-name.pdf", T0 + timedelta(hours=1))):
                await conn.execute(
                    text(
                        "INSERT INTO attachment_uploads (sha256, principal_id, file_name, uploaded_at)"
                        " VALUES (:sha256, :principal, :name, :at)"
                    ),
                    {"sha256": SHARED, "principal": principal, "name": name, "at": at},
                )
        await upgrade(engine)

        store = AttachmentStore(engine)
        a, b, lone = (
            await store.upload(SHARED, "p_a"),
            await store.upload(SHARED, "p_b"),
            await store.upload(LONE, "p_l"),
        )
        assert a is not None and (a.file_name, a.media_type, a.uploaded_at, a.size_bytes) == (
            "a.pdf", "application/pdf", T0, 10,
        )  # fmt: skip
        assert b is not None and (b.file_name, b.uploaded_at) == ("b-own-name.pdf", T0 + timedelta(hours=1))
        assert lone is not None and (lone.file_name, lone.media_type) == ("l.png", "image/png")
        async with engine.connect() as conn:
            columns = await conn.run_sync(lambda sync: _columns(sync, "attachments"))
        assert columns == {"sha256", "size_bytes", "stored_at"}

        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: command.downgrade(_config(sync), "0004"))
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT file_name, uploaded_by FROM attachments ORDER BY sha256"))).all()
        assert [tuple(r) for r in rows] == [("a.pdf", "p_a"), ("l.png", "p_l")]
        await upgrade(engine)  # and up again
    finally:
        await engine.dispose()


def _columns(connection: Any, table: str) -> set[str]:
    from sqlalchemy import inspect

    return {column["name"] for column in inspect(connection).get_columns(table)}


async def test_upgrade_keeps_existing_rows_on_sqlite(tmp_path: Path) -> None:
    await _check(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")


@pytest.mark.integration
async def test_upgrade_keeps_existing_rows_on_postgresql(fresh_postgres_url: str) -> None:
    await _check(fresh_postgres_url)
