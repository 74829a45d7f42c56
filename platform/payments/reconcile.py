"""Reconciliation: a provider's notice of a booked credit, matched to an invoice and settled, exactly once.

Idempotent on the provider's (provider, entry reference): a notice read again (the same camt.054 imported
twice, the embedded ledger listing old bookings) finds its row and changes nothing. A notice is matched by
its RF reference to an invoice; what cannot be applied is still recorded, never dropped, as an exception
the operators list (``nsw payments exceptions``):

- ``UNKNOWN_REFERENCE``: no reference, a malformed one, or no invoice carries it;
- ``WRONG_CURRENCY``: the invoice charges nothing in that currency;
- ``INVOICE_CANCELLED``: the submission was cancelled (the money is refundable, nothing is settled);
- ``OVERPAID``: more than is due in that currency: the due part is applied, the excess recorded
  (``NOTHING_DUE`` when nothing at all was due).

A matched notice is applied under the submission's lock (the lock every state writer takes), the invoice's
lines are settled (``ledger``), a PAYMENT_RECEIVED event joins the submission's history, and the version is
refolded: when the last fee is paid the consolidated status moves on (AWAITING_PAYMENT -> CLEARED) and is
published through the outbox like any decision's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from singlewindow.platform.payments.invoices import InvoiceBook
from singlewindow.platform.payments.ledger import ZERO, balances, invoice_by_reference, lines_of, received, settle
from singlewindow.platform.payments.pricing import money
from singlewindow.platform.payments.provider import PaymentNotice
from singlewindow.platform.payments.references import is_valid_reference, normalise_reference
from singlewindow.platform.payments.tables import payment_notices
from singlewindow.platform.state.changes import RecipientChanges, StatusChange, StatusMessageFactory
from singlewindow.platform.state.common import aware, lock_version, utcnow
from singlewindow.platform.state.outbox import Enqueued

APPLIED = "APPLIED"
DUPLICATE = "DUPLICATE"  # an outcome only: the notice was recorded before
UNKNOWN_REFERENCE = "UNKNOWN_REFERENCE"
WRONG_CURRENCY = "WRONG_CURRENCY"
INVOICE_CANCELLED = "INVOICE_CANCELLED"
OVERPAID = "OVERPAID"
NOTHING_DUE = "NOTHING_DUE"
INVALID_AMOUNT = "INVALID_AMOUNT"
EXCEPTIONS = (UNKNOWN_REFERENCE, WRONG_CURRENCY, INVOICE_CANCELLED, OVERPAID, NOTHING_DUE, INVALID_AMOUNT)


@dataclass(frozen=True, slots=True)
class NoticeOutcome:
    provider: str
    entry_reference: str
    outcome: str
    submission_id: str | None = None
    applied: Decimal = ZERO
    status: StatusChange | None = None


@dataclass(slots=True)
class ReconcileReport:
    """What one import did, notice by notice, and the outbox rows (status changes) to publish."""

    outcomes: list[NoticeOutcome] = field(default_factory=list)
    rows: list[Enqueued] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    @property
    def exceptions(self) -> list[NoticeOutcome]:
        return [o for o in self.outcomes if o.outcome in EXCEPTIONS]


def valid_reference(reference: str | None) -> str | None:
    """The remitted reference in its compared form, or None when there is none or it is not a valid RF."""
    if reference is None or not is_valid_reference(reference):
        return None
    return normalise_reference(reference)


class Reconciler:
    def __init__(self, engine: AsyncEngine, book: InvoiceBook | None, status_message: StatusMessageFactory) -> None:
        self._engine = engine
        self._book = book
        self._status_message = status_message

    async def apply_all(self, notices: Sequence[PaymentNotice]) -> ReconcileReport:
        report = ReconcileReport()
        for notice in notices:
            outcome, rows = await self.apply(notice)
            report.outcomes.append(outcome)
            report.rows.extend(rows)
        return report

    async def apply(self, notice: PaymentNotice) -> tuple[NoticeOutcome, list[Enqueued]]:
        """Record and apply one notice (one transaction); a repeat is ``DUPLICATE`` and writes nothing."""
        try:
            async with self._engine.begin() as conn:
                return await self._apply(conn, notice)
        except IntegrityError:  # a concurrent import recorded the same notice first
            return NoticeOutcome(notice.provider, notice.entry_reference, DUPLICATE), []

    async def _apply(self, conn: AsyncConnection, notice: PaymentNotice) -> tuple[NoticeOutcome, list[Enqueued]]:
        reference = valid_reference(notice.reference)
        invoice = await invoice_by_reference(conn, reference) if reference else None
        if invoice is not None:
            # the submission's lock first (every writer's order), then everything is read under it
            await lock_version(conn, invoice.submission_id, invoice.version)
            invoice = await invoice_by_reference(conn, invoice.reference)
        if await _recorded(conn, notice):
            return NoticeOutcome(notice.provider, notice.entry_reference, DUPLICATE), []
        try:
            amount = money(Decimal(notice.amount))
            valid = amount > 0 and amount == Decimal(notice.amount)
        except InvalidOperation:
            amount, valid = ZERO, False
        if not valid:
            return await self._record(conn, notice, None, ZERO, INVALID_AMOUNT, f"amount {notice.amount!r}"), []
        if invoice is None:
            return await self._record(
                conn, notice, None, ZERO, UNKNOWN_REFERENCE, f"reference {notice.reference!r}"
            ), []
        sid = invoice.submission_id
        if invoice.cancelled:
            return await self._record(
                conn, notice, sid, ZERO, INVOICE_CANCELLED, "refundable: submission cancelled"
            ), []
        lines = await lines_of(conn, sid)
        balance = {b.currency: b for b in balances(lines, invoice.version, await received(conn, sid))}
        if notice.currency not in {line.currency for line in lines if line.version == invoice.version}:
            return await self._record(conn, notice, sid, ZERO, WRONG_CURRENCY, "invoice charges nothing in it"), []
        due = balance[notice.currency].due
        applied = min(amount, due)
        if due == 0:
            outcome, detail = NOTHING_DUE, f"nothing due in {notice.currency}: {amount} is excess"
        elif amount > due:
            outcome, detail = OVERPAID, f"{due} applied, {amount - due} excess"
        else:
            outcome, detail = APPLIED, None
        result = await self._record(conn, notice, sid, applied, outcome, detail)
        if applied == 0:
            return result, []
        await settle(conn, sid, utcnow())
        changes = RecipientChanges(conn, self._status_message, self._book.session(conn) if self._book else None)
        await changes.load([(sid, invoice.version)])
        changes.event(
            sid,
            invoice.version,
            "PAYMENT_RECEIVED",
            actor=f"payments:{notice.provider}",
            detail={
                "provider": notice.provider,
                "entryReference": notice.entry_reference,
                "amount": str(amount),
                "applied": str(applied),
                "currency": notice.currency,
                "outcome": outcome,
            },
        )
        status = changes.refold(sid, invoice.version, f"payments:{notice.provider}")
        rows = await changes.flush()
        return NoticeOutcome(notice.provider, notice.entry_reference, outcome, sid, applied, status), rows

    async def _record(
        self,
        conn: AsyncConnection,
        notice: PaymentNotice,
        submission_id: str | None,
        applied: Decimal,
        outcome: str,
        detail: str | None,
    ) -> NoticeOutcome:
        await conn.execute(
            insert(payment_notices).values(
                provider=notice.provider,
                entry_reference=notice.entry_reference,
                reference=(notice.reference or "")[:64] or None,
                amount=str(notice.amount),
                currency=notice.currency,
                booked_at=aware(notice.booked_at),
                debtor_name=(notice.debtor_name or "")[:140] or None,
                submission_id=submission_id,
                applied=str(applied),
                outcome=outcome,
                detail=detail,
                recorded_at=utcnow(),
            )
        )
        return NoticeOutcome(notice.provider, notice.entry_reference, outcome, submission_id, applied)


async def _recorded(conn: AsyncConnection, notice: PaymentNotice) -> bool:
    query = select(payment_notices.c.outcome).where(
        payment_notices.c.provider == notice.provider, payment_notices.c.entry_reference == notice.entry_reference
    )
    return (await conn.execute(query)).first() is not None


async def exceptions(engine: AsyncEngine, limit: int = 500) -> list[dict[str, object]]:
    """Every notice not applied in full, newest first (``nsw payments exceptions``)."""
    query = (
        select(payment_notices)
        .where(payment_notices.c.outcome.in_(EXCEPTIONS))
        .order_by(payment_notices.c.recorded_at.desc())
        .limit(limit)
    )
    async with engine.connect() as conn:
        return [
            {
                "provider": row.provider,
                "entryReference": row.entry_reference,
                "reference": row.reference,
                "amount": row.amount,
                "currency": row.currency,
                "applied": row.applied,
                "outcome": row.outcome,
                "submissionId": row.submission_id,
                "detail": row.detail,
                "bookedAt": aware(row.booked_at).isoformat(),
            }
            for row in await conn.execute(query)
        ]
