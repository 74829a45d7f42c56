"""The invoice as the trader and the agencies read it (JSON-ready dictionaries for the API and the CLI).

The trader sees the whole invoice: every line of every version with its status, the balance per currency
(due, or credit once an amendment lowered the total or after a cancellation: refundable) and the payments
counted. An agency sees only its own lines: other agencies' fees, and the trader's payments, are not its
business.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from singlewindow.platform.payments.ledger import balances, invoice_row, lines_of, received
from singlewindow.platform.payments.tables import DUE, PAID, VOID, payment_notices
from singlewindow.platform.state.common import aware, rfc3339_millis

OPEN, SETTLED, CANCELLED, VOIDED, NOTHING_DUE = "OPEN", "PAID", "CANCELLED", "VOID", "NOTHING_DUE"


def _line(row: Any) -> dict[str, Any]:
    return {
        "version": row.version,
        "agency": row.agency,
        "feeCode": row.fee_code,
        "description": row.description,
        "basis": row.basis,
        "amount": row.amount,
        "currency": row.currency,
        "status": row.status,
        "trigger": row.trigger,
        "scheduleId": row.schedule_id,
    }


def _head(invoice: Any) -> dict[str, Any]:
    return {
        "submissionId": invoice.submission_id,
        "number": invoice.number,
        "reference": invoice.reference,
        "version": invoice.version,
        "createdAt": rfc3339_millis(aware(invoice.created_at)),
    }


async def trader_invoice(conn: AsyncConnection, submission_id: str) -> dict[str, Any] | None:
    invoice = await invoice_row(conn, submission_id)
    if invoice is None:
        return None
    lines = await lines_of(conn, submission_id)
    paid_in = await received(conn, submission_id)
    current = [line for line in lines if line.version == invoice.version]
    if invoice.cancelled:
        status = CANCELLED
    elif any(line.status == DUE for line in current):
        status = OPEN
    elif any(line.status == PAID for line in current):
        status = SETTLED
    elif current and all(line.status == VOID for line in current):
        status = VOIDED  # the version was rejected before anything was paid
    else:
        status = NOTHING_DUE
    totals = [
        {
            "currency": b.currency,
            "charged": str(b.charged),
            "received": str(b.received),
            "due": "0.00" if invoice.cancelled else str(b.due),
            # after a cancellation everything received is refundable (no money movement is made here)
            "credit": str(b.received if invoice.cancelled else b.credit),
            "refundable": invoice.cancelled and b.received > 0,
        }
        for b in balances(lines, invoice.version, paid_in)
    ]
    notices = select(payment_notices).where(payment_notices.c.submission_id == submission_id)
    payments = [
        {
            "provider": row.provider,
            "entryReference": row.entry_reference,
            "amount": row.amount,
            "currency": row.currency,
            "applied": row.applied,
            "outcome": row.outcome,
            "bookedAt": rfc3339_millis(aware(row.booked_at)),
        }
        for row in await conn.execute(notices.order_by(payment_notices.c.booked_at, payment_notices.c.entry_reference))
    ]
    return _head(invoice) | {
        "status": status,
        "lines": [_line(line) for line in lines],
        "totals": totals,
        "payments": payments,
    }


async def agency_invoice(conn: AsyncConnection, submission_id: str, agency: str) -> dict[str, Any] | None:
    """Only ``agency``'s lines; None when the submission has no invoice or the agency charges nothing on it."""
    invoice = await invoice_row(conn, submission_id)
    if invoice is None:
        return None
    own = [line for line in await lines_of(conn, submission_id) if line.agency == agency]
    if not own:
        return None
    current = [line for line in own if line.version == invoice.version]
    paid = bool(current) and all(line.status == PAID for line in current)
    return _head(invoice) | {
        "agency": agency,
        "paid": paid,
        "cancelled": bool(invoice.cancelled),
        "lines": [_line(line) for line in own],
    }


def summary_lines(invoice: Mapping[str, Any]) -> list[str]:
    """The invoice as text: one line per invoice line, then the balance per currency (``nsw invoice show``)."""
    out = [f"invoice {invoice['number']}  reference {invoice['reference']}  version {invoice['version']}  "
           f"{invoice['status']}"]  # fmt: skip
    for line in invoice["lines"]:
        out.append(
            f"  v{line['version']} {line['agency']:<14} {line['feeCode']:<10} {line['amount']:>14} {line['currency']}"
            f"  {line['status']:<10} {line['description']}"
        )
    for total in invoice.get("totals", ()):
        out.append(
            f"  {total['currency']}: charged {total['charged']}, received {total['received']}, due {total['due']}"
            + (
                f", credit {total['credit']}" + (" (refundable)" if total["refundable"] else "")
                if total["credit"] != "0.00"
                else ""
            )
        )
    for payment in invoice.get("payments", ()):
        out.append(
            f"  paid {payment['amount']} {payment['currency']} via {payment['provider']} "
            f"({payment['entryReference']}): {payment['outcome']}"
        )
    return out
