"""The cross-border use-case documents (platform/demo/data/crossborder): one KZ->CN truck, a document per
step of issue 13's five use cases. Each is valid against its spec, tells one consistent story (same ucr,
references and seals that agree), and goes where the use case says: a KZ document to partner-cn on the KZ
hub and, after the gateway's outbound and inbound translation, to GACC on the CN hub; the CN termination
notice to partner-kz on the CN hub and back to KZ customs, which discharges the transit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from singlewindow.adapters.gacc.recognition import assess_manifest, seal_numbers
from singlewindow.adapters.gacc.store import ControlResult
from singlewindow.adapters.gateway import translate
from singlewindow.adapters.gateway.profiles import PartnerProfile, load_profiles
from singlewindow.platform.cli.routes import routes
from singlewindow.platform.routing import RoutingTables, decide, load_tables
from singlewindow.platform.specs import Catalog, DocumentValidator

ROOT = Path(__file__).parents[3]
DATA = ROOT / "platform" / "demo" / "data"
STORY = DATA / "crossborder"
CN_ROUTING = DATA / "cn" / "routing"
CN_PARTNERS = DATA / "cn" / "partners"

KZ_DOCUMENTS = {
    "01-cargo-manifest-kz-cn.json": "cargo-manifest",
    "01b-cargo-manifest-seal-mismatch.json": "cargo-manifest",
    "02-control-result-kz.json": "control-result",
    "02b-control-result-seal-mismatch.json": "control-result",
    "03-phytosanitary-certificate-kz-cn.json": "phytosanitary-certificate",
    "04-tir-transit-declaration-kz-cn.json": "tir-transit-declaration",
    "06-passenger-currency-declaration-kz-exit.json": "passenger-currency-declaration",
}
CN_DOCUMENTS = {"05-transit-termination-notice-cn.json": "transit-termination-notice"}
ALL_DOCUMENTS = {**KZ_DOCUMENTS, **CN_DOCUMENTS}


def load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((STORY / name).read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def validator() -> DocumentValidator:
    return DocumentValidator(Catalog())


@pytest.fixture(scope="module")
def kz_tables() -> RoutingTables:
    return load_tables(None)


@pytest.fixture(scope="module")
def cn_tables() -> RoutingTables:
    return load_tables(CN_ROUTING)


@pytest.fixture(scope="module")
def kz_profile_of_cn() -> PartnerProfile:
    return load_profiles()["cn"]


@pytest.fixture(scope="module")
def cn_profile_of_kz() -> PartnerProfile:
    return load_profiles(CN_PARTNERS)["kz"]


def test_the_folder_holds_exactly_the_use_case_documents_and_a_readme() -> None:
    assert sorted(p.name for p in STORY.glob("*.json")) == sorted(ALL_DOCUMENTS)
    assert (STORY / "README.md").is_file()


@pytest.mark.parametrize(("name", "document_type"), sorted(ALL_DOCUMENTS.items()))
def test_each_document_is_valid_against_its_spec(validator: DocumentValidator, name: str, document_type: str) -> None:
    assert validator.validate(document_type, load(name)) == []


def test_one_truck_one_ucr_across_manifest_control_result_phyto_and_transit() -> None:
    manifest = load("01-cargo-manifest-kz-cn.json")
    ucr = manifest["ucr"]
    assert [c["ucr"] for c in manifest["consignments"]] == [ucr]
    for name in (
        "02-control-result-kz.json",
        "03-phytosanitary-certificate-kz-cn.json",
        "04-tir-transit-declaration-kz-cn.json",
        "05-transit-termination-notice-cn.json",
    ):
        assert load(name)["ucr"] == ucr, name


def test_the_manifest_leaves_kz_through_nur_zholy_into_cn_under_kz_customs_seals() -> None:
    manifest = load("01-cargo-manifest-kz-cn.json")
    assert (manifest["exitCountry"], manifest["entryCountry"]) == ("KZ", "CN")
    assert (manifest["customsOfficeOfExit"], manifest["customsOfficeOfEntry"]) == ("KZNZH001", "CNHRG001")
    assert manifest["borderCrossingPoint"] == "KZNZH"
    assert manifest["seals"]
    assert all((s["affixedBy"], s["affixingCountry"]) == ("CUSTOMS", "KZ") for s in manifest["seals"])


def test_the_control_result_refers_to_the_manifest_and_applied_exactly_its_seals() -> None:
    manifest, result = load("01-cargo-manifest-kz-cn.json"), load("02-control-result-kz.json")
    assert (result["controllingCountry"], result["destinationCountry"]) == ("KZ", "CN")
    assert result["result"] == "SATISFACTORY" and result["sealsIntact"] is True
    assert seal_numbers(result["sealsApplied"]) == seal_numbers(manifest["seals"])
    assert {"type": "MANIFEST", "id": manifest["documentId"], "issuer": "KZ"} in result["references"]


def test_the_seal_mismatch_variant_is_its_own_story_with_a_different_seal() -> None:
    manifest, result = load("01b-cargo-manifest-seal-mismatch.json"), load("02b-control-result-seal-mismatch.json")
    main = load("01-cargo-manifest-kz-cn.json")
    assert manifest["ucr"] != main["ucr"] and manifest["documentId"] != main["documentId"]
    assert result["documentId"] != load("02-control-result-kz.json")["documentId"]
    assert result["ucr"] == manifest["ucr"]
    assert {"type": "MANIFEST", "id": manifest["documentId"], "issuer": "KZ"} in result["references"]
    assert result["result"] == "SATISFACTORY"
    assert seal_numbers(result["sealsApplied"]) != seal_numbers(manifest["seals"])


def _recorded(result: dict[str, Any]) -> ControlResult:
    return ControlResult(result["documentId"], result["ucr"], result["result"], seal_numbers(result["sealsApplied"]))


def test_gacc_accepts_the_main_story_and_asks_for_inspection_on_the_variant() -> None:
    """What the two stories are for: GACC's mutual-recognition verdict (no risk rules configured)."""
    accepted = assess_manifest(load("01-cargo-manifest-kz-cn.json"), [_recorded(load("02-control-result-kz.json"))], ())
    assert accepted.accepted and accepted.control_result == load("02-control-result-kz.json")["documentId"]
    inspected = assess_manifest(
        load("01b-cargo-manifest-seal-mismatch.json"), [_recorded(load("02b-control-result-seal-mismatch.json"))], ()
    )
    assert not inspected.accepted
    assert [finding.code for finding in inspected.reasons] == ["SEALS-DIFFER"]


def test_the_phyto_certificate_and_transit_go_from_kz_to_cn() -> None:
    phyto = load("03-phytosanitary-certificate-kz-cn.json")
    assert (phyto["exportCountry"], phyto["importCountry"]) == ("KZ", "CN")
    tir = load("04-tir-transit-declaration-kz-cn.json")
    assert (tir["exportCountry"], tir["destinationCountry"]) == ("KZ", "CN")
    assert tir["customsOfficeOfDeparture"].startswith("KZ") and tir["customsOfficeOfDestination"].startswith("CN")
    assert seal_numbers(tir["seals"]) == seal_numbers(load("01-cargo-manifest-kz-cn.json")["seals"])


def test_the_termination_notice_terminates_that_transit_at_its_cn_office_of_destination() -> None:
    tir, notice = load("04-tir-transit-declaration-kz-cn.json"), load("05-transit-termination-notice-cn.json")
    assert notice["transitDeclarationId"] == tir["documentId"]
    assert notice["tirCarnetNumber"] == tir["tirCarnetNumber"]
    assert (notice["customsOffice"], notice["officeRole"]) == (tir["customsOfficeOfDestination"], "DESTINATION")
    assert {"type": "TRANSIT_DECLARATION", "id": tir["documentId"], "issuer": "KZ"} in notice["references"]
    assert sorted(notice["sealNumbers"]) == sorted(seal["number"] for seal in tir["seals"])


def test_the_currency_declaration_is_made_at_kz_exit_towards_cn() -> None:
    declaration = load("06-passenger-currency-declaration-kz-exit.json")
    assert declaration["direction"] == "EXIT"
    assert declaration["borderCrossingPoint"] in {"KZNZH", "KZALT"}
    assert (declaration["journey"]["departureCountry"], declaration["journey"]["destinationCountry"]) == ("KZ", "CN")


@pytest.mark.parametrize(("name", "document_type"), sorted(KZ_DOCUMENTS.items()))
def test_each_kz_document_routes_to_partner_cn_on_the_kz_hub(
    kz_tables: RoutingTables, name: str, document_type: str
) -> None:
    decision = decide(kz_tables, document_type, load(name))
    assert decision.recipient_ids() == ("partner-cn",)
    route = decision.get("partner-cn")
    assert route is not None and route.whole_document


@pytest.mark.parametrize(("name", "document_type"), sorted(KZ_DOCUMENTS.items()))
def test_nsw_routes_explain_lists_partner_cn(name: str, document_type: str) -> None:
    result = CliRunner().invoke(routes, ["explain", "--json", "--document-type", document_type, str(STORY / name)])
    assert result.exit_code == 0, result.output
    assert [r["recipient"] for r in json.loads(result.output)["recipients"]] == ["partner-cn"]


def test_nsw_routes_explain_with_the_cn_routing_lists_partner_kz_for_the_termination() -> None:
    args = ["explain", "--json", "--document-type", "transit-termination-notice", "--rules", str(CN_ROUTING)]
    result = CliRunner().invoke(routes, [*args, str(STORY / "05-transit-termination-notice-cn.json")])
    assert result.exit_code == 0, result.output
    assert [r["recipient"] for r in json.loads(result.output)["recipients"]] == ["partner-kz"]


@pytest.mark.parametrize(("name", "document_type"), sorted(KZ_DOCUMENTS.items()))
def test_each_kz_document_translated_through_the_link_stays_valid_and_reaches_gacc(
    validator: DocumentValidator,
    cn_tables: RoutingTables,
    kz_profile_of_cn: PartnerProfile,
    cn_profile_of_kz: PartnerProfile,
    name: str,
    document_type: str,
) -> None:
    sent = translate.outbound(kz_profile_of_cn, document_type, load(name))
    assert validator.validate(document_type, sent) == []
    received = translate.inbound(cn_profile_of_kz, document_type, sent)
    assert validator.validate(document_type, received) == []
    assert decide(cn_tables, document_type, received).recipient_ids() == ("gacc",)


def test_the_manifest_reaches_cn_naming_the_crossing_the_chinese_way(
    kz_profile_of_cn: PartnerProfile, cn_profile_of_kz: PartnerProfile
) -> None:
    sent = translate.outbound(kz_profile_of_cn, "cargo-manifest", load("01-cargo-manifest-kz-cn.json"))
    received = translate.inbound(cn_profile_of_kz, "cargo-manifest", sent)
    assert received["borderCrossingPoint"] == "CNHRG"
    assert (received["customsOfficeOfExit"], received["customsOfficeOfEntry"]) == ("KZNZH001", "CNHRG001")


def test_the_termination_notice_travels_back_and_reaches_kz_customs(
    validator: DocumentValidator,
    kz_tables: RoutingTables,
    kz_profile_of_cn: PartnerProfile,
    cn_profile_of_kz: PartnerProfile,
) -> None:
    """The return leg: CN sends it through its profile of KZ, KZ receives it through its profile of CN,
    and the shipped rule customs-transit-discharge gives it to KZ customs, which discharges the transit."""
    document_type = "transit-termination-notice"
    sent = translate.outbound(cn_profile_of_kz, document_type, load("05-transit-termination-notice-cn.json"))
    received = translate.inbound(kz_profile_of_cn, document_type, sent)
    assert validator.validate(document_type, received) == []
    decision = decide(kz_tables, document_type, received)
    assert decision.recipient_ids() == ("customs",)
    route = decision.get("customs")
    assert route is not None and route.rule_ids == ("customs-transit-discharge",)
