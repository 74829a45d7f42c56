"""Watch on PostgreSQL: an event whose transaction commits after a later event's is still streamed.

Sequence numbers are handed out at insert, not at commit, so with several hub processes a stream could see
event 2 before event 1 is committed and move past 1 for good. ``append_event`` serialises appends on
PostgreSQL (an advisory lock), so a later append waits for the earlier transaction; this holds the stream
to that.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from singlewindow.platform.hub.access import Access
from singlewindow.platform.hub.watch import StatusNotifier, WatchService
from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.state import EventLog
from singlewindow.platform.state.events import append_event
from singlewindow.platform.storage import open_engine, upgrade

pytestmark = pytest.mark.integration


async def test_a_late_commit_of_an_earlier_sequence_is_not_skipped(
    fresh_postgres_url: str, bare_submissions: Callable[..., Awaitable[None]]
) -> None:
    engine = open_engine(fresh_postgres_url)
    try:
        await upgrade(engine)
        await bare_submissions(engine, "s_first", "s_second")
        principals = PrincipalStore(engine)
        operator = (await principals.add("ops", Role.OPERATOR)).principal
        watch = WatchService(EventLog(engine), Access(principals), StatusNotifier(), poll_seconds=0.05)
        seen: list[str] = []

        async def follow() -> None:
            async for item in watch.stream(operator):
                seen.append(item.event.submission_id)

        follower = asyncio.create_task(follow())
        async with engine.connect() as slow:
            transaction = await slow.begin()
            await append_event(slow, "s_first", 1, "SUBMITTED")  # sequence 1, not yet committed

            async def second() -> None:
                async with engine.begin() as fast:
                    await append_event(fast, "s_second", 1, "SUBMITTED")

            later = asyncio.create_task(second())
            await asyncio.sleep(0.4)  # the stream polls meanwhile; the second append waits for the first
            assert seen == []
            await transaction.commit()
            await later
        for _ in range(60):
            if len(seen) == 2:
                break
            await asyncio.sleep(0.05)
        follower.cancel()
        assert seen == ["s_first", "s_second"]
    finally:
        await engine.dispose()
