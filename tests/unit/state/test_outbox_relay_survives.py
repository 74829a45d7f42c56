"""The outbox relay keeps running when one pass fails with a database error (a PostgreSQL restart)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.exc import OperationalError

from singlewindow.platform.state.outbox import OutboxRelay


class FlakyRelay(OutboxRelay):
    """A relay whose first pass meets a dropped database connection, as after ``pg_ctl restart``."""

    def __init__(self) -> None:
        super().__init__(engine=None, transport=None, poll_seconds=0.01)  # type: ignore[arg-type]
        self.passes = 0
        self.second_pass = asyncio.Event()

    async def _sweep(self) -> int:
        self.passes += 1
        if self.passes == 1:
            raise OperationalError("SELECT outbox", {}, ConnectionResetError("server closed the connection"))
        self.second_pass.set()
        return 0


async def test_a_database_error_in_one_pass_does_not_end_the_relay() -> None:
    relay = FlakyRelay()
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    await asyncio.wait_for(relay.second_pass.wait(), 5)  # times out if the relay ended after the first pass
    stop.set()
    relay.kick()
    result: Any = await asyncio.wait_for(task, 5)
    assert result is None
    assert relay.passes >= 2, "the relay stopped after the failed pass"
