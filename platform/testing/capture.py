"""A transport wrapper that records what an adapter publishes, for tests to read back."""

from __future__ import annotations

from singlewindow.platform.transport import Handler, OutgoingMessage, QueueState, Subscription, Transport


class CapturingTransport(Transport):
    """Delegates everything to ``inner``; keeps every message confirmed by ``publish``, in order."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.published: list[OutgoingMessage] = []

    async def publish(self, message: OutgoingMessage) -> None:
        await self.inner.publish(message)
        self.published.append(message)

    async def consume(self, queue: str, handler: Handler, *, prefetch: int) -> Subscription:
        return await self.inner.consume(queue, handler, prefetch=prefetch)

    async def declare_passive(self, queue: str) -> QueueState:
        return await self.inner.declare_passive(queue)

    async def consume_private(
        self, exchange: str, routing_key: str, handler: Handler, *, prefetch: int
    ) -> Subscription:
        return await self.inner.consume_private(exchange, routing_key, handler, prefetch=prefetch)

    async def close(self) -> None:
        await self.inner.close()
