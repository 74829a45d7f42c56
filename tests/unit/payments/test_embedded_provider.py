"""The embedded provider: booked at once or on settle(), unique entry references, notices handed out once."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from singlewindow.platform.errors import InvalidInput, NotFound
from singlewindow.platform.payments.provider import PaymentOrder, PaymentProvider
from singlewindow.platform.payments.providers.embedded import EmbeddedProvider

from .conftest import make_order

NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def provider(settle_at_once: bool = True) -> EmbeddedProvider:
    return EmbeddedProvider(ledger_id="T", clock=lambda: NOON, settle_at_once=settle_at_once)


async def test_an_initiated_order_is_booked_at_once_and_read_back_once(order: PaymentOrder) -> None:
    embedded: PaymentProvider = provider()
    initiation = await embedded.initiate(order)
    assert (initiation.provider, initiation.message_id, initiation.document) == ("embedded", "T-M000001", None)
    (notice,) = await embedded.notices()
    assert notice.provider == "embedded" and notice.entry_reference == "T-E000001"
    assert (notice.reference, notice.amount, notice.currency) == ("RF98INV2026000123", Decimal("15000.50"), "KZT")
    assert notice.booked_at == NOON and notice.debtor_name == "Trader & Sons LLP"
    assert await embedded.notices() == []


async def test_with_settle_at_once_off_nothing_is_booked_until_settle(order: PaymentOrder) -> None:
    embedded = provider(settle_at_once=False)
    first = await embedded.initiate(order)
    second = await embedded.initiate(make_order("INV2026000124", "10"))
    assert await embedded.notices() == [] and embedded.pending() == [first.message_id, second.message_id]
    (settled,) = embedded.settle(second.message_id)
    assert settled.reference == "RF71INV2026000124" and embedded.pending() == [first.message_id]
    assert [n.entry_reference for n in await embedded.notices()] == ["T-E000001"]
    assert [n.reference for n in embedded.settle()] == ["RF98INV2026000123"]
    assert [n.entry_reference for n in await embedded.notices()] == ["T-E000002"]
    with pytest.raises(NotFound):
        embedded.settle(first.message_id)


async def test_payments_the_hub_did_not_initiate_are_booked_as_typed() -> None:
    embedded = provider()
    unknown = embedded.pay("RF51 INV2 0259 9999 9", Decimal("50000"), "KZT", "Someone")
    anonymous = embedded.pay(None, Decimal("1.5"), "USD")
    typo = embedded.pay("rf51 inv2 0259 9999 8", Decimal("1"), "KZT")
    assert (unknown.reference, anonymous.reference, typo.reference) == ("RF51INV2025999999", None, "RF51INV2025999998")
    assert await embedded.notices() == [unknown, anonymous, typo] == embedded.ledger()


async def test_entry_references_stay_unique_across_ledgers_without_a_given_id(order: PaymentOrder) -> None:
    """A new ledger (a restarted demo) never reuses an entry reference of an earlier one."""
    first, second = EmbeddedProvider(), EmbeddedProvider()
    await first.initiate(order)
    await second.initiate(order)
    (one,), (two,) = await first.notices(), await second.notices()
    assert one.entry_reference != two.entry_reference
    assert one.booked_at.tzinfo is not None


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"reference": "RF19539007547034"}, "reference"),
        ({"amount": Decimal("10.005")}, "amount"),
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("-5")}, "amount"),
        ({"currency": "kzt"}, "amount@Ccy"),
    ],
)
async def test_bad_orders_are_refused(order: PaymentOrder, change: dict[str, object], path: str) -> None:
    embedded = provider()
    with pytest.raises(InvalidInput) as caught:
        await embedded.initiate(replace(order, **change))  # type: ignore[arg-type]
    assert caught.value.problems[0].path == path
    assert embedded.ledger() == []


async def test_threads_and_tasks_sharing_a_provider_get_every_booking_once() -> None:
    embedded = provider()
    read: list[str] = []

    def pay_many() -> None:
        for _ in range(200):
            embedded.pay(None, Decimal("1"), "KZT")

    threads = [threading.Thread(target=pay_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    orders = [make_order(amount=str(n)) for n in range(1, 51)]
    await asyncio.gather(*(embedded.initiate(o) for o in orders))
    while any(thread.is_alive() for thread in threads):
        read += [n.entry_reference for n in await embedded.notices()]
        await asyncio.sleep(0)
    for thread in threads:
        thread.join()
    read += [n.entry_reference for n in await embedded.notices()]
    assert len(read) == len(set(read)) == 850
