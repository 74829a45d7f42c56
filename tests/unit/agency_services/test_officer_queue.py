"""The officer queue over HTTP: the adapter queues the border guard's view, officers pull one document each
(never the same one), claims expire, decisions wait for the adapter to publish them, and nobody reaches
another agency's queue or decides in its name."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from singlewindow.platform.routing import decide, project


async def border_guard_view(env: Any, document: dict[str, Any]) -> dict[str, Any]:
    """What the router sent the border guard for this submission (the view, projected the same way)."""
    submission_id, recipients = await env.submit(document)
    assert "border-guard" in recipients
    tables = env.embedded.hub.tables()
    route = next(r for r in decide(tables, "consignment", document).recipients if r.recipient == "border-guard")
    return dict(project(tables.views.get(route.view), document, route.items, submission_id, 1, "border-guard"))


async def queue(env: Any, view: dict[str, Any], who: str = "bg-adapter") -> Any:
    return await env.http.post("/v1/officer/queue", json={"document": view, "attempt": 1}, headers=env.auth(who))


async def test_officers_pull_the_border_guard_view_and_decide(
    env: Any, example: Callable[[str], dict[str, Any]]
) -> None:
    view = await border_guard_view(env, example("apples"))
    queued = await queue(env, view)
    assert queued.status_code == 201, queued.text
    assert (await queue(env, view)).status_code == 200  # a redelivered hand-over is queued once

    pulled = await env.http.post("/v1/officer/next", headers=env.auth("bg-officer-1"))
    assert pulled.status_code == 200
    item = pulled.json()
    assert item["document"] == view and "goodsItems" not in item["document"]
    assert item["view"] == "view-border-guard"

    decision = {"ticket": item["ticket"], "status": "ACCEPTED", "officerName": "Serik Tulegenov"}
    decided = await env.http.post("/v1/officer/decisions", json=decision, headers=env.auth("bg-officer-1"))
    assert decided.status_code == 201, decided.text
    assert (await env.http.post("/v1/officer/next", headers=env.auth("bg-officer-2"))).status_code == 204

    waiting = await env.http.get("/v1/officer/decisions", headers=env.auth("bg-adapter"))
    [recorded] = waiting.json()["decisions"]
    assert recorded["submissionId"] == view["submissionId"] and recorded["decision"]["status"] == "ACCEPTED"
    assert recorded["decision"]["officer"] == {"id": "bg-officer-1", "name": "Serik Tulegenov"}
    marked = await env.http.post(f"/v1/officer/decisions/{recorded['id']}/published", headers=env.auth("bg-adapter"))
    assert marked.json()["published"] is True
    assert (await env.http.get("/v1/officer/decisions", headers=env.auth("bg-adapter"))).json()["decisions"] == []


async def test_two_officers_never_get_the_same_document(env: Any, example: Callable[[str], dict[str, Any]]) -> None:
    for stem in ("apples", "beef", "laptops"):
        assert (await queue(env, await border_guard_view(env, example(stem)))).status_code == 201
    officers = ["bg-officer-1", "bg-officer-2"]
    pulls = await asyncio.gather(*(env.http.post("/v1/officer/next", headers=env.auth(o)) for o in officers))
    tickets = [p.json()["ticket"] for p in pulls]
    assert len(set(tickets)) == 2
    again = await env.http.post("/v1/officer/next", headers=env.auth("bg-officer-1"))
    assert again.json()["ticket"] == tickets[0]  # an officer keeps its own claim until it decides

    await asyncio.sleep(0.6)  # claims last 0.5 s here: officer 1's document goes to the next who asks
    taken = await env.http.post("/v1/officer/next", headers=env.auth("bg-officer-2"))
    assert taken.json()["ticket"] in tickets
    late = await env.http.post(
        "/v1/officer/decisions",
        json={"ticket": taken.json()["ticket"], "status": "ACCEPTED"},
        headers=env.auth("bg-officer-1" if taken.json()["ticket"] == tickets[0] else "bg-officer-2"),
    )
    assert late.status_code in (201, 409)


async def test_nobody_reaches_another_agency_queue(env: Any, example: Callable[[str], dict[str, Any]]) -> None:
    view = await border_guard_view(env, example("apples"))
    assert (await queue(env, view, who="vet-adapter")).status_code in (403, 422)  # not the veterinary view
    assert (await queue(env, view, who="bg-officer-1")).status_code == 403  # officers do not queue
    assert (await queue(env, view)).status_code == 201
    assert (await env.http.post("/v1/officer/next", headers=env.auth("vet-officer"))).status_code == 204
    assert (await env.http.post("/v1/officer/next", headers=env.auth("bg-adapter"))).status_code == 403
    ticket = (await env.http.post("/v1/officer/next", headers=env.auth("bg-officer-1"))).json()["ticket"]
    rejection = {"ticket": ticket, "status": "REJECTED", "reasons": [{"code": "X", "text": "no"}]}
    foreign = await env.http.post("/v1/officer/decisions", json=rejection, headers=env.auth("vet-officer"))
    assert foreign.status_code == 404
    assert (await env.http.get("/v1/officer/decisions", headers=env.auth("vet-adapter"))).json()["decisions"] == []
    not_routed = dict(view, recipient="veterinary")
    assert (await queue(env, not_routed, who="vet-adapter")).status_code in (403, 422)


async def test_decisions_follow_the_spec_rules(env: Any, example: Callable[[str], dict[str, Any]]) -> None:
    assert (await queue(env, await border_guard_view(env, example("apples")))).status_code == 201
    ticket = (await env.http.post("/v1/officer/next", headers=env.auth("bg-officer-1"))).json()["ticket"]
    for bad in (
        {"ticket": ticket, "status": "REJECTED"},
        {"ticket": ticket, "status": "ACCEPTED_WITH_CONDITIONS"},
        {"ticket": ticket, "status": "QUERY"},
        {"ticket": ticket, "status": "ACCEPTED", "channel": "RED"},
        {"ticket": ticket, "status": "CLEARED"},
    ):
        answer = await env.http.post("/v1/officer/decisions", json=bad, headers=env.auth("bg-officer-1"))
        assert answer.status_code == 422, bad
        assert answer.json()["problems"]
    inspection = {
        "ticket": ticket,
        "status": "INSPECTION_REQUIRED",
        "reasons": [{"code": "SEAL", "text": "Seal broken"}],
    }
    assert (
        await env.http.post("/v1/officer/decisions", json=inspection, headers=env.auth("bg-officer-1"))
    ).status_code == 201
    revision = {"ticket": ticket, "status": "ACCEPTED"}  # inspection done: a later decision on the same document
    assert (
        await env.http.post("/v1/officer/decisions", json=revision, headers=env.auth("bg-officer-2"))
    ).status_code == 201
    statuses = [
        d["decision"]["status"]
        for d in (await env.http.get("/v1/officer/decisions", headers=env.auth("bg-adapter"))).json()["decisions"]
    ]
    assert statuses == ["INSPECTION_REQUIRED", "ACCEPTED"]
