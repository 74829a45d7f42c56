"""The stand-in agencies' rules, one decision each, on small views shaped like the real ones."""

from __future__ import annotations

from typing import Any

from singlewindow.platform.demo.policies import INSPECTION_SECONDS, demo_policy, demo_revision


def item(hs: str, *documents: str) -> dict[str, Any]:
    return {"commodityCode": {"hsCode": hs}, "supportingDocuments": [{"type": d} for d in documents]}


def test_veterinary_rejects_live_animals_without_a_certificate_and_says_why() -> None:
    status, extra = demo_policy("veterinary", {"goodsItems": [item("010410")]})
    assert status == "REJECTED"
    assert extra["reasons"][0]["code"] == "VET-NO-CERT" and "HS 01" in extra["reasons"][0]["text"]
    assert demo_policy("veterinary", {"goodsItems": [item("010410", "VETERINARY_CERTIFICATE")]}) == ("ACCEPTED", {})


def test_veterinary_rejects_meat_without_a_certificate() -> None:
    assert demo_policy("veterinary", {"goodsItems": [item("020230")]})[0] == "REJECTED"
    assert demo_policy("veterinary", {"goodsItems": [item("020230", "VETERINARY_CERTIFICATE")]})[0] == "ACCEPTED"


def test_phytosanitary_sets_a_condition_on_fresh_fruit_and_rejects_plants_without_a_certificate() -> None:
    status, extra = demo_policy("phytosanitary", {"goodsItems": [item("080810", "PHYTO_CERTIFICATE")]})
    assert status == "ACCEPTED_WITH_CONDITIONS" and extra["conditions"][0]["code"] == "PQ-DEST-CHECK"
    assert "reasons" not in extra
    assert demo_policy("phytosanitary", {"goodsItems": [item("090210", "PHYTO_CERTIFICATE")]}) == ("ACCEPTED", {})
    assert demo_policy("phytosanitary", {"goodsItems": [item("080810")]})[0] == "REJECTED"


def test_customs_sends_transit_to_red_and_accepts_after_the_inspection() -> None:
    transit = {"procedure": {"direction": "TR"}, "goodsItems": [item("540752")]}
    status, extra = demo_policy("customs", transit)
    assert (status, extra["channel"], extra["reasons"][0]["code"]) == ("INSPECTION_REQUIRED", "RED", "RMS-TR.01")
    assert demo_revision("customs", transit, status) == (INSPECTION_SECONDS, "ACCEPTED", {})
    imported = {"procedure": {"direction": "IM"}, "flags": {"transit": False}}
    assert demo_policy("customs", imported) == ("ACCEPTED", {"channel": "GREEN"})
    assert demo_revision("customs", imported, "ACCEPTED") is None


def test_agencies_without_a_rule_accept() -> None:
    assert demo_policy("border-guard", {"flags": {"transit": True}}) == ("ACCEPTED", {})
    assert demo_policy("sanitary", {"goodsItems": [item("010410")]}) == ("ACCEPTED", {})
