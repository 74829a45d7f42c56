"""One invoice per submission, kept in step with its versions: the hub's ``FeeHooks`` (``state.fees``).

Everything here runs inside the state change's own transaction, under the submission's lock: the invoice is
assembled in the routing's transaction (a redelivered routing finds the version routed and prices nothing),
an inspection fee in the decision's, the voiding in the cancellation's. So the invoice and the consolidated
status can never disagree, and the fold sees a fee the moment it exists.

Re-pricing on amendment: the new version's lines replace the unpaid lines of the older ones (SUPERSEDED);
lines already PAID stay PAID, and what was received keeps counting against the new total (``ledger``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from singlewindow.platform.payments.ledger import settle
from singlewindow.platform.payments.numbers import invoice_number
from singlewindow.platform.payments.pricing import PricedLine, price_inspection, price_routing
from singlewindow.platform.payments.references import creditor_reference
from singlewindow.platform.payments.schedules import FeeSchedules
from singlewindow.platform.payments.tables import DUE, SUPERSEDED, VOID, invoice_lines, invoices
from singlewindow.platform.state.common import aware, utcnow
from singlewindow.platform.state.fees import FeeSession, RoutedVersion, VersionKey
from singlewindow.platform.storage.tables import submissions

_LINES = select(
    invoice_lines.c.submission_id,
    invoice_lines.c.version,
    invoice_lines.c.agency,
    invoice_lines.c.fee_code,
    invoice_lines.c.currency,
    invoice_lines.c.status,
).where(tuple_(invoice_lines.c.submission_id, invoice_lines.c.version).in_(bindparam("keys", expanding=True)))
_CONTEXT = (
    select(submissions.c.id, submissions.c.created_at, invoices.c.version, invoices.c.cancelled)
    .select_from(submissions.outerjoin(invoices, invoices.c.submission_id == submissions.c.id))
    .where(submissions.c.id.in_(bindparam("ids", expanding=True)))
)

LineKey = tuple[str, int, str, str, str]  # submission, version, agency, fee code, currency


class InvoiceBook:
    """The fee hooks of a hub that charges fees: pricing from ``schedules``."""

    def __init__(self, schedules: FeeSchedules) -> None:
        self.schedules = schedules

    def session(self, conn: AsyncConnection) -> FeeSession:
        return InvoiceSession(conn, self.schedules)


class _Context:
    """A submission as pricing sees it: when it was submitted (which schedule is in force) and its invoice."""

    __slots__ = ("cancelled", "invoice_version", "submitted_at")

    def __init__(self, submitted_at: datetime, invoice_version: int | None, cancelled: bool) -> None:
        self.submitted_at = submitted_at
        self.invoice_version = invoice_version
        self.cancelled = cancelled


class InvoiceSession:
    """The invoices of the submissions one transaction touches."""

    def __init__(self, conn: AsyncConnection, schedules: FeeSchedules) -> None:
        self._conn = conn
        self._schedules = schedules
        self._contexts: dict[str, _Context] = {}
        self._lines: dict[LineKey, str] = {}  # every loaded line's status
        self._pending: list[tuple[str, int, PricedLine]] = []
        self._rejected: list[VersionKey] = []
        self.now = utcnow()

    async def _load_context(self, submission_ids: Sequence[str]) -> None:
        wanted = sorted(set(submission_ids) - self._contexts.keys())
        if wanted:
            for row in await self._conn.execute(_CONTEXT, {"ids": wanted}):
                self._contexts[row.id] = _Context(aware(row.created_at), row.version, bool(row.cancelled))

    async def load(self, keys: Sequence[VersionKey]) -> dict[VersionKey, frozenset[str]]:
        if not keys:
            return {}
        await self._load_context([sid for sid, _ in keys])
        owing: dict[VersionKey, set[str]] = {}
        for row in await self._conn.execute(_LINES, {"keys": list(keys)}):
            self._lines[(row.submission_id, row.version, row.agency, row.fee_code, row.currency)] = row.status
            if row.status == DUE:
                owing.setdefault((row.submission_id, row.version), set()).add(row.agency)
        return {key: frozenset(agencies) for key, agencies in owing.items()}

    async def routed(self, versions: Sequence[RoutedVersion]) -> dict[VersionKey, frozenset[str]]:
        await self._load_context([v.submission_id for v in versions])
        owing: dict[VersionKey, frozenset[str]] = {}
        for routed in versions:
            context = self._contexts.get(routed.submission_id)
            if context is None or context.cancelled or routed.document is None:
                continue
            if context.invoice_version is not None and routed.version < context.invoice_version:
                continue  # routed after its amendment was already priced: superseded, nothing to charge
            lines = price_routing(
                self._schedules, routed.document_type, routed.document, routed.agencies, context.submitted_at
            )
            if not lines and context.invoice_version is None:
                continue  # nothing to charge, nothing charged before: no invoice at all
            amended = await self._ensure_invoice(routed.submission_id, routed.version, context)
            if amended:
                await self._conn.execute(
                    update(invoice_lines)
                    .where(
                        invoice_lines.c.submission_id == routed.submission_id,
                        invoice_lines.c.version < routed.version,
                        invoice_lines.c.status == DUE,
                    )
                    .values(status=SUPERSEDED, settled_at=self.now)
                )
            fresh = [line for line in lines if (routed.submission_id, routed.version, *line.key) not in self._lines]
            await self._insert(routed.submission_id, routed.version, fresh)
            still = await settle(self._conn, routed.submission_id, self.now) if amended else {x.agency for x in fresh}
            if still:
                owing[(routed.submission_id, routed.version)] = frozenset(still)
        return owing

    def inspection(self, submission_id: str, version: int, recipient: str, channel: str | None) -> bool:
        context = self._contexts.get(submission_id)
        if context is None or context.cancelled:
            return False
        owes = False
        for line in price_inspection(self._schedules, recipient, channel, context.submitted_at):
            key = (submission_id, version, *line.key)
            status = self._lines.get(key)
            if status is None:
                self._lines[key] = DUE
                self._pending.append((submission_id, version, line))
                owes = True
            elif status == DUE:
                owes = True
        return owes

    def rejected(self, submission_id: str, version: int) -> None:
        self._rejected.append((submission_id, version))

    async def cancelled(self, submission_id: str) -> None:
        await self._conn.execute(
            update(invoice_lines)
            .where(invoice_lines.c.submission_id == submission_id, invoice_lines.c.status == DUE)
            .values(status=VOID, settled_at=self.now)
        )
        await self._conn.execute(
            update(invoices)
            .where(invoices.c.submission_id == submission_id)
            .values(cancelled=True, updated_at=self.now)
        )

    async def flush(self) -> None:
        pending, self._pending = self._pending, []
        by_version: dict[VersionKey, list[PricedLine]] = {}
        for sid, version, line in pending:
            by_version.setdefault((sid, version), []).append(line)
        for (sid, version), lines in sorted(by_version.items()):
            context = self._contexts[sid]
            if context.invoice_version is None:
                await self._ensure_invoice(sid, version, context)
            await self._insert(sid, version, lines)
            await settle(self._conn, sid, self.now)  # a credit left by an amendment may already cover it
        rejected, self._rejected = self._rejected, []
        for submission_id, version in rejected:
            await self._conn.execute(
                update(invoice_lines)
                .where(
                    invoice_lines.c.submission_id == submission_id,
                    invoice_lines.c.version == version,
                    invoice_lines.c.status == DUE,
                )
                .values(status=VOID, settled_at=self.now)
            )

    async def _ensure_invoice(self, submission_id: str, version: int, context: _Context) -> bool:
        """Create the invoice or move it to ``version``; True when it existed for an older version."""
        if context.invoice_version is None:
            number = invoice_number(submission_id)
            await self._conn.execute(
                insert(invoices).values(
                    submission_id=submission_id,
                    number=number,
                    reference=creditor_reference(number),
                    version=version,
                    priced_at=context.submitted_at,
                    cancelled=False,
                    created_at=self.now,
                    updated_at=self.now,
                )
            )
            context.invoice_version = version
            return False
        if version <= context.invoice_version:
            return False
        await self._conn.execute(
            update(invoices)
            .where(invoices.c.submission_id == submission_id)
            .values(version=version, updated_at=self.now)
        )
        context.invoice_version = version
        return True

    async def _insert(self, submission_id: str, version: int, lines: Sequence[PricedLine]) -> None:
        if not lines:
            return
        rows: list[dict[str, Any]] = []
        for line in lines:
            self._lines[(submission_id, version, *line.key)] = DUE
            rows.append(
                {
                    "submission_id": submission_id,
                    "version": version,
                    "agency": line.agency,
                    "fee_code": line.fee_code,
                    "currency": line.currency,
                    "description": line.description,
                    "basis": line.basis,
                    "amount": str(line.amount),
                    "schedule_id": line.schedule_id,
                    "trigger": line.trigger,
                    "status": DUE,
                    "created_at": self.now,
                    "settled_at": None,
                }
            )
        await self._conn.execute(insert(invoice_lines), rows)
