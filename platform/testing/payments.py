"""A stand-in payment provider for tests and the demo until the embedded provider of
``singlewindow.platform.payments.providers`` is merged: every order is booked at once in memory.

It keeps to the provider contract (``payments.provider``): ``initiate`` answers with a message id, and the
booking is only known to the hub through ``notices`` (which lists every booking each time, as a provider
may repeat itself; reconciliation is idempotent on the entry reference).
"""

from __future__ import annotations

from collections.abc import Sequence

from singlewindow.platform.payments.provider import Initiation, PaymentNotice, PaymentOrder
from singlewindow.platform.state.common import utcnow


class BookingLedger:
    """Books each order in full, in its currency, with a fresh entry reference."""

    def __init__(self, name: str = "ledger") -> None:
        self._name = name
        self._booked: list[PaymentNotice] = []

    @property
    def name(self) -> str:
        return self._name

    async def initiate(self, order: PaymentOrder) -> Initiation:
        number = len(self._booked) + 1
        self._booked.append(
            PaymentNotice(
                self._name,
                f"{self._name.upper()}-{number:06d}",
                order.reference,
                order.amount,
                order.currency,
                utcnow(),
                order.debtor.name,
            )
        )
        return Initiation(self._name, f"{self._name.upper()}-MSG-{number:06d}")

    async def notices(self) -> Sequence[PaymentNotice]:
        return list(self._booked)
