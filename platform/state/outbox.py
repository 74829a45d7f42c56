"""The transactional outbox: a message is written in the same transaction as the state change it announces,
then published with confirm by the relay. A crash between the two leaves the row, and the relay's sweep
publishes it; consumers are idempotent on ``message_id``, so a row published twice is harmless."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Select, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from singlewindow.platform.coalesce import GroupCall
from singlewindow.platform.crashpoints import crash_point
from singlewindow.platform.errors import PermanentError, TransientError
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.storage.engine import one_statement
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


@dataclass(frozen=True, slots=True)
class Enqueued:
    """An outbox row just written: its id and the message it holds, so the process that committed it can
    publish it without reading it back."""

    row_id: int
    message: OutboxMessage


# Built once (every transaction on the hot path enqueues); ids come back in the order of the rows.
_INSERT_OUTBOX = insert(outbox).returning(outbox.c.id, sort_by_parameter_order=True)


async def enqueue(conn: AsyncConnection, message: OutboxMessage) -> Enqueued:
    """Add ``message`` inside the caller's transaction; hand the result to the relay after the commit."""
    (row,) = await enqueue_many(conn, [message])
    return row


async def enqueue_many(conn: AsyncConnection, messages: Sequence[OutboxMessage]) -> list[Enqueued]:
    """Add ``messages`` with one multi-row INSERT inside the caller's transaction."""
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
    return [Enqueued(int(row_id), m) for (row_id,), m in zip(result, messages, strict=True)]


PermanentFailureHook = Callable[[OutboxMessage, PermanentError], Awaitable[None]]


class OutboxRelay:
    """Publishes outbox rows with confirm, then marks them published.

    The process that committed rows hands them over (``publish_now`` waits, ``publish_soon`` does not) and
    they are published from memory under their row locks (ids only: the bodies are not read back), then
    marked. Rows nobody handed over (their process crashed, or the broker was away) are swept from the table
    every ``poll_seconds`` once ``sweep_after_seconds`` old. Both lock with SKIP LOCKED, so hub processes
    never publish the same row at the same time (a row published twice after a crash is still harmless:
    consumers deduplicate on ``message_id``).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        transport: Transport,
        on_permanent_failure: PermanentFailureHook | None = None,
        batch_size: int = 200,
        poll_seconds: float = 1.0,
        sweep_after_seconds: float = 5.0,
    ) -> None:
        self._engine = engine
        self._transport = transport
        self._on_permanent_failure = on_permanent_failure
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._sweep_after = timedelta(seconds=sweep_after_seconds)
        self._wake = asyncio.Event()
        self._handed: list[Enqueued] = []
        self._sweep_wanted = False
        self._publish_group: GroupCall[list[Enqueued], None] = GroupCall(self._publish_many, max_group=100)

    def publish_soon(self, rows: Sequence[Enqueued]) -> None:
        """Publish these committed rows from memory soon; the caller does not wait for the broker."""
        if rows:
            self._handed.extend(rows)
            self._wake.set()

    def kick(self) -> None:
        """Sweep now instead of at the next poll."""
        self._sweep_wanted = True
        self._wake.set()

    async def publish_now(self, rows: Sequence[Enqueued]) -> None:
        """Publish these committed rows before returning (intake answers only after its message is confirmed).

        Concurrent calls are published together (``platform.coalesce``): one statement marks them all.
        Raises the transient error if the broker is away; the rows stay for the sweep.
        """
        await self._publish_group(list(rows))

    async def _publish_many(self, groups: list[list[Enqueued]]) -> list[None]:
        await self._publish_handed([row for group in groups for row in group])
        return [None] * len(groups)

    async def backlog(self) -> int:
        query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        async with one_statement(self._engine) as conn:
            return int((await conn.execute(query)).scalar_one())

    async def run(self, stop: asyncio.Event) -> None:
        """Publish what is handed over as it comes; sweep every ``poll_seconds`` (or when kicked)."""
        loop = asyncio.get_running_loop()
        backoff, next_sweep = 0.0, 0.0
        while not stop.is_set():
            self._wake.clear()  # before publishing: a hand-over or kick that arrives meanwhile is not lost
            more = False
            try:
                if self._handed:
                    handed, self._handed = self._handed, []
                    await self._publish_handed(handed)
                if self._sweep_wanted or loop.time() >= next_sweep:
                    self._sweep_wanted, next_sweep = False, loop.time() + self._poll_seconds
                    more = await self._sweep() == self._batch_size
                backoff = 0.0
            except TransientError as exc:
                log.warning("outbox publish postponed", error=str(exc))
                backoff = min(max(backoff * 2, self._poll_seconds), 30.0)
            except Exception as exc:
                # The relay must outlive any one pass: a database restart surfaces here as the driver's own
                # error, and a relay task that ended on it left every later outbox row unpublished (found by
                # the fault harness: submissions routed but never delivered after PostgreSQL restarted).
                log.warning("outbox relay pass failed; retrying", error=repr(exc))
                backoff = min(max(backoff * 2, self._poll_seconds), 30.0)
            if backoff == 0.0 and (more or self._handed):
                continue
            timeout = backoff or max(0.0, next_sweep - loop.time())
            waiters = [asyncio.create_task(self._wake.wait()), asyncio.create_task(stop.wait())]
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def _publish_handed(self, rows: Sequence[Enqueued]) -> None:
        """Publish rows from memory (ids locked, bodies not read back). The locks keep another process's sweep
        from publishing the same rows while a slow publish (a broker alarm blocks publishers) outlasts the
        sweep's age: a row that is locked, or already published, is left to whoever holds it."""
        by_id = {row.row_id: row for row in rows}
        query = select(outbox.c.id).where(outbox.c.id.in_(list(by_id)), outbox.c.published_at.is_(None))
        await self._publish_locked(query, lambda found: [by_id[row.id] for row in found])

    async def _sweep(self) -> int:
        """Publish rows old enough that no writer is publishing them (a crash's or an outage's leftovers)."""
        query = (
            select(outbox)
            .where(outbox.c.published_at.is_(None), outbox.c.created_at < utcnow() - self._sweep_after)
            .order_by(outbox.c.id)
            .limit(self._batch_size)
        )
        return await self._publish_locked(query, lambda found: [Enqueued(row.id, outbox_message(row)) for row in found])

    async def _publish_locked(self, query: Select[Any], taken: Callable[[list[Any]], list[Enqueued]]) -> int:
        """Lock the rows ``query`` finds (SKIP LOCKED), publish them, mark the ones the broker took (or refused
        for good) before the locks go; returns how many were locked."""
        async with self._engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = taken(list(await conn.execute(query)))
            if not rows:
                return 0
            messages = [row.message for row in rows]
            results = await self._send_all(messages)
            handled = _handled([row.row_id for row in rows], results)
            crash_point("outbox-published")
            if handled:
                await conn.execute(_MARK_PUBLISHED, {"ids": handled, "now": utcnow()})
        await self._after(messages, results)
        return len(rows)

    async def _send_all(self, messages: Sequence[OutboxMessage]) -> list[BaseException | None]:
        now = utcnow()
        return await asyncio.gather(
            *(self._transport.publish(m.outgoing(timestamp=now)) for m in messages), return_exceptions=True
        )

    async def _after(self, messages: Sequence[OutboxMessage], results: Sequence[BaseException | None]) -> None:
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


_MARK_PUBLISHED = (
    update(outbox)
    .where(outbox.c.id.in_(bindparam("ids", expanding=True)))
    .values(published_at=bindparam("now", type_=outbox.c.published_at.type))
)


def _handled(row_ids: Sequence[int], results: Sequence[BaseException | None]) -> list[int]:
    """Rows the broker took, or refused for good (publishing them again would fail the same way)."""
    return [
        row_id
        for row_id, result in zip(row_ids, results, strict=True)
        if result is None or isinstance(result, PermanentError)
    ]


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
