"""Joint (one-stop) inspections over the agency services API: proposed when two agencies require a
RED-channel inspection, answered by an officer or an agency's adapter, attendance and findings recorded per
agency (each reads only its own findings), every action in the history with the acting principal's id."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from singlewindow.platform.aggregation import Decision, DecisionStatus

SLOT = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat()


async def red(env: Any, submission_id: str, agency: str) -> None:
    """The agency's current decision: a physical inspection on the RED channel."""
    decision = Decision(DecisionStatus.INSPECTION_REQUIRED, 1, "RED")
    body = {"status": "INSPECTION_REQUIRED", "channel": "RED", "reasons": [{"code": "R1", "text": "secret rule"}]}
    await env.embedded.hub.recipients.apply_decision(submission_id, 1, agency, decision, body, agency, f"m-{agency}")


async def routed(env: Any, example: Callable[[str], dict[str, Any]]) -> str:
    submission_id, recipients = await env.submit(example("apples"))
    assert {"border-guard", "phytosanitary"} <= set(recipients) and "veterinary" not in recipients
    await red(env, submission_id, "border-guard")
    return submission_id


async def test_proposed_answered_attended_and_in_the_history(
    env: Any, example: Callable[[str], dict[str, Any]]
) -> None:
    submission_id = await routed(env, example)
    officer, adapter = env.auth("bg-officer-1"), env.auth("phyto-adapter")
    proposal = {"submissionId": submission_id, "slotAt": SLOT, "place": "KZ Khorgos yard 3"}
    alone = await env.http.post("/v1/joint-inspections", json=proposal, headers=officer)
    assert alone.status_code == 409 and "version 1 has only border-guard" in alone.json()["message"]

    await red(env, submission_id, "phytosanitary")
    proposed = await env.http.post("/v1/joint-inspections", json=proposal, headers=officer)
    assert proposed.status_code == 201
    inspection = proposed.json()
    assert (inspection["status"], inspection["proposingAgency"], inspection["place"]) == (
        "PROPOSED", "border-guard", "KZ Khorgos yard 3",
    )  # fmt: skip
    assert [(p["agency"], p["response"]) for p in inspection["parties"]] == [
        ("border-guard", "ACCEPTED"), ("phytosanitary", "PENDING"),
    ]  # fmt: skip
    again = await env.http.post("/v1/joint-inspections", json=proposal, headers=env.auth("bg-officer-2"))
    assert again.status_code == 409 and "already PROPOSED" in again.json()["message"]

    path = f"/v1/joint-inspections/{inspection['id']}"
    listed = (await env.http.get("/v1/joint-inspections", headers=adapter)).json()["inspections"]
    assert [i["id"] for i in listed] == [inspection["id"]]  # the adapter sees the proposal as the console does
    early = await env.http.post(f"{path}/attendance", json={"attended": True}, headers=officer)
    assert early.status_code == 409 and "is PROPOSED" in early.json()["message"]
    accepted = await env.http.post(f"{path}/response", json={"accept": True}, headers=adapter)
    assert accepted.json()["status"] == "SCHEDULED"
    twice = await env.http.post(f"{path}/response", json={"accept": False, "reason": "late"}, headers=adapter)
    assert twice.status_code == 409

    seen = {"attended": True, "findings": "seal 4411 intact"}
    assert (await env.http.post(f"{path}/attendance", json=seen, headers=officer)).json()["status"] == "SCHEDULED"
    found = {"attended": True, "findings": "no live pests found"}
    done = (await env.http.post(f"{path}/attendance", json=found, headers=adapter)).json()
    assert (done["status"], done["findings"]) == ("COMPLETED", "no live pests found")
    assert [(p["agency"], p["attended"]) for p in done["parties"]] == [("border-guard", True), ("phytosanitary", True)]
    as_border_guard = (await env.http.get(path, headers=officer)).text
    assert "seal 4411 intact" in as_border_guard and "no live pests" not in as_border_guard
    assert "secret rule" not in as_border_guard + str(done)  # never another agency's criteria

    events = await env.embedded.hub.events.of(submission_id)
    joint = [(e.kind, e.actor, e.recipient) for e in events if e.kind.startswith("JOINT_INSPECTION")]
    ids = {name: env.principals[name].id for name in ("bg-officer-1", "phyto-adapter")}
    assert joint == [
        ("JOINT_INSPECTION_PROPOSED", ids["bg-officer-1"], "border-guard"),
        ("JOINT_INSPECTION_ACCEPTED", ids["phyto-adapter"], "phytosanitary"),
        ("JOINT_INSPECTION_ATTENDED", ids["bg-officer-1"], "border-guard"),
        ("JOINT_INSPECTION_ATTENDED", ids["phyto-adapter"], "phytosanitary"),
    ]
    assert all("findings" not in e.detail for e in events)  # the shared history carries no findings


async def test_declined_slot_and_who_may_see_it(env: Any, example: Callable[[str], dict[str, Any]]) -> None:
    submission_id = await routed(env, example)
    await red(env, submission_id, "phytosanitary")
    officer, adapter = env.auth("bg-officer-1"), env.auth("phyto-adapter")
    past = {"submissionId": submission_id, "slotAt": "2020-01-01T08:00:00Z", "place": "yard"}
    refused = await env.http.post("/v1/joint-inspections", json=past, headers=officer)
    assert refused.status_code == 422 and refused.json()["problems"][0]["path"] == "/slotAt"
    proposal = {**past, "slotAt": SLOT}
    vet = await env.http.post("/v1/joint-inspections", json=proposal, headers=env.auth("vet-officer"))
    assert vet.status_code == 404  # not routed to the veterinary service: it does not learn the submission
    trader = await env.http.post("/v1/joint-inspections", json=proposal, headers=env.auth("trader"))
    assert trader.status_code == 403
    inspection = (await env.http.post("/v1/joint-inspections", json=proposal, headers=officer)).json()
    path = f"/v1/joint-inspections/{inspection['id']}"
    assert (await env.http.get(path, headers=env.auth("vet-officer"))).status_code == 404

    for unclear in ({"accept": False}, {"accept": True, "reason": "fine"}):
        refused = await env.http.post(f"{path}/response", json=unclear, headers=adapter)
        assert refused.status_code == 422 and "exactly when the slot is declined" in refused.text
    declined = await env.http.post(
        f"{path}/response", json={"accept": False, "reason": "inspector away until Friday"}, headers=adapter
    )
    assert declined.json()["status"] == "DECLINED"
    assert declined.json()["parties"][1]["declineReason"] == "inspector away until Friday"
    assert (await env.http.get("/v1/joint-inspections", headers=officer)).json()["inspections"] == []
    by_submission = await env.http.get("/v1/joint-inspections", params={"submissionId": submission_id}, headers=officer)
    assert [i["status"] for i in by_submission.json()["inspections"]] == ["DECLINED"]
    assert (await env.http.post("/v1/joint-inspections", json=proposal, headers=officer)).status_code == 201
