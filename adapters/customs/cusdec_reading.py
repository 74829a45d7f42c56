"""A CUSDEC read back into the ``Declaration`` the customs system assesses, under a code-set profile.

The header gives the declaration (BGM: document name, number, message function), the declarant (NAD with
the profile's code for DECLARANT), the replaced declaration (RFF with its code for ANSWERED_MESSAGE) and
countries (LOC 35, 28); after UNS+D each goods item starts at CST. A cancellation (function 1) and an
answer to a query (11) carry no goods items: notices.py reads those. Every missing or malformed value is
its own problem at its own place.
"""

from __future__ import annotations

from decimal import Decimal

from singlewindow.adapters.customs.codeset import PROJECT, CodeSet, code_sets
from singlewindow.adapters.customs.declaration import CitedDocument, Declaration, DeclaredItem
from singlewindow.adapters.customs.edifact import EdifactError, EdiMessage, EdiSegment, element, joined, where
from singlewindow.adapters.customs.message_reading import MessageReading
from singlewindow.adapters.formats import Problem

DECLARATIONS = {"IMPORT_DECLARATION", "EXPORT_DECLARATION", "TRANSIT_DECLARATION"}


def _loc(segments: list[EdiSegment], qualifier: str) -> str | None:
    return next((element(s, 1) for s in segments if s.tag == "LOC" and element(s, 0) == qualifier), None)


def _sections(reading: MessageReading) -> tuple[list[EdiSegment], list[list[EdiSegment]]]:
    """The header segments and the goods items (each from its CST up to the next, or to UNS+S)."""
    segments = list(reading.message.segments)
    start = next((i for i, s in enumerate(segments) if s.tag == "UNS" and element(s, 0) == "D"), None)
    if start is None:
        reading.missing("cusdec.detail-section", "no detail section (UNS+D) before the goods items")
        return segments, []
    items: list[list[EdiSegment]] = []
    for seg in segments[start + 1 :]:
        if seg.tag == "UNS":
            break
        if seg.tag == "CST":
            items.append([seg])
        elif items:
            items[-1].append(seg)
    if not items:
        reading.problem(where(segments[start]), "cusdec.goods-items", "no goods item (CST) after UNS+D")
    return segments[:start], items


def read_cusdec(message: EdiMessage, codes: CodeSet) -> tuple[Declaration | None, list[Problem]]:
    """A CUSDEC declaration (function 9 original or 5 replacement) under ``codes``, or its problems."""
    reading = MessageReading(message, codes)
    bgm, _kind = reading.document_name(DECLARATIONS)
    reference = reading.text(bgm, 1, "cusdec.reference", "the declaration number (BGM 1004)") if bgm else ""
    function = reading.text(bgm, 2, "cusdec.function", "the message function (BGM 1225)") if bgm else ""
    header, groups = _sections(reading)
    declarant = reading.party("DECLARANT", header)
    if declarant is None or not element(declarant, 1):
        wanted = reading.wanted(codes.parties, "DECLARANT")
        place = where(declarant, 2, 1) if declarant is not None else message.where
        reading.problem(place, "cusdec.declarant", f"no identification of the declarant (NAD+{wanted})")
    items = [_item(reading, group) for group in groups]
    if reading.problems or bgm is None or declarant is None:
        return None, reading.problems
    importer = reading.party("IMPORTER", header)
    return Declaration(
        reference=reference,
        document_code=element(bgm, 0),
        function=function,
        declarant_id=element(declarant, 1),
        replaces=reading.reference("ANSWERED_MESSAGE", header),
        importer_id=element(importer, 1) or None,
        export_country=_loc(header, "35"),
        destination_country=_loc(header, "28"),
        items=tuple(item for item in items if item is not None),
    ), []


def _item(reading: MessageReading, group: list[EdiSegment]) -> DeclaredItem | None:
    cst = group[0]
    sequence = element(cst, 0)
    if not sequence.isascii() or not sequence.isdigit() or len(sequence) > 5:
        reading.problem(where(cst, 1), "cusdec.item-number", f"goods item number {sequence!r} is not n..5")
    mea = {element(s, 1): s for s in group if s.tag == "MEA" and element(s, 0) == "WT"}
    moa = next((s for s in group if s.tag == "MOA" and element(s, 0) == "40"), None)
    net = _measure(reading, mea.get("N"), cst, "cusdec.net-mass", "net mass (MEA+WT+N)")
    gross = _measure(reading, mea.get("G"), cst, "cusdec.gross-mass", "gross mass (MEA+WT+G)") if "G" in mea else net
    if moa is None:
        reading.problem(where(cst), "cusdec.value", f"goods item {sequence} has no customs value (MOA+40)")
    value = reading.number(moa, 0, 1, "customs value") if moa is not None else None
    if net is None or gross is None or value is None or moa is None or not sequence.isdigit():
        return None
    ftx = next((s for s in group if s.tag == "FTX" and element(s, 0) == "AAA"), None)
    return DeclaredItem(
        sequence=int(sequence),
        hs_code=element(cst, 1),
        description=joined(ftx, 3),
        origin_country=_loc(group, "27") or "",
        net_mass_kg=net,
        gross_mass_kg=gross,
        value=value,
        currency=element(moa, 0, 2),
        documents=tuple(CitedDocument(element(s, 0), element(s, 1)) for s in group if s.tag == "DOC"),
    )


def _measure(reading: MessageReading, mea: EdiSegment | None, cst: EdiSegment, rule: str, what: str) -> Decimal | None:
    if mea is None:
        reading.problem(where(cst), rule, f"goods item {element(cst, 0)} has no {what}")
        return None
    return reading.number(mea, 2, 1, what)


def parse_cusdec(message: EdiMessage) -> Declaration:
    """A CUSDEC in the project's own codes, as the customs system reads it; EdifactError lists each problem."""
    declaration, problems = read_cusdec(message, code_sets()[PROJECT])
    if declaration is None:
        raise EdifactError(*problems)
    return declaration
