"""Routing facts of the cross-border document types, and the shipped KZ rules that send them to the CN
partner (and a CN termination notice to KZ customs, whole)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from singlewindow.platform.routing import decide, extract_facts, load_tables
from singlewindow.platform.specs import Catalog


def example(document_type: str, stem: str) -> dict[str, Any]:
    path = next(p for p in Catalog().get(document_type).valid_examples if stem in p.name)
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def manifest_to_cn() -> dict[str, Any]:
    document = copy.deepcopy(example("cargo-manifest", "khorgos-groupage"))
    document["exitCountry"], document["entryCountry"] = "KZ", "CN"
    return document


def termination_from_cn() -> dict[str, Any]:
    """CN's office of destination (Horgos) terminates a TIR operation whose declaration KZ issued."""
    document = copy.deepcopy(example("transit-termination-notice", "zhibek-zholy"))
    document["customsOffice"], document["officeRole"] = "CNHRG001", "DESTINATION"
    return document


@pytest.mark.parametrize(
    ("document_type", "document", "destination", "export", "points"),
    [
        ("cargo-manifest", manifest_to_cn(), "CN", "KZ", {"KZNZH"}),
        ("control-result", example("control-result", "wheat"), "CN", "KZ", {"KZDST"}),
        ("control-result", example("control-result", "apples"), None, "KZ", {"KZNZH"}),
        ("phytosanitary-certificate", example("phytosanitary-certificate", "wheat"), "CN", "KZ", {"CNALK", "KZDST"}),
        ("tir-transit-declaration", example("tir-transit-declaration", "uz-kz-cn"), "CN", "UZ", set()),
        ("tir-transit-declaration", example("tir-transit-declaration", "cn-kz-uz"), "UZ", "CN", set()),
        ("transit-termination-notice", termination_from_cn(), "KZ", "CN", set()),
        (
            "passenger-currency-declaration",
            example("passenger-currency-declaration", "nur-zholy"),
            "CN",
            "KZ",
            {"KZNZH"},
        ),
    ],
)
def test_crossing_facts(
    document_type: str, document: dict[str, Any], destination: str | None, export: str, points: set[str]
) -> None:
    facts = extract_facts(document_type, document)
    assert (facts.destination_country, facts.export_country, set(facts.border_crossing_points)) == (
        destination,
        export,
        points,
    )


def test_tir_destination_is_the_office_of_destination_not_the_goods_final_country() -> None:
    document = copy.deepcopy(example("tir-transit-declaration", "uz-kz-cn"))
    document["destinationCountry"] = "RU"  # the goods go on; the TIR operation ends in CN
    assert extract_facts("tir-transit-declaration", document).destination_country == "CN"


def test_a_termination_notice_without_its_declaration_reference_goes_nowhere() -> None:
    document = termination_from_cn()
    document["references"] = [r for r in document["references"] if r["type"] != "TRANSIT_DECLARATION"]
    assert extract_facts("transit-termination-notice", document).destination_country is None
    assert decide(load_tables(), "transit-termination-notice", document).recipients == ()


@pytest.mark.parametrize(
    ("document_type", "document", "rule"),
    [
        ("cargo-manifest", manifest_to_cn(), "partner-cn-cargo-manifest"),
        ("control-result", example("control-result", "wheat"), "partner-cn-control-result"),
        (
            "phytosanitary-certificate",
            example("phytosanitary-certificate", "wheat"),
            "partner-cn-phytosanitary-certificate",
        ),
        (
            "tir-transit-declaration",
            example("tir-transit-declaration", "uz-kz-cn"),
            "partner-cn-tir-transit-declaration",
        ),
        (
            "passenger-currency-declaration",
            example("passenger-currency-declaration", "nur-zholy"),
            "partner-cn-passenger-currency-declaration",
        ),
    ],
)
def test_kz_sends_cn_bound_documents_whole_to_the_cn_partner(
    document_type: str, document: dict[str, Any], rule: str
) -> None:
    (route,) = decide(load_tables(), document_type, document).recipients
    assert (route.recipient, route.view, route.whole_document, route.rule_ids) == (
        "partner-cn",
        document_type,
        True,
        (rule,),
    )


def test_documents_for_kz_do_not_go_to_the_partner() -> None:
    tables = load_tables()
    assert decide(tables, "cargo-manifest", example("cargo-manifest", "khorgos-groupage")).recipients == ()
    assert decide(tables, "control-result", example("control-result", "apples")).recipients == ()


def test_a_cn_termination_of_a_kz_transit_reaches_kz_customs_whole() -> None:
    (route,) = decide(load_tables(), "transit-termination-notice", termination_from_cn()).recipients
    assert (route.recipient, route.view, route.whole_document) == ("customs", "transit-termination-notice", True)
    assert route.rule_ids == ("customs-transit-discharge",)
