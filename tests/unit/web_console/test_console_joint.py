"""The console's joint inspection: proposed from a document's page once two agencies require a RED-channel
inspection, accepted by the other agency's officer on its joint-inspections page, attendance and findings
recorded by each; each officer's page shows only its own agency's findings."""

from __future__ import annotations

from typing import Any

from singlewindow.platform.aggregation import Decision, DecisionStatus


async def red(console: Any, agency: str) -> None:
    body = {"status": "INSPECTION_REQUIRED", "channel": "RED"}
    decision = Decision(DecisionStatus.INSPECTION_REQUIRED, 1, "RED")
    await console.core.recipients.apply_decision(console.submission_id, 1, agency, decision, body, agency, agency)


async def officer(console: Any, who: str) -> str:
    """Signed in as ``who`` in a fresh session (as another officer's browser would be)."""
    console.portal.cookies.clear()
    csrf: str = await console.sign_in(who)
    return csrf


async def test_proposed_accepted_and_attended_in_the_console(console: Any) -> None:
    for agency in ("border-guard", "phytosanitary"):
        await red(console, agency)
    csrf = await console.sign_in("bg-officer")
    item = f"/console/items/{console.ticket}"
    assert 'id="joint-propose"' in (await console.portal.get(item)).text
    slot = {"csrf": csrf, "slotAt": "2099-03-01T09:30", "place": "Khorgos yard 3"}
    proposed = await console.portal.post(f"{item}/joint", data=slot)
    assert proposed.status_code == 303 and proposed.headers["location"] == "/console/joint#inspection-1"
    page = (await console.portal.get("/console/joint")).text
    assert "Joint inspection 1: " in page and "2099-03-01T09:30:00.000Z" in page and "Khorgos yard 3" in page
    assert "Accept the slot" not in page  # the proposer's agency took its own slot

    csrf = await officer(console, "phyto-officer")
    page = (await console.portal.get("/console/joint")).text
    assert "<td>PENDING</td>" in page and "Accept the slot" in page
    await console.portal.post("/console/joint/1/response", data={"csrf": csrf, "accept": "yes"})
    assert "Do the findings comply?" in (await console.portal.get("/console/joint")).text  # SCHEDULED now
    found = {"csrf": csrf, "attended": "yes", "findings": "no live pests", "compliant": "yes"}
    assert (await console.portal.post("/console/joint/1/attendance", data=found)).status_code == 303
    assert "no live pests" in (await console.portal.get("/console/joint")).text

    csrf = await officer(console, "bg-officer")
    seen = {"csrf": csrf, "attended": "yes", "findings": "seal intact", "compliant": "no"}
    await console.portal.post("/console/joint/1/attendance", data=seen)
    assert "None open." in (await console.portal.get("/console/joint")).text
    page = (await console.portal.get(item)).text
    assert "Joint inspection 1: " in page and "· COMPLETED</h3>" in page
    assert "seal intact" in page and "no live pests" not in page
    assert 'id="joint-propose"' in page  # none open: another may be proposed
    assert "<td>JOINT_INSPECTION_ACCEPTED</td>" in page  # the other agency's answer is in the shared history


async def test_a_proposal_the_hub_refuses_is_shown(console: Any) -> None:
    await red(console, "border-guard")
    csrf = await console.sign_in("bg-officer")
    slot = {"csrf": csrf, "slotAt": "2099-03-01T09:30", "place": "yard"}
    refused = await console.portal.post(f"/console/items/{console.ticket}/joint", data=slot)
    assert refused.status_code == 409 and "version 1 has only border-guard" in refused.text
