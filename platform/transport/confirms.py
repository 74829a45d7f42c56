"""Book-keeping for pipelined publisher confirms, free of any client library so it can be unit-tested.

A publish becomes a ``PendingPublish`` with a future. Sent on a confirm-mode channel it gets the channel's
next delivery tag; the broker's ``basic.ack``/``basic.nack`` (``multiple`` = every tag up to this one)
resolve it; a ``basic.return`` (sent before the ack) marks it unroutable. When the channel or connection
dies, everything unconfirmed goes back in front of the unsent queue, in order, to be republished on the
next channel: at-least-once, so consumers dedupe on ``message_id``. A message sent ``max_sends`` times
without a confirm fails with ``BrokerUnavailable``. A nacked message is sent again (the transport moves to a
new channel: a quorum queue's leader may have moved) until its ``max_sends`` are used up, and only then
fails with ``PublishRejected``.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from singlewindow.platform.errors import BrokerUnavailable, NswError, PublishRejected, Unroutable
from singlewindow.platform.transport.base import OutgoingMessage


@dataclass(eq=False, slots=True)
class PendingPublish:
    message: OutgoingMessage
    future: asyncio.Future[None]
    sends: int = 0
    returned: Unroutable | None = None


@dataclass(slots=True)
class ConfirmStats:
    """Counters the fault tests read to prove a fault really struck."""

    sent: int = 0
    confirmed: int = 0
    republished: int = 0
    returned: int = 0
    nacked: int = 0
    channel_resets: int = 0


@dataclass(slots=True)
class ConfirmTracker:
    max_sends: int = 5
    stats: ConfirmStats = field(default_factory=ConfirmStats)
    _unconfirmed: dict[int, PendingPublish] = field(default_factory=dict)
    _unsent: deque[PendingPublish] = field(default_factory=deque)
    _next_tag: int = 1

    @property
    def in_flight(self) -> int:
        return len(self._unconfirmed) + len(self._unsent)

    def add(self, pending: PendingPublish) -> None:
        self._unsent.append(pending)

    def take_unsent(self) -> Iterator[PendingPublish]:
        """Yield what should go out now; messages out of send budget fail instead."""
        while self._unsent:
            pending = self._unsent.popleft()
            if pending.future.done():
                continue
            if pending.sends >= self.max_sends:
                pending.future.set_exception(
                    BrokerUnavailable(
                        f"message {pending.message.message_id!r} not confirmed after {pending.sends} sends"
                    )
                )
                continue
            yield pending

    def sent(self, pending: PendingPublish) -> int:
        """Record that ``pending`` went out on the current channel; returns its delivery tag."""
        tag = self._next_tag
        self._next_tag += 1
        if pending.sends:
            self.stats.republished += 1
        pending.sends += 1
        self.stats.sent += 1
        self._unconfirmed[tag] = pending
        return tag

    def unsend(self, tag: int) -> None:
        """The client library refused to send (channel already closed): put it back, first in line."""
        pending = self._unconfirmed.pop(tag)
        pending.sends -= 1
        self.stats.sent -= 1
        self._next_tag = tag
        self._unsent.appendleft(pending)

    def on_confirm(self, tag: int, *, multiple: bool, ack: bool) -> None:
        for pending in self._pop(tag, multiple):
            if pending.future.done():
                continue
            if not ack:
                self.stats.nacked += 1
                if pending.sends < self.max_sends:
                    self._unsent.appendleft(pending)
                    continue
                pending.future.set_exception(
                    PublishRejected(f"broker nacked message {pending.message.message_id!r} {pending.sends} times")
                )
            elif pending.returned is not None:
                pending.future.set_exception(pending.returned)
            else:
                self.stats.confirmed += 1
                pending.future.set_result(None)

    def on_return(self, *, exchange: str, routing_key: str, message_id: str | None, body: bytes, reply: str) -> None:
        """Mark the oldest unconfirmed publish that matches (publishes are processed in order)."""
        for pending in self._unconfirmed.values():
            message = pending.message
            if (
                pending.returned is None
                and (message.exchange, message.routing_key, message.message_id) == (exchange, routing_key, message_id)
                and bytes(message.body) == body
            ):
                self.stats.returned += 1
                pending.returned = Unroutable(
                    f"{reply}: message {message_id!r} to exchange {exchange!r} "
                    f"with routing key {routing_key!r} matched no queue"
                )
                return

    def fail(self, matches: Callable[[OutgoingMessage], bool], error: NswError) -> int:
        """Fail every unconfirmed or unsent publish that ``matches`` (the cause of a channel error)."""
        failed = 0
        for pending in [*self._unconfirmed.values(), *self._unsent]:
            if not pending.future.done() and matches(pending.message):
                pending.future.set_exception(error)
                failed += 1
        return failed

    def reset_channel(self) -> int:
        """The channel is gone: requeue its unconfirmed publishes in order; tags restart at 1."""
        requeued = [pending for pending in self._unconfirmed.values() if not pending.future.done()]
        for pending in requeued:
            pending.returned = None
        self._unsent.extendleft(reversed(requeued))
        self._unconfirmed.clear()
        self._next_tag = 1
        self.stats.channel_resets += 1
        return len(requeued)

    def forget(self, pending: PendingPublish) -> None:
        """The caller gave up waiting (timeout, cancellation): never resend it."""
        if not pending.future.done():
            pending.future.cancel()

    def _pop(self, tag: int, multiple: bool) -> list[PendingPublish]:
        if not multiple:
            found = self._unconfirmed.pop(tag, None)
            return [found] if found else []
        done = [key for key in self._unconfirmed if key <= tag]
        return [self._unconfirmed.pop(key) for key in done]
