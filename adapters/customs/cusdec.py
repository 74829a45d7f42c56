"""The customs view as a CUSDEC D.96B message (cusdec_reading.py reads one back into a ``Declaration``).

Segment by segment (samples/README.md explains each one against the UN/EDIFACT directory):
BGM DTM CST LOC GIS RFF NAD TDT MOA MEA, then UNS+D and per goods item CST FTX LOC MEA QTY MOA DOC, then
UNS+S. Texts longer than an element allows are split over the element's repeats, never cut silently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydifact.segments import Segment

from singlewindow.adapters.customs.edifact import (
    segment,
    split_text,
)

DOCUMENT_CODE = {"IM": "929", "EK": "830", "TR": "950"}  # UNCL 1001: import, export, transit declaration
FUNCTION_CODE = {"ORIGINAL": "9", "REPLACE": "5", "CANCEL": "1"}  # UNCL 1225
REPLACEMENT = FUNCTION_CODE["REPLACE"]
SUPPORTING_CODE = {  # UNCL 1001 document name codes; 851-853 per trade_data.md §2.1
    "PHYTO_CERTIFICATE": "851",
    "SANITARY_PERMIT": "852",
    "VETERINARY_CERTIFICATE": "853",
    "CERTIFICATE_OF_ORIGIN": "861",
    "IMPORT_LICENCE": "911",
    "EXPORT_LICENCE": "812",
}
OTHER_DOCUMENT = "999"
FLAGS = {"transit": "TR", "liveAnimals": "LA", "dangerousGoods": "DG", "requiresColdChain": "CC"}
PARTIES = {"declarant": "DT", "importer": "IM", "exporter": "EX", "consignor": "CZ", "consignee": "CN"}


def declaration_reference(submission_id: str, version: int) -> str:
    """The declarant's reference the customs system files the declaration under (an..35, stable per version)."""
    digest = hashlib.sha256(f"{submission_id}\x00{version}".encode()).hexdigest()[:20].upper()
    return f"NSW{digest}V{version}"


def _chunks(text: str, size: int, most: int) -> list[str]:
    pieces = [text[i : i + size] for i in range(0, len(text), size)] or [""]
    return pieces[:most]


def _stamp(rfc3339: str) -> str:
    return datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).strftime("%Y%m%d%H%M")


def _party(qualifier: str, party: Mapping[str, Any]) -> Segment:
    address = party["address"]
    return segment(
        "NAD",
        qualifier,
        [party["identificationNumber"], party["idScheme"], "ZZZ"],
        None,
        _chunks(party["name"], 35, 5),
        _chunks(address["streetAndNumber"], 35, 4),
        address["city"][:35],
        address.get("subdivision", ""),
        address.get("postcode", ""),
        address["country"],
    )


def _header(view: Mapping[str, Any], reference: str, replaces: str | None) -> list[Segment]:
    procedure = view.get("procedure") or {"direction": "IM", "procedureCode": "40", "previousProcedureCode": "00"}
    function = REPLACEMENT if replaces is not None else FUNCTION_CODE[view["functionCode"]]
    out = [
        segment("BGM", DOCUMENT_CODE[procedure["direction"]], reference, function),
        segment("DTM", ["137", _stamp(view["issuedAt"]), "203"]),
        segment(
            "CST",
            None,
            [procedure["direction"] + procedure["procedureCode"], "117", "ZZZ"],
            # A first procedure (a transit straight from the border) has none: "00", as the codes say.
            [procedure.get("previousProcedureCode") or "00", "117", "ZZZ"],
        ),
    ]
    if "customsOfficeOfDeclaration" in view:
        out.append(segment("LOC", "22", view["customsOfficeOfDeclaration"]))
    out += [segment("LOC", "35", view["exportCountry"]), segment("LOC", "28", view["destinationCountry"])]
    route = view["transport"].get("route", {})
    for qualifier, key in (("9", "placeOfLoading"), ("11", "placeOfUnloading")):
        if key in route:
            out.append(segment("LOC", qualifier, route[key]))
    out += [segment("GIS", [code, "ZZZ"]) for flag, code in FLAGS.items() if view["flags"].get(flag)]
    out += [segment("RFF", ["UCN", view["ucr"]]), segment("RFF", ["ABE", view["traderReference"]])]
    if replaces is not None:  # the declaration this one replaces (1153 ACW, as a CUSRES names its declaration)
        out.append(segment("RFF", ["ACW", replaces]))
    out += [_party(q, view[key]) for key, q in PARTIES.items() if key in view]
    means = view["transport"]["transportMeans"]
    vehicle = [means["registrationNumber"], "", "", means.get("make", ""), means["nationality"]]
    out.append(
        segment("TDT", "11", None, view["transport"]["modeOfTransportAtBorder"], None, None, None, None, vehicle)
    )
    if "invoiceAmount" in view:
        out.append(segment("MOA", ["39", view["invoiceAmount"]["amount"], view["invoiceAmount"]["currency"]]))
    out.append(segment("MEA", "WT", "G", ["KGM", view["totals"]["grossMassKg"]]))
    return out


def _item(item: Mapping[str, Any]) -> list[Segment]:
    code = item["commodityCode"].get("nationalCode") or item["commodityCode"]["hsCode"]
    value = item["statisticalValue"]
    out = [
        segment("CST", str(item["sequenceNumber"]), [code, "108", "ZZZ"]),
        segment("FTX", "AAA", None, None, split_text(item["description"])),
        segment("LOC", "27", item["originCountry"]),
        segment("MEA", "WT", "N", ["KGM", item["netMassKg"]]),
        segment("MEA", "WT", "G", ["KGM", item["grossMassKg"]]),
        segment("QTY", ["47", item["quantity"]["value"], item["quantity"]["unit"]]),
        segment("MOA", ["40", value["amount"], value["currency"]]),
    ]
    for document in item.get("supportingDocuments", []):
        out.append(segment("DOC", SUPPORTING_CODE.get(document["type"], OTHER_DOCUMENT), document["number"][:35]))
    return out


def build_cusdec(view: Mapping[str, Any], reference: str, replaces: str | None = None) -> list[Segment]:
    """The message's segments between UNH and UNT for one customs view.

    ``replaces`` names the declaration a new version replaces: function code 5 and RFF+ACW, so the customs
    system withdraws that one and assesses this one in its place.
    """
    items = [s for item in view["goodsItems"] for s in _item(item)]
    return [*_header(view, reference, replaces), segment("UNS", "D"), *items, segment("UNS", "S")]
