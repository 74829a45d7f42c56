"""How the stand-in's official veterinarian decides, so tests know what to expect from the shipped examples:
a commodity without the exporting country's veterinary certificate is not acceptable (re-dispatch); live
animals are acceptable on condition of quarantine; chilled goods get laboratory tests; the rest is acceptable.
With the script's ``query_first`` the veterinarian first requests information about the first commodity's
certificates and weight, and decides once answered."""

from __future__ import annotations

from typing import Any

from singlewindow.adapters.veterinary.ched_api import ChedNotification


def decide(notification: ChedNotification) -> dict[str, Any]:
    uncovered = [c.commodityDescription for c in notification.commodities if not c.veterinaryDocuments]
    if uncovered:
        return {
            "decision": "NOT_ACCEPTABLE",
            "reasons": [f"No veterinary certificate of the exporting country for: {'; '.join(uncovered)}"],
        }
    if notification.chedType == "CHED_A":
        return {
            "decision": "ACCEPTABLE_WITH_CONDITIONS",
            "conditions": ["Quarantine of 21 days at the place of destination under official supervision"],
        }
    if notification.temperature == "Chilled":
        return {"decision": "LABORATORY_TESTS", "reasons": ["Random sampling for laboratory tests"]}
    return {"decision": "ACCEPTABLE"}


def information_request(notification: ChedNotification) -> dict[str, Any]:
    """The request for information the veterinarian sends before deciding (script ``query_first``)."""
    first = notification.commodities[0]
    return {
        "decision": "INFORMATION_REQUESTED",
        "question": f"Please confirm the net weight and the veterinary certificate of {first.commodityDescription}",
        "fieldsConcerned": ["commodities/0/netWeightKg", "commodities/0/veterinaryDocuments"],
    }
