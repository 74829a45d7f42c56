"""An officer picks a document from the queue by hand (the console's list), and gives it back.

``claim`` takes a free (or expired) document for the caller, or renews the caller's own claim; a document
another officer holds, one already decided or one withdrawn is a Conflict that says which. ``release`` gives
the caller's own claim back to the queue. Both are recorded in the submission's history with the officer.
On PostgreSQL the row is locked (``FOR UPDATE``) so two officers cannot both take it; SQLite's writer lock
does the same.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.errors import Conflict
from singlewindow.platform.officers.history import CLAIMED, RELEASED, record_action
from singlewindow.platform.officers.models import QueuedDocument
from singlewindow.platform.officers.queue import by_ticket, locked_item, queued_document
from singlewindow.platform.officers.tables import officer_queue
from singlewindow.platform.state.common import aware, utcnow

MAX_LISTED = 200


class OfficerClaims:
    def __init__(self, engine: AsyncEngine, claim: timedelta) -> None:
        self._engine = engine
        self._claim = claim

    async def open_items(self, agency: str, limit: int = MAX_LISTED) -> list[QueuedDocument]:
        """The agency's documents nobody has decided on and nothing withdrew, oldest first."""
        query = (
            select(officer_queue)
            .where(
                officer_queue.c.agency == agency,
                officer_queue.c.decided_at.is_(None),
                officer_queue.c.withdrawn_at.is_(None),
            )
            .order_by(officer_queue.c.id)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            return [queued_document(row) for row in await conn.execute(query)]

    async def claim(self, agency: str, ticket: int, officer_id: str) -> QueuedDocument:
        now = utcnow()
        async with self._engine.begin() as conn:
            row = await locked_item(conn, agency, ticket)
            if row.decided_at is not None:
                raise Conflict(f"document {ticket} is already decided")
            held = row.claimed_by is not None and row.claim_expires_at is not None and aware(row.claim_expires_at) > now
            if held and row.claimed_by != officer_id:
                raise Conflict(f"document {ticket} is claimed by another officer until {row.claim_expires_at}")
            await conn.execute(
                update(officer_queue)
                .where(officer_queue.c.id == ticket)
                .values(claimed_by=officer_id, claim_expires_at=now + self._claim)
            )
            if not held:
                await record_action(
                    conn, row.submission_id, row.version, agency, CLAIMED, officer_id, {"ticket": ticket}
                )
            return queued_document((await conn.execute(by_ticket(agency, ticket))).one())

    async def release(self, agency: str, ticket: int, officer_id: str) -> QueuedDocument:
        async with self._engine.begin() as conn:
            row = await locked_item(conn, agency, ticket)
            if row.claimed_by != officer_id or row.decided_at is not None:
                raise Conflict(f"document {ticket} is not claimed by you")
            await conn.execute(
                update(officer_queue).where(officer_queue.c.id == ticket).values(claimed_by=None, claim_expires_at=None)
            )
            await record_action(conn, row.submission_id, row.version, agency, RELEASED, officer_id, {"ticket": ticket})
            return queued_document((await conn.execute(by_ticket(agency, ticket))).one())
