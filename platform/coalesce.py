"""Concurrent calls coalesced into one: group commit, batched consumption.

``GroupCall`` is called like an async function with one item. Items that arrive while a group is being
handled, or within the same turn of the event loop, are handled together by one call of ``run`` (at most
``max_group`` at a time); each caller gets its own result or exception back. Nobody waits to fill a group:
a lone call at a quiet time runs after a single turn of the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

GroupRun = Callable[[list[In]], Awaitable[Sequence[Out | Exception]]]


class GroupCall(Generic[In, Out]):
    def __init__(self, run: GroupRun[In, Out], max_group: int) -> None:
        if max_group < 1:
            raise ValueError(f"max_group must be >= 1, got {max_group}")
        self._run = run
        self._max_group = max_group
        self._waiting: list[tuple[In, asyncio.Future[Out]]] = []
        self._worker: asyncio.Task[None] | None = None
        self.groups = 0  # handled so far, and their items: the mean group size for operators
        self.items = 0

    async def __call__(self, item: In) -> Out:
        done: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._work(), name="group-call")
        return await asyncio.shield(done)

    async def _work(self) -> None:
        await asyncio.sleep(0)  # one turn: calls made in the same turn join this group
        while self._waiting:
            group, self._waiting = self._waiting[: self._max_group], self._waiting[self._max_group :]
            self.groups += 1
            self.items += len(group)
            try:
                results = await self._run([item for item, _ in group])
            except Exception as exc:
                results = [exc] * len(group)
            for (_, done), result in zip(group, results, strict=True):
                if done.done():  # the caller went away (cancelled): nothing to hand back
                    continue
                if isinstance(result, Exception):
                    done.set_exception(result)
                else:
                    done.set_result(result)
