"""Delayed retry of one delivery that failed transiently, through the broker (RabbitMQ 3.10 has no delayed
retry of its own): republish a copy with confirm into the wait queue of the next delay tier, whose TTL
dead-letters it back to the agency's inbox, then ack the original.

After the last tier (or when the document is refused) the copy, carrying the reason as data, goes through
the agency's own retry exchange straight back into its inbox marked with ``x-nsw-dead-letter``; the consumer
rejects a marked copy without requeue, so the BROKER dead-letters it into the agency's dead-letter exchange
(its DLQ and ``nsw.deadletters``). Agencies may not write any dead-letter exchange: what reaches
``nsw.deadletters`` always carries a broker-made ``x-death`` naming the inbox it died in.

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
"""Why it was dead-lettered, as data (the broker's own reasons are in ``x-death``): the last error of an
exhausted retry, ``document-refused``, or the hub's reason on what it parks in ``nsw.hub.dlq``."""
DEAD_LETTER_MARK_HEADER = "x-nsw-dead-letter"
"""On an inbox copy: reject me without requeue, so the broker dead-letters me (value: why, in one word)."""
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
    """Where one agency's failed deliveries go: its own retry exchange (tiers, and the way to its dead letters)."""

    retry_exchange: str
    tiers: tuple[timedelta, ...]

    @classmethod
    def for_recipient(cls, recipient: Recipient) -> RetryRoute:
        return cls(names.retry_exchange(recipient.id), recipient.retry_tiers)


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


def marked_for_dead_letter(delivery: Delivery) -> bool:
    """A copy the runtime sent back to its own inbox to be rejected (only the agency and the hub write
    into an inbox, and the hub never sets the mark)."""
    return bool(delivery.headers.get(DEAD_LETTER_MARK_HEADER))


def _copy_headers(delivery: Delivery) -> dict[str, Any]:
    headers = {k: v for k, v in delivery.headers.items() if k not in BROKER_HEADERS}
    headers.setdefault(ORIGINAL_EXCHANGE_HEADER, delivery.exchange)
    headers.setdefault(ORIGINAL_ROUTING_KEY_HEADER, delivery.routing_key)
    return headers


async def dead_letter_later(
    transport: Transport, delivery: Delivery, route: RetryRoute, kind: str, headers: dict[str, Any]
) -> None:
    """Send a copy marked ``kind`` back into the inbox through the retry exchange (confirm), then ack.

    The consumer rejects the marked copy, and the broker dead-letters it with its reason headers: the hub
    trusts only broker-made dead letters, so the runtime never publishes into a dead-letter exchange.
    """
    headers = {**headers, DEAD_LETTER_MARK_HEADER: kind, FAILED_QUEUE_HEADER: delivery.queue}
    copy = republishable(
        delivery.properties, exchange=route.retry_exchange, routing_key=names.DEAD_LETTER_KEY, headers=headers
    )
    await transport.publish(copy)
    await delivery.ack()


async def retry_later(transport: Transport, delivery: Delivery, route: RetryRoute, error: str) -> RetryOutcome:
    """Move ``delivery`` to its next delay tier (or on to the dead letters), with confirm, then ack it.

    If the publish fails the delivery is left unsettled and the error propagates, so the transport
    requeues it: nothing is lost, the retry is merely not scheduled. A copy already marked for
    dead-lettering is rejected here, so the broker dead-letters it.
    """
    if marked_for_dead_letter(delivery):
        await delivery.reject(requeue=False)
        return RetryOutcome(attempt=attempts_so_far(delivery.headers), tier=None)
    attempt = attempts_so_far(delivery.headers) + 1
    headers = _copy_headers(delivery)
    headers[ATTEMPT_HEADER] = attempt
    headers[LAST_ERROR_HEADER] = error[:MAX_ERROR_CHARS]
    if attempt > len(route.tiers):
        headers[REASON_HEADER] = error[:MAX_ERROR_CHARS]
        await dead_letter_later(transport, delivery, route, RETRIES_EXHAUSTED, headers)
        return RetryOutcome(attempt=attempt, tier=None)
    delay = route.tiers[attempt - 1]
    copy = republishable(
        delivery.properties, exchange=route.retry_exchange, routing_key=names.wait_routing_key(delay), headers=headers
    )
    await transport.publish(copy)
    await delivery.ack()
    return RetryOutcome(attempt=attempt, tier=names.tier_name(delay))
