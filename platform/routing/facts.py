"""What routing looks at in a document, pulled out once: HS codes and flags per goods item, and the
consignment's flags, crossing points, countries and direction.

Paths follow the consignment schema (``message_specs/documents/consignment``). The cross-border types
(cargo manifest, control result, phytosanitary certificate, TIR transit declaration and termination notice,
passenger currency declaration) say their countries and crossing points in fields of their own: ``CROSSINGS``
reads each. Other document types may lack any of them; a missing field simply yields no fact, so rules that
need it do not match.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# Flags a rule may name, and where each lives: on a goods item, on the consignment's ``flags``, or both.
ITEM_FLAGS: frozenset[str] = frozenset({"liveAnimals", "requiresColdChain", "dangerousGoods"})
CONSIGNMENT_FLAGS: frozenset[str] = frozenset({"liveAnimals", "requiresColdChain", "dangerousGoods", "transit"})
KNOWN_FLAGS: frozenset[str] = ITEM_FLAGS | CONSIGNMENT_FLAGS

# procedure.direction as written on the EAEU declaration -> the direction rules speak of.
DIRECTIONS: Mapping[str, str] = {"IM": "import", "EK": "export", "TR": "transit"}


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """One goods item: its position in ``goodsItems``, its HS code and the flags that hold for it."""

    index: int
    hs_code: str
    flags: frozenset[str]
    description: str


@dataclass(frozen=True, slots=True)
class DocumentFacts:
    """Everything a rule condition can test."""

    document_type: str
    items: tuple[ItemFacts, ...]
    flags: frozenset[str]
    border_crossing_points: frozenset[str]
    destination_country: str | None
    export_country: str | None
    direction: str | None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _item_flags(item: Mapping[str, Any], consignment_flags: frozenset[str]) -> frozenset[str]:
    """A flag holds for an item when the item sets it, or when the whole consignment does."""
    own = {
        name
        for name in ITEM_FLAGS
        if (item.get(name) is True) or (name == "dangerousGoods" and isinstance(item.get(name), Mapping))
    }
    return frozenset(own) | consignment_flags


def _items(document: Mapping[str, Any], consignment_flags: frozenset[str]) -> tuple[ItemFacts, ...]:
    raw = document.get("goodsItems")
    if not isinstance(raw, list):
        return ()
    items: list[ItemFacts] = []
    for index, value in enumerate(raw):
        item = _mapping(value)
        hs_code = _mapping(item.get("commodityCode")).get("hsCode")
        items.append(
            ItemFacts(
                index=index,
                hs_code=hs_code if isinstance(hs_code, str) else "",
                flags=_item_flags(item, consignment_flags),
                description=str(item.get("description", "")),
            )
        )
    return tuple(items)


def _crossing_points(document: Mapping[str, Any]) -> frozenset[str]:
    route = _mapping(_mapping(document.get("transport")).get("route"))
    crossings = route.get("borderCrossings")
    if not isinstance(crossings, list):
        return frozenset()
    points = (_mapping(c).get("borderCrossingPoint") for c in crossings)
    return frozenset(p for p in points if isinstance(p, str))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _office_country(value: object) -> str | None:
    """The country of a customs office code: its first two letters (``KZALA010`` -> ``KZ``)."""
    return value[:2] if isinstance(value, str) and len(value) >= 2 and value[:2].isalpha() else None


def _points(*values: object) -> frozenset[str]:
    return frozenset(value for value in values if isinstance(value, str))


def _reference_issuer(document: Mapping[str, Any], reference_type: str) -> str | None:
    """The issuing country of the first reference of ``reference_type``, if it names one."""
    references = document.get("references")
    for reference in references if isinstance(references, list) else ():
        if _mapping(reference).get("type") == reference_type:
            return _text(_mapping(reference).get("issuer"))
    return None


@dataclass(frozen=True, slots=True)
class _Crossing:
    """Where a cross-border document goes (destination), where it comes from (export) and through which
    border crossing points: each cross-border type says these in its own fields."""

    destination: str | None
    export: str | None
    points: frozenset[str]


def _cargo_manifest(document: Mapping[str, Any]) -> _Crossing:
    return _Crossing(
        _text(document.get("entryCountry")),
        _text(document.get("exitCountry")),
        _points(document.get("borderCrossingPoint")),
    )


def _control_result(document: Mapping[str, Any]) -> _Crossing:
    """The controlling country exports; the (optional) destinationCountry is where the goods go on to."""
    office = _mapping(document.get("controlOffice"))
    return _Crossing(
        _text(document.get("destinationCountry")),
        _text(document.get("controllingCountry")),
        _points(office.get("borderCrossingPoint")),
    )


def _phytosanitary_certificate(document: Mapping[str, Any]) -> _Crossing:
    """Addressed to the importing country's NPPO (ePhyto: the certificate goes to the importing country)."""
    exit_point, entry_point = _mapping(document.get("pointOfExit")), _mapping(document.get("pointOfEntry"))
    return _Crossing(
        _text(document.get("importCountry")),
        _text(document.get("exportCountry")),
        _points(exit_point.get("borderCrossingPoint"), entry_point.get("borderCrossingPoint")),
    )


def _tir_transit_declaration(document: Mapping[str, Any]) -> _Crossing:
    """Announced to the country of the office of destination (not the goods' final country, which may lie
    beyond it); from the country of the office of departure."""
    destination = _office_country(document.get("customsOfficeOfDestination"))
    departure = _office_country(document.get("customsOfficeOfDeparture"))
    return _Crossing(
        destination or _text(document.get("destinationCountry")),
        departure or _text(document.get("exportCountry")),
        frozenset(),
    )


def _transit_termination_notice(document: Mapping[str, Any]) -> _Crossing:
    """It must reach the office of departure, which discharges the transit: the country that issued the
    transit declaration it terminates (its TRANSIT_DECLARATION reference's issuer); it comes from the
    country of the terminating office."""
    return _Crossing(
        _reference_issuer(document, "TRANSIT_DECLARATION"),
        _office_country(document.get("customsOffice")),
        frozenset(),
    )


def _passenger_currency_declaration(document: Mapping[str, Any]) -> _Crossing:
    journey = _mapping(document.get("journey"))
    return _Crossing(
        _text(journey.get("destinationCountry")),
        _text(journey.get("departureCountry")),
        _points(document.get("borderCrossingPoint")),
    )


CROSSINGS: Mapping[str, Callable[[Mapping[str, Any]], _Crossing]] = {
    "cargo-manifest": _cargo_manifest,
    "control-result": _control_result,
    "phytosanitary-certificate": _phytosanitary_certificate,
    "tir-transit-declaration": _tir_transit_declaration,
    "transit-termination-notice": _transit_termination_notice,
    "passenger-currency-declaration": _passenger_currency_declaration,
}
"""Cross-border document types whose countries and crossing points live in fields of their own."""


def extract_facts(document_type: str, document: Mapping[str, Any]) -> DocumentFacts:
    """The routing facts of an already validated document."""
    raw_flags = _mapping(document.get("flags"))
    consignment_flags = frozenset(name for name in CONSIGNMENT_FLAGS if raw_flags.get(name) is True)
    direction_code = _text(_mapping(document.get("procedure")).get("direction"))
    crossing = CROSSINGS.get(document_type)
    if crossing is not None:
        found = crossing(document)
        destination, export, points = found.destination, found.export, found.points
    else:
        destination, export = _text(document.get("destinationCountry")), _text(document.get("exportCountry"))
        points = _crossing_points(document)
    return DocumentFacts(
        document_type=document_type,
        items=_items(document, consignment_flags),
        flags=consignment_flags,
        border_crossing_points=points,
        destination_country=destination,
        export_country=export,
        direction=DIRECTIONS.get(direction_code or ""),
    )
