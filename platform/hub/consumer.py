"""How every hub consumer settles a delivery, so the rule lives in one place:

* the effect is durable (committed)          -> ack
* the message itself is wrong (InvalidInput, NotFound, AccessDenied): retrying cannot help
                                             -> parked in nsw.hub.dlq for operators (`nsw dlq`) with the
                                                hub's reason in ``x-nsw-reason``: a copy published with
                                                confirm to nsw.dlx.hub, then ack (a plain reject would
                                                record only the broker's ``rejected``); if that publish
                                                fails, reject without requeue (parked without the reason)
* the hub could not do it now (TransientError, or a bug)
                                             -> nack with requeue; the delivery limit stops a loop
* ... because a service it needs is away (database, broker: TransientError, a driver or socket error)
                                             -> the same, after a pause that grows with the delivery count
                                                (0.5 s doubling to 5 s: the 20 deliveries of the limit
                                                span about 85 s of outage), so a short database restart
                                                does not burn the delivery limit and park good messages
                                                in the dead-letter queue (found by the fault harness)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError

from singlewindow.platform.errors import PermanentError, TransientError
from singlewindow.platform.retry import (
    BROKER_HEADERS,
    FAILED_QUEUE_HEADER,
    MAX_ERROR_CHARS,
    ORIGINAL_EXCHANGE_HEADER,
    ORIGINAL_ROUTING_KEY_HEADER,
    REASON_HEADER,
    republishable,
)
from singlewindow.platform.topology import names
from singlewindow.platform.transport import Delivery, Handler, Transport

log = structlog.get_logger(__name__)

PARKED_BY_HEADER = "x-nsw-parked-by"
"""The hub consumer that refused the message (router, aggregator, deadletters)."""
SENDER_HEADER = "x-nsw-user-id"
"""The broker-validated ``user_id`` the refused message arrived with: a copy cannot carry it as its own
``user_id`` (the broker accepts only the publisher's), so the hub records it for operators."""


class ParkableDelivery(Delivery):
    """A hub delivery that can be parked in ``nsw.hub.dlq`` with the hub's reason; settles its inner one."""

    def __init__(self, inner: Delivery, transport: Transport) -> None:
        super().__init__(
            body=inner.body,
            properties=inner.properties,
            redelivered=inner.redelivered,
            delivery_count=inner.delivery_count,
            queue=inner.queue,
        )
        self._inner = inner
        self._transport = transport

    async def _settle(self, verb: str, *, requeue: bool) -> None:
        if verb == "ack":
            await self._inner.ack()
        elif verb == "nack":
            await self._inner.nack(requeue)
        else:
            await self._inner.reject(requeue)

    async def park(self, consumer: str, reason: str) -> None:
        """Publish the copy with ``reason`` to the hub's parking exchange (confirm), then ack.

        The copy's origin is where the hub received it, never what its headers claim: replaying a parked
        message puts it back where it was refused, not wherever its sender wanted the hub to publish it.
        """
        self._claim()
        headers = {k: v for k, v in self.headers.items() if k not in BROKER_HEADERS}
        headers |= {
            REASON_HEADER: reason[:MAX_ERROR_CHARS],
            PARKED_BY_HEADER: consumer,
            FAILED_QUEUE_HEADER: self.queue,
            ORIGINAL_EXCHANGE_HEADER: self.exchange,
            ORIGINAL_ROUTING_KEY_HEADER: self.routing_key,
        }
        if self.user_id:
            headers[SENDER_HEADER] = self.user_id
        copy = republishable(
            self.properties, exchange=names.HUB_DEAD_LETTER_EXCHANGE, routing_key=self.routing_key, headers=headers
        )
        try:
            await self._transport.publish(copy)
        except Exception as exc:
            log.warning("parking with the reason failed; rejected instead", error=str(exc), message_id=self.message_id)
            await self._inner.reject(requeue=False)
            return
        await self._inner.ack()


def parking(transport: Transport, handler: Handler) -> Handler:
    """``handler`` with its deliveries parkable: what ``settle`` refuses lands in nsw.hub.dlq with the reason."""

    async def parkable(delivery: Delivery) -> None:
        await handler(ParkableDelivery(delivery, transport))

    return parkable


OUTAGE_ERRORS: tuple[type[BaseException], ...] = (TransientError, SQLAlchemyError, OSError)


def is_outage(exc: BaseException) -> bool:
    """A service the hub needs is away (broker, database connection), as opposed to a statement or a bug."""
    if isinstance(exc, TransientError | OSError):
        return True
    return isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    )


def requeue_pause(delivery_count: int) -> float:
    """Seconds to hold a delivery before requeueing it after an outage error (its ``x-delivery-count``)."""
    return min(0.5 * float(2 ** min(max(delivery_count, 0), 4)), 5.0)


@asynccontextmanager
async def settle(delivery: Delivery, consumer: str) -> AsyncIterator[None]:
    """Ack when the block ends; what it raises settles the delivery by the module's rule (``refuse``)."""
    try:
        yield
    except Exception as exc:
        await refuse(delivery, consumer, exc)
        return
    if not delivery.settled:
        await delivery.ack()


async def refuse(delivery: Delivery, consumer: str, exc: Exception) -> None:
    """Settle a delivery whose handling raised ``exc``: park it (bad input) or requeue it (anything else)."""
    bound = log.bind(
        consumer=consumer,
        message_id=delivery.message_id,
        submission_id=delivery.correlation_id,
        delivery_count=delivery.delivery_count,
    )
    if isinstance(exc, PermanentError):
        # Bad input, not a hub fault: a warning with the reason, no traceback.
        bound.warning("message refused and parked", error=str(exc), error_type=type(exc).__name__)
        if not delivery.settled:
            if isinstance(delivery, ParkableDelivery):
                await delivery.park(consumer, f"{type(exc).__name__}: {exc}")
            else:
                await delivery.reject(requeue=False)
        return
    bound.warning("message requeued", error=str(exc), error_type=type(exc).__name__)
    if isinstance(exc, OUTAGE_ERRORS) and not delivery.settled:
        await asyncio.sleep(requeue_pause(delivery.delivery_count))
    if not delivery.settled:
        await delivery.nack(requeue=True)
