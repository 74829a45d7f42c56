"""One queue of the in-memory broker: ready messages, consumers, unacked deliveries, TTL, delivery limit.

It follows a RabbitMQ 3.10 quorum queue where that matters to the hub: returned messages (nack or reject
with requeue, consumer death) go out again before new ones, flagged ``redelivered``; each return counts
toward ``delivery-limit`` and past it the message is dead-lettered with reason ``delivery_limit``; a
message past its TTL is dead-lettered with reason ``expired`` (timers on the running event loop); a full
queue with ``overflow=reject-publish`` refuses the message (a quorum queue, like RabbitMQ's, only once it
is over the limit, so it holds ``max-length`` + 1), with ``drop-head`` it dead-letters the oldest
(``maxlen``). Classic queues keep the redelivered flag but count nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from singlewindow.platform.transport.base import OutgoingMessage

log = logging.getLogger(__name__)

_sequence = itertools.count(1)


@dataclass(slots=True)
class StoredMessage:
    message: OutgoingMessage
    seq: int = field(default_factory=lambda: next(_sequence))
    delivery_count: int = 0
    redelivered: bool = False
    expires_at: float | None = None

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and self.expires_at <= now


@dataclass(eq=False, slots=True)
class Consumer:
    """A subscription as the queue sees it; ``deliver`` must only schedule work, never run the handler."""

    tag: str
    owner: object
    prefetch: int
    deliver: Callable[[StoredMessage, int], None]
    unacked: set[int] = field(default_factory=set)

    def has_room(self) -> bool:
        return len(self.unacked) < self.prefetch


DeadLetter = Callable[["MemoryQueue", StoredMessage, str], None]


class MemoryQueue:
    def __init__(
        self,
        *,
        vhost: str,
        name: str,
        arguments: Mapping[str, Any],
        durable: bool,
        exclusive_owner: object | None,
        settings: Callable[[], dict[str, Any]],
        dead_letter: DeadLetter,
    ) -> None:
        self.vhost = vhost
        self.name = name
        self.arguments = dict(arguments)
        self.durable = durable
        self.exclusive_owner = exclusive_owner
        self._settings = settings
        self._dead_letter = dead_letter
        self._ready: deque[StoredMessage] = deque()
        self._returns: deque[StoredMessage] = deque()
        self._unacked: dict[int, tuple[StoredMessage, Consumer]] = {}
        self._consumers: deque[Consumer] = deque()
        self._tags = itertools.count(1)

    @property
    def queue_type(self) -> str:
        return str(self.arguments.get("x-queue-type", "classic"))

    @property
    def message_count(self) -> int:
        return len(self._ready) + len(self._returns)

    @property
    def consumer_count(self) -> int:
        return len(self._consumers)

    def settings(self) -> dict[str, Any]:
        return self._settings()

    def ready_messages(self) -> list[StoredMessage]:
        return [*self._returns, *self._ready]

    def enqueue(self, message: OutgoingMessage) -> bool:
        """Store a routed message; False means refused by ``overflow=reject-publish``."""
        settings = self._settings()
        max_length = settings.get("max-length")
        # A quorum queue counts its unacked messages too, and refuses only once it is already over the
        # limit (it takes one extra); a classic queue counts ready messages and refuses at the limit.
        length = self.message_count + (len(self._unacked) if self.queue_type == "quorum" else 0)
        if max_length is not None and length >= max_length:
            if settings.get("overflow", "drop-head") != "drop-head":
                return self.queue_type == "quorum" and length == max_length and self._take(message)
            if max_length == 0:
                self._dead_letter(self, StoredMessage(message), "maxlen")
                return True
            oldest = (self._returns or self._ready).popleft()
            self._dead_letter(self, oldest, "maxlen")
        return self._take(message)

    def _take(self, message: OutgoingMessage) -> bool:
        settings = self._settings()
        stored = StoredMessage(message)
        ttls = [ttl for ttl in (settings.get("message-ttl"), message.expiration_ms) if ttl is not None]
        if ttls:
            loop = asyncio.get_running_loop()
            delay = min(ttls) / 1000
            stored.expires_at = loop.time() + delay
            loop.call_later(delay, self.expire)
        self._ready.append(stored)
        self.dispatch()
        return True

    @property
    def consumers(self) -> tuple[Consumer, ...]:
        return tuple(self._consumers)

    def add_consumer(self, consumer: Consumer) -> None:
        self._consumers.append(consumer)
        self.dispatch()

    def remove_consumer(self, consumer: Consumer, *, requeue_unacked: bool) -> None:
        """Cancel leaves unacked deliveries settleable; a dead consumer's go back as redelivered."""
        if consumer in self._consumers:
            self._consumers.remove(consumer)
        if requeue_unacked:
            for tag in sorted(consumer.unacked):
                stored, _ = self._unacked.pop(tag)
                self._return(stored)
            consumer.unacked.clear()
        self.dispatch()

    def settle(self, tag: int, verb: str, *, requeue: bool) -> bool:
        """Apply ack/nack/reject; False when the tag is unknown (already requeued after consumer death)."""
        entry = self._unacked.pop(tag, None)
        if entry is None:
            return False
        stored, consumer = entry
        consumer.unacked.discard(tag)
        if verb != "ack":
            if requeue:
                self._return(stored)
            else:
                self._dead_letter(self, stored, "rejected")
        self.dispatch()
        return True

    def dispatch(self) -> None:
        """Hand ready messages to consumers with room, round-robin, returns first."""
        now = asyncio.get_running_loop().time() if self._consumers else 0.0
        while self._consumers and (self._returns or self._ready):
            consumer = self._next_consumer()
            if consumer is None:
                return
            stored = (self._returns or self._ready).popleft()
            if stored.expired(now):
                self._dead_letter(self, stored, "expired")
                continue
            tag = next(self._tags)
            self._unacked[tag] = (stored, consumer)
            consumer.unacked.add(tag)
            consumer.deliver(stored, tag)

    def expire(self) -> None:
        """Dead-letter every ready message whose TTL has passed (a timer calls this)."""
        now = asyncio.get_running_loop().time()
        for messages in (self._returns, self._ready):
            keep = [stored for stored in messages if not stored.expired(now)]
            gone = [stored for stored in messages if stored.expired(now)]
            messages.clear()
            messages.extend(keep)
            for stored in gone:
                self._dead_letter(self, stored, "expired")

    def purge(self) -> int:
        count = self.message_count
        self._ready.clear()
        self._returns.clear()
        return count

    def _next_consumer(self) -> Consumer | None:
        for _ in range(len(self._consumers)):
            consumer = self._consumers[0]
            self._consumers.rotate(-1)
            if consumer.has_room():
                return consumer
        return None

    def _return(self, stored: StoredMessage) -> None:
        stored.redelivered = True
        if self.queue_type == "quorum":
            stored.delivery_count += 1
            limit = self._settings().get("delivery-limit")
            if limit is not None and stored.delivery_count > limit:
                self._dead_letter(self, stored, "delivery_limit")
                return
        self._returns.append(stored)
