"""The append-only event history: who did what, when; also the source ``Watch`` replays from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from singlewindow.platform.state.common import aware, utcnow
from singlewindow.platform.storage.tables import events, submissions

# PostgreSQL hands out sequence numbers at insert but transactions commit in any order, so a reader paging
# "after token N" could pass N+1 before N commits and never see N (the fault harness caught a Watch stream
# missing a terminal status that way). Appends therefore take one transaction-scoped advisory lock: event
# sequence numbers then become visible in order. SQLite has a single writer already.
EVENT_APPEND_LOCK = 0x4E5357_0001

_INSERT_EVENTS = insert(events)  # built once: every transaction on the hot path appends


@dataclass(frozen=True, slots=True)
class HubEvent:
    sequence: int
    submission_id: str
    version: int
    kind: str
    actor: str | None
    recipient: str | None
    status: str | None
    detail: Mapping[str, Any]
    at: datetime


async def append_event(
    conn: AsyncConnection,
    submission_id: str,
    version: int,
    kind: str,
    *,
    actor: str | None = None,
    recipient: str | None = None,
    status: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    await append_events(conn, [event_row(submission_id, version, kind, actor, recipient, status, detail)])


def event_row(
    submission_id: str,
    version: int,
    kind: str,
    actor: str | None = None,
    recipient: str | None = None,
    status: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One event as ``append_events`` takes it."""
    return {
        "submission_id": submission_id,
        "version": version,
        "kind": kind,
        "actor": actor,
        "recipient": recipient,
        "status": status,
        "detail": dict(detail or {}),
        "at": utcnow(),
    }


async def append_events(conn: AsyncConnection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Append events (``event_row``) in order, with one multi-row INSERT, inside the caller's transaction."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVENT_APPEND_LOCK})
    await conn.execute(_INSERT_EVENTS, list(rows))


class EventLog:
    """Reads of the history, by submission or after a resume token (an event sequence number)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def of(self, submission_id: str) -> list[HubEvent]:
        query = select(events).where(events.c.submission_id == submission_id).order_by(events.c.sequence)
        return await self._fetch(query)

    async def of_submissions(self, submission_ids: Iterable[str], kinds: Iterable[str]) -> list[HubEvent]:
        """The events of these kinds of several submissions, oldest first: one query."""
        query = (
            select(events)
            .where(events.c.submission_id.in_(list(submission_ids)), events.c.kind.in_(list(kinds)))
            .order_by(events.c.sequence)
        )
        return await self._fetch(query)

    async def after(
        self,
        sequence: int,
        *,
        declarant_ids: Iterable[str] | None = None,
        submission_id: str | None = None,
        kinds: Iterable[str] | None = None,
        limit: int = 500,
    ) -> list[HubEvent]:
        """Events after a resume token, oldest first; None declarants means every submission (operators)."""
        query = select(events).where(events.c.sequence > sequence).order_by(events.c.sequence).limit(limit)
        if declarant_ids is not None:
            owned = select(submissions.c.id).where(submissions.c.declarant_id.in_(list(declarant_ids)))
            query = query.where(events.c.submission_id.in_(owned))
        if submission_id is not None:
            query = query.where(events.c.submission_id == submission_id)
        if kinds is not None:
            query = query.where(events.c.kind.in_(list(kinds)))
        return await self._fetch(query)

    async def _fetch(self, query: Any) -> list[HubEvent]:
        async with self._engine.connect() as conn:
            rows = list(await conn.execute(query))
        return [
            HubEvent(
                r.sequence, r.submission_id, r.version, r.kind, r.actor, r.recipient, r.status, r.detail, aware(r.at)
            )
            for r in rows
        ]
