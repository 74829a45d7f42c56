"""The adapter's ePhyto samples read (or refused, by the format or by a national rule), and a certificate
checked against the declaration's goods items (species, quantities, HS codes, origin, countries, cited number).
Every form of the standard and every problem rule: the corpus test (test_ephyto_corpus.py)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters import DecisionStatus
from singlewindow.adapters.phytosanitary.checks import check
from singlewindow.adapters.phytosanitary.ephyto import CertificateUnreadable, read_certificate, schema_folder
from singlewindow.adapters.phytosanitary.import_check import Refusal, decide_import
from singlewindow.adapters.phytosanitary.ppp_api import CertificateRequest
from singlewindow.adapters.phytosanitary.standin import certificate_xml
from singlewindow.platform.specs import Catalog

SAMPLES = schema_folder().parent / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def apples_view() -> dict[str, Any]:
    path = next(p for p in Catalog().get("view-phytosanitary").valid_examples if "apples" in p.name)
    view: dict[str, Any] = json.loads(path.read_text())
    return view


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("valid-*.xml")), ids=lambda p: p.name)
def test_valid_samples_are_read(path: Path) -> None:
    assert read_certificate(path.read_bytes()).lines


@pytest.mark.parametrize(
    ("name", "national", "rules"),
    [
        ("invalid-not-well-formed.xml", False, ["xml.not-well-formed"]),
        ("national-no-scientific-name.xml", True, ["national.certificate-type", "national.scientific-name"]),
        ("national-weight-without-unit.xml", True, ["national.country-code", "national.net-weight-unit"]),
    ],
)
def test_refused_samples_say_which_layer_and_rule(name: str, national: bool, rules: list[str]) -> None:
    with pytest.raises(CertificateUnreadable) as refused:
        read_certificate(sample(name))
    assert refused.value.national is national and [p.rule for p in refused.value.problems] == rules


def test_entities_are_not_expanded() -> None:
    hostile = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    with pytest.raises(CertificateUnreadable) as refused:
        read_certificate(hostile)
    assert [p.rule for p in refused.value.problems] == ["xml.doctype"]


def test_the_apples_certificate_is_read() -> None:
    certificate = read_certificate(sample("valid-apples-cn-to-kz.xml"))
    assert (certificate.number, certificate.type_code, certificate.export_country) == (
        "CN650000-2026-0113457",
        "851",
        "CN",
    )
    [line] = certificate.lines
    assert line.scientific_names == ("Malus domestica",) and line.net_weight_kg == Decimal(20000)
    assert line.hs_codes == ("080810",) and line.origin_countries == ("CN",)


def test_a_matching_certificate_is_accepted() -> None:
    view = apples_view()
    draft = decide_import(view, [read_certificate(sample("valid-apples-cn-to-kz.xml"))], [])
    assert draft.status is DecisionStatus.ACCEPTED
    assert draft.references[0].id == "CN650000-2026-0113457"


def test_a_mismatching_certificate_is_rejected_with_every_reason() -> None:
    findings = check(read_certificate(sample("valid-mismatching-pears.xml")), apples_view())
    codes = {code for code, _ in findings.reasons}
    assert codes == {"PHY-SPECIES"}  # no line for Malus domestica: nothing else on the line can be compared
    view = apples_view()
    view["goodsItems"][0]["scientificName"] = "Pyrus communis"
    codes = {code for code, _ in check(read_certificate(sample("valid-mismatching-pears.xml")), view).reasons}
    assert codes == {"PHY-HS", "PHY-ORIGIN"}  # 20 t declared of 25 t certified is a partial shipment, not a reason


def test_quantities_over_the_certificate_are_rejected_and_partial_shipments_conditioned() -> None:
    certificate = read_certificate(sample("valid-apples-cn-to-kz.xml"))
    view = apples_view()
    view["goodsItems"][0]["netMassKg"] = "21000.000"
    assert [code for code, _ in check(certificate, view).reasons] == ["PHY-QTY"]
    view["goodsItems"][0]["netMassKg"] = "15000.000"
    findings = check(certificate, view)
    assert not findings.reasons and [code for code, _ in findings.conditions] == ["PHY-PARTIAL"]
    assert decide_import(view, [certificate], []).status is DecisionStatus.ACCEPTED_WITH_CONDITIONS
    view["goodsItems"][0]["netMassKg"] = "19800.000"  # within 2 %
    assert decide_import(view, [certificate], []).status is DecisionStatus.ACCEPTED


def test_countries_and_cited_number_are_checked() -> None:
    certificate = read_certificate(sample("valid-apples-cn-to-kz.xml"))
    view = apples_view()
    view["exportCountry"], view["destinationCountry"] = "KG", "UZ"
    view["transport"]["route"]["itineraryCountries"] = ["KG", "UZ"]
    view["goodsItems"][0]["supportingDocuments"][0]["number"] = "CN650000-2026-9999999"
    codes = {code for code, _ in check(certificate, view).reasons}
    assert codes == {"PHY-EXPORT", "PHY-IMPORT", "PHY-NUMBER"}


def test_no_certificate_means_inspection_and_unreadable_ones_rejection() -> None:
    view = apples_view()
    assert decide_import(view, [], []).status is DecisionStatus.INSPECTION_REQUIRED
    unreadable = pytest.raises(CertificateUnreadable)
    with unreadable as refused:
        read_certificate(sample("invalid-not-well-formed.xml"))
    rejected = decide_import(view, [], [Refusal("ephyto.xml", refused.value)])
    assert rejected.status is DecisionStatus.REJECTED and rejected.reasons[0].code == "PHY-SCHEMA"
    assert rejected.reasons[0].text.startswith("ephyto.xml: the certificate is refused by the ePhyto (UN/CEFACT")


WHEAT = {
    "scientificName": "Triticum aestivum",
    "description": "Wheat",
    "hsCode": "100199",
    "netWeightKg": "64000.000",
    "originCountry": "KZ",
    "packages": [{"typeCode": "VR", "count": 1}],
}


def test_the_stand_in_writes_certificates_the_schema_accepts() -> None:
    request = CertificateRequest.model_validate(
        {
            "localReference": "s1.v1.phytosanitary.a1",
            "consignor": {"name": "Kostanay Grain LLP", "city": "Kostanay", "country": "KZ"},
            "consignee": {"name": "Xinjiang Grain Import Co.", "country": "CN"},
            "exportCountry": "KZ",
            "importCountry": "CN",
            "lines": [WHEAT],
        }
    )
    certificate = read_certificate(
        certificate_xml(request, "KZ-PHY-2026-0000001", "2026-11-28T05:00:00Z", "NPPO", "A. B.")
    )
    assert certificate.number == "KZ-PHY-2026-0000001" and certificate.lines[0].scientific_names == (
        "Triticum aestivum",
    )
