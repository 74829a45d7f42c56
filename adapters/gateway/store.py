"""Reads and writes of the gateway store; each write that must be atomic is one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import rfc8785
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from singlewindow.adapters.gateway.tables import inbound, migrate, outbound, quarantine, sequences
from singlewindow.platform.errors import NotFound, StorageUnavailable
from singlewindow.platform.state.common import aware, utcnow
from singlewindow.platform.storage import open_engine

# Seals the envelope once its sequence number is known: sequence -> (envelope id, envelope as a dict).
Sealer = Callable[[int], tuple[str, dict[str, Any]]]

WAITING, APPLIED, REJECTED = "WAITING", "APPLIED", "REJECTED"
_ATTEMPTS = 5  # concurrent sealers racing for the same next sequence (PostgreSQL): retry the transaction


@dataclass(frozen=True, slots=True)
class SentEnvelope:
    envelope_id: str
    partner: str
    sequence: int
    kind: str
    submission_id: str | None
    version: int | None
    document_type: str
    document_id: str
    envelope: dict[str, Any]
    created_at: datetime
    receipt_outcome: str | None
    receipted_at: datetime | None

    @property
    def body(self) -> bytes:
        return _canonical(self.envelope)


@dataclass(frozen=True, slots=True)
class ReceivedEnvelope:
    partner: str
    envelope_id: str
    envelope_sha256: str
    sequence: int
    document_type: str
    document_id: str
    ucr: str
    state: str
    reason_code: str | None
    envelope: dict[str, Any]
    receipt: dict[str, Any] | None
    submission_id: str | None
    received_at: datetime
    redeliveries: int
    answered_status: str | None
    answers: int


@dataclass(frozen=True, slots=True)
class Quarantined:
    id: int
    partner: str
    envelope_id: str | None
    message_type: str | None
    reason_code: str
    reason_text: str
    raw: str
    received_at: datetime
    released_at: datetime | None
    released_by: str | None
    release_note: str | None
    reprocessed_at: datetime | None
    reprocess_result: str | None


@dataclass(frozen=True, slots=True)
class PartnerCounts:
    """What ``nsw gateway status`` shows of the store for one partner."""

    sent: int
    unreceipted: int
    oldest_unreceipted_at: datetime | None
    last_receipt_at: datetime | None
    last_sequence_sent: int
    received: int
    waiting: int
    rejected: int
    quarantined: int
    highest_sequence_received: int
    redeliveries: int


def _canonical(document: Mapping[str, Any]) -> bytes:
    return rfc8785.dumps(dict(document))


class GatewayStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @classmethod
    async def open(cls, url: str) -> GatewayStore:
        engine = open_engine(url)
        try:
            await migrate(engine)
        except SQLAlchemyError as exc:
            await engine.dispose()
            raise StorageUnavailable(f"gateway store {url.split('@')[-1]} unavailable: {exc}") from exc
        return cls(engine)

    async def close(self) -> None:
        await self._engine.dispose()

    async def _first(self, query: Any) -> Any:
        async with self._engine.connect() as conn:
            return (await conn.execute(query)).first()

    async def _all(self, query: Any) -> list[Any]:
        async with self._engine.connect() as conn:
            return list((await conn.execute(query)).all())

    # -- outbound -------------------------------------------------------------------------------------------
    async def seal_once(
        self,
        partner: str,
        source_key: str,
        kind: str,
        facts: Mapping[str, Any],
        seal: Sealer,
    ) -> SentEnvelope:
        """The envelope made from ``source_key``: the stored one, or a new one with the next sequence.

        ``facts`` holds submission_id, version, document_type, document_id and ucr of what is sealed.
        """
        for attempt in range(_ATTEMPTS):
            existing = await self.sent_from(partner, source_key)
            if existing is not None:
                return existing
            try:
                async with self._engine.begin() as conn:
                    sequence = await self._next_sequence(conn, partner)
                    envelope_id, envelope = seal(sequence)
                    await conn.execute(
                        insert(outbound).values(
                            envelope_id=envelope_id,
                            partner=partner,
                            sequence=sequence,
                            source_key=source_key,
                            kind=kind,
                            submission_id=facts.get("submission_id"),
                            version=facts.get("version"),
                            document_type=facts["document_type"],
                            document_id=facts["document_id"],
                            ucr=facts["ucr"],
                            envelope=_canonical(envelope).decode(),
                            created_at=utcnow(),
                            receipts=0,
                        )
                    )
            except IntegrityError:
                if attempt == _ATTEMPTS - 1:
                    raise
                continue
            found = await self.sent_from(partner, source_key)
            assert found is not None
            return found
        raise AssertionError("unreachable")

    async def _next_sequence(self, conn: AsyncConnection, partner: str) -> int:
        """The next sequence, taken under a row lock (PostgreSQL) or the write lock (SQLite's IMMEDIATE)."""
        query = select(sequences.c.last_sequence).where(sequences.c.partner == partner).with_for_update()
        last = (await conn.execute(query)).scalar()
        if last is None:  # two first sealers racing: one insert fails and its transaction is retried
            await conn.execute(insert(sequences).values(partner=partner, last_sequence=1))
            return 1
        await conn.execute(update(sequences).where(sequences.c.partner == partner).values(last_sequence=last + 1))
        return int(last) + 1

    async def sent_from(self, partner: str, source_key: str) -> SentEnvelope | None:
        return await self._sent_where(outbound.c.partner == partner, outbound.c.source_key == source_key)

    async def sent(self, envelope_id: str) -> SentEnvelope | None:
        return await self._sent_where(outbound.c.envelope_id == envelope_id)

    async def sent_document(self, partner: str, document_id: str) -> SentEnvelope | None:
        """The latest envelope that carried our document ``document_id`` to ``partner`` (an answer's target)."""
        row = await self._first(
            select(outbound)
            .where(
                outbound.c.partner == partner,
                outbound.c.document_id == document_id,
                outbound.c.kind == "document",
            )
            .order_by(outbound.c.sequence.desc())
            .limit(1)
        )
        return _sent(row) if row is not None else None

    async def sent_for(self, partner: str, submission_id: str) -> list[SentEnvelope]:
        """The envelopes that carried our submission ``submission_id`` to ``partner``, in sequence order."""
        rows = await self._all(
            select(outbound)
            .where(outbound.c.partner == partner, outbound.c.submission_id == submission_id)
            .order_by(outbound.c.sequence)
        )
        return [_sent(row) for row in rows]

    async def _sent_where(self, *conditions: Any) -> SentEnvelope | None:
        row = await self._first(select(outbound).where(*conditions))
        return _sent(row) if row is not None else None

    async def record_receipt(self, envelope_id: str, outcome: str, reason: str | None) -> bool:
        """Note the partner's receipt for one of our envelopes; False if we never sent that envelope."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(outbound)
                .where(outbound.c.envelope_id == envelope_id)
                .values(
                    receipt_outcome=outcome,
                    receipt_reason=reason,
                    receipted_at=func.coalesce(outbound.c.receipted_at, utcnow()),
                    receipts=outbound.c.receipts + 1,
                )
            )
        return bool(result.rowcount)

    async def record_resent(self, envelope_ids: list[str], at: datetime | None = None) -> None:
        """Note that the resend sweep sent these envelopes again now: the next resend waits a full period."""
        if not envelope_ids:
            return
        async with self._engine.begin() as conn:
            await conn.execute(
                update(outbound).where(outbound.c.envelope_id.in_(envelope_ids)).values(last_sent_at=at or utcnow())
            )

    async def unreceipted(self, partner: str, older_than: datetime) -> list[SentEnvelope]:
        """Envelopes the partner has not receipted, sealed (or last sent again) before ``older_than``: what
        a resend sweep sends again."""
        rows = await self._all(
            select(outbound)
            .where(
                outbound.c.partner == partner,
                outbound.c.receipt_outcome.is_(None),
                func.coalesce(outbound.c.last_sent_at, outbound.c.created_at) < older_than,
            )
            .order_by(outbound.c.sequence)
        )
        return [_sent(row) for row in rows]

    # -- inbound --------------------------------------------------------------------------------------------
    async def received(self, partner: str, envelope_id: str) -> ReceivedEnvelope | None:
        row = await self._first(
            select(inbound).where(inbound.c.partner == partner, inbound.c.envelope_id == envelope_id)
        )
        return _received(row) if row is not None else None

    async def record_inbound(
        self,
        partner: str,
        opened: Mapping[str, Any],
        envelope_sha256: str,
        state: str,
        *,
        reason: tuple[str, str] | None = None,
        receipt: Mapping[str, Any] | None = None,
        submission_id: str | None = None,
    ) -> ReceivedEnvelope:
        """Insert or move an inbound envelope to ``state`` (WAITING -> APPLIED/REJECTED); returns the row."""
        values = {
            "state": state,
            "reason_code": reason[0] if reason else None,
            "reason_text": reason[1] if reason else None,
            "receipt": json.dumps(receipt) if receipt is not None else None,
            "submission_id": submission_id,
        }
        envelope_id = str(opened["envelopeId"])
        async with self._engine.begin() as conn:
            exists = (
                await conn.execute(
                    select(inbound.c.state).where(inbound.c.partner == partner, inbound.c.envelope_id == envelope_id)
                )
            ).first()
            if exists is None:
                await conn.execute(
                    insert(inbound).values(
                        partner=partner,
                        envelope_id=envelope_id,
                        envelope_sha256=envelope_sha256,
                        sequence=int(opened["partnerSequence"]),
                        document_type=str(opened["documentType"]),
                        document_id=str(opened["documentId"]),
                        ucr=str(opened["ucr"]),
                        envelope=_canonical(opened).decode(),
                        received_at=utcnow(),
                        redeliveries=0,
                        answers=0,
                        **values,
                    )
                )
            else:
                await conn.execute(
                    update(inbound)
                    .where(inbound.c.partner == partner, inbound.c.envelope_id == envelope_id)
                    .values(**values)
                )
        found = await self.received(partner, envelope_id)
        assert found is not None
        return found

    async def received_document(self, partner: str, document_id: str) -> ReceivedEnvelope | None:
        """The latest applied envelope from ``partner`` that carried its document ``document_id``."""
        row = await self._first(
            select(inbound)
            .where(
                inbound.c.partner == partner,
                inbound.c.document_id == document_id,
                inbound.c.state == APPLIED,
            )
            .order_by(inbound.c.sequence.desc())
            .limit(1)
        )
        return _received(row) if row is not None else None

    async def count_redelivery(self, partner: str, envelope_id: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(inbound)
                .where(inbound.c.partner == partner, inbound.c.envelope_id == envelope_id)
                .values(redeliveries=inbound.c.redeliveries + 1)
            )

    async def waiting(self, partner: str) -> list[ReceivedEnvelope]:
        return await self._inbound_in(partner, WAITING)

    async def applied_unanswered(self, partner: str, final: frozenset[str]) -> list[ReceivedEnvelope]:
        """Applied cross-border submissions whose answer is not final yet (what the answer loop polls)."""
        rows = await self._all(
            select(inbound)
            .where(
                inbound.c.partner == partner,
                inbound.c.state == APPLIED,
                inbound.c.submission_id.is_not(None),
                inbound.c.answered_status.is_(None) | inbound.c.answered_status.not_in(sorted(final)),
            )
            .order_by(inbound.c.received_at)
        )
        return [_received(row) for row in rows]

    async def record_answered(self, partner: str, envelope_id: str, status: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(inbound)
                .where(inbound.c.partner == partner, inbound.c.envelope_id == envelope_id)
                .values(answered_status=status, answers=inbound.c.answers + 1)
            )

    async def knows_document(self, partner: str, document_id: str) -> bool:
        """Did a document with this id reach us from ``partner`` (applied) or go to it from us?"""
        async with self._engine.connect() as conn:
            received = (
                await conn.execute(
                    select(func.count())
                    .select_from(inbound)
                    .where(
                        inbound.c.partner == partner,
                        inbound.c.document_id == document_id,
                        inbound.c.state == APPLIED,
                    )
                )
            ).scalar_one()
            sent = (
                await conn.execute(
                    select(func.count())
                    .select_from(outbound)
                    .where(outbound.c.partner == partner, outbound.c.document_id == document_id)
                )
            ).scalar_one()
        return bool(received or sent)

    async def _inbound_in(self, partner: str, state: str) -> list[ReceivedEnvelope]:
        rows = await self._all(
            select(inbound).where(inbound.c.partner == partner, inbound.c.state == state).order_by(inbound.c.sequence)
        )
        return [_received(row) for row in rows]

    # -- quarantine -----------------------------------------------------------------------------------------
    async def quarantine(
        self,
        partner: str,
        raw: bytes,
        raw_sha256: str,
        envelope_id: str | None,
        message_type: str | None,
        reason: tuple[str, str],
    ) -> tuple[Quarantined, bool]:
        """Set ``raw`` aside with its reason; (row, False) when the same bytes were already set aside."""
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    insert(quarantine).values(
                        partner=partner,
                        envelope_id=envelope_id,
                        raw_sha256=raw_sha256,
                        message_type=message_type,
                        reason_code=reason[0],
                        reason_text=reason[1][:1000],
                        raw=raw.decode("utf-8", errors="replace"),
                        received_at=utcnow(),
                    )
                )
            created = True
        except IntegrityError:
            created = False
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(
                    select(quarantine).where(quarantine.c.partner == partner, quarantine.c.raw_sha256 == raw_sha256)
                )
            ).one()
        return _quarantined(row), created

    async def quarantined(self, partner: str | None = None, *, released: bool = False) -> list[Quarantined]:
        query = select(quarantine).order_by(quarantine.c.id)
        if partner is not None:
            query = query.where(quarantine.c.partner == partner)
        if not released:
            query = query.where(quarantine.c.released_at.is_(None))
        rows = await self._all(query)
        return [_quarantined(row) for row in rows]

    async def quarantined_entry(self, entry_id: int) -> Quarantined:
        row = await self._first(select(quarantine).where(quarantine.c.id == entry_id))
        if row is None:
            raise NotFound(f"no quarantine entry {entry_id}")
        return _quarantined(row)

    async def release(self, entry_id: int, by: str, note: str) -> Quarantined:
        """Mark an entry released (the caller re-processes it); releasing twice is refused by NotFound."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(quarantine)
                .where(quarantine.c.id == entry_id, quarantine.c.released_at.is_(None))
                .values(released_at=utcnow(), released_by=by, release_note=note)
            )
        if result.rowcount != 1:
            raise NotFound(f"no unreleased quarantine entry {entry_id}")
        return await self.quarantined_entry(entry_id)

    async def released_unprocessed(self, partner: str) -> list[Quarantined]:
        """Entries an operator released that the gateway has not taken again yet, oldest first."""
        query = (
            select(quarantine)
            .where(
                quarantine.c.partner == partner,
                quarantine.c.released_at.is_not(None),
                quarantine.c.reprocessed_at.is_(None),
            )
            .order_by(quarantine.c.id)
        )
        rows = await self._all(query)
        return [_quarantined(row) for row in rows]

    async def record_reprocessed(self, entry_id: int, result: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(quarantine)
                .where(quarantine.c.id == entry_id)
                .values(reprocessed_at=utcnow(), reprocess_result=result[:1000])
            )

    # -- status ---------------------------------------------------------------------------------------------
    async def counts(self, partner: str) -> PartnerCounts:
        async with self._engine.connect() as conn:

            async def scalar(query: Any) -> Any:
                return (await conn.execute(query)).scalar()

            mine = outbound.c.partner == partner
            theirs = inbound.c.partner == partner
            open_receipt = mine & outbound.c.receipt_outcome.is_(None)
            return PartnerCounts(
                sent=await scalar(select(func.count()).select_from(outbound).where(mine)) or 0,
                unreceipted=await scalar(select(func.count()).select_from(outbound).where(open_receipt)) or 0,
                oldest_unreceipted_at=_maybe_aware(
                    await scalar(select(func.min(outbound.c.created_at)).where(open_receipt))
                ),
                last_receipt_at=_maybe_aware(await scalar(select(func.max(outbound.c.receipted_at)).where(mine))),
                last_sequence_sent=await scalar(select(func.max(outbound.c.sequence)).where(mine)) or 0,
                received=await scalar(select(func.count()).select_from(inbound).where(theirs)) or 0,
                waiting=await scalar(
                    select(func.count()).select_from(inbound).where(theirs & (inbound.c.state == WAITING))
                )
                or 0,
                rejected=await scalar(
                    select(func.count()).select_from(inbound).where(theirs & (inbound.c.state == REJECTED))
                )
                or 0,
                quarantined=await scalar(
                    select(func.count())
                    .select_from(quarantine)
                    .where((quarantine.c.partner == partner) & quarantine.c.released_at.is_(None))
                )
                or 0,
                highest_sequence_received=await scalar(select(func.max(inbound.c.sequence)).where(theirs)) or 0,
                redeliveries=await scalar(select(func.sum(inbound.c.redeliveries)).where(theirs)) or 0,
            )


def _maybe_aware(value: datetime | None) -> datetime | None:
    return aware(value) if value is not None else None


def _sent(row: Any) -> SentEnvelope:
    return SentEnvelope(
        envelope_id=row.envelope_id,
        partner=row.partner,
        sequence=row.sequence,
        kind=row.kind,
        submission_id=row.submission_id,
        version=row.version,
        document_type=row.document_type,
        document_id=row.document_id,
        envelope=json.loads(row.envelope),
        created_at=aware(row.created_at),
        receipt_outcome=row.receipt_outcome,
        receipted_at=_maybe_aware(row.receipted_at),
    )


def _received(row: Any) -> ReceivedEnvelope:
    return ReceivedEnvelope(
        partner=row.partner,
        envelope_id=row.envelope_id,
        envelope_sha256=row.envelope_sha256,
        sequence=row.sequence,
        document_type=row.document_type,
        document_id=row.document_id,
        ucr=row.ucr,
        state=row.state,
        reason_code=row.reason_code,
        envelope=json.loads(row.envelope),
        receipt=json.loads(row.receipt) if row.receipt else None,
        submission_id=row.submission_id,
        received_at=aware(row.received_at),
        redeliveries=row.redeliveries,
        answered_status=row.answered_status,
        answers=row.answers,
    )


def _quarantined(row: Any) -> Quarantined:
    return Quarantined(
        id=row.id,
        partner=row.partner,
        envelope_id=row.envelope_id,
        message_type=row.message_type,
        reason_code=row.reason_code,
        reason_text=row.reason_text,
        raw=row.raw,
        received_at=aware(row.received_at),
        released_at=_maybe_aware(row.released_at),
        released_by=row.released_by,
        release_note=row.release_note,
        reprocessed_at=_maybe_aware(row.reprocessed_at),
        reprocess_result=row.reprocess_result,
    )
