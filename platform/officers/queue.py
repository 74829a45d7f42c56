"""The officer queue in the hub database: documents an agency's officers decide on by hand.

``claim_next`` gives each waiting document to one officer at a time: on PostgreSQL the row is taken with
``FOR UPDATE SKIP LOCKED``, so concurrent officers (and hub processes) never get the same one; on SQLite the
writer lock (``BEGIN IMMEDIATE``) serialises claims. A claim expires, and the document goes to the next
officer who asks. What happens when the submission changes (cancel, amend, a trader's answer) is in
``lifecycle``. Decisions are rows too: the agency's adapter reads the unpublished ones and publishes them
under the agency's own broker user, so the hub never decides in an agency's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from singlewindow.platform.errors import Conflict, NotFound
from singlewindow.platform.officers.history import CLAIMED, DECIDED, record_action
from singlewindow.platform.officers.lifecycle import add_answer, refusal, withdraw, withdrawal_of
from singlewindow.platform.officers.models import QueuedDocument, RecordedDecision
from singlewindow.platform.officers.tables import officer_decisions, officer_queue
from singlewindow.platform.state.common import aware, utcnow


def queued_document(row: Any) -> QueuedDocument:
    """A queue row as officers see it (also for ``claims``)."""
    return QueuedDocument(
        row.id,
        row.agency,
        row.submission_id,
        row.version,
        row.attempt,
        row.ucr,
        row.view,
        row.document,
        aware(row.enqueued_at),
        row.claimed_by,
        aware(row.claim_expires_at) if row.claim_expires_at else None,
        row.decided_at is not None,
        withdrawal_of(row),
        row.replaces,
        tuple(row.answers or ()),
    )


class OfficerQueue:
    def __init__(self, engine: AsyncEngine, claim: timedelta) -> None:
        self._engine = engine
        self._claim = claim

    async def enqueue(
        self, agency: str, submission_id: str, version: int, attempt: int, ucr: str, view: str,
        document: Mapping[str, Any], actor: str, replaces: Mapping[str, Any] | None = None,
    ) -> tuple[QueuedDocument, bool]:  # fmt: skip
        """Idempotent on (agency, submission, version, attempt): a redelivered hand-over is queued once.

        A new version replaces the items of every older version of that submission in this agency's queue
        (withdrawn as ``replaced``: an unclaimed one leaves the queue, a claimed one is flagged to its officer).
        """
        try:
            async with self._engine.begin() as conn:
                await withdraw(
                    conn, agency, submission_id, officer_queue.c.version < version, "replaced",
                    f"replaced by version {version} of the submission", version,
                )  # fmt: skip
                await conn.execute(
                    insert(officer_queue).values(
                        agency=agency,
                        submission_id=submission_id,
                        version=version,
                        attempt=attempt,
                        ucr=ucr,
                        view=view,
                        document=dict(document),
                        enqueued_by=actor,
                        enqueued_at=utcnow(),
                        replaces=dict(replaces) if replaces else None,
                    )
                )
            created = True
        except IntegrityError:
            created = False
        return await self._by_handover(agency, submission_id, version, attempt), created

    async def claim_next(self, agency: str, officer_id: str) -> QueuedDocument | None:
        """The officer's own unexpired claim if it has one, else the oldest free document, claimed.

        An own claim withdrawn since (cancelled, superseded, replaced) is returned once, flagged, and released,
        so the officer learns why it went away; the next pull moves on.
        """
        now = utcnow()
        undecided = and_(officer_queue.c.agency == agency, officer_queue.c.decided_at.is_(None))
        waiting = and_(undecided, officer_queue.c.withdrawn_at.is_(None))
        async with self._engine.begin() as conn:
            flagged = (
                await conn.execute(
                    select(officer_queue)
                    .where(undecided, officer_queue.c.withdrawn_at.is_not(None))
                    .where(officer_queue.c.claimed_by == officer_id, officer_queue.c.claim_expires_at > now)
                    .order_by(officer_queue.c.id)
                    .limit(1)
                )
            ).first()
            if flagged is not None:
                await conn.execute(
                    update(officer_queue).where(officer_queue.c.id == flagged.id).values(claim_expires_at=None)
                )
                return queued_document(flagged)
            own = (
                await conn.execute(
                    select(officer_queue)
                    .where(waiting, officer_queue.c.claimed_by == officer_id, officer_queue.c.claim_expires_at > now)
                    .order_by(officer_queue.c.id)
                    .limit(1)
                )
            ).first()
            if own is not None:
                return queued_document(own)
            query = (
                select(officer_queue.c.id, officer_queue.c.submission_id, officer_queue.c.version)
                .where(waiting, or_(officer_queue.c.claimed_by.is_(None), officer_queue.c.claim_expires_at <= now))
                .order_by(officer_queue.c.id)
                .limit(1)
            )
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            row = (await conn.execute(query)).first()
            if row is None:
                return None
            await conn.execute(
                update(officer_queue)
                .where(officer_queue.c.id == row.id)
                .values(claimed_by=officer_id, claim_expires_at=now + self._claim)
            )
            await record_action(conn, row.submission_id, row.version, agency, CLAIMED, officer_id, {"ticket": row.id})
            claimed = (await conn.execute(select(officer_queue).where(officer_queue.c.id == row.id))).one()
        return queued_document(claimed)

    async def record_decision(
        self, agency: str, ticket: int, officer_id: str, content: Mapping[str, Any], decided_at: datetime
    ) -> RecordedDecision:
        """Store the decision on a document the officer holds (or revise one its agency decided already)."""
        async with self._engine.begin() as conn:
            row = await locked_item(conn, agency, ticket)
            if row.decided_at is None and row.claimed_by != officer_id:
                raise Conflict(f"document {ticket} is not claimed by you: pull it with next first")
            result = await conn.execute(
                insert(officer_decisions).values(
                    queue_id=ticket,
                    agency=agency,
                    submission_id=row.submission_id,
                    version=row.version,
                    officer_id=officer_id,
                    decision=dict(content),
                    decided_at=decided_at,
                )
            )
            await conn.execute(
                update(officer_queue)
                .where(officer_queue.c.id == ticket)
                .values(decided_at=decided_at, claim_expires_at=None)
            )
            summary = {"ticket": ticket, "status": content.get("status"), "channel": content.get("channel")}
            await record_action(conn, row.submission_id, row.version, agency, DECIDED, officer_id, summary)
            decision_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return await self._decision(decision_id)

    async def withdraw(
        self, agency: str, submission_id: str, version: int, kind: str, reason: str, superseded_by: int | None
    ) -> list[QueuedDocument]:
        """The version is cancelled or superseded: its items leave the queue (flagged to a claiming officer)."""
        async with self._engine.begin() as conn:
            tickets = await withdraw(
                conn, agency, submission_id, officer_queue.c.version == version, kind, reason, superseded_by
            )
        return [await self.get(agency, ticket) for ticket in tickets]

    async def answer(self, agency: str, submission_id: str, version: int, answer: Mapping[str, Any]) -> QueuedDocument:
        """The trader answered a query on this version: the item is back in the queue with the answer."""
        async with self._engine.begin() as conn:
            ticket = await add_answer(conn, agency, submission_id, version, answer)
        return await self.get(agency, ticket)

    async def unpublished(self, agency: str, limit: int = 100) -> list[RecordedDecision]:
        query = (
            select(officer_decisions, officer_queue.c.ucr)
            .join(officer_queue, officer_queue.c.id == officer_decisions.c.queue_id)
            .where(officer_decisions.c.agency == agency, officer_decisions.c.published_at.is_(None))
            .order_by(officer_decisions.c.id)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            return [_decision(row) for row in await conn.execute(query)]

    async def mark_published(self, agency: str, decision_id: int) -> RecordedDecision:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(officer_decisions)
                .where(officer_decisions.c.id == decision_id, officer_decisions.c.agency == agency)
                .where(officer_decisions.c.published_at.is_(None))
                .values(published_at=utcnow())
            )
        decision = await self._decision(decision_id)
        if decision.agency != agency:
            raise NotFound(f"no decision {decision_id} of {agency}")
        return decision

    async def get(self, agency: str, ticket: int) -> QueuedDocument:
        query = select(officer_queue).where(officer_queue.c.id == ticket, officer_queue.c.agency == agency)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            raise NotFound(f"no document {ticket} in the {agency} officer queue")
        return queued_document(row)

    async def _by_handover(self, agency: str, submission_id: str, version: int, attempt: int) -> QueuedDocument:
        query = select(officer_queue).where(
            officer_queue.c.agency == agency,
            officer_queue.c.submission_id == submission_id,
            officer_queue.c.version == version,
            officer_queue.c.attempt == attempt,
        )
        async with self._engine.connect() as conn:
            return queued_document((await conn.execute(query)).one())

    async def _decision(self, decision_id: int) -> RecordedDecision:
        query = (
            select(officer_decisions, officer_queue.c.ucr)
            .join(officer_queue, officer_queue.c.id == officer_decisions.c.queue_id)
            .where(officer_decisions.c.id == decision_id)
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            raise NotFound(f"no officer decision {decision_id}")
        return _decision(row)


def _decision(row: Any) -> RecordedDecision:
    return RecordedDecision(
        row.id,
        row.queue_id,
        row.agency,
        row.submission_id,
        row.version,
        row.ucr,
        row.officer_id,
        row.decision,
        aware(row.decided_at),
        row.published_at is not None,
    )


def by_ticket(agency: str, ticket: int) -> Any:
    return select(officer_queue).where(and_(officer_queue.c.id == ticket, officer_queue.c.agency == agency))


async def locked_item(conn: AsyncConnection, agency: str, ticket: int) -> Any:
    """The agency's item, locked; NotFound for another agency's (as for one that does not exist)."""
    query = by_ticket(agency, ticket)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound(f"no document {ticket} in the {agency} officer queue")
    withdrawal = withdrawal_of(row)
    if withdrawal is not None:
        raise refusal(ticket, withdrawal)
    return row
