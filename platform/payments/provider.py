"""What the hub asks of a payment provider, and what a provider tells the hub back.

The hub never trusts a payer's word that it paid: an invoice is settled only by a ``PaymentNotice`` read
from the provider (the embedded provider's own ledger, or a bank's ISO 20022 ``camt.054`` notification).
A notice names the invoice by its payment reference (an ISO 11649 ``RF`` creditor reference) and carries
the bank's own unique entry reference, on which reconciliation is idempotent: reading the same
notification twice settles nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Party:
    """A payer or payee: its name, account (IBAN or a national account number) and its bank's BIC."""

    name: str
    account: str
    bic: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentOrder:
    """One amount to pay for one invoice, in one currency (an invoice in two currencies gives two orders)."""

    invoice_id: str
    reference: str  # ISO 11649 creditor reference ("RF..."), remitted with the transfer
    amount: Decimal
    currency: str  # ISO 4217
    debtor: Party
    creditor: Party
    requested_on: date


@dataclass(frozen=True, slots=True)
class Initiation:
    """What a provider did with an order: its message id and, for file-based channels, the document to send."""

    provider: str
    message_id: str
    document: bytes | None = None  # e.g. a pain.001 file for the bank channel
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentNotice:
    """A credit booked on the treasury's account, as the provider reports it."""

    provider: str
    entry_reference: str  # the provider's unique id of the booking: reconciliation is idempotent on it
    reference: str | None  # the remitted creditor reference; None when the payer gave none
    amount: Decimal
    currency: str
    booked_at: datetime
    debtor_name: str | None = None


class PaymentProvider(Protocol):
    """A way to collect money: start a payment, and read back what was booked."""

    @property
    def name(self) -> str: ...

    async def initiate(self, order: PaymentOrder) -> Initiation: ...

    async def notices(self) -> Sequence[PaymentNotice]:
        """Credits booked since the last call (may repeat earlier ones; reconciliation ignores repeats)."""
        ...
