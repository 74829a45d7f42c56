"""Wait for exactly the submissions a bench had accepted to reach a terminal status, and read when each did.

A count of terminal rows is the wrong test: it includes submissions whose answer never reached the load
generator (a hub killed after its commit), so it can reach the expected number while accepted ones are still
on their way. Here the set of pending ids shrinks as each one's row appears; whatever is left at the
deadline is what did not finish, and the bench reports it by id.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.storage.tables import terminal_statuses

POLL_SECONDS = 0.1
CHUNK = 1000  # ids per IN (...) list: bounded statements whatever the run's size


def epoch(moment: datetime) -> float:
    """Seconds since the epoch of a stored timestamp (SQLite gives it back without a zone: it is UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


async def terminal_times(engine: AsyncEngine, ids: Collection[str]) -> dict[str, float]:
    """Submission id -> when its terminal status was recorded (epoch seconds), for those of ``ids`` that have one."""
    found: dict[str, float] = {}
    pending = list(ids)
    column = terminal_statuses.c
    async with engine.connect() as connection:
        for start in range(0, len(pending), CHUNK):
            chunk = pending[start : start + CHUNK]
            query = select(column.submission_id, column.recorded_at).where(column.submission_id.in_(chunk))
            for submission_id, recorded_at in (await connection.execute(query)).all():
                moment = epoch(recorded_at)
                found[submission_id] = min(moment, found.get(submission_id, moment))
    return found


async def await_terminal(engine: AsyncEngine, ids: Collection[str], deadline: float) -> dict[str, float]:
    """Poll until every one of ``ids`` is terminal or ``time.monotonic()`` passes ``deadline``; return the
    recorded times of those that are (the caller reports ``set(ids) - result.keys()`` as unfinished)."""
    finished: dict[str, float] = {}
    pending = set(ids)
    while pending:
        found = await terminal_times(engine, pending)
        finished.update(found)
        pending.difference_update(found)
        if not pending or time.monotonic() >= deadline:
            break
        await asyncio.sleep(POLL_SECONDS)
    return finished
