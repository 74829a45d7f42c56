"""The client side of the in-memory broker: the embedded default ``Transport``.

Each delivery runs its handler in its own task, at most ``prefetch`` per subscription, as with the RabbitMQ
transport. Closing the transport is a consumer's death: what it left unsettled goes back to the queues as
redelivered (counting toward the delivery limit on quorum queues), and later settlements are dropped.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import replace

from singlewindow.platform.errors import AccessDenied, BrokerUnavailable, InvalidInput
from singlewindow.platform.transport.base import (
    Delivery,
    Handler,
    OutgoingMessage,
    QueueState,
    Subscription,
    Transport,
)
from singlewindow.platform.transport.memory import MemoryBroker
from singlewindow.platform.transport.memory_access import check_access
from singlewindow.platform.transport.memory_queue import Consumer, MemoryQueue, StoredMessage

log = logging.getLogger(__name__)

_consumer_tags = itertools.count(1)


class MemoryDelivery(Delivery):
    def __init__(self, queue: MemoryQueue, tag: int, stored: StoredMessage) -> None:
        headers = dict(stored.message.headers)
        if queue.queue_type == "quorum" and stored.delivery_count:
            headers["x-delivery-count"] = stored.delivery_count
        super().__init__(
            body=bytes(stored.message.body),
            properties=replace(stored.message, headers=headers),
            redelivered=stored.redelivered,
            delivery_count=stored.delivery_count,
            queue=queue.name,
        )
        self._memory_queue = queue
        self._tag = tag

    async def _settle(self, verb: str, *, requeue: bool) -> None:
        if not self._memory_queue.settle(self._tag, verb, requeue=requeue):
            log.warning("%s of %s dropped: its consumer is gone (redelivered)", verb, self.message_id)


class MemorySubscription(Subscription):
    def __init__(self, transport: MemoryTransport, queue: MemoryQueue, handler: Handler, prefetch: int):
        self.queue = queue.name
        self._transport = transport
        self._queue = queue
        self._handler = handler
        self._tasks: set[asyncio.Task[None]] = set()
        self.consumer = Consumer(f"memory.ctag-{next(_consumer_tags)}", transport, prefetch, self._deliver)
        self._stopped = False

    def _deliver(self, stored: StoredMessage, tag: int) -> None:
        delivery = MemoryDelivery(self._queue, tag, stored)
        task = asyncio.get_running_loop().create_task(self._run(delivery))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, delivery: Delivery) -> None:
        try:
            await self._handler(delivery)
        except Exception:
            log.exception("handler failed on %s from %s", delivery.message_id, delivery.queue)
        if not delivery.settled:
            await delivery.nack(requeue=True)

    async def pause(self) -> None:
        self._queue.remove_consumer(self.consumer, requeue_unacked=False)

    async def resume(self) -> None:
        if not self._stopped and self.consumer not in self._queue.consumers:
            self._queue.add_consumer(self.consumer)

    async def cancel(self) -> None:
        await self._stop(kill=False)

    async def _stop(self, *, kill: bool) -> None:
        self._stopped = True
        self._queue.remove_consumer(self.consumer, requeue_unacked=False)
        others = [task for task in self._tasks if task is not asyncio.current_task()]
        if kill:
            for task in others:
                task.cancel()
        if others:
            await asyncio.gather(*others, return_exceptions=True)
        self._queue.remove_consumer(self.consumer, requeue_unacked=True)
        if self._queue.exclusive_owner is self._transport:
            self._transport.broker.delete_queue(self._queue.vhost, self._queue.name)


class MemoryTransport(Transport):
    """A transport on ``broker`` as ``user`` in ``vhost``; ``password=None`` skips the password check."""

    def __init__(
        self, broker: MemoryBroker, vhost: str = "/", user: str = "guest", password: str | None = None
    ) -> None:
        self.broker = broker
        self.vhost = vhost
        self._user = broker.login(vhost, user, password)
        self._subscriptions: list[MemorySubscription] = []
        self._closed = False

    async def publish(self, message: OutgoingMessage) -> None:
        self._check_open()
        self.broker.publish(self.vhost, self._user, message)
        await asyncio.sleep(0)

    async def consume(self, queue: str, handler: Handler, *, prefetch: int) -> Subscription:
        self._check_open()
        check_access(self._user, self.vhost, "read", "queue", queue)
        found = self.broker.queue(self.vhost, queue)
        if found.exclusive_owner not in (None, self):
            raise AccessDenied(f"RESOURCE_LOCKED - queue {queue!r} is exclusive to another connection")
        return self._subscribe(found, handler, prefetch)

    async def consume_private(
        self, exchange: str, routing_key: str, handler: Handler, *, prefetch: int
    ) -> Subscription:
        self._check_open()
        name = self.broker.declare_private_queue(self.vhost, self._user, self, exchange, routing_key)
        return self._subscribe(self.broker.queue(self.vhost, name), handler, prefetch)

    async def declare_passive(self, queue: str) -> QueueState:
        self._check_open()
        return self.broker.queue_state(self.vhost, queue)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for subscription in self._subscriptions:
            await subscription._stop(kill=True)
        self._subscriptions.clear()

    def _subscribe(self, queue: MemoryQueue, handler: Handler, prefetch: int) -> Subscription:
        if prefetch < 1:
            raise InvalidInput(f"prefetch must be at least 1, got {prefetch}")
        subscription = MemorySubscription(self, queue, handler, prefetch)
        self._subscriptions.append(subscription)
        queue.add_consumer(subscription.consumer)
        return subscription

    def _check_open(self) -> None:
        if self._closed:
            raise BrokerUnavailable("the transport is closed")
