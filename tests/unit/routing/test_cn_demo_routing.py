"""The CN demo deployment's routing data (platform/demo/data/cn/routing): GACC gets what arrives from KZ,
whole; a termination of a transit that started in KZ goes back to the KZ partner."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from singlewindow.platform.routing import check_routing, decide, load_tables
from singlewindow.platform.specs import Catalog

CN_ROUTING = Path(__file__).parents[3] / "platform" / "demo" / "data" / "cn" / "routing"


def example(document_type: str, stem: str) -> dict[str, Any]:
    path = next(p for p in Catalog().get(document_type).valid_examples if stem in p.name)
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def manifest_to_cn() -> dict[str, Any]:
    document = copy.deepcopy(example("cargo-manifest", "khorgos-groupage"))
    document["exitCountry"], document["entryCountry"] = "KZ", "CN"
    return document


def tir_from_kz() -> dict[str, Any]:
    document = copy.deepcopy(example("tir-transit-declaration", "uz-kz-cn"))
    document["customsOfficeOfDeparture"] = "KZNZH001"
    return document


def termination_from_cn() -> dict[str, Any]:
    document = copy.deepcopy(example("transit-termination-notice", "zhibek-zholy"))
    document["customsOffice"], document["officeRole"] = "CNHRG001", "DESTINATION"
    return document


def test_the_cn_routing_data_checks_clean() -> None:
    assert [p for p in check_routing(CN_ROUTING) if p.severity == "error"] == []


def test_gacc_gets_every_kz_document_bound_for_china_whole() -> None:
    tables = load_tables(CN_ROUTING)
    documents = {
        "cargo-manifest": manifest_to_cn(),
        "control-result": example("control-result", "wheat"),
        "phytosanitary-certificate": example("phytosanitary-certificate", "wheat"),
        "tir-transit-declaration": tir_from_kz(),
        "passenger-currency-declaration": example("passenger-currency-declaration", "nur-zholy"),
    }
    for document_type, document in documents.items():
        (route,) = decide(tables, document_type, document).recipients
        assert (route.recipient, route.view, route.whole_document) == ("gacc", document_type, True)


def test_a_transit_from_uz_through_kz_is_not_from_kz() -> None:
    tables = load_tables(CN_ROUTING)
    assert decide(tables, "tir-transit-declaration", example("tir-transit-declaration", "uz-kz-cn")).recipients == ()


def test_the_termination_goes_back_to_kz() -> None:
    (route,) = decide(load_tables(CN_ROUTING), "transit-termination-notice", termination_from_cn()).recipients
    assert (route.recipient, route.whole_document) == ("partner-kz", True)
