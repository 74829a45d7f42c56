"""The stand-in agencies' decisions: a few readable rules, one line each, first match wins.

An agency with no matching rule accepts (customs with the GREEN channel). The rules read only what the
agency's view carries, as a real agency system would: the veterinary stand-in sees the animal goods items,
the phytosanitary one the plant goods items, customs the whole consignment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

View = Mapping[str, Any]

INSPECTION_SECONDS = 0.4
"""How long the demo's customs 'inspection' takes before customs revises RED to ACCEPTED."""


def _items(view: View) -> Iterable[Mapping[str, Any]]:
    items: list[Mapping[str, Any]] = view.get("goodsItems") or []
    return items


def _has_document(item: Mapping[str, Any], document_type: str) -> bool:
    return any(doc.get("type") == document_type for doc in item.get("supportingDocuments") or [])


def _hs_chapter(item: Mapping[str, Any]) -> str:
    return str(item.get("commodityCode", {}).get("hsCode", ""))[:2]


def live_animals_without_certificate(view: View) -> bool:
    return any(_hs_chapter(i) == "01" and not _has_document(i, "VETERINARY_CERTIFICATE") for i in _items(view))


def animal_products_without_certificate(view: View) -> bool:
    return any(not _has_document(i, "VETERINARY_CERTIFICATE") for i in _items(view))


def plant_goods_without_certificate(view: View) -> bool:
    return any(not _has_document(i, "PHYTO_CERTIFICATE") for i in _items(view))


def fresh_fruit_or_vegetables(view: View) -> bool:
    return any(_hs_chapter(i) in ("07", "08") for i in _items(view))


def in_transit(view: View) -> bool:
    return (view.get("procedure") or {}).get("direction") == "TR" or bool((view.get("flags") or {}).get("transit"))


WATCH_LIST = frozenset({"6KZ151140021876-BEF2611004"})
"""Consignments the border guard looks at twice: its officer asks a question before deciding."""
BORDER_GUARD_QUESTION = "Which trailer carries the load, and what is the reefer unit's seal number?"


INSPECTION_LIST = frozenset({"6KZ151140021876-BEF2611005"})
"""Trucks the border guard inspects (the reefer unit x-rayed); the officers hold them until it is done."""
BORDER_GUARD_INSPECTION = "The reefer unit is x-rayed before the truck may pass."


def on_watch_list(view: View) -> bool:
    return view.get("ucr") in WATCH_LIST


def on_inspection_list(view: View) -> bool:
    return view.get("ucr") in INSPECTION_LIST


@dataclass(frozen=True, slots=True)
class Rule:
    """When ``applies`` to an agency's view, the agency decides ``status`` and says why (``code``, ``text``)."""

    agency: str
    applies: Callable[[View], bool]
    status: str
    code: str
    text: str
    channel: str | None = None

    def decision(self) -> tuple[str, dict[str, Any]]:
        note = [{"code": self.code, "text": self.text}]
        extra: dict[str, Any] = {"conditions": note} if self.status == "ACCEPTED_WITH_CONDITIONS" else {"reasons": note}
        if self.status == "QUERY":
            extra = {"query": {"question": self.text}}
        if self.channel:
            extra["channel"] = self.channel
        return self.status, extra


# fmt: off
RULES: tuple[Rule, ...] = (
    Rule("veterinary", live_animals_without_certificate, "REJECTED", "VET-NO-CERT", "Live animals (HS 01) need the exporting country's veterinary certificate; the submission lists none."),  # noqa: E501
    Rule("veterinary", animal_products_without_certificate, "REJECTED", "VET-NO-CERT", "Goods of animal origin need a veterinary certificate; a goods item lists none."),  # noqa: E501
    Rule("phytosanitary", plant_goods_without_certificate, "REJECTED", "PQ-NO-CERT", "Plant products need the exporting country's phytosanitary certificate; a goods item lists none."),  # noqa: E501
    Rule("phytosanitary", fresh_fruit_or_vegetables, "ACCEPTED_WITH_CONDITIONS", "PQ-DEST-CHECK", "Keep the goods at the declared destination until the quarantine inspector's follow-up check."),  # noqa: E501
    Rule("border-guard", on_watch_list, "QUERY", "BG-WATCH", BORDER_GUARD_QUESTION),
    Rule("border-guard", on_inspection_list, "INSPECTION_REQUIRED", "BG-XRAY", BORDER_GUARD_INSPECTION),
    Rule("customs", in_transit, "INSPECTION_REQUIRED", "RMS-TR.01", "Transit under TIR: seals and load are checked physically at the border.", channel="RED"),  # noqa: E501
)
# fmt: on


def matching_rule(agency: str, view: View) -> Rule | None:
    return next((rule for rule in RULES if rule.agency == agency and rule.applies(view)), None)


def demo_policy(agency: str, view: View) -> tuple[str, dict[str, Any]]:
    """The stand-in's first decision (an AutoDecider ``DecisionPolicy``)."""
    rule = matching_rule(agency, view)
    if rule is not None:
        return rule.decision()
    return "ACCEPTED", ({"channel": "GREEN"} if agency == "customs" else {})


def demo_revision(agency: str, view: View, first_status: str) -> tuple[float, str, dict[str, Any]] | None:
    """Inspection done: customs, having asked for an inspection, accepts after a short while (higher
    sequence). The border guard's x-ray takes longer than the demo: its truck stays held until cancelled."""
    if first_status == "INSPECTION_REQUIRED" and agency == "customs":
        return INSPECTION_SECONDS, "ACCEPTED", {}
    return None
