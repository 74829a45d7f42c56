"""Border events: validated against the border-event spec, recorded in the recorder's own agency name,
idempotent on documentId, linked to the consignment by UCR."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from singlewindow.platform.specs import Catalog

EVENTS = Catalog().get("border-event")


def event(stem: str) -> dict[str, Any]:
    path = next(p for p in EVENTS.valid_examples if stem in p.name)
    document: dict[str, Any] = json.loads(path.read_text())
    return document


async def test_arrival_is_stored_and_linked_to_the_consignment(
    env: Any, example: Callable[[str], dict[str, Any]]
) -> None:
    submission_id, _ = await env.submit(example("apples"))
    arrival = event("apples-truck-arrival")
    recorded = await env.http.post("/v1/border-events", json=arrival, headers=env.auth("bg-officer-1"))
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["submissionId"] == submission_id
    assert (await env.http.post("/v1/border-events", json=arrival, headers=env.auth("bg-officer-1"))).status_code == 200
    changed = dict(arrival, occurredAt="2026-11-27T04:45:00.000Z")
    assert (await env.http.post("/v1/border-events", json=changed, headers=env.auth("bg-officer-1"))).status_code == 409
    listed = await env.http.get("/v1/border-events", params={"ucr": arrival["ucr"]}, headers=env.auth("bg-adapter"))
    assert [e["eventType"] for e in listed.json()["events"]] == ["ARRIVAL"]


async def test_invalid_and_foreign_events_are_refused(env: Any) -> None:
    for path in EVENTS.invalid_examples:
        answer = await env.http.post(
            "/v1/border-events", json=json.loads(path.read_text()), headers=env.auth("bg-officer-1")
        )
        assert answer.status_code == 422, path.name
        assert answer.json()["problems"], path.name
    arrival = event("apples-truck-arrival")
    assert (await env.http.post("/v1/border-events", json=arrival, headers=env.auth("vet-officer"))).status_code == 403
    assert (await env.http.post("/v1/border-events", json=arrival, headers=env.auth("trader"))).status_code == 403
