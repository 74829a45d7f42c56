"""How the in-memory broker rewrites a message it dead-letters, following RabbitMQ.

The ``x-death`` header is a list of events, newest first, one per (queue, reason) with a ``count``;
``x-first-death-reason``, ``-queue`` and ``-exchange`` are set once. The message's own TTL is dropped
(kept as ``original-expiration``) so it does not expire again at once. A message dead-lettered back into a
queue it already died in, with no rejection anywhere in the cycle, is dropped (cycle detection).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from singlewindow.platform.transport.base import OutgoingMessage

REASONS = frozenset({"rejected", "expired", "maxlen", "delivery_limit"})


def dead_lettered(
    message: OutgoingMessage, *, queue: str, reason: str, exchange: str, routing_key: str
) -> OutgoingMessage:
    """The copy of ``message`` that leaves ``queue`` for ``exchange`` with ``routing_key``."""
    headers: dict[str, Any] = dict(message.headers)
    deaths: list[dict[str, Any]] = [dict(event) for event in headers.get("x-death", [])]
    previous = next((e for e in deaths if e.get("queue") == queue and e.get("reason") == reason), None)
    if previous is not None:
        deaths.remove(previous)
        event = {**previous, "count": int(previous.get("count", 1)) + 1, "time": _now()}
    else:
        event = {
            "count": 1,
            "reason": reason,
            "queue": queue,
            "time": _now(),
            "exchange": message.exchange,
            "routing-keys": [message.routing_key],
        }
        if message.expiration_ms is not None:
            event["original-expiration"] = str(message.expiration_ms)
    headers["x-death"] = [event, *deaths]
    headers.setdefault("x-first-death-reason", reason)
    headers.setdefault("x-first-death-queue", queue)
    headers.setdefault("x-first-death-exchange", message.exchange)
    return replace(
        message,
        exchange=exchange,
        routing_key=routing_key,
        headers=headers,
        expiration_ms=None,
        mandatory=False,
    )


def is_cycle(message: OutgoingMessage, target_queue: str) -> bool:
    """True when delivering to ``target_queue`` would close a dead-letter loop without a rejection."""
    deaths = message.headers.get("x-death", [])
    queues = {event.get("queue") for event in deaths}
    rejected = any(event.get("reason") == "rejected" for event in deaths)
    return target_queue in queues and not rejected


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
