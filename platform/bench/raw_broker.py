"""The raw-broker baselines: pika's asyncio adapter used directly, with none of the project's transport.

``nsw bench broker``: one publisher and one consumer, as plainly as pika allows: persistent, mandatory
messages published with pipelined confirms (at most ``window`` unconfirmed), then consumed with ``prefetch``
unacked and one manual ack per message. The transport's figures are read against these, so the difference is
what the transport's bookkeeping costs.

``nsw bench pipeline``: the hub's message pattern with nothing else, each role in its own process
(``raw_pipeline_worker``): the producer publishes to a fan-out exchange (``publish_confirmed``), every agency
queue's consumer publishes a confirmed reply per document and acknowledges the document once its reply is
confirmed (``reply_to_each``), and a collector counts the replies (``collect_replies``).

This module and the transport are the only hub code that imports pika (DESIGN.md, Engineering rules).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from collections.abc import Callable, Sequence
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
    client: RawClient,
    routing_key: str,
    count: int,
    body: bytes | Sequence[bytes],
    window: int,
    limit_seconds: float,
    *,
    exchange: str = "",
) -> PhaseResult:
    """Publish ``count`` messages (the bodies in turn, message ids 0, 1, ...) with at most ``window``
    unconfirmed; return once every one is confirmed."""
    bodies = [body] if isinstance(body, bytes) else list(body)
    loop = asyncio.get_running_loop()
    channel = client.channel
    selected: asyncio.Future[None] = loop.create_future()
    finished: asyncio.Future[None] = loop.create_future()
    outstanding: collections.deque[int] = collections.deque()
    state = {"sent": 0, "confirmed": 0, "nacked": 0, "returned": 0}

    def pump() -> None:
        while state["sent"] < count and len(outstanding) < window:
            sent = state["sent"]
            properties = BasicProperties(delivery_mode=2, message_id=str(sent))
            channel.basic_publish(
                exchange, routing_key, bodies[sent % len(bodies)], properties=properties, mandatory=True
            )
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
        raise Unroutable(
            f"raw baseline: {state['returned']} messages returned unroutable ({exchange!r}, {routing_key!r})"
        )
    if state["nacked"]:
        raise PublishRejected(f"raw baseline: the broker refused {state['nacked']} of {count} messages")
    return result


async def _prefetch(channel: Any, prefetch: int) -> None:
    qos: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    channel.basic_qos(prefetch_count=prefetch, callback=lambda _frame: qos.set_result(None))
    await asyncio.wait_for(qos, 30)


async def consume_acked(client: RawClient, queue: str, count: int, prefetch: int, limit_seconds: float) -> PhaseResult:
    """Consume ``count`` messages with ``prefetch`` unacked, acking each one on its own."""
    loop = asyncio.get_running_loop()
    channel = client.channel
    await _prefetch(channel, prefetch)
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


async def reply_to_each(
    client: RawClient,
    queue: str,
    reply_queue: str,
    reply: bytes,
    label: str,
    prefetch: int,
    stop: asyncio.Event,
    ready: Callable[[], None],
) -> int:
    """Until ``stop``: for each document on ``queue`` publish ``reply`` (persistent, confirmed) to
    ``reply_queue``, then acknowledge the documents whose replies are confirmed (``multiple``, in order).
    Returns the number of replies confirmed. At most ``prefetch`` replies are unconfirmed."""
    loop = asyncio.get_running_loop()
    channel = client.channel
    await _prefetch(channel, prefetch)
    waiting: collections.deque[tuple[int, int]] = collections.deque()  # (publish sequence, delivery tag), in order
    confirmed: set[int] = set()
    state = {"sequence": 0, "confirmed": 0, "nacked": 0}

    def on_message(_channel: Any, method: Any, properties: Any, _body: bytes) -> None:
        document = properties.message_id
        answer = BasicProperties(delivery_mode=2, correlation_id=document, message_id=f"{document}.{label}")
        channel.basic_publish("", reply_queue, reply, properties=answer, mandatory=True)
        state["sequence"] += 1
        waiting.append((state["sequence"], method.delivery_tag))

    def on_confirm(frame: Any) -> None:
        method = frame.method
        if isinstance(method, Basic.Nack):
            state["nacked"] += 1
        tags = [s for s, _ in waiting if s <= method.delivery_tag] if method.multiple else [method.delivery_tag]
        confirmed.update(tags)
        last = None
        while waiting and waiting[0][0] in confirmed:
            sequence, last = waiting.popleft()
            confirmed.discard(sequence)
            state["confirmed"] += 1
        if last is not None:
            channel.basic_ack(last, multiple=True)

    selected: asyncio.Future[None] = loop.create_future()
    channel.confirm_delivery(ack_nack_callback=on_confirm, callback=lambda _frame: selected.set_result(None))
    await asyncio.wait_for(selected, 30)
    tag = channel.basic_consume(queue, on_message, auto_ack=False, callback=lambda _frame: ready())
    await stop.wait()
    channel.basic_cancel(tag)
    if state["nacked"]:
        raise PublishRejected(f"raw baseline: the broker refused {state['nacked']} replies")
    return state["confirmed"]


async def collect_replies(
    client: RawClient,
    reply_queue: str,
    documents: int,
    per_document: int,
    prefetch: int,
    limit_seconds: float,
    ready: Callable[[], None],
) -> tuple[int, float]:
    """Count replies by document until ``documents`` have ``per_document`` distinct ones each (or the time is up):
    (documents complete, wall clock when the last one completed). Acks go ``multiple`` every half prefetch."""
    loop = asyncio.get_running_loop()
    channel = client.channel
    await _prefetch(channel, prefetch)
    finished: asyncio.Future[None] = loop.create_future()
    replies: dict[str, set[str]] = collections.defaultdict(set)
    every = max(1, prefetch // 2)
    state = {"complete": 0, "unacked": 0, "last": 0.0}

    def on_message(_channel: Any, method: Any, properties: Any, _body: bytes) -> None:
        seen = replies[properties.correlation_id]
        before = len(seen)
        seen.add(properties.message_id)
        if before < per_document <= len(seen):
            state["complete"] += 1
            state["last"] = time.time()
        state["unacked"] += 1
        done = state["complete"] >= documents
        if state["unacked"] >= every or done:
            channel.basic_ack(method.delivery_tag, multiple=True)
            state["unacked"] = 0
        if done and not finished.done():
            finished.set_result(None)

    tag = channel.basic_consume(reply_queue, on_message, auto_ack=False, callback=lambda _frame: ready())
    with contextlib.suppress(TimeoutError):  # report what completed; the caller names the shortfall
        await asyncio.wait_for(finished, limit_seconds)
    channel.basic_cancel(tag)
    return int(state["complete"]), float(state["last"])
