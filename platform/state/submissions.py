"""Submissions and their version chain: create (idempotent on declarant + trader reference), amend, cancel,
read. Every write stores the state, its event and its outbox message in one transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from singlewindow.platform.aggregation import TERMINAL, Consolidated
from singlewindow.platform.coalesce import GroupCall
from singlewindow.platform.errors import Conflict, NotFound
from singlewindow.platform.state.canonical import canonical_json
from singlewindow.platform.state.chain import ChainHead, extend
from singlewindow.platform.state.common import aware, lock_version, utcnow
from singlewindow.platform.state.events import append_chained, append_event, append_events, event_row
from singlewindow.platform.state.fees import FeeHooks
from singlewindow.platform.state.outbox import Enqueued, OutboxMessage, enqueue, enqueue_many
from singlewindow.platform.state.recipients import StatusChange, StatusMessageFactory, refold
from singlewindow.platform.storage.tables import document_links, recipients, submission_versions, submissions

# (recipient, version) -> the cancellation notice to that agency; built by intake, enqueued with the cancel.
NoticeFactory = Callable[[str, int], OutboxMessage]
TOLD_KINDS = ("AGENCY", "PARTNER")
"""Recipients told of a cancellation: every agency, and a partner hub (its gateway withdraws the document there)."""


def payload_hash(document: Mapping[str, Any]) -> str:
    """SHA-256 of the RFC 8785 canonical form: key order and whitespace do not make a new payload."""
    return hashlib.sha256(canonical_json(dict(document))).hexdigest()


@dataclass(frozen=True, slots=True)
class VersionRecord:
    version: int
    status: Consolidated
    status_sequence: int
    routed: bool
    cancelled: bool
    payload_sha256: str
    document: Mapping[str, Any]
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SubmissionRecord:
    id: str
    declarant_id: str
    trader_reference: str
    document_type: str
    ucr: str
    current_version: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewVersion:
    """What intake hands the store: the validated document and how to announce it on the bus."""

    submission_id: str
    declarant_id: str
    actor_id: str
    trader_reference: str
    document_type: str
    document: Mapping[str, Any]
    references: Sequence[tuple[str, str]]
    intake_message: Callable[[int], OutboxMessage]  # version -> the message for nsw.intake


Created = tuple["SubmissionRecord", bool, list[Enqueued]]
"""What ``create`` answers: the submission, whether this call made it, the outbox rows to publish."""

CREATE_GROUP = 100
"""Most submissions one group commit stores."""


class SubmissionStore:
    def __init__(self, engine: AsyncEngine, status_message: StatusMessageFactory, fees: FeeHooks | None = None) -> None:
        self._engine = engine
        self._status_message = status_message
        self._fees = fees  # a cancellation voids the unpaid fees (state.fees)
        self._create_group: GroupCall[NewVersion, Created] = GroupCall(self._create_many, CREATE_GROUP)

    async def create(self, new: NewVersion) -> Created:
        """Store version 1 and its intake message; the same (declarant, reference) and payload returns the
        existing submission (``created`` False), a different payload is a Conflict pointing to Amend.

        Concurrent calls are committed together (``platform.coalesce``: group commit): one transaction and
        one multi-row INSERT per table for the group, each caller answered once its own row is durable.
        """
        return await self._create_group(new)

    async def _create_many(self, group: list[NewVersion]) -> list[Created | Exception]:
        digests = [payload_hash(new.document) for new in group]
        makers: dict[tuple[str, str], int] = {}  # (declarant, reference) -> the first call of the group using it
        for index, new in enumerate(group):
            makers.setdefault((new.declarant_id, new.trader_reference), index)
        now, rows = utcnow(), {}
        try:
            async with self._engine.begin() as conn:
                taken = select(submissions.c.declarant_id, submissions.c.trader_reference).where(
                    tuple_(submissions.c.declarant_id, submissions.c.trader_reference).in_(list(makers))
                )
                for key in list(await conn.execute(taken)):
                    makers.pop((key.declarant_id, key.trader_reference), None)
                fresh = sorted(makers.values())
                if fresh:
                    submitted = [version_event(group[i], 1, digests[i]) for i in fresh]
                    heads = [extend(ChainHead(), event) for event in submitted]  # each chain starts here
                    await conn.execute(
                        insert(submissions),
                        [
                            {
                                "id": group[i].submission_id,
                                "declarant_id": group[i].declarant_id,
                                "trader_reference": group[i].trader_reference,
                                "document_type": group[i].document_type,
                                "ucr": group[i].document["ucr"],
                                "current_version": 1,
                                "created_at": now,
                                "chain_head": head.hash,
                                "chain_length": head.length,
                            }
                            for i, head in zip(fresh, heads, strict=True)
                        ],
                    )
                    ids = await self._insert_versions(conn, [(group[i], 1, digests[i]) for i in fresh])
                    await append_chained(conn, submitted)
                    rows = dict(zip(fresh, ids, strict=True))
        except IntegrityError:
            if len(group) > 1:  # another process took a reference between our read and our insert: one by one
                return [result for new in group for result in await self._create_many([new])]
            rows = {}
        results: list[Created | Exception] = []
        for index, new in enumerate(group):
            if index in rows:
                record = SubmissionRecord(
                    new.submission_id,
                    new.declarant_id,
                    new.trader_reference,
                    new.document_type,
                    new.document["ucr"],
                    1,
                    now,
                )
                results.append((record, True, [rows[index]]))
            else:
                results.append(await self._existing(new, digests[index]))
        return results

    async def _existing(self, new: NewVersion, digest: str) -> Created | Exception:
        """The submission already stored under ``new``'s reference: the same one again, or a Conflict."""
        existing = await self.by_reference(new.declarant_id, new.trader_reference)
        first = await self.version(existing.id, 1)
        if first.payload_sha256 != digest:
            return Conflict(
                f"trader reference {new.trader_reference!r} is already used by submission {existing.id} with "
                "a different payload; use Amend to change it"
            )
        return existing, False, []

    async def amend(self, new: NewVersion) -> tuple[SubmissionRecord, list[Enqueued]]:
        """A new version in the chain; its recipients are re-evaluated by the router."""
        digest = payload_hash(new.document)
        async with self._engine.begin() as conn:
            current = await self._current(conn, new.submission_id)
            head = await lock_version(conn, new.submission_id, current)
            if head.cancelled:
                raise Conflict(f"submission {new.submission_id} is cancelled; submit a new one")
            if head.payload_sha256 == digest:
                return await self._get(conn, new.submission_id), []
            version = current + 1
            await conn.execute(
                update(submissions).where(submissions.c.id == new.submission_id).values(current_version=version)
            )
            (row_id,) = await self._insert_versions(conn, [(new, version, digest)])
            superseded = event_row(
                new.submission_id, current, "SUPERSEDED", actor=new.actor_id, detail={"by_version": version}
            )
            await append_events(conn, [superseded, version_event(new, version, digest)])
            record = await self._get(conn, new.submission_id)
        return record, [row_id]

    async def cancel(
        self, submission_id: str, actor_id: str, reason: str, notice: NoticeFactory | None = None
    ) -> tuple[StatusChange | None, list[Enqueued]]:
        """Cancel the current version; every agency it was routed to (so sent a delivery) gets ``notice``
        through the outbox in the same transaction, so no agency keeps working on a cancelled version."""
        async with self._engine.begin() as conn:
            current = await self._current(conn, submission_id)
            head = await lock_version(conn, submission_id, current)
            if Consolidated(head.status) in TERMINAL:
                raise Conflict(f"version {current} of {submission_id} is already {head.status}; amend to change it")
            await conn.execute(
                update(submission_versions)
                .where(submission_versions.c.submission_id == submission_id, submission_versions.c.version == current)
                .values(cancelled=True)
            )
            await append_event(
                conn, submission_id, current, "CANCEL_REQUESTED", actor=actor_id, detail={"reason": reason}
            )
            notices: list[Enqueued] = []
            if notice is not None:
                told = select(recipients.c.recipient).where(
                    recipients.c.submission_id == submission_id,
                    recipients.c.version == current,
                    recipients.c.kind.in_(TOLD_KINDS),
                )
                for (recipient,) in list(await conn.execute(told.order_by(recipients.c.recipient))):
                    notices.append(await enqueue(conn, notice(recipient, current)))
            if self._fees is not None:
                await self._fees.session(conn).cancelled(submission_id)
            change, rows = await refold(conn, submission_id, current, self._status_message, actor=actor_id)
            return change, notices + rows

    async def get(self, submission_id: str) -> SubmissionRecord:
        async with self._engine.connect() as conn:
            return await self._get(conn, submission_id)

    async def by_reference(self, declarant_id: str, trader_reference: str) -> SubmissionRecord:
        query = select(submissions).where(
            submissions.c.declarant_id == declarant_id, submissions.c.trader_reference == trader_reference
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            raise NotFound(f"no submission with reference {trader_reference!r}")
        return _submission(row)

    async def version(self, submission_id: str, version: int) -> VersionRecord:
        query = select(submission_versions).where(
            submission_versions.c.submission_id == submission_id, submission_versions.c.version == version
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            raise NotFound(f"no version {version} of submission {submission_id}")
        return VersionRecord(
            row.version,
            Consolidated(row.status),
            row.status_sequence,
            row.routed,
            row.cancelled,
            row.payload_sha256,
            row.document,
            row.created_by,
            aware(row.created_at),
        )

    async def find(
        self, declarant_ids: Sequence[str] | None, status: Consolidated | None = None, limit: int = 100
    ) -> list[tuple[SubmissionRecord, Consolidated]]:
        """Submissions of these declarants (all when None: operators), newest first, optionally by status."""
        query = (
            select(submissions, submission_versions.c.status)
            .join(
                submission_versions,
                (submission_versions.c.submission_id == submissions.c.id)
                & (submission_versions.c.version == submissions.c.current_version),
            )
            .order_by(submissions.c.created_at.desc())
            .limit(limit)
        )
        if declarant_ids is not None:
            query = query.where(submissions.c.declarant_id.in_(list(declarant_ids)))
        if status is not None:
            query = query.where(submission_versions.c.status == status.value)
        async with self._engine.connect() as conn:
            return [(_submission(row), Consolidated(row.status)) for row in await conn.execute(query)]

    async def _insert_versions(
        self, conn: AsyncConnection, versions: Sequence[tuple[NewVersion, int, str]]
    ) -> list[Enqueued]:
        """Insert (new, version number, payload digest) with their links and intake messages; one multi-row
        INSERT per table. Returns the outbox row ids, in order. The caller appends their events
        (``version_event``), chained."""
        now = utcnow()
        await conn.execute(
            insert(submission_versions),
            [
                {
                    "submission_id": new.submission_id,
                    "version": version,
                    "document": dict(new.document),
                    "payload_sha256": digest,
                    "status": Consolidated.RECEIVED.value,
                    "status_sequence": 1,
                    "routed": False,
                    "cancelled": False,
                    "created_by": new.actor_id,
                    "created_at": now,
                    "updated_at": now,
                }
                for new, version, digest in versions
            ],
        )
        links = [
            {
                "submission_id": new.submission_id,
                "version": version,
                "reference_type": reference_type,
                "reference_id": reference_id,
                "ucr": new.document["ucr"],
            }
            for new, version, _ in versions
            for reference_type, reference_id in sorted(set(new.references))
        ]
        if links:
            await conn.execute(insert(document_links), links)
        return await enqueue_many(conn, [new.intake_message(version) for new, version, _ in versions])

    async def _current(self, conn: AsyncConnection, submission_id: str) -> int:
        row = (
            await conn.execute(select(submissions.c.current_version).where(submissions.c.id == submission_id))
        ).first()
        if row is None:
            raise NotFound(f"no submission {submission_id}")
        return int(row.current_version)

    async def _get(self, conn: AsyncConnection, submission_id: str) -> SubmissionRecord:
        row = (await conn.execute(select(submissions).where(submissions.c.id == submission_id))).first()
        if row is None:
            raise NotFound(f"no submission {submission_id}")
        return _submission(row)


def version_event(new: NewVersion, version: int, digest: str) -> dict[str, Any]:
    """The event of a stored version: who submitted or amended it (the trader principal or its broker)."""
    return event_row(
        new.submission_id,
        version,
        "SUBMITTED" if version == 1 else "AMENDED",
        actor=new.actor_id,
        status=Consolidated.RECEIVED.value,
        detail={"payload_sha256": digest},
    )


def _submission(row: Any) -> SubmissionRecord:
    return SubmissionRecord(
        row.id,
        row.declarant_id,
        row.trader_reference,
        row.document_type,
        row.ucr,
        row.current_version,
        aware(row.created_at),
    )
