"""The transactional outbox: a message is written in the same transaction as the state change it announces,
then published with confirm by the relay. A crash between the two leaves the row, and the relay publishes it
on restart; consumers are idempotent on ``message_id``, so a row published twice is harmless."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from singlewindow.platform.coalesce import GroupCall
from singlewindow.platform.crashpoints import crash_point
from singlewindow.platform.errors import PermanentError, TransientError
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.storage.tables import outbox
from singlewindow.platform.transport import OutgoingMessage, Transport

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    message_id: str
    exchange: str
    routing_key: str
    type: str
    body: bytes
    content_type: str
    correlation_id: str | None = None
    headers: Mapping[str, Any] = field(default_factory=dict)

    def outgoing(self, timestamp: datetime | None = None) -> OutgoingMessage:
        """The message as the transport publishes it (the same id each time: consumers deduplicate on it)."""
        return OutgoingMessage(
            exchange=self.exchange,
            routing_key=self.routing_key,
            body=self.body,
            message_id=self.message_id,
            correlation_id=self.correlation_id,
            type=self.type,
            content_type=self.content_type,
            headers=dict(self.headers),
            timestamp=timestamp,
        )


# Built once (every transaction on the hot path enqueues); ids come back in the order of the rows.
_INSERT_OUTBOX = insert(outbox).returning(outbox.c.id, sort_by_parameter_order=True)


async def enqueue(conn: AsyncConnection, message: OutboxMessage) -> int:
    """Add ``message`` inside the caller's transaction; returns the row id for ``publish_now``."""
    (row_id,) = await enqueue_many(conn, [message])
    return row_id


async def enqueue_many(conn: AsyncConnection, messages: Sequence[OutboxMessage]) -> list[int]:
    """Add ``messages`` with one multi-row INSERT inside the caller's transaction; returns their row ids."""
    if not messages:
        return []
    now = utcnow()
    rows = [
        {
            "message_id": m.message_id,
            "exchange": m.exchange,
            "routing_key": m.routing_key,
            "type": m.type,
            "correlation_id": m.correlation_id,
            "content_type": m.content_type,
            "headers": dict(m.headers),
            "body": m.body,
            "created_at": now,
        }
        for m in messages
    ]
    result = await conn.execute(_INSERT_OUTBOX, rows)
    return [int(row_id) for (row_id,) in result]


PermanentFailureHook = Callable[[OutboxMessage, PermanentError], Awaitable[None]]


class OutboxRelay:
    """Publishes outbox rows with confirm; shares the table safely between hub processes (SKIP LOCKED)."""

    def __init__(
        self,
        engine: AsyncEngine,
        transport: Transport,
        on_permanent_failure: PermanentFailureHook | None = None,
        batch_size: int = 200,
        poll_seconds: float = 1.0,
    ) -> None:
        self._engine = engine
        self._transport = transport
        self._on_permanent_failure = on_permanent_failure
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._publish_group: GroupCall[list[int], None] = GroupCall(self._publish_many, max_group=100)

    def kick(self) -> None:
        """Publish soon: new rows were committed."""
        self._wake.set()

    async def publish_now(self, row_ids: Sequence[int]) -> None:
        """Publish these rows before returning (intake answers only after its message is confirmed).

        Concurrent calls are published together (``platform.coalesce``): one transaction marks them all.
        Raises the transient error if the broker is away; the rows stay for the relay loop to retry.
        """
        await self._publish_group(list(row_ids))

    async def _publish_many(self, groups: list[list[int]]) -> list[None]:
        await self._publish([row_id for group in groups for row_id in group])
        return [None] * len(groups)

    async def backlog(self) -> int:
        query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        async with self._engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def run(self, stop: asyncio.Event) -> None:
        """Drain the backlog whenever kicked, and every ``poll_seconds`` (rows left by a crash or an outage)."""
        delay = self._poll_seconds
        while not stop.is_set():
            self._wake.clear()  # before draining: a kick that arrives while we publish is not lost
            try:
                if await self._publish(None) == self._batch_size:
                    continue
                delay = self._poll_seconds
            except TransientError as exc:
                log.warning("outbox publish postponed", error=str(exc))
                delay = min(delay * 2, 30.0)
            except Exception as exc:
                # The relay must outlive any one pass: a database restart surfaces here as the driver's own
                # error, and a relay task that ended on it left every later outbox row unpublished (found by
                # the fault harness: submissions routed but never delivered after PostgreSQL restarted).
                log.warning("outbox relay pass failed; retrying", error=repr(exc))
                delay = min(delay * 2, 30.0)
            waiters = [asyncio.create_task(self._wake.wait()), asyncio.create_task(stop.wait())]
            await asyncio.wait(waiters, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def _publish(self, row_ids: Sequence[int] | None) -> int:
        limit = self._batch_size if row_ids is None else len(row_ids)
        query = select(outbox).where(outbox.c.published_at.is_(None)).order_by(outbox.c.id).limit(limit)
        if row_ids is not None:
            query = query.where(outbox.c.id.in_(list(row_ids)))
        async with self._engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(await conn.execute(query))
            if not rows:
                return 0
            messages = [outbox_message(row) for row in rows]
            results = await asyncio.gather(*(self._send(m) for m in messages), return_exceptions=True)
            handled = [
                row.id
                for row, result in zip(rows, results, strict=True)
                if result is None or isinstance(result, PermanentError)
            ]
            crash_point("outbox-published")
            if handled:
                await conn.execute(update(outbox).where(outbox.c.id.in_(handled)).values(published_at=utcnow()))
        for message, result in zip(messages, results, strict=True):
            if isinstance(result, PermanentError):
                # Unroutable (a missing inbox) or refused: never skipped silently. The row counts as handled,
                # because publishing it again would fail the same way; the hub records the failure.
                log.error("outbox message refused by the broker", message_id=message.message_id, error=str(result))
                if self._on_permanent_failure is not None:
                    await self._on_permanent_failure(message, result)
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, PermanentError):
                raise result
        return len(rows)

    async def _send(self, message: OutboxMessage) -> None:
        await self._transport.publish(message.outgoing(timestamp=utcnow()))


def outbox_message(row: Any) -> OutboxMessage:
    """An outbox row as the message it records."""
    return OutboxMessage(
        row.message_id,
        row.exchange,
        row.routing_key,
        row.type,
        row.body,
        row.content_type,
        row.correlation_id,
        dict(row.headers or {}),
    )
