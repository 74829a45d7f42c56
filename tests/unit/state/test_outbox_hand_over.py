"""The relay publishes what its process committed from memory (nothing read back, one statement marks it) and
sweeps from the table only rows old enough that no writer is publishing them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.state.outbox import Enqueued, OutboxMessage, OutboxRelay, enqueue_many
from singlewindow.platform.storage import open_engine, upgrade
from singlewindow.platform.storage.tables import outbox
from singlewindow.platform.transport import OutgoingMessage


class Recorder:
    """A transport that takes every publish and remembers the message ids, in order."""

    def __init__(self) -> None:
        self.published: list[str | None] = []

    async def publish(self, message: OutgoingMessage) -> None:
        self.published.append(message.message_id)


def message(n: int) -> OutboxMessage:
    return OutboxMessage(f"m{n}", "nsw.status", "s", "clearance-status", b"{}", "application/json", "s")


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = open_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    await upgrade(engine)
    yield engine
    await engine.dispose()


async def _commit(engine: AsyncEngine, *numbers: int) -> list[Enqueued]:
    async with engine.begin() as conn:
        return await enqueue_many(conn, [message(n) for n in numbers])


async def _unpublished(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        query = select(outbox.c.message_id).where(outbox.c.published_at.is_(None)).order_by(outbox.c.id)
        return [row.message_id for row in await conn.execute(query)]


async def _running(relay: OutboxRelay, until: Any) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        for _ in range(500):
            if await until():
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("not reached within 5 s")
    finally:
        stop.set()
        relay.kick()
        await task


async def test_handed_rows_are_published_from_memory_and_marked(engine: AsyncEngine) -> None:
    transport = Recorder()
    relay = OutboxRelay(engine, transport, poll_seconds=60, sweep_after_seconds=60)  # type: ignore[arg-type]
    rows = await _commit(engine, 1, 2, 3)
    assert [row.message.message_id for row in rows] == ["m1", "m2", "m3"]
    relay.publish_soon(rows)

    async def marked() -> bool:
        return not await _unpublished(engine)

    await _running(relay, marked)
    assert transport.published == ["m1", "m2", "m3"]


async def test_publish_now_marks_before_returning(engine: AsyncEngine) -> None:
    transport = Recorder()
    relay = OutboxRelay(engine, transport, sweep_after_seconds=60)  # type: ignore[arg-type]
    await relay.publish_now(await _commit(engine, 1))
    assert transport.published == ["m1"] and await _unpublished(engine) == []


async def test_the_sweep_leaves_young_rows_to_their_writer_and_takes_old_ones(engine: AsyncEngine) -> None:
    await _commit(engine, 1, 2)  # written, never handed over (their writer crashed)
    young = Recorder()
    relay = OutboxRelay(engine, young, poll_seconds=0.01, sweep_after_seconds=60)  # type: ignore[arg-type]

    async def some_sweeps() -> bool:
        await asyncio.sleep(0.1)  # ten polls
        return True

    await _running(relay, some_sweeps)
    assert young.published == [] and await _unpublished(engine) == ["m1", "m2"]

    old = Recorder()
    relay = OutboxRelay(engine, old, poll_seconds=0.01, sweep_after_seconds=0)  # type: ignore[arg-type]

    async def all_marked() -> bool:
        return not await _unpublished(engine)

    await _running(relay, all_marked)
    assert old.published == ["m1", "m2"]
