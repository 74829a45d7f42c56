"""Deliveries gathered into batches: what is already waiting, never waiting to fill one.

The transport hands each delivery to a handler of its own (``Transport.consume``); ``Batcher`` is such a
handler that queues the delivery and lets one worker take everything waiting (up to ``max_batch``) after a
single turn of the event loop, so deliveries that arrived in the same network read travel together and a
lone delivery at a quiet time is handled at once. Each delivery's handler returns when its batch has been
handled, so the transport's rules (prefetch bounds what is in flight; ``cancel`` waits for running handlers;
whatever is left unsettled is requeued) hold unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from singlewindow.platform.transport import Delivery

BatchHandler = Callable[[Sequence[Delivery]], Awaitable[None]]


class Batcher:
    """A per-delivery handler that runs ``handle`` on batches of at most ``max_batch`` waiting deliveries."""

    def __init__(self, handle: BatchHandler, max_batch: int) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be >= 1, got {max_batch}")
        self._handle = handle
        self._max_batch = max_batch
        self._waiting: list[tuple[Delivery, asyncio.Future[None]]] = []
        self._worker: asyncio.Task[None] | None = None
        self.batches = 0  # handled so far, and their deliveries: the mean batch size for operators
        self.deliveries = 0

    async def __call__(self, delivery: Delivery) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((delivery, done))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._work(), name="batcher")
        await asyncio.shield(done)

    async def _work(self) -> None:
        await asyncio.sleep(0)  # one turn: deliveries read in the same network read join this batch
        while self._waiting:
            batch, self._waiting = self._waiting[: self._max_batch], self._waiting[self._max_batch :]
            self.batches += 1
            self.deliveries += len(batch)
            try:
                await self._handle([delivery for delivery, _ in batch])
            except Exception as exc:  # the handler settles what it can; the transport requeues the rest
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)
