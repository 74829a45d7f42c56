"""Migration 0006 (officer queue lifecycle) keeps the queued documents, on SQLite and on PostgreSQL: an item
queued before it is neither withdrawn nor answered afterwards and is still claimed and decided as before; the
downgrade drops only the new columns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, text

from singlewindow.platform.officers import OfficerQueue
from singlewindow.platform.storage import open_engine, upgrade
from singlewindow.platform.storage.migrate import _config

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
NEW = {"withdrawn_at", "withdrawn_kind", "withdrawn_reason", "superseded_by", "replaces", "answers"}


def _columns(connection: Any) -> set[str]:
    return {column["name"] for column in inspect(connection).get_columns("officer_queue")}


async def _check(url: str, bare_submissions: Callable[..., Awaitable[None]]) -> None:
    engine = open_engine(url)
    try:
        await upgrade(engine, "0005")
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO officer_queue (agency, submission_id, version, attempt, ucr, view, document,"
                    " enqueued_by, enqueued_at) VALUES ('border-guard', 's_1', 1, 1, 'UCR-1', 'view-border-guard',"
                    " '{}', 'p_adapter', :at)"
                ),
                {"at": T0},
            )
        await upgrade(engine)
        await bare_submissions(engine, "s_1")  # a claim is recorded in the submission's history
        queue = OfficerQueue(engine, timedelta(minutes=10))
        claimed = await queue.claim_next("border-guard", "officer-a")
        assert claimed is not None and claimed.submission_id == "s_1"
        assert (claimed.withdrawn, claimed.replaces, claimed.answers) == (None, None, ())
        withdrawn = await queue.withdraw("border-guard", "s_1", 1, "cancelled", "wrong truck", None)
        assert [item.withdrawn.kind for item in withdrawn if item.withdrawn] == ["cancelled"]

        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: command.downgrade(_config(sync), "0005"))
        async with engine.connect() as conn:
            assert not NEW & await conn.run_sync(_columns)
            assert (await conn.execute(text("SELECT count(*) FROM officer_queue"))).scalar_one() == 1
        await upgrade(engine)  # and up again
        async with engine.connect() as conn:
            assert await conn.run_sync(_columns) >= NEW
    finally:
        await engine.dispose()


async def test_upgrade_keeps_queued_documents_on_sqlite(
    tmp_path: Path, bare_submissions: Callable[..., Awaitable[None]]
) -> None:
    await _check(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}", bare_submissions)


@pytest.mark.integration
async def test_upgrade_keeps_queued_documents_on_postgresql(
    fresh_postgres_url: str, bare_submissions: Callable[..., Awaitable[None]]
) -> None:
    await _check(fresh_postgres_url, bare_submissions)
