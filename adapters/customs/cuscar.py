"""A CUSCAR (customs cargo report) read into the hub's cargo-manifest model (message_specs cargo-manifest).

Segments read (samples/README.md explains each; D.96B structure, research trade_data.md §2.3):
header BGM (manifest number, function), DTM 137 issued / 132 expected arrival, RFF (the profile's UCR
code: the trip), LOC 41 border crossing point, 35 exit and 28 entry country, 42/43 customs offices of
exit and entry, NAD (the profile's CARRIER and DRIVER codes), TDT (mode, vehicle), EQD+TE trailers and
EQD+CN containers each followed by its SEL seals; then one CNI group per consignment: CNI (sequence,
transport document), RFF UCR, NAD consignor/consignee, LOC 35/28/9/11, MEA+WT+G its gross mass, SEL its
seals, and per goods line GID (packages), FTX+AAA, PIA (HS heading), MEA+WT+G. Totals come from CNT 5
(consignments), 11 (packages) and 7 (gross mass). CUSCAR has no seal type: seals read as type OTHER.
"""

from __future__ import annotations

from typing import Any

from singlewindow.adapters.customs.codeset import CodeSet
from singlewindow.adapters.customs.edifact import EdiMessage, EdiSegment, element, joined, where
from singlewindow.adapters.customs.message_reading import MessageReading
from singlewindow.adapters.formats import Problem

FUNCTIONS = {"9": "ORIGINAL", "5": "REPLACE", "1": "CANCEL"}  # UNCL 1225
MODES = {"1": "VESSEL", "2": "RAIL_WAGON", "3": "ROAD_VEHICLE", "4": "AIRCRAFT"}  # UN/ECE Rec 19
SEALERS = {"CU": "CUSTOMS", "SH": "SHIPPER", "CA": "CARRIER"}  # UNCL 9303
Json = dict[str, Any]


def _stamp(reading: MessageReading, qualifier: str, rule: str, what: str) -> str | None:
    at = reading.stamp(qualifier, rule, what)
    return None if at is None else at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _loc(segments: list[EdiSegment], qualifier: str) -> str | None:
    return next((element(s, 1) for s in segments if s.tag == "LOC" and element(s, 0) == qualifier), None)


def _party(nad: EdiSegment) -> Json:
    address = {
        "streetAndNumber": joined(nad, 4),
        "city": element(nad, 5),
        "subdivision": element(nad, 6),
        "postcode": element(nad, 7),
        "country": element(nad, 8),
    }
    return {
        "identificationNumber": element(nad, 1),
        "idScheme": element(nad, 1, 1),
        "name": joined(nad, 3),
        "address": {k: v for k, v in address.items() if v},
    }


def _mass(reading: MessageReading, segments: list[EdiSegment]) -> str | None:
    mea = next((s for s in segments if s.tag == "MEA" and element(s, 0) == "WT" and element(s, 1) == "G"), None)
    value = reading.number(mea, 2, 1, "gross mass") if mea is not None else None
    return None if value is None else f"{value:.3f}"


def _seals(segments: list[EdiSegment]) -> list[Json]:
    seals, equipment = [], None
    for seg in segments:
        if seg.tag == "EQD":
            equipment = element(seg, 1)
        elif seg.tag == "SEL":
            seal = {"number": element(seg, 0), "type": "OTHER", "affixedBy": SEALERS.get(element(seg, 1), "OTHER")}
            seals.append(seal | ({"equipmentId": equipment} if equipment else {}))
    return seals


def _split(segments: tuple[EdiSegment, ...], tag: str) -> tuple[list[EdiSegment], list[list[EdiSegment]]]:
    """The segments before the first ``tag``, and the groups each ``tag`` starts."""
    head: list[EdiSegment] = []
    groups: list[list[EdiSegment]] = []
    for seg in segments:
        if seg.tag == tag:
            groups.append([seg])
        elif groups:
            groups[-1].append(seg)
        else:
            head.append(seg)
    return head, groups


def _goods(reading: MessageReading, group: list[EdiSegment]) -> Json:
    gid = group[0]
    count = element(gid, 1)
    if not count.isascii() or not count.isdigit() or len(count) > 8:
        reading.problem(where(gid, 2, 1), "cuscar.packages", f"number of packages {count!r} is not n..8")
    pia = next((s for s in group if s.tag == "PIA"), None)
    ftx = next((s for s in group if s.tag == "FTX" and element(s, 0) == "AAA"), None)
    return {
        "description": joined(ftx, 3),
        "hsHeading": element(pia, 1),
        "packages": [{"typeCode": element(gid, 1, 1), "count": int(count) if count.isdigit() else 0}],
        "grossMassKg": _mass(reading, group),
    }


def _consignment(reading: MessageReading, group: list[EdiSegment]) -> Json:
    cni = group[0]
    own, goods = _split(tuple(group[1:]), "GID")
    parties = {c: reading.party(c, own) for c in ("CONSIGNOR", "CONSIGNEE")}
    for concept, nad in parties.items():
        if nad is None:
            wanted = reading.wanted(reading.codes.parties, concept)
            reading.problem(
                where(cni), "cuscar.party", f"consignment {element(cni, 0)} has no {concept.lower()} (NAD+{wanted})"
            )
    return {
        "sequenceNumber": int(element(cni, 0)) if element(cni, 0).isdigit() else element(cni, 0),
        "ucr": reading.reference("UCR", own),
        "transportDocumentNumber": element(cni, 1),
        "consignor": _party(parties["CONSIGNOR"]) if parties["CONSIGNOR"] else None,
        "consignee": _party(parties["CONSIGNEE"]) if parties["CONSIGNEE"] else None,
        "exportCountry": _loc(own, "35"),
        "destinationCountry": _loc(own, "28"),
        "placeOfLoading": _loc(own, "9"),
        "placeOfUnloading": _loc(own, "11"),
        "goods": [_goods(reading, g) for g in goods],
        "grossMassKg": _mass(reading, own),
        "sealNumbers": [s["number"] for s in _seals(own)],
    }


def _totals(reading: MessageReading, head: list[EdiSegment]) -> Json:
    """CNT 5 consignments, 11 packages (whole numbers) and 7 gross mass (with the interchange's decimal mark)."""
    cnt = {element(s, 0): s for s in head if s.tag == "CNT"}
    counts = {key: element(cnt.get(q), 0, 1) for key, q in (("consignmentCount", "5"), ("packageCount", "11"))}
    mass = reading.number(cnt["7"], 0, 1, "total gross mass") if "7" in cnt else None
    return {
        **{key: int(v) if v.isascii() and v.isdigit() and len(v) < 10 else v for key, v in counts.items()},
        "grossMassKg": None if mass is None else f"{mass:.3f}",
    }


def read_cuscar(message: EdiMessage, codes: CodeSet) -> tuple[Json | None, list[Problem]]:
    """The cargo manifest a CUSCAR reports, in the hub's model; or the problems that stop it."""
    reading = MessageReading(message, codes)
    bgm, _kind = reading.document_name({"CARGO_MANIFEST"})
    head, groups = _split(message.segments, "CNI")
    tdt = next((s for s in head if s.tag == "TDT"), None)
    carrier = reading.party("CARRIER", head)
    if carrier is None:
        reading.missing("cuscar.carrier", f"no carrier (NAD+{reading.wanted(codes.parties, 'CARRIER')})")
    if tdt is None:
        reading.missing("cuscar.transport", "no means of transport (TDT)")
    if not groups:
        reading.missing("cuscar.consignments", "no consignment (CNI)")
    manifest: Json = {
        "documentId": element(bgm, 1),
        "ucr": reading.reference("UCR", head),
        "issuedAt": _stamp(reading, "137", "cuscar.issued-at", "the manifest date"),
        "references": [],
        "functionCode": FUNCTIONS.get(element(bgm, 2), element(bgm, 2)),
        "carrier": _party(carrier) if carrier is not None else None,
        "transportMeans": {
            "type": MODES.get(element(tdt, 2), "OTHER"),
            "registrationNumber": element(tdt, 7),
            "nationality": element(tdt, 7, 4),
            **({"make": element(tdt, 7, 3)} if element(tdt, 7, 3) else {}),
        },
        "trailers": [
            {"registrationNumber": element(s, 1), "nationality": element(s, 1, 3)}
            for s in head
            if s.tag == "EQD" and element(s, 0) == "TE"
        ],
        "drivers": [
            {
                "name": joined(s, 3),
                "documentType": element(s, 1, 1),
                "documentNumber": element(s, 1),
                "nationality": element(s, 8),
            }
            for s in head
            if s.tag == "NAD" and codes.parties.get(element(s, 0)) == "DRIVER"
        ],
        "borderCrossingPoint": _loc(head, "41"),
        "exitCountry": _loc(head, "35"),
        "entryCountry": _loc(head, "28"),
        "customsOfficeOfExit": _loc(head, "42"),
        "customsOfficeOfEntry": _loc(head, "43"),
        "expectedArrivalAt": _stamp(reading, "132", "cuscar.arrival", "the expected arrival"),
        "containers": [
            {"containerNumber": element(s, 1), "sizeType": element(s, 2), "loaded": element(s, 5) != "4"}
            for s in head
            if s.tag == "EQD" and element(s, 0) == "CN"
        ],
        "seals": _seals(head),
        "consignments": [_consignment(reading, g) for g in groups],
        "totals": _totals(reading, head),
    }
    if reading.problems:
        return None, reading.problems
    return _without_empty(manifest), []


def _without_empty(value: Any) -> Any:
    """Absent optional values are left out, as the model writes them (None or '' never stands for 'absent')."""
    if isinstance(value, dict):
        return {k: _without_empty(v) for k, v in value.items() if v is not None and v != ""}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value
