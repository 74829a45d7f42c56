"""The veterinary view as a CHED notification, and CHED decisions as the hub's decisions (pure functions)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from singlewindow.adapters import DecisionStatus, DocumentRefused
from singlewindow.adapters.veterinary.adapter import local_reference, parse_local_reference
from singlewindow.adapters.veterinary.ched_api import ChedDecision
from singlewindow.adapters.veterinary.mapping import decision_draft, notification
from singlewindow.adapters.veterinary.standin.policy import decide
from singlewindow.platform.specs import Catalog

CALLBACK = "http://127.0.0.1:8092/webhooks/ched"


def view(stem: str) -> dict[str, Any]:
    path = next(p for p in Catalog().get("view-veterinary").valid_examples if stem in p.name)
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def test_frozen_beef_is_a_ched_p_with_its_certificate() -> None:
    ched = notification(view("beef"), "s1.v1.a1", CALLBACK)
    assert ched.chedType == "CHED_P" and ched.temperature == "Frozen"
    [commodity] = ched.commodities
    assert commodity.commodityID == "0202309000" and commodity.speciesName == "Bos taurus"
    assert commodity.netWeightKg == "18000.000" and commodity.numberOfPackages == 720
    assert [d.number for d in commodity.veterinaryDocuments] == ["KG-VET-F2-2026-004517"]
    assert ched.meansOfTransport.type == "Road Vehicle" and ched.countryOfDispatch == "KG"
    assert decide(ched) == {"decision": "ACCEPTABLE"}


def test_live_sheep_are_a_ched_a_counted_in_heads_and_not_acceptable_without_certificate() -> None:
    ched = notification(view("sheep"), "s2.v1.a1", CALLBACK)
    assert ched.chedType == "CHED_A" and ched.commodities[0].numberOfAnimals == 160
    assert decide(ched)["decision"] == "NOT_ACCEPTABLE"


def test_a_view_that_cannot_be_a_notification_is_refused() -> None:
    broken = view("beef")
    del broken["exporter"]["address"]
    with pytest.raises(DocumentRefused):
        notification(broken, "s1.v1.a1", CALLBACK)


@pytest.mark.parametrize(
    ("verdict", "status"),
    [
        ({"decision": "ACCEPTABLE"}, DecisionStatus.ACCEPTED),
        (
            {"decision": "ACCEPTABLE_WITH_CONDITIONS", "conditions": ["Quarantine 21 days"]},
            DecisionStatus.ACCEPTED_WITH_CONDITIONS,
        ),
        ({"decision": "NOT_ACCEPTABLE", "reasons": ["No certificate"]}, DecisionStatus.REJECTED),
        ({"decision": "LABORATORY_TESTS", "reasons": ["Sampling"]}, DecisionStatus.INSPECTION_REQUIRED),
    ],
)
def test_ched_decisions_map_to_hub_decisions(verdict: dict[str, Any], status: DecisionStatus) -> None:
    decision = ChedDecision.model_validate(
        {"eventId": "evt-1", "chedReference": "CHEDP.KZ.2026.0000001AB", "localReference": "s1.v1.a1",
         "officialVeterinarian": {"id": "KZ-OV-1", "name": "Dr. A"}, "decidedAt": "2026-11-28T05:00:00.000Z", **verdict}
    )  # fmt: skip
    draft = decision_draft(decision, "KZ")
    assert draft.status is status
    assert draft.key() == "ched-event:evt-1"  # the same webhook again is the same decision
    assert draft.references[0].id == "CHEDP.KZ.2026.0000001AB"


def test_local_references_round_trip_and_foreign_ones_are_refused() -> None:
    assert parse_local_reference(local_reference("s_ab.cd", 3, 2)) == ("s_ab.cd", 3)
    with pytest.raises(ValueError, match="not a local reference"):
        parse_local_reference("CUSTOMS.REF.123")
