"""The raw-broker baseline: pika's asyncio adapter used directly, with none of the project's transport.

It does what the transport does for one publisher and one consumer, as plainly as pika allows: persistent,
mandatory messages published with pipelined confirms (at most ``window`` unconfirmed), then consumed with
``prefetch`` unacked and one manual ack per message. The transport's figures are read against these, so
the difference is what the transport's bookkeeping costs. This module and the transport are the only hub
code that imports pika (DESIGN.md, Engineering rules).
"""

from __future__ import annotations

import asyncio
import collections
from typing import Any

import pika
from pika.adapters.asyncio_connection import AsyncioConnection
from pika.spec import Basic, BasicProperties

from singlewindow.platform.bench.phases import PhaseResult, Stopwatch
from singlewindow.platform.errors import BrokerUnavailable, PublishRejected, Unroutable


class RawClient:
    """One pika connection with one channel; ``open`` and ``close`` turn pika's callbacks into awaits."""

    def __init__(self, connection: Any, channel: Any) -> None:
        self.connection = connection
        self.channel = channel

    @classmethod
    async def open(cls, amqp_url: str, vhost: str) -> RawClient:
        loop = asyncio.get_running_loop()
        opened: asyncio.Future[Any] = loop.create_future()
        parameters = pika.URLParameters(amqp_url)
        parameters.virtual_host = vhost
        parameters.client_properties = {"connection_name": "nsw-bench-raw"}

        def on_error(_connection: Any, exc: BaseException) -> None:
            if not opened.done():
                opened.set_exception(BrokerUnavailable(f"raw baseline: cannot connect: {exc!r}"))

        def on_open(connection: Any) -> None:
            if not opened.done():
                opened.set_result(connection)

        connection = AsyncioConnection(
            parameters,
            on_open_callback=on_open,
            on_open_error_callback=on_error,
            on_close_callback=on_error,
            custom_ioloop=loop,
        )
        await asyncio.wait_for(opened, 30)
        channel_opened: asyncio.Future[Any] = loop.create_future()
        connection.channel(on_open_callback=channel_opened.set_result)
        return cls(connection, await asyncio.wait_for(channel_opened, 30))

    async def close(self) -> None:
        if self.connection.is_open:
            closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

            def on_close(*_: Any) -> None:
                if not closed.done():
                    closed.set_result(None)

            self.connection.add_on_close_callback(on_close)
            self.connection.close()
            await asyncio.wait_for(closed, 30)


async def publish_confirmed(
    client: RawClient, queue: str, count: int, body: bytes, window: int, limit_seconds: float
) -> PhaseResult:
    """Publish ``count`` messages with at most ``window`` unconfirmed; return once every one is confirmed."""
    loop = asyncio.get_running_loop()
    channel = client.channel
    selected: asyncio.Future[None] = loop.create_future()
    finished: asyncio.Future[None] = loop.create_future()
    outstanding: collections.deque[int] = collections.deque()
    state = {"sent": 0, "confirmed": 0, "nacked": 0, "returned": 0}

    def pump() -> None:
        while state["sent"] < count and len(outstanding) < window:
            properties = BasicProperties(delivery_mode=2, message_id=str(state["sent"]))
            channel.basic_publish("", queue, body, properties=properties, mandatory=True)
            state["sent"] += 1
            outstanding.append(state["sent"])

    def settle(tag: int, multiple: bool) -> int:
        if multiple:
            settled = 0
            while outstanding and outstanding[0] <= tag:
                outstanding.popleft()
                settled += 1
            return settled
        outstanding.remove(tag)
        return 1

    def on_confirm(frame: Any) -> None:
        method = frame.method
        settled = settle(method.delivery_tag, bool(method.multiple))
        state["confirmed" if isinstance(method, Basic.Ack) else "nacked"] += settled
        if state["confirmed"] + state["nacked"] >= count:
            if not finished.done():
                finished.set_result(None)
        else:
            pump()

    def on_return(*_: Any) -> None:
        state["returned"] += 1

    channel.add_on_return_callback(on_return)
    channel.confirm_delivery(ack_nack_callback=on_confirm, callback=lambda _frame: selected.set_result(None))
    await asyncio.wait_for(selected, 30)
    watch = Stopwatch()
    pump()
    await asyncio.wait_for(finished, limit_seconds)
    result = watch.result(count)
    if state["returned"]:
        raise Unroutable(f"raw baseline: {state['returned']} messages returned unroutable from queue {queue!r}")
    if state["nacked"]:
        raise PublishRejected(f"raw baseline: the broker refused {state['nacked']} of {count} messages")
    return result


async def consume_acked(client: RawClient, queue: str, count: int, prefetch: int, limit_seconds: float) -> PhaseResult:
    """Consume ``count`` messages with ``prefetch`` unacked, acking each one on its own."""
    loop = asyncio.get_running_loop()
    channel = client.channel
    qos: asyncio.Future[None] = loop.create_future()
    channel.basic_qos(prefetch_count=prefetch, callback=lambda _frame: qos.set_result(None))
    await asyncio.wait_for(qos, 30)
    finished: asyncio.Future[None] = loop.create_future()
    received = 0

    def on_message(_channel: Any, method: Any, _properties: Any, _body: bytes) -> None:
        nonlocal received
        channel.basic_ack(method.delivery_tag)
        received += 1
        if received >= count and not finished.done():
            finished.set_result(None)

    watch = Stopwatch()
    tag = channel.basic_consume(queue, on_message, auto_ack=False)
    await asyncio.wait_for(finished, limit_seconds)
    result = watch.result(received)
    channel.basic_cancel(tag)
    return result


async def raw_baseline(
    amqp_url: str, vhost: str, queue: str, count: int, size: int, window: int, limit_seconds: float
) -> tuple[PhaseResult, PhaseResult]:
    """Publish then consume ``count`` messages of ``size`` bytes through bare pika: (publish, consume)."""
    client = await RawClient.open(amqp_url, vhost)
    try:
        published = await publish_confirmed(client, queue, count, b"x" * size, window, limit_seconds)
        consumed = await consume_acked(client, queue, count, window, limit_seconds)
    finally:
        await client.close()
    return published, consumed
