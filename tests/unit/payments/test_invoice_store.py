"""Invoices through the state store on SQLite: priced in the routing's transaction, release held until paid,
reconciliation idempotent, exceptions kept, amendments re-priced, cancellations voided, agencies see their own."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.aggregation import Consolidated, Decision, DecisionStatus
from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.payments.invoices import InvoiceBook
from singlewindow.platform.payments.provider import PaymentNotice
from singlewindow.platform.payments.reconcile import (
    APPLIED,
    DUPLICATE,
    INVOICE_CANCELLED,
    NOTHING_DUE,
    OVERPAID,
    UNKNOWN_REFERENCE,
    WRONG_CURRENCY,
    Reconciler,
    exceptions,
)
from singlewindow.platform.payments.schedules import FeeSchedules
from singlewindow.platform.payments.tables import invoice_lines
from singlewindow.platform.payments.views import agency_invoice, trader_invoice
from singlewindow.platform.state import (
    NewVersion,
    OutboxMessage,
    RecipientStore,
    RoutedRecipient,
    StatusChange,
    SubmissionStore,
)
from singlewindow.platform.state.recipients import Routing
from singlewindow.platform.storage import open_engine, upgrade

BOOK = InvoiceBook(FeeSchedules.load())
AGENCIES = ("customs", "phytosanitary", "sanitary", "border-guard")
ACCEPTED = Decision(DecisionStatus.ACCEPTED, 1)


def status_message(change: StatusChange) -> OutboxMessage:
    body = json.dumps({"status": change.status.value}).encode()
    return OutboxMessage(change.message_id, "nsw.status", change.submission_id, "clearance-status", body,
                         "application/json", change.submission_id)  # fmt: skip


def document(value: str = "1000.00") -> dict[str, Any]:
    item = {
        "sequenceNumber": 1,
        "commodityCode": {"hsCode": "080810"},
        "statisticalValue": {"amount": value, "currency": "KZT"},
    }
    return {"ucr": "KZ24APPLES0001", "documentId": "D1", "goodsItems": [item]}


def intake(version: int) -> OutboxMessage:
    return OutboxMessage(f"s_1.v{version}.intake", "nsw.intake", "consignment", "consignment", b"{}",
                         "application/json", "s_1")  # fmt: skip


def routing(version: int, doc: dict[str, Any], agencies: tuple[str, ...] = AGENCIES) -> Routing:
    def delivery(entry: RoutedRecipient) -> OutboxMessage:
        return OutboxMessage(f"s_1.v{version}.{entry.recipient}.a1", "nsw.agency", entry.recipient, entry.view, b"{}",
                             "application/json", "s_1")  # fmt: skip

    routed = [RoutedRecipient(n, "AGENCY", f"view-{n}", [f"rule-{n}"], timedelta(hours=1)) for n in agencies]
    return Routing("s_1", version, routed, delivery, (), document_type="consignment", document=doc)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = open_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def stores(engine: AsyncEngine) -> tuple[SubmissionStore, RecipientStore]:
    trader = (await PrincipalStore(engine).add("kz-fruit-importer", Role.TRADER)).principal.id
    submissions = SubmissionStore(engine, status_message, BOOK)
    recipients = RecipientStore(engine, status_message, BOOK)
    new = NewVersion("s_1", trader, trader, "REF-1", "consignment", document(), [], intake)  # type: ignore[arg-type]
    await submissions.create(new)
    await recipients.commit_routings([routing(1, document())])
    return submissions, recipients


async def invoice(engine: AsyncEngine) -> dict[str, Any]:
    async with engine.connect() as conn:
        found = await trader_invoice(conn, "s_1")
    assert found is not None
    return found


def notice(entry: str, amount: str, currency: str, reference: str | None) -> PaymentNotice:
    return PaymentNotice("fake", entry, reference, Decimal(amount), currency, datetime(2026, 12, 7, tzinfo=UTC))


async def accept_all(recipients: RecipientStore, version: int = 1) -> StatusChange | None:
    last = None
    for n, agency in enumerate(AGENCIES):
        change, _ = await recipients.apply_decision("s_1", version, agency, ACCEPTED, {}, agency, f"m{version}.{n}")
        last = change or last
    return last


async def status(submissions: SubmissionStore, version: int = 1) -> Consolidated:
    return (await submissions.version("s_1", version)).status


async def test_one_invoice_is_priced_at_routing_and_release_waits_for_the_payment(
    engine: AsyncEngine, stores: tuple[SubmissionStore, RecipientStore]
) -> None:
    submissions, recipients = stores
    found = await invoice(engine)
    assert [(line["agency"], line["feeCode"], line["amount"]) for line in found["lines"]] == [
        ("customs", "CUS-DOC", "6000.00"),
        ("customs", "DUTY", "100.00"),
        ("customs", "VAT", "132.00"),
        ("phytosanitary", "PHY-DOC", "2500.00"),
        ("sanitary", "SAN-DOC", "3000.00"),
    ]
    assert found["status"] == "OPEN" and found["totals"][0]["due"] == "11732.00"
    assert found["reference"].startswith("RF")
    # a redelivered routing prices nothing twice
    assert (await recipients.commit_routings([routing(1, document())]))[0] == [False]
    assert len((await invoice(engine))["lines"]) == 5

    change = await accept_all(recipients)
    assert change is not None and change.status is Consolidated.AWAITING_PAYMENT and not change.terminal
    reconciler = Reconciler(engine, BOOK, status_message)
    partial, _ = await reconciler.apply(notice("E1", "1732.00", "KZT", found["reference"]))
    assert partial.outcome == APPLIED and partial.status is None  # partial: settles nothing yet
    assert await status(submissions) is Consolidated.AWAITING_PAYMENT
    rest, rows = await reconciler.apply(notice("E2", "10000.00", "KZT", found["reference"]))
    assert rest.status is not None and rest.status.status is Consolidated.CLEARED and rest.status.terminal
    assert len(rows) == 1  # the status message, published like a decision's
    again, rows_again = await reconciler.apply(notice("E2", "10000.00", "KZT", found["reference"]))
    assert (again.outcome, rows_again) == (DUPLICATE, [])
    paid = await invoice(engine)
    assert paid["status"] == "PAID" and {line["status"] for line in paid["lines"]} == {"PAID"}
    assert paid["totals"][0] | {} == {"currency": "KZT", "charged": "11732.00", "received": "11732.00", "due": "0.00",
                                      "credit": "0.00", "refundable": False}  # fmt: skip


async def test_notices_that_cannot_be_applied_are_kept_as_exceptions(
    engine: AsyncEngine, stores: tuple[SubmissionStore, RecipientStore]
) -> None:
    reference = (await invoice(engine))["reference"]
    reconciler = Reconciler(engine, BOOK, status_message)
    report = await reconciler.apply_all(
        [
            notice("X1", "10.00", "KZT", None),
            notice("X2", "10.00", "KZT", "RF18539007547034"),  # well-formed, no such invoice
            notice("X3", "10.00", "EUR", reference),
            notice("X4", "20000.00", "KZT", reference),
            notice("X5", "5.00", "KZT", reference),
        ]
    )
    assert [o.outcome for o in report.outcomes] == [
        UNKNOWN_REFERENCE, UNKNOWN_REFERENCE, WRONG_CURRENCY, OVERPAID, NOTHING_DUE
    ]  # fmt: skip
    assert report.outcomes[3].applied == Decimal("11732.00")
    listed = await exceptions(engine)
    assert sorted(str(e["entryReference"]) for e in listed) == ["X1", "X2", "X3", "X4", "X5"]
    assert (await invoice(engine))["totals"][0]["due"] == "0.00"


async def test_an_amendment_reprices_and_what_was_paid_counts_against_the_new_total(
    engine: AsyncEngine, stores: tuple[SubmissionStore, RecipientStore]
) -> None:
    submissions, recipients = stores
    reference = (await invoice(engine))["reference"]
    await Reconciler(engine, BOOK, status_message).apply(notice("P1", "11732.00", "KZT", reference))
    trader = (await submissions.get("s_1")).declarant_id
    await submissions.amend(NewVersion("s_1", trader, trader, "REF-1", "consignment", document("500.00"), [], intake))  # type: ignore[arg-type]
    await recipients.commit_routings([routing(2, document("500.00"), ("customs", "sanitary"))])
    found = await invoice(engine)
    current = [line for line in found["lines"] if line["version"] == 2]
    assert {line["status"] for line in current} == {"PAID"}  # covered by what was paid for version 1
    assert found["totals"][0]["charged"] == "9116.00" and found["totals"][0]["credit"] == "2616.00"
    assert all(line["status"] == "PAID" for line in found["lines"] if line["version"] == 1)
    # nothing due: every agency accepting clears version 2 at once
    change = await accept_all_of(recipients, 2, ("customs", "sanitary"))
    assert change is not None and change.status is Consolidated.CLEARED


async def accept_all_of(recipients: RecipientStore, version: int, agencies: tuple[str, ...]) -> StatusChange | None:
    last = None
    for agency in agencies:
        change, _ = await recipients.apply_decision(
            "s_1", version, agency, ACCEPTED, {}, agency, f"v{version}.{agency}"
        )
        last = change or last
    return last


async def test_an_amendment_replaces_unpaid_lines(
    engine: AsyncEngine, stores: tuple[SubmissionStore, RecipientStore]
) -> None:
    submissions, recipients = stores
    trader = (await submissions.get("s_1")).declarant_id
    await submissions.amend(NewVersion("s_1", trader, trader, "REF-1", "consignment", document("2000.00"), [], intake))  # type: ignore[arg-type]
    await recipients.commit_routings([routing(2, document("2000.00"))])
    found = await invoice(engine)
    assert {line["status"] for line in found["lines"] if line["version"] == 1} == {"SUPERSEDED"}
    assert found["version"] == 2 and found["totals"][0]["due"] == "11964.00"  # duty 200, VAT 264


async def test_cancellation_voids_what_is_unpaid_and_shows_paid_money_as_refundable(
    engine: AsyncEngine, stores: tuple[SubmissionStore, RecipientStore]
) -> None:
    submissions, _ = stores
    reference = (await invoice(engine))["reference"]
    reconciler = Reconciler(engine, BOOK, status_message)
    await reconciler.apply(notice("C1", "100.00", "KZT", reference))
    trader = (await submissions.get("s_1")).declarant_id
    await submissions.cancel("s_1", trader, "changed plans")
    found = await invoice(engine)
    assert found["status"] == "CANCELLED" and {line["status"] for line in found["lines"]} == {"VOID"}
    assert found["totals"][0] | {} == {"currency": "KZT", "charged": "0.00", "received": "100.00", "due": "0.00",
                                       "credit": "100.00", "refundable": True}  # fmt: skip
    late, _ = await reconciler.apply(notice("C2", "50.00", "KZT", reference))
    assert late.outcome == INVOICE_CANCELLED


async def test_an_inspection_adds_its_fee_once_and_holds_release_until_paid(
    engine: AsyncEngine, stores: tuple[SubmissionStore, RecipientStore]
) -> None:
    submissions, recipients = stores
    reference = (await invoice(engine))["reference"]
    reconciler = Reconciler(engine, BOOK, status_message)
    await reconciler.apply(notice("I1", "11732.00", "KZT", reference))
    red = Decision(DecisionStatus.INSPECTION_REQUIRED, 1, "RED")
    red_again = Decision(DecisionStatus.INSPECTION_REQUIRED, 2, "RED")
    await recipients.apply_decision("s_1", 1, "customs", red, {}, "customs", "r1")
    await recipients.apply_decision("s_1", 1, "customs", red_again, {}, "customs", "r2")
    async with engine.connect() as conn:
        fees = list(await conn.execute(select(invoice_lines.c.fee_code).where(invoice_lines.c.trigger == "INSPECTION")))
    assert [row.fee_code for row in fees] == ["CUS-INSP"]
    await recipients.apply_decision("s_1", 1, "customs", Decision(DecisionStatus.ACCEPTED, 3), {}, "customs", "r3")
    for n, agency in enumerate(AGENCIES[1:]):
        await recipients.apply_decision("s_1", 1, agency, ACCEPTED, {}, agency, f"a{n}")
    assert await status(submissions) is Consolidated.AWAITING_PAYMENT  # only the inspection fee is unpaid
    paid, _ = await reconciler.apply(notice("I2", "20000.00", "KZT", reference))
    assert paid.status is not None and paid.status.status is Consolidated.CLEARED


async def test_an_agency_sees_only_its_own_lines(
    engine: AsyncEngine, stores: tuple[SubmissionStore, RecipientStore]
) -> None:
    async with engine.connect() as conn:
        own = await agency_invoice(conn, "s_1", "sanitary")
        none = await agency_invoice(conn, "s_1", "border-guard")
    assert own is not None and none is None
    assert [line["feeCode"] for line in own["lines"]] == ["SAN-DOC"] and "totals" not in own and "payments" not in own


async def test_without_fee_hooks_nothing_is_priced_and_acceptance_clears(engine: AsyncEngine) -> None:
    trader = (await PrincipalStore(engine).add("kz-other", Role.TRADER)).principal.id
    submissions, recipients = SubmissionStore(engine, status_message), RecipientStore(engine, status_message)
    await submissions.create(NewVersion("s_1", trader, trader, "R", "consignment", document(), [], intake))  # type: ignore[arg-type]
    await recipients.commit_routings([routing(1, document())])
    assert await accept_all(recipients) is not None
    assert await status(submissions) is Consolidated.CLEARED
    async with engine.connect() as conn:
        assert await trader_invoice(conn, "s_1") is None


async def test_a_rejection_voids_the_unpaid_lines(
    engine: AsyncEngine, stores: tuple[SubmissionStore, RecipientStore]
) -> None:
    submissions, recipients = stores
    rejected = Decision(DecisionStatus.REJECTED, 1)
    change, _ = await recipients.apply_decision("s_1", 1, "sanitary", rejected, {}, "sanitary", "x1")
    assert change is not None and change.status is Consolidated.REJECTED
    found = await invoice(engine)
    assert {line["status"] for line in found["lines"]} == {"VOID"} and found["totals"] == []
    assert await status(submissions) is Consolidated.REJECTED


async def test_a_credit_left_by_an_amendment_covers_a_later_inspection_fee(
    engine: AsyncEngine, stores: tuple[SubmissionStore, RecipientStore]
) -> None:
    submissions, recipients = stores
    trader = (await submissions.get("s_1")).declarant_id
    reconciler = Reconciler(engine, BOOK, status_message)
    for version, value in ((2, "200000.00"), (3, "1000.00")):
        amended = document(value)
        await submissions.amend(NewVersion("s_1", trader, trader, "REF-1", "consignment", amended, [], intake))  # type: ignore[arg-type]
        await recipients.commit_routings([routing(version, amended)])
        if version == 2:  # 57900.00 paid in full; version 3 charges 11732.00: a credit of 46168.00
            await reconciler.apply(notice("K1", "57900.00", "KZT", (await invoice(engine))["reference"]))
    assert (await invoice(engine))["totals"][0]["credit"] == "46168.00"
    red = Decision(DecisionStatus.INSPECTION_REQUIRED, 1, "RED")
    await recipients.apply_decision("s_1", 3, "customs", red, {}, "customs", "k-red")
    found = await invoice(engine)
    assert [line["status"] for line in found["lines"] if line["feeCode"] == "CUS-INSP"] == ["PAID"]
    assert found["totals"][0]["credit"] == "26168.00"
    await recipients.apply_decision("s_1", 3, "customs", Decision(DecisionStatus.ACCEPTED, 2), {}, "customs", "k-ok")
    for agency in AGENCIES[1:]:
        await recipients.apply_decision("s_1", 3, agency, ACCEPTED, {}, agency, f"k-{agency}")
    assert await status(submissions, 3) is Consolidated.CLEARED


async def test_a_version_routed_after_its_amendment_was_priced_charges_nothing(
    engine: AsyncEngine, stores: tuple[SubmissionStore, RecipientStore]
) -> None:
    submissions, recipients = stores
    trader = (await submissions.get("s_1")).declarant_id
    for value in ("2000.00", "3000.00"):
        amended = document(value)
        await submissions.amend(NewVersion("s_1", trader, trader, "REF-1", "consignment", amended, [], intake))  # type: ignore[arg-type]
    await recipients.commit_routings([routing(3, document("3000.00"))])
    await recipients.commit_routings([routing(2, document("2000.00"))])  # late: version 3 is already priced
    found = await invoice(engine)
    assert found["version"] == 3 and {line["version"] for line in found["lines"]} == {1, 3}
