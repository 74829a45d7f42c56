"""Pricing: what one submission version owes each agency, computed from the schedules and the document.

Pure functions, no storage: the invoice store calls them when a version is routed (fixed per-document fees,
duties and VAT) and when an agency orders a physical inspection (its per-inspection fee). Money is
``Decimal`` throughout, rounded to the currency's minor unit per goods item (half up), and every line keeps
its own ISO 4217 currency: duties are charged in the currency the value is declared in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from singlewindow.platform.aggregation import PHYSICAL_CHANNELS
from singlewindow.platform.payments.schedules import PER_DOCUMENT, PER_INSPECTION, Duties, FeeSchedules, Schedule

CENT = Decimal("0.01")
ROUTING = "ROUTING"
INSPECTION = "INSPECTION"
_NOT_DUTIABLE = frozenset({"TR", "EK"})


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class PricedLine:
    """One line of an invoice: which agency charges what, why, and under which schedule."""

    agency: str
    fee_code: str
    description: str
    basis: str
    amount: Decimal
    currency: str
    schedule_id: str
    trigger: str  # ROUTING or INSPECTION

    @property
    def key(self) -> tuple[str, str, str]:
        """At most one line per agency, fee and currency on one version (what makes pricing idempotent)."""
        return (self.agency, self.fee_code, self.currency)


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo is not None else at.replace(tzinfo=UTC)


def price_routing(
    schedules: FeeSchedules, document_type: str, document: Mapping[str, Any], agencies: Iterable[str], at: datetime
) -> list[PricedLine]:
    """The lines of a routed version: each agency's per-document fees, and duties where its schedule has them."""
    lines: list[PricedLine] = []
    for agency in sorted(set(agencies)):
        schedule = schedules.in_force(agency, _utc(at))
        if schedule is None:
            continue
        for fee in schedule.fees:
            if fee.per == PER_DOCUMENT and fee.applies_to(document_type):
                lines.append(
                    PricedLine(
                        agency,
                        fee.code,
                        fee.description,
                        f"per document ({document_type})",
                        money(fee.amount),
                        fee.currency,
                        schedule.id,
                        ROUTING,
                    )
                )
        duties = schedule.duties
        if (
            duties is not None
            and _dutiable(document)
            and (duties.document_types is None or document_type in duties.document_types)
        ):
            lines.extend(_duties(schedule, duties, document_type, document))
    return [line for line in lines if line.amount > 0]  # a zero rate charges nothing: no line


def price_inspection(schedules: FeeSchedules, agency: str, channel: str | None, at: datetime) -> list[PricedLine]:
    """The per-inspection fees of ``agency`` for a physical inspection (channel RED, or none given)."""
    if channel not in PHYSICAL_CHANNELS:
        return []
    schedule = schedules.in_force(agency, _utc(at))
    if schedule is None:
        return []
    return [
        PricedLine(
            agency,
            fee.code,
            fee.description,
            f"per inspection (channel {channel})" if channel else "per inspection",
            money(fee.amount),
            fee.currency,
            schedule.id,
            INSPECTION,
        )
        for fee in schedule.fees
        if fee.per == PER_INSPECTION
    ]


def _dutiable(document: Mapping[str, Any]) -> bool:
    """Import duty and VAT are for goods entering: not for a transit (TR) nor an export (EK)."""
    procedure = document.get("procedure") or {}
    flags = document.get("flags") or {}
    return procedure.get("direction") not in _NOT_DUTIABLE and not flags.get("transit")


def _value(item: Mapping[str, Any], document_type: str) -> tuple[Decimal, str] | None:
    field = "customsValue" if document_type == "goods-declaration" else "statisticalValue"
    value = item.get(field)
    if not isinstance(value, Mapping) or "amount" not in value or "currency" not in value:
        return None
    return Decimal(str(value["amount"])), str(value["currency"])


def _hs(item: Mapping[str, Any]) -> str:
    code = item.get("commodityCode") or {}
    return str(code.get("nationalCode") or code.get("hsCode") or "")


def _duties(schedule: Schedule, duties: Duties, document_type: str, document: Mapping[str, Any]) -> list[PricedLine]:
    """Duty and VAT per currency, summed over the goods items (each rounded on its own)."""
    items: Sequence[Mapping[str, Any]] = document.get("goodsItems") or ()
    self_assessed = [item for item in items if item.get("dutiesAndTaxes")]
    if document_type == "goods-declaration" and self_assessed:
        return _declared(schedule, document_type, self_assessed)
    duty: dict[str, Decimal] = {}
    vat: dict[str, Decimal] = {}
    bases: dict[str, list[str]] = {}
    for item in items:
        value = _value(item, document_type)
        if value is None:
            continue
        declared, declared_currency = value
        amount, currency = duties.in_national(declared, declared_currency)
        percent, source = duties.rate(_hs(item))
        item_duty = money(amount * percent / 100)
        item_vat = money((amount + item_duty) * duties.vat_percent / 100)
        duty[currency] = duty.get(currency, Decimal(0)) + item_duty
        vat[currency] = vat.get(currency, Decimal(0)) + item_vat
        converted = "" if declared_currency == currency else f" ({money(declared)} {declared_currency})"
        bases.setdefault(currency, []).append(
            f"item {item.get('sequenceNumber', '?')}: {percent}% ({source}) of {money(amount)}{converted}"
        )
    lines: list[PricedLine] = []
    for currency in sorted(duty):
        basis = "; ".join(bases[currency])
        lines.append(
            PricedLine(
                schedule.agency,
                duties.duty_code,
                "Import duty (ad valorem)",
                basis,
                duty[currency],
                currency,
                schedule.id,
                ROUTING,
            )
        )
        lines.append(
            PricedLine(
                schedule.agency,
                duties.vat_code,
                "Import VAT",
                f"{duties.vat_percent}% of value plus duty",
                vat[currency],
                currency,
                schedule.id,
                ROUTING,
            )
        )
    return lines


def _declared(schedule: Schedule, document_type: str, items: Sequence[Mapping[str, Any]]) -> list[PricedLine]:
    """A goods declaration that computes its own duties and taxes is charged what it declares."""
    totals: dict[tuple[str, str], Decimal] = {}
    for item in items:
        for tax in item.get("dutiesAndTaxes") or ():
            payable = tax.get("amountPayable") or {}
            key = (str(tax.get("dutyType", "OTHER")).replace("_", "-")[:20], str(payable.get("currency", "")))
            totals[key] = totals.get(key, Decimal(0)) + money(Decimal(str(payable.get("amount", "0"))))
    return [
        PricedLine(
            schedule.agency,
            code,
            f"Declared {code.lower().replace('-', ' ')}",
            f"as declared in the {document_type}",
            amount,
            currency,
            schedule.id,
            ROUTING,
        )
        for (code, currency), amount in sorted(totals.items())
        if currency
    ]
