"""Delayed retry of one delivery that failed transiently, through the broker (RabbitMQ 3.10 has no delayed
retry of its own): republish a copy with confirm into the wait queue of the next delay tier, whose TTL
dead-letters it back to the agency's inbox, then ack the original. After the last tier the copy goes to the
agency's dead-letter exchange (its DLQ and ``nsw.deadletters``) with the reason and attempt count.

A crash between the confirmed republish and the ack duplicates the message; consumers are idempotent on
``message_id`` (messaging.md R10). Works on any ``Transport``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from singlewindow.platform.catalogue import Recipient
from singlewindow.platform.topology import names
from singlewindow.platform.transport import Delivery, OutgoingMessage, Transport

ATTEMPT_HEADER = "x-nsw-retries"  # not x-nsw-attempt: that is the hub's delivery attempt
"""Transient failures of this message so far (1 after the first)."""
LAST_ERROR_HEADER = "x-nsw-last-error"
REASON_HEADER = "x-nsw-reason"
"""Why the hub dead-lettered it itself (the broker's own reasons are in ``x-death``)."""
ORIGINAL_EXCHANGE_HEADER = "x-nsw-original-exchange"
ORIGINAL_ROUTING_KEY_HEADER = "x-nsw-original-routing-key"
FAILED_QUEUE_HEADER = "x-nsw-failed-queue"
"""The queue the message kept failing in, for the aggregator reading ``nsw.deadletters``."""
RETRIES_EXHAUSTED = "retries-exhausted"
MAX_ERROR_CHARS = 1000

BROKER_HEADERS = frozenset(
    {"x-death", "x-first-death-reason", "x-first-death-queue", "x-first-death-exchange", "x-delivery-count"}
)
"""Headers the broker writes, dropped from republished copies: RabbitMQ treats a copy whose ``x-death``
already names the target queue (without a rejection) as a dead-letter cycle and silently drops it, and a
copied ``x-delivery-count`` would make a fresh message look redelivered."""


@dataclass(frozen=True, slots=True)
class RetryRoute:
    """Where one agency's failed deliveries go: its own retry and dead-letter exchanges, nobody else's."""

    retry_exchange: str
    dead_letter_exchange: str
    tiers: tuple[timedelta, ...]

    @classmethod
    def for_recipient(cls, recipient: Recipient) -> RetryRoute:
        return cls(names.retry_exchange(recipient.id), names.dead_letter_exchange(recipient.id), recipient.retry_tiers)


@dataclass(frozen=True, slots=True)
class RetryOutcome:
    attempt: int
    """Failures so far, this one included."""
    tier: str | None
    """The delay tier the copy waits in, or None when it was dead-lettered."""

    @property
    def dead_lettered(self) -> bool:
        return self.tier is None


def attempts_so_far(headers: Mapping[str, Any]) -> int:
    value = headers.get(ATTEMPT_HEADER, 0)
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


def republishable(
    message: OutgoingMessage, *, exchange: str, routing_key: str, headers: dict[str, Any]
) -> OutgoingMessage:
    """A copy of a received message for a new publish: same id, body and properties, new destination.

    ``user_id`` is dropped because the broker refuses one that is not the publisher's own user (the
    original sender's identity stays in the copy's ``message_id`` and correlation); per-message TTL too.
    """
    return replace(
        message,
        exchange=exchange,
        routing_key=routing_key,
        headers=headers,
        user_id=None,
        mandatory=True,
        persistent=True,
        expiration_ms=None,
    )


async def retry_later(transport: Transport, delivery: Delivery, route: RetryRoute, error: str) -> RetryOutcome:
    """Move ``delivery`` to its next delay tier (or dead-letter it), with confirm, then ack it.

    If the publish fails the delivery is left unsettled and the error propagates, so the transport
    requeues it: nothing is lost, the retry is merely not scheduled.
    """
    attempt = attempts_so_far(delivery.headers) + 1
    headers = {k: v for k, v in delivery.headers.items() if k not in BROKER_HEADERS}
    headers[ATTEMPT_HEADER] = attempt
    headers[LAST_ERROR_HEADER] = error[:MAX_ERROR_CHARS]
    headers.setdefault(ORIGINAL_EXCHANGE_HEADER, delivery.exchange)
    headers.setdefault(ORIGINAL_ROUTING_KEY_HEADER, delivery.routing_key)
    if attempt <= len(route.tiers):
        delay = route.tiers[attempt - 1]
        tier: str | None = names.tier_name(delay)
        target = (route.retry_exchange, names.wait_routing_key(delay))
    else:
        tier = None
        headers[REASON_HEADER] = RETRIES_EXHAUSTED
        headers[FAILED_QUEUE_HEADER] = delivery.queue
        target = (route.dead_letter_exchange, delivery.routing_key)
    copy = republishable(delivery.properties, exchange=target[0], routing_key=target[1], headers=headers)
    await transport.publish(copy)
    await delivery.ack()
    return RetryOutcome(attempt=attempt, tier=tier)
