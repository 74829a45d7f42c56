"""The cross-border link as a PARTNER recipient's adapter (the gateway) sees it: send to, and receive from,
the partner hub.

Sending publishes to ``crossborder.out.<partner>`` in our vhost; a dynamic Shovel (``nsw gateway link``)
moves it to the partner's ``crossborder.in.<our key>``, acking ours only once the partner's broker confirmed
it. Receiving consumes ``crossborder.in.<partner>``, which the partner's Shovel fills. Both directions are
at least once: the same message id can arrive twice, and the receiver dedupes.

A sent message never carries a ``user_id``: the Shovel re-publishes it on the partner's broker as the link
user, which would refuse a ``user_id`` naming anyone else (and on our broker it would name our gateway).
Who sent a message is proven by its signature only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from singlewindow.platform.errors import PublishRejected, TransientError
from singlewindow.platform.topology import names
from singlewindow.platform.transport import Delivery, OutgoingMessage, Subscription, Transport

CONTENT_TYPE = "application/json"
TRANSIENT_REDELIVERY_SECONDS = 1.0
"""How long a message whose handler raised a TransientError is held before it is given back to the queue:
without it, a handler failing on an unavailable dependency would spin on the same message."""


@dataclass(frozen=True, slots=True)
class LinkMessage:
    """One message read from ``crossborder.in.<partner>``."""

    message_id: str | None
    type: str | None
    """``crossborder-envelope`` or ``crossborder-receipt`` (as the sender set it; not trusted)."""
    body: bytes
    """UTF-8 JSON of the envelope or receipt, exactly the bytes the sender published."""
    redelivered: bool


LinkHandler = Callable[[LinkMessage], Awaitable[None]]


class LinkFull(TransientError):
    """The out queue refused the message (over its ``max-length``: the link has been down a long time)."""

    code = "link_full"


class PartnerLink(Protocol):
    """What ``AdapterContext.link`` offers a PARTNER recipient's adapter."""

    partner: str
    """The partner key (``cn``): the lower-case country code every cross-border broker name uses."""

    async def send(self, message_id: str, message_type: str, body: bytes) -> None:
        """Publish to the partner (persistent, mandatory, with confirm, no user_id).

        Returns once our broker confirmed it; the Shovel forwards it later. Raises a ``TransientError``
        when the broker is down or the out queue is full (try again later), a ``PermanentError`` for a
        message no broker could take.
        """
        ...

    async def receive(self, handler: LinkHandler, *, prefetch: int = 10) -> Subscription:
        """Consume what the partner sent us: ``handler`` returning acks the message; raising a
        ``TransientError`` gives it back after a short delay (counting toward the queue's delivery limit);
        any other exception dead-letters it to ``crossborder.<partner>.dlq``."""
        ...


class TransportLink:
    """``PartnerLink`` over a ``Transport`` logged in as the partner recipient's broker user."""

    def __init__(
        self,
        transport: Transport,
        partner_key: str,
        log: Any,
        *,
        transient_delay: float = TRANSIENT_REDELIVERY_SECONDS,
    ) -> None:
        self.partner = partner_key
        self._transport = transport
        self._log = log.bind(partner=partner_key) if hasattr(log, "bind") else log
        self._transient_delay = transient_delay

    def outgoing(self, message_id: str, message_type: str, body: bytes) -> OutgoingMessage:
        """The message ``send`` publishes (no user_id: see the module docstring)."""
        return OutgoingMessage(
            exchange=names.crossborder_out_exchange(self.partner),
            routing_key=names.crossborder_out_key(self.partner),
            body=bytes(body),
            message_id=message_id,
            type=message_type,
            content_type=CONTENT_TYPE,
            user_id=None,
            mandatory=True,
            persistent=True,
        )

    async def send(self, message_id: str, message_type: str, body: bytes) -> None:
        try:
            await self._transport.publish(self.outgoing(message_id, message_type, body))
        except PublishRejected as exc:
            raise LinkFull(f"the link to {self.partner} is full, try later: {exc}") from exc

    async def receive(self, handler: LinkHandler, *, prefetch: int = 10) -> Subscription:
        async def on_delivery(delivery: Delivery) -> None:
            await self._handle(handler, delivery)

        return await self._transport.consume(names.crossborder_in_queue(self.partner), on_delivery, prefetch=prefetch)

    async def _handle(self, handler: LinkHandler, delivery: Delivery) -> None:
        message = LinkMessage(delivery.message_id, delivery.type, bytes(delivery.body), delivery.redelivered)
        try:
            await handler(message)
        except TransientError as exc:
            self._log.warning(
                "link message given back", message_id=message.message_id, error=str(exc) or type(exc).__name__
            )
            await asyncio.sleep(self._transient_delay)
            if not delivery.settled:
                await delivery.nack(requeue=True)
            return
        except Exception:
            self._log.exception("link message dead-lettered", message_id=message.message_id, message_type=message.type)
            if not delivery.settled:
                await delivery.reject(requeue=False)
            return
        if not delivery.settled:
            await delivery.ack()
