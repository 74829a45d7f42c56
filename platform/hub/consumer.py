"""How every hub consumer settles a delivery, so the rule lives in one place:

* the effect is durable (committed)          -> ack
* the message itself is wrong (InvalidInput, NotFound, AccessDenied): retrying cannot help
                                             -> reject without requeue: the queue's dead-letter exchange
                                                keeps it for operators (`nsw dlq`)
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
from sqlalchemy.exc import SQLAlchemyError

from singlewindow.platform.errors import PermanentError, TransientError
from singlewindow.platform.transport import Delivery

log = structlog.get_logger(__name__)

OUTAGE_ERRORS: tuple[type[BaseException], ...] = (TransientError, SQLAlchemyError, OSError)


def requeue_pause(delivery_count: int) -> float:
    """Seconds to hold a delivery before requeueing it after an outage error (its ``x-delivery-count``)."""
    return min(0.5 * float(2 ** min(max(delivery_count, 0), 4)), 5.0)


@asynccontextmanager
async def settle(delivery: Delivery, consumer: str) -> AsyncIterator[None]:
    bound = log.bind(
        consumer=consumer,
        message_id=delivery.message_id,
        submission_id=delivery.correlation_id,
        delivery_count=delivery.delivery_count,
    )
    try:
        yield
    except PermanentError as exc:
        bound.error("message refused", error=str(exc), error_type=type(exc).__name__)
        if not delivery.settled:
            await delivery.reject(requeue=False)
        return
    except Exception as exc:
        bound.warning("message requeued", error=str(exc), error_type=type(exc).__name__)
        if isinstance(exc, OUTAGE_ERRORS) and not delivery.settled:
            await asyncio.sleep(requeue_pause(delivery.delivery_count))
        if not delivery.settled:
            await delivery.nack(requeue=True)
        return
    if not delivery.settled:
        await delivery.ack()
