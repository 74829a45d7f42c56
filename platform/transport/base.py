"""The transport interface every hub process, adapter and gateway codes against.

Two implementations keep the same semantics: ``RabbitMqTransport`` (pika, the only module importing it) and
``MemoryTransport`` (the embedded default). Nothing here knows about submissions, routing or agencies.

Guarantees the callers rely on:

* ``publish`` returns only once the broker confirmed the message (persistent on a durable queue). It raises
  ``Unroutable`` when a ``mandatory`` message matched no queue, ``PublishRejected`` on a negative confirm
  (e.g. a full queue with ``overflow=reject-publish``; other queues may still have taken it), ``AccessDenied``
  when the user may not write to the exchange or forged ``user_id``, ``ConfigurationError`` when the exchange
  does not exist, and ``BrokerUnavailable`` when the connection died and the republish budget ran out.
  Concurrent ``publish`` calls are pipelined under a bounded window of unconfirmed messages.
* ``consume`` delivers at least once with manual settlement: the handler must ``ack`` after its effect is
  durable. A handler that raises without settling gets its delivery ``nack``-ed with requeue. The number of
  unsettled deliveries per subscription is bounded by ``prefetch``, which also bounds handler concurrency.
* Running processes never declare durable topology (``nsw topology declare`` does): ``declare_passive``
  only checks that a queue exists, and ``consume_private`` consumes a server-named (``amq.gen-*``),
  exclusive, auto-delete queue for per-process streams such as ``Watch``.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Self


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One message to publish; the AMQP basic properties the project uses, nothing else.

    ``user_id``, when set, must equal the transport's broker user: the broker validates it, which is what
    lets a consumer trust it. ``expiration_ms`` is the per-message TTL. ``timestamp`` should be UTC.
    """

    exchange: str
    routing_key: str
    body: bytes
    message_id: str | None = None
    correlation_id: str | None = None
    type: str | None = None
    content_type: str | None = None
    headers: Mapping[str, Any] = field(default_factory=dict)
    user_id: str | None = None
    timestamp: datetime | None = None
    mandatory: bool = True
    persistent: bool = True
    expiration_ms: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.body, bytes | bytearray | memoryview):
            raise TypeError(f"body must be bytes, not {type(self.body).__name__}")
        if self.expiration_ms is not None and self.expiration_ms < 0:
            raise ValueError(f"expiration_ms must be >= 0, got {self.expiration_ms}")


@dataclass(frozen=True, slots=True)
class QueueState:
    """What a passive declare reports."""

    message_count: int
    consumer_count: int


class DeliveryAlreadySettled(RuntimeError):
    """A programming error: a delivery was acked, nacked or rejected twice."""


class Delivery(abc.ABC):
    """One message handed to a consumer; settle it exactly once.

    ``delivery_count`` is the number of earlier deliveries of this message that were returned to the queue
    (``x-delivery-count`` on quorum queues; 0 on the first delivery and on classic queues). ``redelivered``
    is the AMQP flag: the message may have been seen before.
    """

    def __init__(
        self,
        *,
        body: bytes,
        properties: OutgoingMessage,
        redelivered: bool,
        delivery_count: int,
        queue: str,
    ) -> None:
        self.body = body
        self.properties = properties
        self.redelivered = redelivered
        self.delivery_count = delivery_count
        self.queue = queue
        self._settled = False

    # Shortcuts to the properties the hub reads most.
    @property
    def exchange(self) -> str:
        return self.properties.exchange

    @property
    def routing_key(self) -> str:
        return self.properties.routing_key

    @property
    def headers(self) -> Mapping[str, Any]:
        return self.properties.headers

    @property
    def message_id(self) -> str | None:
        return self.properties.message_id

    @property
    def correlation_id(self) -> str | None:
        return self.properties.correlation_id

    @property
    def type(self) -> str | None:
        return self.properties.type

    @property
    def content_type(self) -> str | None:
        return self.properties.content_type

    @property
    def user_id(self) -> str | None:
        return self.properties.user_id

    @property
    def timestamp(self) -> datetime | None:
        return self.properties.timestamp

    @property
    def settled(self) -> bool:
        return self._settled

    async def ack(self) -> None:
        """The effect is durable: the broker may forget the message."""
        self._claim()
        await self._settle("ack", requeue=False)

    async def nack(self, requeue: bool) -> None:
        """Give the message back (``requeue``) or dead-letter it with reason ``rejected``."""
        self._claim()
        await self._settle("nack", requeue=requeue)

    async def reject(self, requeue: bool = False) -> None:
        """Same outcome as ``nack`` for one message; the AMQP verb for a poison message."""
        self._claim()
        await self._settle("reject", requeue=requeue)

    def _claim(self) -> None:
        if self._settled:
            raise DeliveryAlreadySettled(f"delivery of {self.message_id!r} from {self.queue!r} already settled")
        self._settled = True

    @abc.abstractmethod
    async def _settle(self, verb: str, *, requeue: bool) -> None:
        """Send the settlement; a delivery from a dead channel is dropped (the broker redelivers it)."""


Handler = Callable[[Delivery], Awaitable[None]]


class Subscription(abc.ABC):
    """A running consumer of ``queue``.

    What the owner wants (consuming, paused, cancelled) is kept by the subscription, not by its caller: after
    a lost connection the transport restores exactly that, so a paused consumer stays paused and an active
    one always comes back.
    """

    queue: str

    @abc.abstractmethod
    async def pause(self) -> None:
        """Stop new deliveries until ``resume`` (a circuit breaker); on return none will come.

        Deliveries already handed over stay settleable. Idempotent; no-op after ``cancel``.
        """

    @abc.abstractmethod
    async def resume(self) -> None:
        """Consume again after ``pause``, now or as soon as the broker is reachable. Idempotent."""

    @abc.abstractmethod
    async def cancel(self) -> None:
        """Stop new deliveries, wait for running handlers; what they left unsettled is requeued."""


class Transport(abc.ABC):
    """Publish with confirm, consume with manual settlement, passive declare, close."""

    @abc.abstractmethod
    async def publish(self, message: OutgoingMessage) -> None:
        """Return once the broker confirmed ``message``; see the module docstring for the errors."""

    @abc.abstractmethod
    async def consume(self, queue: str, handler: Handler, *, prefetch: int) -> Subscription:
        """Start consuming ``queue``; raises ``AccessDenied`` without read permission, ``ConfigurationError``
        when the queue does not exist."""

    @abc.abstractmethod
    async def declare_passive(self, queue: str) -> QueueState:
        """Check that ``queue`` exists (``ConfigurationError`` if not) and report its counts."""

    @abc.abstractmethod
    async def consume_private(
        self, exchange: str, routing_key: str, handler: Handler, *, prefetch: int
    ) -> Subscription:
        """Consume a server-named (``amq.gen-*``) exclusive auto-delete queue bound to ``exchange``.

        For per-process streams (``Watch``): the queue lives as long as the subscription, and after a
        reconnect a new one is declared and bound (messages in between are not kept: replay them from
        storage). Needs configure permission on ``amq.gen-.*``, write on it and read on the exchange.
        """

    @abc.abstractmethod
    async def close(self) -> None:
        """Close; unsettled deliveries go back to their queues as redelivered."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
