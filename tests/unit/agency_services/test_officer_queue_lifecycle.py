"""The officer queue follows the submission (issue 12): a cancelled version leaves the queue (an unclaimed
item at once; a claimed one is flagged to its officer, who cannot decide on it), a new version replaces the
old item, and a trader's answer puts the item back in front of the officers with the answer shown."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from singlewindow.platform.officers import OfficerQueue
from singlewindow.platform.routing import decide, project


async def routed_view(env: Any, document: dict[str, Any], submission_id: str, version: int) -> dict[str, Any]:
    tables = env.embedded.hub.tables()
    route = next(r for r in decide(tables, "consignment", document).recipients if r.recipient == "border-guard")
    return dict(project(tables.views.get(route.view), document, route.items, submission_id, version, "border-guard"))


async def submitted(env: Any, document: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    submission_id, recipients = await env.submit(document)
    assert "border-guard" in recipients
    return submission_id, await routed_view(env, document, submission_id, 1)


async def post(env: Any, path: str, body: dict[str, Any], who: str = "bg-adapter") -> Any:
    return await env.http.post(path, json=body, headers=env.auth(who))


def withdrawal(submission_id: str, version: int = 1, **extra: Any) -> dict[str, Any]:
    return {"submissionId": submission_id, "version": version, "kind": "cancelled",
            "reason": "cancelled by the declarant: wrong truck", **extra}  # fmt: skip


async def test_an_unclaimed_cancelled_item_leaves_the_queue(env: Any, example: Callable[[str], dict[str, Any]]) -> None:
    submission_id, view = await submitted(env, example("apples"))
    queued = (await post(env, "/v1/officer/queue", {"document": view, "attempt": 1})).json()
    answer = await post(env, "/v1/officer/withdrawals", withdrawal(submission_id))
    assert answer.status_code == 200, answer.text
    [item] = answer.json()["withdrawn"]
    assert item["ticket"] == queued["ticket"]
    assert item["withdrawn"]["kind"] == "cancelled" and "wrong truck" in item["withdrawn"]["reason"]
    assert (await env.http.post("/v1/officer/next", headers=env.auth("bg-officer-1"))).status_code == 204
    again = await post(env, "/v1/officer/withdrawals", withdrawal(submission_id))
    assert again.json()["withdrawn"] == []  # a repeated notice changes nothing


async def test_a_claimed_cancelled_item_is_flagged_and_its_decision_refused(
    env: Any, example: Callable[[str], dict[str, Any]]
) -> None:
    submission_id, view = await submitted(env, example("apples"))
    await post(env, "/v1/officer/queue", {"document": view, "attempt": 1})
    ticket = (await env.http.post("/v1/officer/next", headers=env.auth("bg-officer-1"))).json()["ticket"]
    await post(env, "/v1/officer/withdrawals", withdrawal(submission_id))

    shown = (await env.http.get(f"/v1/officer/queue/{ticket}", headers=env.auth("bg-officer-1"))).json()
    assert shown["withdrawn"]["kind"] == "cancelled"
    refused = await post(env, "/v1/officer/decisions", {"ticket": ticket, "status": "ACCEPTED"}, "bg-officer-1")
    assert refused.status_code == 409
    assert "cancelled" in refused.text and "wrong truck" in refused.text
    assert (await env.http.get("/v1/officer/decisions", headers=env.auth("bg-adapter"))).json()["decisions"] == []


async def test_the_officer_learns_of_a_withdrawn_claim_at_the_next_pull(
    env: Any, example: Callable[[str], dict[str, Any]]
) -> None:
    queue = OfficerQueue(env.services.officers.queue._engine, timedelta(minutes=10))  # claims that do not expire
    submission_id, view = await submitted(env, example("apples"))
    await post(env, "/v1/officer/queue", {"document": view, "attempt": 1})
    claimed = await queue.claim_next("border-guard", "officer-a")
    assert claimed is not None and claimed.withdrawn is None
    await queue.withdraw("border-guard", submission_id, 1, "superseded", "amended: version 2 is not routed here", 2)

    flagged = await queue.claim_next("border-guard", "officer-a")
    assert flagged is not None and flagged.ticket == claimed.ticket
    assert flagged.withdrawn is not None and flagged.withdrawn.superseded_by == 2
    assert await queue.claim_next("border-guard", "officer-a") is None  # shown once, then the queue moves on


async def test_a_new_version_replaces_the_old_item(env: Any, example: Callable[[str], dict[str, Any]]) -> None:
    document = example("apples")
    submission_id, first = await submitted(env, document)
    old = (await post(env, "/v1/officer/queue", {"document": first, "attempt": 1})).json()
    amended = {**document, "goodsItems": [{**document["goodsItems"][0], "description": "Apples, second grade"}]}
    await env.embedded.hub.intake.amend(env.principals["trader"], submission_id, amended)
    for _ in range(300):
        if await env.embedded.hub.recipients.states(submission_id, 2):
            break
        await asyncio.sleep(0.01)
    second = await routed_view(env, amended, submission_id, 2)
    bad = await post(env, "/v1/officer/queue", {"document": second, "attempt": 1, "replaces": {"version": 2}})
    assert bad.status_code == 422  # a version replaces only an older one
    replaces = {"version": 1, "changes": ["/transport/seals"]}
    new = (await post(env, "/v1/officer/queue", {"document": second, "attempt": 1, "replaces": replaces})).json()
    assert new["replaces"] == replaces

    shown = (await env.http.get(f"/v1/officer/queue/{old['ticket']}", headers=env.auth("bg-officer-1"))).json()
    assert shown["withdrawn"]["kind"] == "replaced" and shown["withdrawn"]["supersededBy"] == 2
    pulled = (await env.http.post("/v1/officer/next", headers=env.auth("bg-officer-1"))).json()
    assert pulled["ticket"] == new["ticket"] and pulled["version"] == 2
    assert (await env.http.post("/v1/officer/next", headers=env.auth("bg-officer-2"))).status_code == 204


async def test_an_answer_puts_the_item_back_in_front_of_the_officers(
    env: Any, example: Callable[[str], dict[str, Any]]
) -> None:
    submission_id, view = await submitted(env, example("apples"))
    await post(env, "/v1/officer/queue", {"document": view, "attempt": 1})
    ticket = (await env.http.post("/v1/officer/next", headers=env.auth("bg-officer-1"))).json()["ticket"]
    query = {"ticket": ticket, "status": "QUERY", "query": {"question": "Which seal number is on the trailer?"}}
    assert (await post(env, "/v1/officer/decisions", query, "bg-officer-1")).status_code == 201
    assert (await env.http.post("/v1/officer/next", headers=env.auth("bg-officer-2"))).status_code == 204

    answer = {"submissionId": submission_id, "version": 1, "queryId": "q-1", "querySequence": 1,
              "answer": "Seal KZ-0042"}  # fmt: skip
    back = await post(env, "/v1/officer/answers", answer)
    assert back.status_code == 200, back.text
    assert back.json()["answers"][0]["answer"] == "Seal KZ-0042" and back.json()["decided"] is False
    pulled = (await env.http.post("/v1/officer/next", headers=env.auth("bg-officer-2"))).json()
    assert pulled["ticket"] == ticket and pulled["answers"][0]["queryId"] == "q-1"
    accepted = {"ticket": ticket, "status": "ACCEPTED"}
    assert (await post(env, "/v1/officer/decisions", accepted, "bg-officer-2")).status_code == 201
    assert (await post(env, "/v1/officer/answers", answer)).json()["decided"] is True  # the same answer again: no-op
    statuses = [
        d["decision"]["status"]
        for d in (await env.http.get("/v1/officer/decisions", headers=env.auth("bg-adapter"))).json()["decisions"]
    ]
    assert statuses == ["QUERY", "ACCEPTED"]


async def test_lifecycle_input_is_checked(env: Any, example: Callable[[str], dict[str, Any]]) -> None:
    submission_id, view = await submitted(env, example("apples"))
    await post(env, "/v1/officer/queue", {"document": view, "attempt": 1})
    for bad in (
        withdrawal(submission_id, kind="deleted"),
        withdrawal(submission_id, version=0),
        withdrawal(submission_id, reason=""),
        {"submissionId": submission_id},
        [],
    ):
        answer = await env.http.post("/v1/officer/withdrawals", json=bad, headers=env.auth("bg-adapter"))
        assert answer.status_code == 422, (bad, answer.text)
    assert (await post(env, "/v1/officer/withdrawals", withdrawal(submission_id), "bg-officer-1")).status_code == 403
    assert (await post(env, "/v1/officer/withdrawals", withdrawal(submission_id), "vet-adapter")).status_code == 403
    unknown = {"submissionId": submission_id, "version": 1, "queryId": "q", "querySequence": 1, "answer": "x"}
    assert (await post(env, "/v1/officer/answers", unknown, "phyto-adapter")).status_code in (403, 404)
    bad_replaces = {"document": view, "attempt": 1, "replaces": {"version": "one"}}
    assert (await post(env, "/v1/officer/queue", bad_replaces)).status_code == 422
