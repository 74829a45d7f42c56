"""The payment operations behind the API and the CLI: read an invoice, pay it, import provider notices.

Authorisation is on the authenticated principal only: a trader (or a broker under a grant) reads and pays
the invoices of the submissions it may read (``readable``, the intake's own check, so the same 404 for a
submission that is not its own as for one that does not exist); an agency principal reads only its own
lines. Paying starts one order per currency still due with the configured provider, then reads back what
the provider booked and reconciles it: with the embedded provider that settles at once, with a bank channel
the credit arrives later as a ``camt.054`` imported by ``nsw payments import`` (``import_notices``).
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.errors import AccessDenied, ConfigurationError, Conflict, NotFound
from singlewindow.platform.hub.runtime import Hub
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.payments.invoices import InvoiceBook
from singlewindow.platform.payments.ledger import balances, invoice_row, lines_of, received
from singlewindow.platform.payments.provider import Initiation, Party, PaymentNotice, PaymentOrder, PaymentProvider
from singlewindow.platform.payments.reconcile import Reconciler, ReconcileReport, exceptions
from singlewindow.platform.payments.tables import payment_initiations
from singlewindow.platform.payments.views import agency_invoice, trader_invoice
from singlewindow.platform.settings import FeeSettings
from singlewindow.platform.state.changes import StatusMessageFactory
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.state.outbox import Enqueued

# Raises NotFound unless the principal may read the submission (IntakeService.get).
Readable = Callable[[Principal, str], Awaitable[object]]
Publish = Callable[[Sequence[Enqueued]], None]
_AGENCY_ROLES = frozenset({Role.AGENCY, Role.OFFICER})


class PaymentService:
    def __init__(
        self,
        engine: AsyncEngine,
        book: InvoiceBook | None,
        status_message: StatusMessageFactory,
        publish: Publish,
        readable: Readable,
        creditor: Party,
        provider: PaymentProvider | None = None,
    ) -> None:
        self._engine = engine
        self._reconciler = Reconciler(engine, book, status_message)
        self._publish = publish
        self._readable = readable
        self._creditor = creditor
        self._provider = provider

    async def invoice(self, principal: Principal, submission_id: str) -> dict[str, Any]:
        await self._readable(principal, submission_id)
        return await self.invoice_of(submission_id)

    async def invoice_of(self, submission_id: str) -> dict[str, Any]:
        """The whole invoice, without an access check (operators' CLI)."""
        async with self._engine.connect() as conn:
            found = await trader_invoice(conn, submission_id)
        if found is None:
            raise NotFound(f"submission {submission_id} has no invoice (nothing is charged for it)")
        return found

    async def agency_lines(self, principal: Principal, submission_id: str) -> dict[str, Any]:
        """The calling agency's own lines; the same 404 whether there is no invoice or no line of its own."""
        if principal.role not in _AGENCY_ROLES or not principal.agency:
            raise AccessDenied("only an agency's principals read its invoice lines")
        async with self._engine.connect() as conn:
            found = await agency_invoice(conn, submission_id, principal.agency)
        if found is None:
            raise NotFound(f"no invoice lines of {principal.agency} for submission {submission_id}")
        return found

    async def pay(self, principal: Principal, submission_id: str, debtor: Party | None = None) -> dict[str, Any]:
        """One order per currency still due, initiated with the provider; then its bookings reconciled."""
        await self._readable(principal, submission_id)
        if self._provider is None:  # a state of this hub, not the caller's fault: 409, not 500
            raise Conflict("this hub takes no payments: no payment provider is configured")
        async with self._engine.connect() as conn:
            invoice = await invoice_row(conn, submission_id)
            if invoice is None:
                raise NotFound(f"submission {submission_id} has no invoice (nothing is charged for it)")
            if invoice.cancelled:
                raise Conflict(f"the invoice of {submission_id} is cancelled: nothing is due")
            due = [
                b
                for b in balances(
                    await lines_of(conn, submission_id), invoice.version, await received(conn, submission_id)
                )
                if b.due
            ]
        if not due:
            raise Conflict(f"nothing is due on the invoice of {submission_id}")
        payer = debtor or Party(principal.name, f"trader:{principal.id}")
        initiations: list[Initiation] = []
        for balance in due:
            order = PaymentOrder(
                invoice.number, invoice.reference, balance.due, balance.currency, payer, self._creditor, date.today()
            )
            initiation = await self._provider.initiate(order)
            initiations.append(initiation)
            async with self._engine.begin() as conn:
                await conn.execute(
                    insert(payment_initiations).values(
                        provider=initiation.provider,
                        message_id=initiation.message_id,
                        submission_id=submission_id,
                        principal_id=principal.id,
                        amount=str(balance.due),
                        currency=balance.currency,
                        created_at=utcnow(),
                    )
                )
        report = await self.import_notices(await self._provider.notices())
        return {
            "initiations": [_initiation(i) for i in initiations],
            "reconciled": [
                {"entryReference": o.entry_reference, "outcome": o.outcome, "applied": str(o.applied)}
                for o in report.outcomes
                if o.submission_id == submission_id
            ],
            "invoice": await self.invoice_of(submission_id),
        }

    async def import_notices(self, notices: Sequence[PaymentNotice]) -> ReconcileReport:
        """Reconcile provider notices (idempotent); the status changes they cause are published."""
        report = await self._reconciler.apply_all(notices)
        self._publish(report.rows)
        return report

    async def exceptions(self, limit: int = 500) -> list[dict[str, object]]:
        return await exceptions(self._engine, limit)


def _initiation(initiation: Initiation) -> dict[str, Any]:
    found: dict[str, Any] = {"provider": initiation.provider, "messageId": initiation.message_id}
    if initiation.document is not None:
        found["contentType"] = initiation.content_type
        found["documentBase64"] = base64.b64encode(initiation.document).decode("ascii")
    return found


def payment_service(hub: Hub, settings: FeeSettings, provider: PaymentProvider | None = None) -> PaymentService:
    """The payment service of a running hub: its invoices, its outbox, the intake's read check."""
    if hub.status_message is None:
        raise ConfigurationError("the hub was built without its status messages")
    creditor = Party(settings.creditor_name, settings.creditor_account, settings.creditor_bic)
    return PaymentService(
        hub.engine, hub.fees, hub.status_message, hub.relay.publish_soon, hub.intake.get, creditor, provider
    )
