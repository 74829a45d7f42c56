"""Issue 12 for the phytosanitary adapter on the embedded hub, with the plant-protection stand-in as a
separate process: the import check filed in the system's register can ask the trader first and is decided
once the answer arrived; it is abandoned on cancel (never decided afterwards) and redone on an amendment
(the old check REPLACED); the register itself refuses answers to ended checks."""

from __future__ import annotations

from typing import Any

import httpx

from .test_phytosanitary_embedded import WAIT, decision_of, with_ephyto


async def checks(phyto: Any, ucr: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=phyto.standin.url) as http:
        listed = (await http.get("/import-checks", params={"customsReferenceNumber": ucr})).json()["checks"]
    return list(listed)


async def test_query_first_then_decided_once_answered(phyto: Any) -> None:
    await phyto.standin.set_script(query_first=True)
    submission_id = await phyto.harness.submit(await with_ephyto(phyto, "valid-apples-cn-to-kz.xml"))
    view = await phyto.harness.wait_recipient(submission_id, "QUERY", within=WAIT)
    query = decision_of(view)["query"]
    assert query["fields"] == ["/goodsItems/0/scientificName", "/goodsItems/0/netMassKg"]
    assert "fields concerned" not in query["question"]
    await phyto.harness.respond(submission_id, "Malus domestica, 19 800 kg as certified")
    view = await phyto.harness.wait_recipient(submission_id, "ACCEPTED", within=WAIT)
    assert [d["status"] for d in await phyto.harness.decisions(submission_id)] == ["QUERY", "ACCEPTED"]
    [check] = await checks(phyto, view.ucr)
    assert check["status"] == "DECIDED"


async def test_an_amendment_redoes_the_check_and_a_cancel_abandons_it(phyto: Any) -> None:
    await phyto.standin.set_script(query_first=True)  # the checks wait for the trader: nothing decided
    document = await with_ephyto(phyto, "valid-apples-cn-to-kz.xml")
    submission_id = await phyto.harness.submit(document)
    view = await phyto.harness.wait_recipient(submission_id, "QUERY", within=WAIT)
    [first] = await checks(phyto, view.ucr)

    amended = dict((await phyto.harness.embedded.hub.submissions.version(submission_id, 1)).document)
    amended["goodsItems"] = [{**amended["goodsItems"][0], "description": "Fresh apples, second grade"}]
    await phyto.harness.amend(submission_id, amended)

    async def redone() -> bool:
        return len(await checks(phyto, view.ucr)) == 2

    await phyto.harness.until(redone, within=WAIT)
    old, new = await checks(phyto, view.ucr)
    assert old["checkReference"] == first["checkReference"] and old["status"] == "REPLACED"
    assert new["status"] == "QUERY" and ".v2." in new["localReference"]

    await phyto.harness.embedded.hub.intake.cancel(phyto.harness.trader, submission_id, "cancelled: wrong truck")

    async def abandoned() -> bool:
        return [c["status"] for c in await checks(phyto, view.ucr)] == ["REPLACED", "ABANDONED"]

    await phyto.harness.until(abandoned, within=WAIT)
    async with httpx.AsyncClient(base_url=phyto.standin.url) as http:
        late = await http.post(f"/import-checks/{new['checkReference']}/answers", json={"queryId": "q", "answer": "x"})
    assert late.status_code == 409  # an abandoned check is never decided
    assert (await phyto.harness.status(submission_id)).status.value == "CANCELLED"
