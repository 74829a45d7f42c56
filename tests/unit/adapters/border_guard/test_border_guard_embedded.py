"""The border guard adapter end to end on the embedded hub: documents wait in the hub's officer queue,
officers pull the border guard's view and decide, the adapter publishes the decisions under the border
guard's broker user; the border guard's broker user can neither read another agency's inbox nor decide in
another agency's name."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters import Cancellation
from singlewindow.adapters.border_guard import BorderGuardAdapter
from singlewindow.platform.api.agency_client import AgencyHubClient
from singlewindow.platform.errors import Conflict
from singlewindow.platform.identity import Role
from singlewindow.platform.settings import AttachmentSettings, Settings
from singlewindow.platform.testing.agency_http import served_agency_services
from singlewindow.platform.testing.embedded import embedded_hub
from singlewindow.platform.testing.harness import AdapterHarness, adapter_harness
from singlewindow.platform.topology import names
from singlewindow.platform.transport import OutgoingMessage

WAIT = 40.0  # seconds; generous because CI machines run many suites at once


@dataclass
class Env:
    harness: AdapterHarness
    officers: list[AgencyHubClient]


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    settings = Settings(attachments=AttachmentSettings(folder=tmp_path / "blobs"))
    async with (
        embedded_hub(tmp_path / "hub.db", settings) as embedded,
        served_agency_services(embedded, settings) as served,
    ):
        _, token = await served.principal(embedded, "bg-adapter", Role.AGENCY, "border-guard")
        officer_tokens = [
            (await served.principal(embedded, f"bg-officer-{n}", Role.OFFICER, "border-guard"))[1] for n in (1, 2)
        ]
        config = {"hub_url": served.url, "hub_token": token, "poll_seconds": 0.1}
        store = f"sqlite+aiosqlite:///{tmp_path / 'adapter.db'}"
        async with adapter_harness(embedded, BorderGuardAdapter(), store_url=store, config=config) as harness:
            officers = [AgencyHubClient(served.url, t) for t in officer_tokens]
            try:
                yield Env(harness, officers)
            finally:
                for officer in officers:
                    await officer.__aexit__(None, None, None)


async def test_an_officer_pulls_the_view_and_decides(env: Env) -> None:
    submission_id = await env.harness.submit("apples")
    await env.harness.wait_recipient(submission_id, "DELIVERED", within=WAIT)
    pulled = await env.officers[0].next_document()
    assert pulled is not None and pulled["submissionId"] == submission_id
    assert pulled["view"] == "view-border-guard" and "goodsItems" not in pulled["document"]
    assert pulled["document"]["transport"]["transportMeans"]["registrationNumber"]
    await env.officers[0].decide({"ticket": pulled["ticket"], "status": "ACCEPTED", "officerName": "S. Tulegenov"})
    view = await env.harness.wait_recipient(submission_id, "ACCEPTED", within=WAIT)
    decision = next(r.decision for r in view.recipients if r.recipient == "border-guard")
    assert decision is not None and decision["officer"] == {"id": "bg-officer-1", "name": "S. Tulegenov"}
    await asyncio.sleep(0.3)
    assert len(await env.harness.decisions(submission_id)) == 1  # published once, then marked published


async def test_an_inspection_and_its_revision_are_both_published(env: Env) -> None:
    submission_id = await env.harness.submit("beef")
    await env.harness.wait_recipient(submission_id, "DELIVERED", within=WAIT)
    pulled = await env.officers[1].next_document()
    assert pulled is not None
    inspection = {"ticket": pulled["ticket"], "status": "INSPECTION_REQUIRED",
                  "reasons": [{"code": "SEAL", "text": "Seal number differs from the manifest"}]}  # fmt: skip
    await env.officers[1].decide(inspection)
    await env.harness.wait_recipient(submission_id, "INSPECTION_REQUIRED", within=WAIT)
    await env.officers[0].decide({"ticket": pulled["ticket"], "status": "ACCEPTED"})
    await env.harness.wait_recipient(submission_id, "ACCEPTED", within=WAIT)
    sequences = [d["decisionSequence"] for d in await env.harness.decisions(submission_id)]
    assert sequences == [1, 2]


async def test_two_officers_never_get_the_same_document(env: Env) -> None:
    submitted = [await env.harness.submit(stem) for stem in ("apples", "beef", "laptops", "apples")]
    for submission_id in submitted:
        await env.harness.wait_recipient(submission_id, "DELIVERED", within=WAIT)
    first, second = await asyncio.gather(*(officer.next_document() for officer in env.officers))
    assert first is not None and second is not None
    assert first["ticket"] != second["ticket"]
    with pytest.raises(Conflict):  # an officer cannot decide on a document the other one holds
        await env.officers[0].decide({"ticket": second["ticket"], "status": "ACCEPTED"})


async def test_the_border_guard_user_cannot_read_or_decide_for_another_agency(env: Env) -> None:
    embedded = env.harness.embedded
    transport = await embedded.agency_transport("border-guard")
    try:
        from singlewindow.platform.errors import AccessDenied as Refused

        async def ignore(delivery: Any) -> None:
            await delivery.ack()

        with pytest.raises(Refused):
            await transport.consume(names.inbox_queue("veterinary"), ignore, prefetch=1)
        submission_id = await env.harness.submit("beef")
        await env.harness.wait_recipient(submission_id, "DELIVERED", within=WAIT)
        forged = {
            "documentId": "forged-1", "ucr": "X", "issuedAt": "2026-11-28T05:00:00.000Z", "references": [],
            "submissionId": submission_id, "submissionVersion": 1, "agency": "veterinary", "decisionSequence": 9,
            "status": "REJECTED", "conditions": [], "reasons": [{"code": "X", "text": "forged"}],
            "officer": {"id": "nobody"}, "decidedAt": "2026-11-28T05:00:00.000Z",
        }  # fmt: skip
        await transport.publish(
            OutgoingMessage(
                exchange=names.DECISIONS_EXCHANGE,
                routing_key=names.DECISION_KEY,
                body=embedded.hub.codec.encode("agency-decision", forged),
                message_id="forged-1",
                correlation_id=submission_id,
                type="agency-decision",
                content_type=embedded.hub.codec.content_type,
                user_id=embedded.catalogue.get("border-guard").broker_user,
            )
        )
        await asyncio.sleep(0.5)
        assert await env.harness.recipient_status(submission_id, "veterinary") != "REJECTED"
    finally:
        await transport.close()


async def test_a_query_answered_goes_back_to_the_officers_who_then_decide(env: Env) -> None:
    submission_id = await env.harness.submit("apples")
    await env.harness.wait_recipient(submission_id, "DELIVERED", within=WAIT)
    pulled = await env.officers[0].next_document()
    assert pulled is not None
    question = "Which seal number is on the trailer?"
    query = {"question": question, "fields": ["/transport/seals"]}
    await env.officers[0].decide({"ticket": pulled["ticket"], "status": "QUERY", "query": query})
    asked = await env.harness.wait_recipient(submission_id, "QUERY", within=WAIT)
    shown = next(r for r in asked.recipients if r.recipient == "border-guard").decision
    assert shown is not None and shown["query"] == query  # the trader's view names the field, apart from the text
    await env.harness.respond(submission_id, "Seal KZ-0042")

    async def back_in_queue() -> bool:
        shown = await env.officers[1].ticket(pulled["ticket"])
        return bool(shown["answers"]) and not shown["decided"]

    await env.harness.until(back_in_queue, within=WAIT)
    again = await env.officers[1].next_document()
    assert again is not None and again["ticket"] == pulled["ticket"]
    assert again["answers"][0]["answer"] == "Seal KZ-0042"
    await env.officers[1].decide({"ticket": again["ticket"], "status": "ACCEPTED"})
    await env.harness.wait_recipient(submission_id, "ACCEPTED", within=WAIT)
    assert [d["status"] for d in await env.harness.decisions(submission_id)] == ["QUERY", "ACCEPTED"]


async def test_cancelled_withdraws_from_the_queue_and_a_claimed_item_is_flagged(env: Env) -> None:
    adapter = env.harness.runtime.adapter
    unclaimed, claimed = [await env.harness.submit(stem) for stem in ("apples", "beef")]
    for submission_id in (unclaimed, claimed):
        await env.harness.wait_recipient(submission_id, "DELIVERED", within=WAIT)
    taken = await env.officers[0].next_document()
    assert taken is not None
    if taken["submissionId"] != claimed:
        unclaimed, claimed = claimed, unclaimed
    for submission_id in (unclaimed, claimed):
        await adapter.cancelled(notice(submission_id, "cancelled by the declarant: wrong truck"))
    assert await env.officers[1].next_document() is None  # the unclaimed one left the queue
    with pytest.raises(Conflict, match="wrong truck"):
        await env.officers[0].decide({"ticket": taken["ticket"], "status": "ACCEPTED"})
    shown = await env.officers[0].ticket(taken["ticket"])
    assert shown["withdrawn"]["kind"] == "cancelled"
    await asyncio.sleep(0.3)
    assert await env.harness.decisions(claimed) == []


async def test_an_amendment_after_a_decision_replaces_the_item_and_is_decided(env: Env) -> None:
    submission_id = await env.harness.submit("apples")
    await env.harness.wait_recipient(submission_id, "DELIVERED", within=WAIT)
    first = await env.officers[0].next_document()
    assert first is not None
    await env.officers[0].decide({"ticket": first["ticket"], "status": "ACCEPTED"})
    await env.harness.wait_recipient(submission_id, "ACCEPTED", within=WAIT)

    document = dict((await env.harness.embedded.hub.submissions.version(submission_id, 1)).document)
    transport = document["transport"]
    document["transport"] = {**transport, "seals": [{**seal, "number": "CN650021999"} for seal in transport["seals"]]}
    await env.harness.amend(submission_id, document)

    async def second_version() -> dict[str, Any] | None:
        return await env.officers[1].next_document()

    pulled = None
    async with asyncio.timeout(WAIT):
        while pulled is None:
            pulled = await second_version()
            await asyncio.sleep(0.05)
    assert pulled["version"] == 2
    old = await env.officers[1].ticket(first["ticket"])
    assert old["withdrawn"]["kind"] == "replaced" and old["withdrawn"]["supersededBy"] == 2
    await env.officers[1].decide({"ticket": pulled["ticket"], "status": "ACCEPTED"})

    async def decided() -> bool:
        return any(d["submissionVersion"] == 2 for d in await env.harness.decisions(submission_id))

    await env.harness.until(decided, within=WAIT)


def notice(submission_id: str, reason: str) -> Cancellation:
    return Cancellation("n-" + submission_id, "border-guard", submission_id, 1, "UCR", reason, "cancelled", None, None)
