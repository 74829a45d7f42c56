"""What the officer console adds to the officer API: the queue listed, one document claimed and released by
hand, and every officer action in the agency's part of the submission's history with the officer's id."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from singlewindow.platform.routing import decide, project
from singlewindow.platform.specs import Catalog


async def queued_ticket(env: Any, document: dict[str, Any]) -> int:
    submission_id, _ = await env.submit(document)
    tables = env.embedded.hub.tables()
    route = next(r for r in decide(tables, "consignment", document).recipients if r.recipient == "border-guard")
    view = dict(project(tables.views.get(route.view), document, route.items, submission_id, 1, "border-guard"))
    answer = await env.http.post("/v1/officer/queue", json={"document": view}, headers=env.auth("bg-adapter"))
    ticket: int = answer.json()["ticket"]
    return ticket


async def test_claim_release_decide_and_the_history(env: Any, example: Callable[[str], dict[str, Any]]) -> None:
    ticket = await queued_ticket(env, example("apples"))
    one, two = env.auth("bg-officer-1"), env.auth("bg-officer-2")
    listed = (await env.http.get("/v1/officer/queue", headers=one)).json()["documents"]
    assert [(d["ticket"], d["claimedBy"]) for d in listed] == [(ticket, None)]

    claimed = await env.http.post(f"/v1/officer/queue/{ticket}/claim", headers=one)
    assert claimed.status_code == 200 and claimed.json()["claimedBy"] == env.principals["bg-officer-1"].id
    taken = await env.http.post(f"/v1/officer/queue/{ticket}/claim", headers=two)
    assert taken.status_code == 409 and "claimed by another officer" in taken.json()["message"]
    assert (await env.http.post(f"/v1/officer/queue/{ticket}/release", headers=two)).status_code == 409
    assert (await env.http.post(f"/v1/officer/queue/{ticket}/release", headers=one)).json()["claimedBy"] is None
    assert (await env.http.post(f"/v1/officer/queue/{ticket}/claim", headers=two)).status_code == 200
    decision = {"ticket": ticket, "status": "INSPECTION_REQUIRED", "channel": "RED"}
    assert (await env.http.post("/v1/officer/decisions", json=decision, headers=two)).status_code == 201
    assert (await env.http.get("/v1/officer/queue", headers=one)).json()["documents"] == []

    arrival = json.loads(
        next(p for p in Catalog().get("border-event").valid_examples if "arrival" in p.name).read_text()
    )
    assert (await env.http.post("/v1/border-events", json=arrival, headers=one)).status_code == 201
    history = (await env.http.get(f"/v1/officer/queue/{ticket}/history", headers=one)).json()["events"]
    actions = [(e["kind"], e["actor"], e["detail"].get("status")) for e in history if e["kind"] != "TRANSPORT"]
    ids = {name: env.principals[name].id for name in ("bg-officer-1", "bg-officer-2")}
    assert actions == [
        ("OFFICER_CLAIMED", ids["bg-officer-1"], None),
        ("OFFICER_RELEASED", ids["bg-officer-1"], None),
        ("OFFICER_CLAIMED", ids["bg-officer-2"], None),
        ("OFFICER_DECIDED", ids["bg-officer-2"], "INSPECTION_REQUIRED"),
        ("BORDER_EVENT", ids["bg-officer-1"], None),
    ]
    assert {e["agency"] for e in history} == {"border-guard"}  # another agency's part is not shown
    assert history[-1]["detail"]["eventType"] == "ARRIVAL"


async def test_another_agency_cannot_claim_or_read(env: Any, example: Callable[[str], dict[str, Any]]) -> None:
    ticket = await queued_ticket(env, example("apples"))
    vet = env.auth("vet-officer")
    assert (await env.http.post(f"/v1/officer/queue/{ticket}/claim", headers=vet)).status_code == 404
    assert (await env.http.get(f"/v1/officer/queue/{ticket}/history", headers=vet)).status_code == 404
    assert (await env.http.get("/v1/officer/queue", headers=env.auth("trader"))).status_code == 403
