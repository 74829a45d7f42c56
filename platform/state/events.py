"""The append-only event history: who did what, when, chained by hash per submission (``state.chain``);
also the source ``Watch`` replays from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from singlewindow.platform.errors import NotFound
from singlewindow.platform.state.chain import ChainHead, extend
from singlewindow.platform.state.common import aware, utcnow
from singlewindow.platform.storage.tables import events, submissions

# PostgreSQL hands out sequence numbers at insert but transactions commit in any order, so a reader paging
# "after token N" could pass N+1 before N commits and never see N (the fault harness caught a Watch stream
# missing a terminal status that way). Appends therefore take one transaction-scoped advisory lock: event
# sequence numbers then become visible in order. SQLite has a single writer already.
EVENT_APPEND_LOCK = 0x4E5357_0001

_INSERT_EVENTS = insert(events)  # built once: every transaction on the hot path appends
# The chain heads (``state.chain``), locked FOR NO KEY UPDATE (key_share): foreign-key checks of rows that
# refer to the submission do not wait for it.
_LOCK_HEADS = (
    select(submissions.c.id, submissions.c.chain_head, submissions.c.chain_length)
    .where(submissions.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(submissions.c.id)
    .with_for_update(key_share=True)
)
MOVE_HEADS = (
    update(submissions)
    .where(submissions.c.id == bindparam("k_id"))
    .values(chain_head=bindparam("v_head"), chain_length=bindparam("v_length"))
)


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
    """One event, chained (``append_events``)."""
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


async def append_events(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Append events (``event_row``) in order, chained, inside the caller's transaction: lock their
    submissions' rows (sorted, the order every writer takes), extend the chains, insert, move the heads.

    For the writers outside the batch paths; a batch keeps its heads in memory (``state.changes``) and calls
    ``append_chained`` itself. An event of a submission that does not exist is refused (``NotFound``).
    """
    if not rows:
        return
    wanted = sorted({row["submission_id"] for row in rows})
    heads = {r.id: ChainHead(r.chain_head, r.chain_length) for r in await conn.execute(_LOCK_HEADS, {"ids": wanted})}
    for submission_id in wanted:
        if submission_id not in heads:
            raise NotFound(f"no submission {submission_id}")
    for row in rows:
        heads[row["submission_id"]] = extend(heads[row["submission_id"]], row)
    await append_chained(conn, rows)
    await conn.execute(MOVE_HEADS, head_values(heads))


async def append_chained(conn: AsyncConnection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert events already chained (``chain.extend``) with one multi-row INSERT; the caller holds their
    submissions' rows and moves their heads in the same transaction."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVENT_APPEND_LOCK})
    await conn.execute(_INSERT_EVENTS, list(rows))


def head_values(heads: Mapping[str, ChainHead]) -> list[dict[str, Any]]:
    """``MOVE_HEADS`` parameters for these submissions' new heads."""
    return [{"k_id": sid, "v_head": head.hash, "v_length": head.length} for sid, head in sorted(heads.items())]


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
