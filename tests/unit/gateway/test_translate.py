"""Code translation: round trips for every mapped code, side-specific places untouched, refusals with pointers."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from singlewindow import message_specs
from singlewindow.adapters.gateway.profiles import Direction, PartnerProfile, Table, load_profile, load_profiles
from singlewindow.adapters.gateway.translate import PLACES, inbound_translation, translator
from singlewindow.platform.errors import InvalidInput

REPO = Path(__file__).resolve().parents[3]
DOCUMENTS = Path(str(message_specs.root() / "documents"))


def example(document_type: str, index: int = 0) -> dict[str, Any]:
    path = sorted((DOCUMENTS / document_type / "examples" / "valid").glob("*.json"))[index]
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def cn() -> PartnerProfile:
    return load_profiles()["cn"]


@pytest.fixture(scope="module")
def kz_on_cn_hub() -> PartnerProfile:
    return load_profile(REPO / "platform" / "demo" / "data" / "cn" / "partners" / "kz.json")


def with_tables(profile: PartnerProfile, **tables: list[dict[str, str]]) -> PartnerProfile:
    data = profile.model_dump(by_alias=True, mode="json")
    data["translations"].update(tables)
    return PartnerProfile.model_validate(data)


def test_every_crossing_pair_round_trips_through_a_manifest(cn: PartnerProfile) -> None:
    t = translator(cn)
    manifest = example("cargo-manifest")
    assert cn.translations.border_crossing_points
    for pair in cn.translations.border_crossing_points:
        ours = {**manifest, "borderCrossingPoint": pair.home}
        sent = t.outbound("cargo-manifest", ours)
        assert sent["borderCrossingPoint"] == pair.partner
        assert t.inbound("cargo-manifest", sent) == ours
    assert manifest == example("cargo-manifest")  # the input is never changed in place


def test_every_counterpart_office_round_trips(cn: PartnerProfile) -> None:
    t = translator(cn)
    for pair in cn.translations.customs_offices:
        there = t.code(Table.CUSTOMS_OFFICES, Direction.OUTBOUND, pair.home)
        assert there == pair.partner and t.counterpart_office(pair.home) == pair.partner
        assert t.code(Table.CUSTOMS_OFFICES, Direction.INBOUND, there) == pair.home
        assert t.counterpart_office(pair.partner) == pair.home


def test_package_and_document_codes_round_trip_at_their_places(cn: PartnerProfile) -> None:
    profile = with_tables(
        cn,
        packageTypes=[{"home": "CT", "partner": "4G"}, {"home": "RO", "partner": "BB"}],
        documentCodes=[{"home": "TIR_CARNET", "partner": "PERMIT"}],
    )
    t = translator(profile)
    for document_type in ("cargo-manifest", "tir-transit-declaration", "phytosanitary-certificate"):
        for index in (0, 1):
            ours = example(document_type, index)
            sent = t.outbound(document_type, ours)
            references = [r["type"] for r in sent["references"]]
            assert "TIR_CARNET" not in references
            assert ("PERMIT" in references) == any(r["type"] == "TIR_CARNET" for r in ours["references"])
            text = json.dumps(sent)
            assert '"typeCode": "CT"' not in text and '"typeCode": "RO"' not in text
            assert ('"typeCode": "4G"' in text) == ('"typeCode": "CT"' in json.dumps(ours))
            back = t.inbound(document_type, sent)
            assert back == _labelled(ours, "KZ-TNVED")


def _labelled(document: dict[str, Any], code_list: str) -> dict[str, Any]:
    """The document with the list id added to each national code sent without one (what outbound does)."""
    result = copy.deepcopy(document)
    for item in result.get("goodsItems", []):
        commodity = item.get("commodityCode", {})
        if "nationalCode" in commodity:
            commodity.setdefault("nationalCodeList", code_list)
    return result


def test_side_specific_offices_and_points_travel_unchanged(cn: PartnerProfile) -> None:
    t = translator(cn)
    tir = example("tir-transit-declaration", 1)  # UZ -> KZ -> CN, offices en route on both sides
    sent = t.outbound("tir-transit-declaration", tir)
    assert sent["customsOfficesEnRoute"] == tir["customsOfficesEnRoute"]
    assert sent["customsOfficeOfDestination"] == tir["customsOfficeOfDestination"]
    control = example("control-result")
    assert t.outbound("control-result", control)["controlOffice"] == control["controlOffice"]
    phyto = example("phytosanitary-certificate", 1)
    sent = t.outbound("phytosanitary-certificate", phyto)
    assert (sent["pointOfExit"], sent["pointOfEntry"]) == (phyto["pointOfExit"], phyto["pointOfEntry"])
    manifest = example("cargo-manifest")
    sent = t.outbound("cargo-manifest", manifest)
    assert (sent["customsOfficeOfExit"], sent["customsOfficeOfEntry"]) == (
        manifest["customsOfficeOfExit"],
        manifest["customsOfficeOfEntry"],
    )


def test_an_unmapped_code_passes_only_when_valid_for_the_receiver(cn: PartnerProfile) -> None:
    t = translator(cn)
    manifest = example("cargo-manifest")
    already_theirs = {**manifest, "borderCrossingPoint": "CNALR"}
    assert t.outbound("cargo-manifest", already_theirs)["borderCrossingPoint"] == "CNALR"
    with pytest.raises(InvalidInput) as refused:
        t.outbound("cargo-manifest", {**manifest, "borderCrossingPoint": "KZKRD"})  # Kordai faces Kyrgyzstan
    assert [(p.path, p.code) for p in refused.value.problems] == [("/borderCrossingPoint", "untranslatable")]
    with pytest.raises(InvalidInput) as refused:
        t.inbound("cargo-manifest", {**manifest, "borderCrossingPoint": "KGTRG"})
    assert refused.value.problems[0].path == "/borderCrossingPoint"
    bad_package = copy.deepcopy(manifest)
    bad_package["consignments"][1]["goods"][0]["packages"][0]["typeCode"] = "QQ"
    with pytest.raises(InvalidInput) as refused:
        t.outbound("cargo-manifest", bad_package)
    assert refused.value.problems[0].path == "/consignments/1/goods/0/packages/0/typeCode"


def test_hs_code_stays_and_national_code_gets_the_senders_list(cn: PartnerProfile) -> None:
    t = translator(cn)
    phyto = example("phytosanitary-certificate", 1)
    phyto["goodsItems"][0]["commodityCode"] = {"hsCode": "100199", "nationalCode": "1001990000"}
    sent = t.outbound("phytosanitary-certificate", phyto)
    assert sent["goodsItems"][0]["commodityCode"] == {
        "hsCode": "100199",
        "nationalCode": "1001990000",
        "nationalCodeList": "KZ-TNVED",
    }
    assert sent["goodsItems"][1]["commodityCode"] == phyto["goodsItems"][1]["commodityCode"]  # no national code
    received = t.inbound("phytosanitary-certificate", phyto)
    assert received["goodsItems"][0]["commodityCode"]["nationalCodeList"] == "CN-HS10"
    labelled = example("phytosanitary-certificate", 0)  # carries CN-HS10 already: left as it is
    assert t.outbound("phytosanitary-certificate", labelled)["goodsItems"] == labelled["goodsItems"]


def test_kz_outbound_reads_the_same_on_the_cn_hub(cn: PartnerProfile, kz_on_cn_hub: PartnerProfile) -> None:
    manifest = {**example("cargo-manifest"), "borderCrossingPoint": "KZKLZ"}
    sent = translator(cn).outbound("cargo-manifest", manifest)
    assert sent["borderCrossingPoint"] == "CNDLT"
    assert inbound_translation(kz_on_cn_hub, "cargo-manifest", sent) == sent  # already CN's codes
    untranslated = inbound_translation(kz_on_cn_hub, "cargo-manifest", manifest)
    assert untranslated["borderCrossingPoint"] == "CNDLT"  # the CN hub translates a KZ code it is sent


def test_every_profile_type_has_known_places(cn: PartnerProfile) -> None:
    assert cn.outbound_types() | cn.inbound_types() <= set(PLACES)
    assert translator(cn).outbound("border-event", {"x": "KZNZH"}) == {"x": "KZNZH"}  # unknown type untouched
