"""The CHED stand-in behaves like the real system on a submission's lifecycle (issue 12), run in-process:
a withdrawn CHED is never decided; a notification naming the CHED it replaces amends it while undecided and
otherwise makes a new CHED; with ``query_first`` the veterinarian requests information and decides once the
answer arrived; the request for information reaches the hub as a QUERY naming the view's fields."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from singlewindow.adapters import DecisionStatus
from singlewindow.adapters.standins import FaultScript, ScriptedFaults
from singlewindow.adapters.veterinary.ched_api import ChedDecision
from singlewindow.adapters.veterinary.mapping import decision_draft, notification, view_pointer
from singlewindow.adapters.veterinary.standin import ChedStore, build_app
from singlewindow.adapters.veterinary.standin.app import decision_document
from singlewindow.platform.specs import Catalog

CALLBACK = "http://127.0.0.1:9/webhooks/ched"


def request(local: str, replaces: str | None = None) -> dict[str, Any]:
    path = next(p for p in Catalog().get("view-veterinary").valid_examples if "beef" in p.name)
    view = json.loads(path.read_text())
    return notification(view, local, CALLBACK, replaces).model_dump(mode="json")


@pytest.fixture
async def system(tmp_path: Path) -> AsyncIterator[tuple[ChedStore, httpx.AsyncClient, ScriptedFaults]]:
    store = await ChedStore.open(str(tmp_path / "ched.db"))
    faults = ScriptedFaults(FaultScript(decide_after_seconds=0))
    transport = httpx.ASGITransport(app=build_app(store, faults))
    async with httpx.AsyncClient(transport=transport, base_url="http://ched") as http:
        yield store, http, faults
    await store.close()


async def test_a_withdrawn_ched_is_never_decided(system: Any) -> None:
    store, http, _ = system
    created = (await http.post("/ched", json=request("s1.v1.a1"))).json()
    assert [n.ched_reference for n in await store.due()] == [created["chedReference"]]
    withdrawn = await http.post(
        f"/ched/{created['chedReference']}/withdrawal", json={"reason": "cancelled: wrong truck"}
    )
    assert withdrawn.json()["status"] == "WITHDRAWN"
    assert await store.due() == []  # the veterinarian never picks it up again
    ucr = request("s1.v1.a1")["customsReferenceNumber"]
    listed = (await http.get("/ched", params={"customsReferenceNumber": ucr})).json()["cheds"]
    assert [(c["chedReference"], c["status"]) for c in listed] == [(created["chedReference"], "WITHDRAWN")]
    answered = await http.post(f"/ched/{created['chedReference']}/answers", json={"queryId": "q1", "answer": "x"})
    assert answered.status_code == 409
    assert (await http.post("/ched/CHEDP.XX/withdrawal", json={"reason": "x"})).status_code == 404
    assert (await http.post(f"/ched/{created['chedReference']}/withdrawal", json={"reason": ""})).status_code == 422


async def test_a_replacement_amends_an_undecided_ched_and_replaces_a_decided_one(system: Any) -> None:
    store, http, _ = system
    first = (await http.post("/ched", json=request("s1.v1.a1"))).json()
    amended = await http.post("/ched", json=request("s1.v2.a1", replaces=first["chedReference"]))
    assert amended.status_code == 201
    assert amended.json() == {
        "chedReference": first["chedReference"],
        "localReference": "s1.v2.a1",
        "status": "AMENDED",
    }
    [due] = await store.due()
    await store.set_decision(due.ched_reference, decision_document(due))
    decided = await store.get(due.ched_reference)
    assert decided is not None and decided.decision is not None
    assert decided.decision["localReference"] == "s1.v2.a1"  # the decision is for the new version

    replaced = (await http.post("/ched", json=request("s1.v3.a1", replaces=first["chedReference"]))).json()
    assert replaced["chedReference"] != first["chedReference"] and replaced["status"] == "SUBMITTED"
    old = await store.get(first["chedReference"])
    assert old is not None and old.status == "REPLACED" and old.replaced_by == replaced["chedReference"]
    again = await http.post("/ched", json=request("s1.v3.a1", replaces=first["chedReference"]))
    assert again.status_code == 200 and again.json()["chedReference"] == replaced["chedReference"]


async def test_a_decision_made_on_amended_content_is_dropped(system: Any) -> None:
    store, http, _ = system
    first = (await http.post("/ched", json=request("s1.v1.a1"))).json()
    [stale] = await store.due()  # the veterinarian read version 1 ...
    await http.post("/ched", json=request("s1.v2.a1", replaces=first["chedReference"]))  # ... it is amended ...
    await store.set_decision(stale.ched_reference, decision_document(stale))  # ... and decides on what it read
    found = await store.get(first["chedReference"])
    assert found is not None and found.decision is None and found.local_reference == "s1.v2.a1"


async def test_query_first_then_decided_once_answered(system: Any) -> None:
    store, http, faults = system
    faults.replace(FaultScript(decide_after_seconds=0, query_first=True))
    created = (await http.post("/ched", json=request("s1.v1.a1"))).json()
    [due] = await store.due()
    asked = decision_document(due, query_first=True)
    assert asked["decision"] == "INFORMATION_REQUESTED" and asked["fieldsConcerned"]
    await store.set_decision(due.ched_reference, asked)
    await store.callback_result(due.ched_reference, delivered=True, sent=1, retry_after=0)
    assert await store.due() == []

    answer = {"queryId": "s1.v1.veterinary.q1", "answer": "Net weight 18000 kg, certificate CN-VET-2026-77"}
    assert (await http.post(f"/ched/{created['chedReference']}/answers", json=answer)).json()["recorded"] is True
    assert (await http.post(f"/ched/{created['chedReference']}/answers", json=answer)).json()["recorded"] is False
    [reopened] = await store.due()
    assert reopened.answers[0]["answer"].startswith("Net weight")
    await store.set_decision(reopened.ched_reference, decision_document(reopened, query_first=True))
    decided = await store.get(reopened.ched_reference)
    assert decided is not None and decided.decision is not None and decided.decision["decision"] == "ACCEPTABLE"


def test_a_request_for_information_is_a_query_naming_the_view_fields() -> None:
    asked = ChedDecision.model_validate(
        {
            "eventId": "evt-1", "chedReference": "CHEDP.KZ.2026.0000001", "localReference": "s1.v1.a1",
            "decision": "INFORMATION_REQUESTED", "question": "Confirm the net weight",
            "fieldsConcerned": ["commodities/0/netWeightKg"],
            "officialVeterinarian": {"id": "KZ-OV-1", "name": "Dr. A"}, "decidedAt": "2026-12-01T10:00:00.000Z",
        }
    )  # fmt: skip
    draft = decision_draft(asked, "KZ")
    assert draft.status is DecisionStatus.QUERY and draft.query is not None
    assert draft.query.fields == ("/goodsItems/0/netMassKg",) and draft.query.question == "Confirm the net weight"
    assert view_pointer("commodities/1/veterinaryDocuments") == "/goodsItems/1/supportingDocuments"
