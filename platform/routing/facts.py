"""What routing looks at in a document, pulled out once: HS codes and flags per goods item, and the
consignment's flags, crossing points, countries and direction.

Paths follow the consignment schema (``message_specs/documents/consignment``). Other document types may
lack any of them; a missing field simply yields no fact, so rules that need it do not match.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def extract_facts(document_type: str, document: Mapping[str, Any]) -> DocumentFacts:
    """The routing facts of an already validated document."""
    raw_flags = _mapping(document.get("flags"))
    consignment_flags = frozenset(name for name in CONSIGNMENT_FLAGS if raw_flags.get(name) is True)
    direction_code = _text(_mapping(document.get("procedure")).get("direction"))
    return DocumentFacts(
        document_type=document_type,
        items=_items(document, consignment_flags),
        flags=consignment_flags,
        border_crossing_points=_crossing_points(document),
        destination_country=_text(document.get("destinationCountry")),
        export_country=_text(document.get("exportCountry")),
        direction=DIRECTIONS.get(direction_code or ""),
    )
