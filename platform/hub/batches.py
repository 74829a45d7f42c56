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
from typing import TypeVar

import structlog

from singlewindow.platform.coalesce import GroupCall
from singlewindow.platform.crashpoints import crash_point
from singlewindow.platform.hub.consumer import is_outage, refuse
from singlewindow.platform.transport import Delivery

log = structlog.get_logger(__name__)
T = TypeVar("T")
BatchHandler = Callable[[Sequence[Delivery]], Awaitable[None]]


class Batcher(GroupCall[Delivery, None]):
    """A per-delivery handler that runs ``handle`` on batches of at most ``max_batch`` waiting deliveries."""

    def __init__(self, handle: BatchHandler, max_batch: int) -> None:
        async def run(deliveries: list[Delivery]) -> list[None]:
            await handle(deliveries)
            return [None] * len(deliveries)

        super().__init__(run, max_batch)


async def settle_batch(
    consumer: str,
    deliveries: Sequence[Delivery],
    prepare: Callable[[Delivery], Awaitable[T]],
    apply: Callable[[list[T]], Awaitable[Sequence[object]]],
    applied: Callable[[T, object], None] | None = None,
) -> None:
    """The batch rule every hub consumer follows (``hub.consumer`` has the one-message rule it builds on).

    Each delivery is ``prepare``-d on its own: what that raises settles only that delivery (parked or
    requeued). The prepared ones go to ``apply`` together, one transaction, which returns one outcome each:
    an exception refuses its delivery alone, anything else acknowledges it (after ``applied`` saw it). If
    ``apply`` itself fails for a reason other than an outage, the batch is split and each is applied alone,
    so only the message at fault is refused; an outage requeues them all.
    """
    ready: list[tuple[Delivery, T]] = []
    for delivery in deliveries:
        try:
            ready.append((delivery, await prepare(delivery)))
        except Exception as exc:
            await refuse(delivery, consumer, exc)
    if not ready:
        return
    try:
        outcomes = await apply([item for _, item in ready])
    except Exception as exc:
        if len(ready) > 1 and not is_outage(exc):
            log.warning("batch failed; applying its messages one by one", consumer=consumer, error=repr(exc))
            for delivery, item in ready:
                await settle_batch(consumer, [delivery], _given(item), apply, applied)
            return
        await asyncio.gather(*(refuse(delivery, consumer, exc) for delivery, _ in ready))
        return
    crash_point("batch-committed")
    for (delivery, item), outcome in zip(ready, outcomes, strict=True):
        if isinstance(outcome, Exception):
            await refuse(delivery, consumer, outcome)
            continue
        if applied is not None:
            applied(item, outcome)
        await delivery.ack()


def _given(item: T) -> Callable[[Delivery], Awaitable[T]]:
    async def prepared(_: Delivery) -> T:
        return item

    return prepared
