"""Reads and writes of the adapter store; every write that must be atomic is one transaction.

A hand-over and its immediate decision are stored together, before the inbox message is acked. A decision
gets its ``decisionSequence`` inside the transaction that stores it (the next number for that submission
version), so sequences are monotonic and survive restarts; its idempotency key makes a repeat a no-op.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from singlewindow.adapters.sdk.documents import PendingHandover
from singlewindow.adapters.sdk.errors import VersionWithdrawn
from singlewindow.adapters.sdk.tables import answers, decisions, handovers, migrate, notices, withdrawals
from singlewindow.platform.errors import NotFound, StorageUnavailable
from singlewindow.platform.state.common import aware, utcnow
from singlewindow.platform.storage import open_engine

# Builds the decision document once its sequence number is known: (sequence, ucr) -> (message id, document).
DocumentBuilder = Callable[[int, str], tuple[str, dict[str, Any]]]
_ATTEMPTS = 5  # concurrent writers racing for the same next sequence (PostgreSQL): retry the transaction


@dataclass(frozen=True, slots=True)
class HandoverRecord:
    message_id: str
    agency: str
    submission_id: str
    version: int
    attempt: int
    ucr: str
    view: str
    reference: str
    handed_over_at: datetime


@dataclass(frozen=True, slots=True)
class StoredDecision:
    sequence: int
    message_id: str
    document: dict[str, Any]
    published: bool
    created: bool
    """False when the idempotency key was already stored (a duplicate)."""


class AdapterStore:
    def __init__(self, engine: AsyncEngine, agency: str) -> None:
        self._engine = engine
        self.agency = agency

    @classmethod
    async def open(cls, url: str, agency: str) -> AdapterStore:
        """Open (SQLite or PostgreSQL URL) and migrate."""
        engine = open_engine(url)
        try:
            await migrate(engine)
        except SQLAlchemyError as exc:
            await engine.dispose()
            raise StorageUnavailable(f"adapter store {url!r} cannot be migrated: {exc}") from exc
        return cls(engine, agency)

    async def close(self) -> None:
        await self._engine.dispose()

    async def handover(self, message_id: str) -> HandoverRecord | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(handovers).where(handovers.c.message_id == message_id))).first()
        return _record(row._mapping) if row is not None else None

    async def record_handover(
        self, record: HandoverRecord, decision: tuple[str, DocumentBuilder] | None
    ) -> StoredDecision | None:
        """Store the hand-over and, when the agency decided at once, that decision (key, builder)."""
        for attempt in range(_ATTEMPTS):
            try:
                async with self._engine.begin() as conn:
                    await conn.execute(insert(handovers).values(**_values(record)))
                    if decision is None:
                        return None
                    return await self._add_decision(conn, record.submission_id, record.version, record.ucr, *decision)
            except IntegrityError:
                if await self.handover(record.message_id) is not None or attempt == _ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    async def add_decision(self, submission_id: str, version: int, key: str, build: DocumentBuilder) -> StoredDecision:
        """Store a decision under the next sequence, or return the one already stored under ``key``."""
        for attempt in range(_ATTEMPTS):
            try:
                async with self._engine.begin() as conn:
                    ucr = (
                        await conn.execute(
                            select(handovers.c.ucr).where(self._version_is(handovers, submission_id, version)).limit(1)
                        )
                    ).scalar()
                    if ucr is None:
                        raise NotFound(f"{self.agency} never handed over submission {submission_id} version {version}")
                    reason = (
                        await conn.execute(
                            select(withdrawals.c.reason).where(self._version_is(withdrawals, submission_id, version))
                        )
                    ).scalar()
                    if reason is not None:
                        raise VersionWithdrawn(submission_id, version, reason)
                    return await self._add_decision(conn, submission_id, version, ucr, key, build)
            except IntegrityError:
                if attempt == _ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    async def _add_decision(
        self, conn: AsyncConnection, submission_id: str, version: int, ucr: str, key: str, build: DocumentBuilder
    ) -> StoredDecision:
        same = self._version_is(decisions, submission_id, version)
        found = (await conn.execute(select(decisions).where(same, decisions.c.idempotency_key == key))).first()
        if found is not None:
            row = found._mapping
            return StoredDecision(
                row["sequence"], row["message_id"], json.loads(row["document"]), row["published"], False
            )
        last = (await conn.execute(select(func.max(decisions.c.sequence)).where(same))).scalar() or 0
        message_id, document = build(last + 1, ucr)
        await conn.execute(
            insert(decisions).values(
                agency=self.agency,
                submission_id=submission_id,
                version=version,
                sequence=last + 1,
                idempotency_key=key,
                message_id=message_id,
                document=json.dumps(document),
                published=False,
                created_at=utcnow(),
            )
        )
        return StoredDecision(last + 1, message_id, document, False, True)

    async def answered(self, message_id: str) -> bool:
        async with self._engine.connect() as conn:
            found = (await conn.execute(select(answers.c.message_id).where(answers.c.message_id == message_id))).first()
        return found is not None

    async def record_answer(self, message_id: str) -> None:
        """The adapter passed a query response on; a redelivery of it is then only acked."""
        async with self._engine.begin() as conn:
            await conn.execute(insert(answers).values(message_id=message_id, agency=self.agency, answered_at=utcnow()))

    async def mark_published(self, message_id: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(update(decisions).where(decisions.c.message_id == message_id).values(published=True))

    async def unpublished(
        self, submission_id: str | None = None, version: int | None = None, *, created_before: datetime | None = None
    ) -> list[StoredDecision]:
        """Decisions stored but not confirmed by the broker, oldest first (optionally of one version)."""
        query = select(decisions).where(decisions.c.agency == self.agency, decisions.c.published.is_(False))
        if submission_id is not None:
            query = query.where(decisions.c.submission_id == submission_id)
        if version is not None:
            query = query.where(decisions.c.version == version)
        if created_before is not None:
            query = query.where(decisions.c.created_at < created_before)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query.order_by(decisions.c.id))).all()
        return [StoredDecision(r.sequence, r.message_id, json.loads(r.document), False, False) for r in rows]

    async def pending(self) -> list[PendingHandover]:
        """Hand-overs of submission versions without any decision yet (the latest attempt of each)."""
        decided = exists().where(
            decisions.c.agency == handovers.c.agency,
            decisions.c.submission_id == handovers.c.submission_id,
            decisions.c.version == handovers.c.version,
        )
        withdrawn = exists().where(
            withdrawals.c.agency == handovers.c.agency,
            withdrawals.c.submission_id == handovers.c.submission_id,
            withdrawals.c.version == handovers.c.version,
        )
        query = (
            select(handovers)
            .where(handovers.c.agency == self.agency, ~decided, ~withdrawn)
            .order_by(handovers.c.handed_over_at, handovers.c.attempt)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        latest: dict[tuple[str, int], PendingHandover] = {}
        for row in rows:
            r = _record(row._mapping)
            latest.pop((r.submission_id, r.version), None)
            latest[(r.submission_id, r.version)] = PendingHandover(
                r.submission_id, r.version, r.ucr, r.reference, r.view, r.message_id, r.handed_over_at
            )
        return list(latest.values())

    async def latest_handover(
        self, submission_id: str, version: int | None = None, *, before: int | None = None
    ) -> HandoverRecord | None:
        """The newest hand-over of ``version`` (or of the highest version below ``before``), latest attempt."""
        query = select(handovers).where(handovers.c.agency == self.agency, handovers.c.submission_id == submission_id)
        if version is not None:
            query = query.where(handovers.c.version == version)
        if before is not None:
            query = query.where(handovers.c.version < before)
        query = query.order_by(handovers.c.version.desc(), handovers.c.attempt.desc()).limit(1)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return _record(row._mapping) if row is not None else None

    async def withdrawn(self, submission_id: str, version: int) -> str | None:
        """Why the hub withdrew this version from the agency (cancelled, superseded), or None."""
        query = select(withdrawals.c.reason).where(self._version_is(withdrawals, submission_id, version)).limit(1)
        async with self._engine.connect() as conn:
            return (await conn.execute(query)).scalar()

    async def notice_seen(self, message_id: str) -> bool:
        """Whether the adapter's ``cancelled`` already returned for this notice."""
        async with self._engine.connect() as conn:
            query = select(notices.c.message_id).where(notices.c.message_id == message_id)
            return (await conn.execute(query)).first() is not None

    async def record_notice_passed_on(self, message_id: str) -> None:
        """``cancelled`` returned for this notice; a repeat is a no-op."""
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    insert(notices).values(message_id=message_id, agency=self.agency, passed_on_at=utcnow())
                )
        except IntegrityError:
            if not await self.notice_seen(message_id):
                raise

    async def _withdrawal_recorded(self, message_id: str) -> bool:
        async with self._engine.connect() as conn:
            query = select(withdrawals.c.message_id).where(withdrawals.c.message_id == message_id)
            return (await conn.execute(query)).first() is not None

    async def record_withdrawal(
        self, message_id: str, submission_id: str, version: int, kind: str, reason: str
    ) -> None:
        """The agency stops working on this version (from now on nothing of it is handed over or decided);
        a repeat of ``message_id`` is a no-op."""
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    insert(withdrawals).values(
                        message_id=message_id,
                        agency=self.agency,
                        submission_id=submission_id,
                        version=version,
                        kind=kind,
                        reason=reason,
                        withdrawn_at=utcnow(),
                    )
                )
        except IntegrityError:
            if not await self._withdrawal_recorded(message_id):
                raise

    def _version_is(self, table: Any, submission_id: str, version: int) -> Any:
        return and_(table.c.agency == self.agency, table.c.submission_id == submission_id, table.c.version == version)


def _values(record: HandoverRecord) -> dict[str, Any]:
    return {
        "message_id": record.message_id,
        "agency": record.agency,
        "submission_id": record.submission_id,
        "version": record.version,
        "attempt": record.attempt,
        "ucr": record.ucr,
        "view": record.view,
        "reference": record.reference,
        "handed_over_at": record.handed_over_at,
    }


def _record(row: Any) -> HandoverRecord:
    return HandoverRecord(
        row["message_id"],
        row["agency"],
        row["submission_id"],
        row["version"],
        row["attempt"],
        row["ucr"],
        row["view"],
        row["reference"],
        aware(row["handed_over_at"]),
    )
