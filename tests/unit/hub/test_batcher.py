"""hub.batches.Batcher: what is waiting travels together, a lone delivery is not held, failures reach each."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from singlewindow.platform.hub.batches import Batcher
from singlewindow.platform.transport import Delivery, OutgoingMessage


class _Delivery(Delivery):
    def __init__(self, n: int) -> None:
        super().__init__(
            body=b"",
            properties=OutgoingMessage("x", "k", b"", message_id=str(n)),
            redelivered=False,
            delivery_count=0,
            queue="q",
        )

    async def _settle(self, verb: str, *, requeue: bool) -> None:
        return None


async def test_deliveries_arriving_together_form_batches_of_at_most_max_batch() -> None:
    seen: list[list[str | None]] = []

    async def handle(batch: Sequence[Delivery]) -> None:
        seen.append([d.message_id for d in batch])
        await asyncio.sleep(0.01)

    batcher = Batcher(handle, max_batch=3)
    await asyncio.gather(*(batcher(_Delivery(n)) for n in range(7)))
    assert seen == [["0", "1", "2"], ["3", "4", "5"], ["6"]]
    assert (batcher.groups, batcher.items) == (3, 7)


async def test_a_lone_delivery_is_handled_at_once_and_later_ones_start_a_new_batch() -> None:
    seen: list[int] = []

    async def handle(batch: Sequence[Delivery]) -> None:
        seen.append(len(batch))

    batcher = Batcher(handle, max_batch=100)
    await asyncio.wait_for(batcher(_Delivery(1)), timeout=1)
    await asyncio.wait_for(batcher(_Delivery(2)), timeout=1)
    assert seen == [1, 1]


async def test_deliveries_that_arrive_while_a_batch_runs_form_the_next_one() -> None:
    seen: list[int] = []
    release = asyncio.Event()

    async def handle(batch: Sequence[Delivery]) -> None:
        seen.append(len(batch))
        await release.wait()

    batcher = Batcher(handle, max_batch=100)
    first = asyncio.create_task(batcher(_Delivery(0)))
    await asyncio.sleep(0.01)
    later = [asyncio.create_task(batcher(_Delivery(n))) for n in range(1, 5)]
    await asyncio.sleep(0.01)
    release.set()
    await asyncio.gather(first, *later)
    assert seen == [1, 4]


async def test_a_failing_batch_raises_in_every_delivery_handler() -> None:
    async def handle(batch: Sequence[Delivery]) -> None:
        raise RuntimeError("database away")

    batcher = Batcher(handle, max_batch=10)
    results = await asyncio.gather(*(batcher(_Delivery(n)) for n in range(3)), return_exceptions=True)
    assert [str(r) for r in results] == ["database away"] * 3
    with pytest.raises(ValueError, match="max_group"):
        Batcher(handle, max_batch=0)
