"""The register in the hub database. A write-off locks its permit's row, so concurrent write-offs on
PostgreSQL queue behind each other and can never overdraw; on SQLite the engine's BEGIN IMMEDIATE does
the same. A CHECK constraint keeps the balance non-negative even if a caller got that wrong."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from singlewindow.platform.errors import Conflict, NotFound
from singlewindow.platform.identity.tokens import new_id
from singlewindow.platform.permits.checks import CheckRequest, PermitRefused, evaluate
from singlewindow.platform.permits.models import (
    CheckResult,
    LedgerEntry,
    Permit,
    PermitDraft,
    PermitKind,
    PermitStatus,
    Reversal,
    ReversalResult,
    WriteOffKey,
    WriteOffResult,
    from_milli,
    to_milli,
)
from singlewindow.platform.permits.tables import permit_reversals, permit_write_offs, permits
from singlewindow.platform.state.common import aware


def _permit(row: Any) -> Permit:
    return Permit(
        id=row.id,
        number=row.number,
        kind=PermitKind(row.kind),
        issuing_agency=row.issuing_agency,
        holder_id=row.holder_id,
        hs_codes=tuple(row.hs_codes),
        description=row.description,
        quantity=from_milli(row.quantity_milli),
        remaining=from_milli(row.remaining_milli),
        unit=row.unit,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        status=PermitStatus(row.status),
        issued_by=row.issued_by,
        issued_at=aware(row.issued_at),
    )


def _entry(number: str, unit: str, row: Any) -> LedgerEntry:
    key = WriteOffKey(row.submission_id, row.submission_version, row.goods_item)
    return LedgerEntry(number, key, from_milli(row.quantity_milli), unit, row.written_off_by, aware(row.written_off_at))


class PermitStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def issue(self, draft: PermitDraft, issuing_agency: str, issued_by: str) -> Permit:
        milli = to_milli(draft.quantity)
        values = {
            "id": new_id("pmt"),
            "number": draft.number,
            "kind": draft.kind.value,
            "issuing_agency": issuing_agency,
            "holder_id": draft.holder_id,
            "hs_codes": list(draft.hs_codes),
            "description": draft.description,
            "unit": draft.unit,
            "quantity_milli": milli,
            "remaining_milli": milli,
            "valid_from": draft.valid_from,
            "valid_until": draft.valid_until,
            "status": PermitStatus.VALID.value,
            "issued_by": issued_by,
            "issued_at": datetime.now(UTC),
        }
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(permits).values(**values))
        except IntegrityError as exc:
            raise Conflict(f"a permit numbered {draft.number!r} is already registered") from exc
        return await self.get(draft.number)

    async def find(self, number: str) -> Permit | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(permits).where(permits.c.number == number))).first()
        return None if row is None else _permit(row)

    async def get(self, number: str) -> Permit:
        permit = await self.find(number)
        if permit is None:
            raise NotFound(f"no permit or certificate {number!r} in the register")
        return permit

    async def set_status(self, number: str, status: PermitStatus) -> Permit:
        async with self._engine.begin() as conn:
            done = await conn.execute(update(permits).where(permits.c.number == number).values(status=status.value))
        if done.rowcount == 0:
            raise NotFound(f"no permit or certificate {number!r} in the register")
        return await self.get(number)

    async def check(self, request: CheckRequest) -> CheckResult:
        return evaluate(await self.find(request.number), request)

    async def write_off(self, request: CheckRequest, key: WriteOffKey, by: str) -> WriteOffResult:
        """Write ``request.quantity`` off once per ``key``; a repeat returns the first entry unchanged."""
        milli = to_milli(request.quantity)
        async with self._engine.begin() as conn:
            row = (
                await conn.execute(select(permits).where(permits.c.number == request.number).with_for_update())
            ).first()
            permit = None if row is None else _permit(row)
            earlier = await self._entry_for(conn, permit, key)
            if permit is not None and earlier is not None:
                if earlier.quantity != from_milli(milli):
                    raise Conflict(
                        f"{permit.number}: item {key.goods_item} of {key.submission_id} v{key.submission_version} "
                        f"was written off as {earlier.quantity} {permit.unit}, not {request.quantity}"
                    )
                return WriteOffResult(earlier, permit.remaining, created=False)
            result = evaluate(permit, request)
            if permit is None or not result.ok:
                reasons = "; ".join(p.message for p in result.problems)
                raise PermitRefused(f"cannot write off {request.number}: {reasons}", result.problems)
            at = datetime.now(UTC)
            await conn.execute(
                insert(permit_write_offs).values(
                    permit_id=permit.id,
                    submission_id=key.submission_id,
                    submission_version=key.submission_version,
                    goods_item=key.goods_item,
                    quantity_milli=milli,
                    written_off_by=by,
                    written_off_at=at,
                )
            )
            await conn.execute(
                update(permits)
                .where(permits.c.id == permit.id)
                .values(remaining_milli=permits.c.remaining_milli - milli)
            )
        entry = LedgerEntry(permit.number, key, from_milli(milli), permit.unit, by, at)
        return WriteOffResult(entry, permit.remaining - from_milli(milli), created=True)

    async def reverse(self, number: str, key: WriteOffKey, by: str, reason: str) -> ReversalResult:
        """Give the write-off with ``key`` back to its permit, once: a repeat returns the first reversal.

        Only ``by``, the principal that wrote it off, may; anyone else is told what an unknown key is told
        (NotFound), so the register says nothing about other declarations. The permit's row is locked, as
        for a write-off, so a concurrent write-off sees the balance before or after, never half of it.
        Allowed whatever the permit's status or dates: it only undoes what this register did.
        """
        unknown = NotFound(f"no write-off of {number!r} for item {key.goods_item} of "
                           f"{key.submission_id} v{key.submission_version} by this principal")  # fmt: skip
        async with self._engine.begin() as conn:
            row = (await conn.execute(select(permits).where(permits.c.number == number).with_for_update())).first()
            if row is None:
                raise unknown
            permit = _permit(row)
            found = (await conn.execute(_write_off_query(permit, key))).first()
            if found is None or found.written_off_by != by:
                raise unknown
            written = _entry(permit.number, permit.unit, found)
            query = select(permit_reversals).where(permit_reversals.c.write_off_id == found.id)
            earlier = (await conn.execute(query)).first()
            if earlier is not None:
                entry = _reversed(written, earlier)
                return ReversalResult(entry, permit.remaining, created=False)
            milli = int(found.quantity_milli)
            if row.remaining_milli + milli > row.quantity_milli:  # only if the ledger was tampered with
                raise Conflict(f"{permit.number}: giving back {written.quantity} would exceed its {permit.quantity}")
            at = datetime.now(UTC)
            await conn.execute(
                insert(permit_reversals).values(write_off_id=found.id, reason=reason, reversed_by=by, reversed_at=at)
            )
            await conn.execute(
                update(permits)
                .where(permits.c.id == permit.id)
                .values(remaining_milli=permits.c.remaining_milli + milli)
            )
        entry = replace(written, reversal=Reversal(reason, by, at))
        return ReversalResult(entry, permit.remaining + from_milli(milli), created=True)

    async def _entry_for(self, conn: AsyncConnection, permit: Permit | None, key: WriteOffKey) -> LedgerEntry | None:
        if permit is None:
            return None
        row = (await conn.execute(_write_off_query(permit, key))).first()
        return None if row is None else _entry(permit.number, permit.unit, row)

    async def ledger(self, number: str) -> list[LedgerEntry]:
        """Write-offs and reversals in the order they were recorded (a reversal after its write-off)."""
        permit = await self.get(number)
        query = (
            select(permit_write_offs).where(permit_write_offs.c.permit_id == permit.id).order_by(permit_write_offs.c.id)
        )
        reversals = (
            select(permit_write_offs, *_REVERSAL_COLUMNS)
            .join(permit_reversals, permit_reversals.c.write_off_id == permit_write_offs.c.id)
            .where(permit_write_offs.c.permit_id == permit.id)
            .order_by(permit_reversals.c.id)
        )
        async with self._engine.connect() as conn:
            entries = [_entry(permit.number, permit.unit, row) for row in await conn.execute(query)]
            entries += [
                _reversed(_entry(permit.number, permit.unit, row), row) for row in await conn.execute(reversals)
            ]
        return sorted(entries, key=lambda e: e.recorded_at)  # stable: ties keep write-offs first


_REVERSAL_COLUMNS = (
    permit_reversals.c.reason,
    permit_reversals.c.reversed_by,
    permit_reversals.c.reversed_at,
)


def _write_off_query(permit: Permit, key: WriteOffKey) -> Any:
    return select(permit_write_offs).where(
        (permit_write_offs.c.permit_id == permit.id)
        & (permit_write_offs.c.submission_id == key.submission_id)
        & (permit_write_offs.c.submission_version == key.submission_version)
        & (permit_write_offs.c.goods_item == key.goods_item)
    )


def _reversed(written: LedgerEntry, row: Any) -> LedgerEntry:
    return replace(written, reversal=Reversal(row.reason, row.reversed_by, aware(row.reversed_at)))
