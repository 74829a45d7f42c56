"""How every hub consumer settles a delivery, so the rule lives in one place:

* the effect is durable (committed)          -> ack
* the message itself is wrong (InvalidInput, NotFound, AccessDenied): retrying cannot help
                                             -> reject without requeue: the queue's dead-letter exchange
                                                keeps it for operators (`nsw dlq`)
* the hub could not do it now (TransientError, or a bug)
                                             -> nack with requeue; the delivery limit stops a loop
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog

from singlewindow.platform.errors import PermanentError
from singlewindow.platform.transport import Delivery

log = structlog.get_logger(__name__)


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
        if not delivery.settled:
            await delivery.nack(requeue=True)
        return
    if not delivery.settled:
        await delivery.ack()
