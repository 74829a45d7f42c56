"""One message of a submission at a time, in arrival order; different submissions run concurrently.

The runtime handles up to ``prefetch`` inbox messages at once. Two messages of one submission must not
overlap: a document and its cancellation notice coming back from the retry tiers together would otherwise
race (the notice finds nothing handed over to withdraw, and the document is handed over right after).
``asyncio.Lock`` wakes its waiters first come, first served, so taking the turn before the handler's first
``await`` keeps the order in which the transport passed the messages on.

An entry lives only while a message of its submission is running or waiting, so the map holds at most
``prefetch`` submissions, however many the adapter sees in its life.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class _Turn:
    __slots__ = ("holders", "lock")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.holders = 0
        """Messages running or waiting on this key."""


class SubmissionTurns:
    """Per-key mutual exclusion, first come first served; keys with nobody running or waiting are dropped."""

    def __init__(self) -> None:
        self._turns: dict[str, _Turn] = {}

    def waiting(self, key: str) -> int:
        """Messages of ``key`` waiting for their turn (not counting the one running)."""
        turn = self._turns.get(key)
        if turn is None:
            return 0
        return turn.holders - (1 if turn.lock.locked() else 0)

    def __len__(self) -> int:
        return len(self._turns)

    @asynccontextmanager
    async def turn(self, key: str | None) -> AsyncIterator[None]:
        """Run the body when every earlier message of ``key`` is done; ``None`` (no submission) runs at once."""
        if key is None:
            yield
            return
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = _Turn()
        turn.holders += 1
        try:
            async with turn.lock:
                yield
        finally:
            turn.holders -= 1
            if turn.holders == 0:
                del self._turns[key]
