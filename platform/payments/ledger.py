"""What a submission owes and has paid, per currency, and the one settlement rule, inside a transaction.

Settlement is per invoice and currency, as a whole: the lines due in a currency become PAID only when
everything received in that currency covers everything charged in it on the current version (partial
payments are kept and counted, but settle nothing on their own). That keeps the rule simple to explain to a
trader and to audit, and avoids inventing an order in which an agency's fees would be paid before another's.
An amendment re-prices: what was received before still counts, so the new lines may be covered at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from singlewindow.platform.payments.tables import DUE, PAID, invoice_lines, invoices, payment_notices

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Balance:
    """One currency of an invoice: charged on the current version, received, and the difference."""

    currency: str
    charged: Decimal
    received: Decimal

    @property
    def due(self) -> Decimal:
        return max(self.charged - self.received, ZERO)

    @property
    def credit(self) -> Decimal:
        return max(self.received - self.charged, ZERO)


async def invoice_row(conn: AsyncConnection, submission_id: str) -> Any | None:
    return (await conn.execute(select(invoices).where(invoices.c.submission_id == submission_id))).first()


async def invoice_by_reference(conn: AsyncConnection, reference: str) -> Any | None:
    return (await conn.execute(select(invoices).where(invoices.c.reference == reference))).first()


async def lines_of(conn: AsyncConnection, submission_id: str) -> list[Any]:
    query = select(invoice_lines).where(invoice_lines.c.submission_id == submission_id)
    order = (invoice_lines.c.version, invoice_lines.c.agency, invoice_lines.c.trigger.desc(), invoice_lines.c.fee_code)
    return list(await conn.execute(query.order_by(*order)))


async def received(conn: AsyncConnection, submission_id: str) -> dict[str, Decimal]:
    """What the reconciled notices counted towards the invoice, per currency."""
    query = select(payment_notices.c.currency, payment_notices.c.applied).where(
        payment_notices.c.submission_id == submission_id
    )
    totals: dict[str, Decimal] = {}
    for currency, applied in await conn.execute(query):
        totals[currency] = totals.get(currency, ZERO) + Decimal(applied)
    return totals


def balances(lines: Iterable[Any], version: int, paid_in: Mapping[str, Decimal]) -> list[Balance]:
    """Per currency: the current version's DUE and PAID lines against what was received."""
    charged: dict[str, Decimal] = {}
    for line in lines:
        if line.version == version and line.status in (DUE, PAID):
            charged[line.currency] = charged.get(line.currency, ZERO) + Decimal(line.amount)
    return [
        Balance(currency, charged.get(currency, ZERO), paid_in.get(currency, ZERO))
        for currency in sorted(charged.keys() | paid_in.keys())
    ]


async def settle(conn: AsyncConnection, submission_id: str, now: datetime) -> set[str]:
    """Mark the current version's DUE lines PAID in every currency fully covered; the agencies still owing."""
    invoice = await invoice_row(conn, submission_id)
    if invoice is None:
        return set()
    lines = await lines_of(conn, submission_id)
    covered = [b.currency for b in balances(lines, invoice.version, await received(conn, submission_id)) if not b.due]
    if covered and not invoice.cancelled:
        await conn.execute(
            update(invoice_lines)
            .where(
                invoice_lines.c.submission_id == submission_id,
                invoice_lines.c.version == invoice.version,
                invoice_lines.c.status == DUE,
                invoice_lines.c.currency.in_(covered),
            )
            .values(status=PAID, settled_at=now)
        )
    return {
        line.agency
        for line in lines
        if line.version == invoice.version and line.status == DUE and line.currency not in covered
    }
