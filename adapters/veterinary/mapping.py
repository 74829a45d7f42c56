"""The veterinary view of a consignment as a CHED notification, and a CHED decision as the hub's decision.

Pure functions: the view comes from the hub (already valid against ``view-veterinary``), so a view that
still cannot make a notification is refused as a document, not retried.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from singlewindow.adapters import (
    Condition,
    DecisionDraft,
    DecisionStatus,
    DocumentRefused,
    Officer,
    Query,
    Reason,
    Reference,
)
from singlewindow.adapters.veterinary.ched_api import ChedDecision, ChedNotification

_MEANS = {"ROAD_VEHICLE": "Road Vehicle", "RAIL_WAGON": "Railway Wagon", "TRAIN": "Railway Wagon",
          "AIRCRAFT": "Aeroplane", "VESSEL": "Ship"}  # fmt: skip
FROZEN_AT_OR_BELOW = -10.0


def _operator(party: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "companyName": party["name"],
        "country": party["address"]["country"],
        "identifier": party.get("identificationNumber"),
    }


def _temperature(items: list[Mapping[str, Any]]) -> str:
    ranges = [
        item["temperatureRange"] for item in items if item.get("requiresColdChain") and "temperatureRange" in item
    ]
    if not any(item.get("requiresColdChain") for item in items):
        return "Ambient"
    return "Frozen" if ranges and max(r["maxCelsius"] for r in ranges) <= FROZEN_AT_OR_BELOW else "Chilled"


def _commodity(item: Mapping[str, Any]) -> dict[str, Any]:
    code = item["commodityCode"]
    animals = item["quantity"]["value"] if item["quantity"]["unit"] in ("NAR", "HEA") else None
    return {
        "commodityID": code.get("nationalCode", code["hsCode"]),
        "commodityDescription": item["description"],
        "speciesName": item.get("scientificName"),
        "netWeightKg": item["netMassKg"],
        "numberOfPackages": sum(p["count"] for p in item["packages"]),
        "numberOfAnimals": int(float(animals)) if animals is not None else None,
        "countryOfOrigin": item["originCountry"],
        "veterinaryDocuments": [
            {"number": d["number"], "issuerCountry": d["issuerCountry"], "issueDate": d.get("issueDate")}
            for d in item.get("supportingDocuments", [])
            if d["type"] == "VETERINARY_CERTIFICATE"
        ],
    }


def notification(
    view: Mapping[str, Any], local_reference: str, callback_url: str, replaces: str | None = None
) -> ChedNotification:
    """The CHED notification (part I) for one veterinary view; DocumentRefused when it cannot be made.

    ``replaces``: the CHED of the previous version (amended in place while undecided, else replaced)."""
    items = list(view["goodsItems"])
    transport = view["transport"]
    entries = [c for c in transport.get("route", {}).get("borderCrossings", []) if c["direction"] == "ENTRY"]
    means = transport.get("transportMeans", {})
    live = view["flags"].get("liveAnimals", False) or any(item.get("liveAnimals") for item in items)
    seals = [
        {"sealNumber": s["number"], "officialSeal": s.get("affixedBy") == "CUSTOMS"} for s in transport.get("seals", [])
    ]
    containers = [{"containerNumber": c["containerNumber"]} for c in transport.get("containers", [])]
    try:
        return ChedNotification.model_validate(
            {
                "localReference": local_reference,
                "chedType": "CHED_A" if live else "CHED_P",
                "customsReferenceNumber": view["ucr"],
                "consignor": _operator(view.get("consignor") or view["exporter"]),
                "consignee": _operator(view.get("consignee") or view["importer"]),
                "countryOfDispatch": view["exportCountry"],
                "pointOfEntry": entries[-1]["borderCrossingPoint"] if entries else None,
                "meansOfTransport": {
                    "type": _MEANS.get(means.get("type", ""), "Other"),
                    "id": means.get("registrationNumber") or means.get("identification") or "UNKNOWN",
                },
                "sealsContainers": seals + containers,
                "temperature": _temperature(items),
                "commodities": [_commodity(item) for item in items],
                "callbackUrl": callback_url,
                "replacesChedReference": replaces,
            }
        )
    except (KeyError, ValueError) as exc:
        raise DocumentRefused(f"the veterinary view cannot be sent as a CHED notification: {exc}") from exc


def _codes(prefix: str, texts: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(f"{prefix}{n}", text) for n, text in enumerate(texts, start=1)]


def decision_draft(decision: ChedDecision, issuer_country: str) -> DecisionDraft:
    """Part II of the CHED as the hub's decision; the webhook's ``eventId`` makes a repeat a no-op."""
    if decision.decision == "INFORMATION_REQUESTED":
        return _query(decision, issuer_country)
    status = {
        "ACCEPTABLE": DecisionStatus.ACCEPTED,
        "ACCEPTABLE_WITH_CONDITIONS": DecisionStatus.ACCEPTED_WITH_CONDITIONS,
        "NOT_ACCEPTABLE": DecisionStatus.REJECTED,
        "LABORATORY_TESTS": DecisionStatus.INSPECTION_REQUIRED,
    }[decision.decision]  # fmt: skip
    conditions = [Condition(code=c, text=t) for c, t in _codes("VET-C", decision.conditions)]
    reasons = [Reason(code=c, text=t) for c, t in _codes("VET-R", decision.reasons)]
    vet = decision.officialVeterinarian
    return DecisionDraft(
        status=status,
        conditions=tuple(conditions) if status is DecisionStatus.ACCEPTED_WITH_CONDITIONS else (),
        reasons=tuple(reasons),
        officer=Officer(id=vet.id[:35], name=vet.name[:70]),
        references=(Reference(type="VETERINARY_CERTIFICATE", id=decision.chedReference, issuer=issuer_country),),
        decided_at=datetime.fromisoformat(decision.decidedAt.replace("Z", "+00:00")),
        idempotency_key=f"ched-event:{decision.eventId}",
    )


# CHED field names and the veterinary view's: a request for information names the view's fields.
_VIEW_FIELDS = {"commodities": "goodsItems", "netWeightKg": "netMassKg",
                "veterinaryDocuments": "supportingDocuments", "numberOfPackages": "packages",
                "commodityID": "commodityCode", "countryOfOrigin": "originCountry"}  # fmt: skip


def view_pointer(ched_path: str) -> str:
    """``commodities/0/netWeightKg`` as the view's JSON pointer ``/goodsItems/0/netMassKg``."""
    return "/" + "/".join(_VIEW_FIELDS.get(part, part) for part in ched_path.strip("/").split("/"))


def _query(decision: ChedDecision, issuer_country: str) -> DecisionDraft:
    """A request for information is the hub's QUERY: the question, and the fields concerned as JSON pointers
    into the view."""
    question = decision.question or "The official veterinarian requests more information"
    vet = decision.officialVeterinarian
    return DecisionDraft(
        status=DecisionStatus.QUERY,
        query=Query.about(question, (view_pointer(path) for path in decision.fieldsConcerned)),
        officer=Officer(id=vet.id[:35], name=vet.name[:70]),
        references=(Reference(type="VETERINARY_CERTIFICATE", id=decision.chedReference, issuer=issuer_country),),
        decided_at=datetime.fromisoformat(decision.decidedAt.replace("Z", "+00:00")),
        idempotency_key=f"ched-event:{decision.eventId}",
    )
