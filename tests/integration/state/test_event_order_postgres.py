"""Event sequence numbers become visible in order on PostgreSQL, so a Watch reader after token N misses nothing.

Found by the fault harness (tests/faults): with two hub processes writing, a transaction holding sequence N
committed after another's N+1, and a stream that had read N+1 never delivered N (a terminal status).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from singlewindow.platform.state.events import EventLog, append_event
from singlewindow.platform.storage import open_engine, upgrade


async def test_a_later_append_waits_for_an_earlier_uncommitted_one(
    fresh_postgres_url: str, bare_submissions: Callable[..., Awaitable[None]]
) -> None:
    first, second = open_engine(fresh_postgres_url), open_engine(fresh_postgres_url)
    try:
        await upgrade(first)
        await bare_submissions(first, "s_slow", "s_fast")
        async with first.begin() as slow:
            await append_event(slow, "s_slow", 1, "SUBMITTED")  # holds sequence N, not committed yet

            async def fast() -> None:
                async with second.begin() as conn:
                    await append_event(conn, "s_fast", 1, "SUBMITTED")

            racing = asyncio.create_task(fast())
            await asyncio.sleep(0.5)
            assert not racing.done(), "a second append committed while an earlier sequence was still open"
            assert [e.submission_id for e in await EventLog(second).after(0)] == []
        await asyncio.wait_for(racing, 10)
        seen = [e.submission_id for e in await EventLog(second).after(0)]
        assert seen == ["s_slow", "s_fast"]
    finally:
        await first.dispose()
        await second.dispose()
