"""Pricing: fixed fees per document and per inspection, duties and VAT from the declared values, Decimal only."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from singlewindow.platform.payments.pricing import INSPECTION, ROUTING, price_inspection, price_routing
from singlewindow.platform.payments.schedules import FeeSchedules
from singlewindow.platform.specs import Catalog

AT = datetime(2026, 11, 26, 4, 12, tzinfo=UTC)
SCHEDULES = FeeSchedules.load()


def example(document_type: str, name: str) -> dict[str, object]:
    folder = Catalog().get(document_type).folder / "examples" / "valid"
    loaded: dict[str, object] = json.loads((folder / name).read_text(encoding="utf-8"))
    return loaded


def test_a_consignment_gets_each_agencys_document_fee_and_customs_duty_and_vat() -> None:
    apples = example("consignment", "01-apples-cn-to-kz-khorgos.json")
    agencies = ["customs", "border-guard", "phytosanitary", "sanitary"]
    lines = {
        (line.agency, line.fee_code): line for line in price_routing(SCHEDULES, "consignment", apples, agencies, AT)
    }
    assert sorted(lines) == [
        ("customs", "CUS-DOC"),
        ("customs", "DUTY"),
        ("customs", "VAT"),
        ("phytosanitary", "PHY-DOC"),
        ("sanitary", "SAN-DOC"),
    ]  # the border guard charges nothing
    assert (lines["customs", "CUS-DOC"].amount, lines["customs", "CUS-DOC"].currency) == (Decimal("6000.00"), "KZT")
    # statistical value 16000.00 USD at the schedule's 470.00 = 7520000.00 KZT, HS 0808 10 %: duty 752000.00;
    # VAT 12 % of 8272000.00 = 992640.00; one currency for the whole invoice
    assert (lines["customs", "DUTY"].amount, lines["customs", "DUTY"].currency) == (Decimal("752000.00"), "KZT")
    assert (lines["customs", "VAT"].amount, lines["customs", "VAT"].currency) == (Decimal("992640.00"), "KZT")
    assert "(16000.00 USD)" in lines["customs", "DUTY"].basis
    assert "HS 0808" in lines["customs", "DUTY"].basis
    assert all(isinstance(line.amount, Decimal) and line.trigger == ROUTING for line in lines.values())


def test_a_goods_declaration_is_charged_the_duties_it_declares() -> None:
    declaration = example("goods-declaration", "01-apples-import-khorgos.json")
    lines = {
        line.fee_code: line for line in price_routing(SCHEDULES, "goods-declaration", declaration, ["customs"], AT)
    }
    assert lines["CUSTOMS-DUTY"].amount == Decimal("819744.00")
    assert lines["VAT"].amount == Decimal("1082062.08")
    assert lines["CUSTOMS-FEE"].amount == Decimal("86500.00")
    assert lines["CUS-DOC"].amount == Decimal("6000.00")


def test_no_value_no_duty_and_an_unknown_hs_code_takes_the_default_rate() -> None:
    document = {
        "goodsItems": [
            {
                "sequenceNumber": 1,
                "commodityCode": {"hsCode": "999999"},
                "statisticalValue": {"amount": "0.10", "currency": "KZT"},
            },
            {"sequenceNumber": 2, "commodityCode": {"hsCode": "080810"}},
        ]
    }
    lines = {line.fee_code: line for line in price_routing(SCHEDULES, "consignment", document, ["customs"], AT)}
    assert lines["DUTY"].amount == Decimal("0.01")  # 5 % of 0.10 = 0.005, rounded half up
    assert lines["VAT"].amount == Decimal("0.01")  # 12 % of 0.11 = 0.0132
    assert "default" in lines["DUTY"].basis


def test_inspection_fees_are_for_physical_inspections_only() -> None:
    red = price_inspection(SCHEDULES, "customs", "RED", AT)
    assert [(line.fee_code, line.amount, line.trigger) for line in red] == [
        ("CUS-INSP", Decimal("20000.00"), INSPECTION)
    ]
    assert price_inspection(SCHEDULES, "customs", "YELLOW", AT) == []
    assert [line.fee_code for line in price_inspection(SCHEDULES, "veterinary", None, AT)] == ["VET-INSP"]
    assert price_inspection(SCHEDULES, "border-guard", None, AT) == []


def test_before_any_schedule_nothing_is_charged() -> None:
    apples = example("consignment", "01-apples-cn-to-kz-khorgos.json")
    assert price_routing(SCHEDULES, "consignment", apples, ["customs"], datetime(2020, 1, 1, tzinfo=UTC)) == []


def test_a_transit_or_an_export_pays_no_import_duty_and_an_unknown_currency_stays_as_declared() -> None:
    transit = example("consignment", "05-tir-transit-cn-kz-uz.json")
    assert [line.fee_code for line in price_routing(SCHEDULES, "consignment", transit, ["customs"], AT)] == ["CUS-DOC"]
    export = example("consignment", "06-wheat-barley-export-kz-to-cn-rail-dostyk.json")
    assert [line.fee_code for line in price_routing(SCHEDULES, "consignment", export, ["customs"], AT)] == ["CUS-DOC"]
    item = {
        "sequenceNumber": 1,
        "commodityCode": {"hsCode": "080810"},
        "statisticalValue": {"amount": "100.00", "currency": "GBP"},
    }
    lines = {
        line.fee_code: line for line in price_routing(SCHEDULES, "consignment", {"goodsItems": [item]}, ["customs"], AT)
    }
    assert (lines["DUTY"].amount, lines["DUTY"].currency) == (Decimal("10.00"), "GBP")
