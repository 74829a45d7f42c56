"""The embedded provider: an in-process ledger standing in for a bank, for demos and tests.

``initiate`` books the credit on the treasury's ledger at once (``settle_at_once=True``, the default), or
keeps it pending until ``settle()`` when a test wants the time between "the trader paid" and "the hub
knows" (``settle_at_once=False``). ``pay`` books a credit the hub did not initiate, as a payer's own bank
transfer would arrive: with a wrong or missing reference, a partial or an excess amount.

Every booking gets a unique entry reference, ``<ledger id>-<number>``; the ledger id (random unless given)
keeps two runs of a demo against one database from reusing an entry reference, on which reconciliation is
idempotent. With a given ledger id and clock, the ledger is deterministic. One lock guards the state and
nothing awaits while holding it, so threads and tasks of one hub can share a provider.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from singlewindow.platform.errors import NotFound
from singlewindow.platform.payments.provider import Initiation, PaymentNotice, PaymentOrder
from singlewindow.platform.payments.providers.money import check_amount
from singlewindow.platform.payments.references import normalise_reference, parse_reference


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class _Credit:
    reference: str | None
    amount: Decimal
    currency: str
    debtor_name: str | None


class EmbeddedProvider:
    """A ledger in memory: what is initiated is booked (now or on ``settle``); ``notices`` reads it back."""

    def __init__(
        self,
        *,
        name: str = "embedded",
        settle_at_once: bool = True,
        ledger_id: str | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._name = name
        self._settle_at_once = settle_at_once
        self._ledger_id = ledger_id or f"EMB{uuid.uuid4().hex[:12].upper()}"
        self._clock = clock
        self._lock = threading.Lock()
        self._initiated = 0
        self._pending: dict[str, _Credit] = {}  # message id -> credit not yet booked, in initiation order
        self._booked: list[PaymentNotice] = []
        self._read = 0  # how many of _booked notices() has handed out

    @property
    def name(self) -> str:
        return self._name

    @property
    def ledger_id(self) -> str:
        return self._ledger_id

    async def initiate(self, order: PaymentOrder) -> Initiation:
        """Take the order (its reference must be a valid RF, its amount fit its currency) and book it."""
        reference = parse_reference(order.reference, "reference")
        check_amount(order.amount, order.currency, "amount")
        credit = _Credit(reference, order.amount, order.currency, order.debtor.name)
        with self._lock:
            self._initiated += 1
            message_id = f"{self._ledger_id}-M{self._initiated:06d}"
            if self._settle_at_once:
                self._book(credit)
            else:
                self._pending[message_id] = credit
        return Initiation(provider=self._name, message_id=message_id)

    def pay(
        self, reference: str | None, amount: Decimal, currency: str, debtor_name: str | None = None
    ) -> PaymentNotice:
        """Book a credit the hub did not initiate. The reference is taken as the payer typed it, valid or
        not, only without spaces and in capitals, the form both providers hand references out in."""
        check_amount(amount, currency, "amount")
        remitted = normalise_reference(reference or "") or None
        with self._lock:
            return self._book(_Credit(remitted, amount, currency, debtor_name))

    def settle(self, message_id: str | None = None) -> list[PaymentNotice]:
        """Book one pending initiation (NotFound if it is not pending), or all of them in initiation order."""
        with self._lock:
            if message_id is None:
                ids = list(self._pending)
            elif message_id in self._pending:
                ids = [message_id]
            else:
                raise NotFound(f"no pending payment {message_id!r} in the embedded ledger")
            return [self._book(self._pending.pop(one)) for one in ids]

    def pending(self) -> list[str]:
        """Message ids initiated and not yet booked."""
        with self._lock:
            return list(self._pending)

    def ledger(self) -> list[PaymentNotice]:
        """Every credit booked so far, oldest first (``notices`` hands each out once; this keeps them all)."""
        with self._lock:
            return list(self._booked)

    async def notices(self) -> list[PaymentNotice]:
        """Credits booked since the last call, oldest first."""
        with self._lock:
            fresh = self._booked[self._read :]
            self._read = len(self._booked)
        return fresh

    def _book(self, credit: _Credit) -> PaymentNotice:
        """Called with the lock held."""
        notice = PaymentNotice(
            provider=self._name,
            entry_reference=f"{self._ledger_id}-E{len(self._booked) + 1:06d}",
            reference=credit.reference,
            amount=credit.amount,
            currency=credit.currency,
            booked_at=self._clock(),
            debtor_name=credit.debtor_name,
        )
        self._booked.append(notice)
        return notice
