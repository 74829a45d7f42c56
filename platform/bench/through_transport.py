"""The broker bench through the project's Transport: the same messages and the same window as the raw baseline,
published with ``Transport.publish`` (pipelined under ``broker.confirm_window``) and consumed with
``Transport.consume`` (one handler task and one ack per delivery)."""

from __future__ import annotations

import asyncio

from singlewindow.platform.bench.phases import PhaseResult, Stopwatch
from singlewindow.platform.settings import BrokerSettings
from singlewindow.platform.transport import Delivery, OutgoingMessage, connect


async def transport_run(
    broker: BrokerSettings, vhost: str, queue: str, count: int, size: int, window: int, limit_seconds: float
) -> tuple[PhaseResult, PhaseResult, int]:
    """(publish, consume, republished): republished counts publishes the transport had to send again."""
    settings = broker.model_copy(update={"confirm_window": window})
    transport = await connect(settings, vhost=vhost, connection_name="nsw-bench-transport")
    try:
        body = b"x" * size
        messages = [OutgoingMessage("", queue, body, message_id=str(n)) for n in range(count)]
        watch = Stopwatch()
        await asyncio.wait_for(asyncio.gather(*(transport.publish(m) for m in messages)), limit_seconds)
        published = watch.result(count)

        finished = asyncio.Event()
        received = 0

        async def handle(delivery: Delivery) -> None:
            nonlocal received
            await delivery.ack()
            received += 1
            if received >= count:
                finished.set()

        watch = Stopwatch()
        subscription = await transport.consume(queue, handle, prefetch=window)
        await asyncio.wait_for(finished.wait(), limit_seconds)
        consumed = watch.result(received)
        await subscription.cancel()
        return published, consumed, int(transport.stats.republished)
    finally:
        await transport.close()
