"""Issue 12 for the border guard on RabbitMQ (``nsw adapter run border-guard-officers`` under the border
guard's broker user; its "system" is the hub's officer queue): a cancelled unclaimed item leaves the queue
and a claimed one is flagged to its officer, whose decision is refused; an amendment after a decision
replaces the item and the new version is decided; a query answered goes back to the officers, who decide
(CLEARED); the queue answering what is not JSON exhausts the retry tiers to the dead letters, shown by
``nsw dlq show`` and replayed to a decision."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from singlewindow.platform.api.agency_client import AgencyHubClient, Conflict
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.settings import AttachmentSettings
from singlewindow.platform.testing.embedded import EmbeddedHub, embedded_hub
from singlewindow.platform.testing.harness import consignment_example

from .agency_run import (
    SwitchableServices,
    adapter_process,
    dead_lettered_then_replayed,
    other_deciders,
    recipient,
    replay,
    status_is,
    status_of,
    switchable_agency_services,
    until,
    wait_for,
)

pytestmark = pytest.mark.integration
AGENCY = "border-guard"


@dataclass
class Post:
    hub: EmbeddedHub
    trader: Principal
    served: SwitchableServices
    officers: list[AgencyHubClient]
    database: Path

    async def submit(self, reference: str) -> tuple[str, dict[str, Any]]:
        body = {**copy.deepcopy(consignment_example("apples")), "traderReference": reference}
        view, _ = await self.hub.hub.intake.submit(self.trader, "consignment", body)
        return view.submission_id, body

    async def pull(self, officer: int, version: int | None = None) -> dict[str, Any]:
        """The officer's next document (of ``version`` when given), waiting until there is one."""
        pulled: dict[str, Any] | None = None

        async def got() -> bool:
            nonlocal pulled
            pulled = await self.officers[officer].next_document()
            return pulled is not None and (version is None or pulled["version"] == version)

        await until(got)
        assert pulled is not None
        return pulled


@asynccontextmanager
async def border_post(vhost: Any, tmp_path: Path) -> AsyncIterator[Post]:
    settings = vhost.hub_settings().model_copy(update={"attachments": AttachmentSettings(folder=tmp_path / "blobs")})
    database = tmp_path / "hub.db"
    async with (
        embedded_hub(database, settings) as hub,
        switchable_agency_services(hub, settings) as served,
        other_deciders(hub, vhost, AGENCY),
    ):
        token = await served.token(hub, "bg-adapter", Role.AGENCY, AGENCY)
        adapter = {"hub_url": served.url, "hub_token": token, "poll_seconds": 0.2}
        officer_tokens = [await served.token(hub, f"bg-officer-{n}", Role.OFFICER, AGENCY) for n in (1, 2)]
        trader = (await hub.hub.principals.add("kz-importer", Role.TRADER)).principal
        async with adapter_process("border-guard-officers", AGENCY, vhost, tmp_path, adapter):
            officers = [AgencyHubClient(served.url, t) for t in officer_tokens]
            try:
                yield Post(hub, trader, served, officers, database)
            finally:
                for officer in officers:
                    await officer.__aexit__(None, None, None)


async def test_cancel_claimed_and_unclaimed_items_and_amend_after_a_decision(
    adapter_vhost: Any, tmp_path: Path
) -> None:
    async with border_post(adapter_vhost, tmp_path) as post:
        claimed, _ = await post.submit("BG-CLAIMED")
        unclaimed, _ = await post.submit("BG-UNCLAIMED")
        for submission_id in (claimed, unclaimed):
            await wait_for(post.hub, post.trader, submission_id, status_is(AGENCY, "DELIVERED"))
        taken = await post.pull(0)
        if taken["submissionId"] != claimed:
            claimed, unclaimed = unclaimed, claimed
        for submission_id in (claimed, unclaimed):
            await post.hub.hub.intake.cancel(post.trader, submission_id, "cancelled by the declarant: wrong truck")
            await wait_for(post.hub, post.trader, submission_id, lambda v: status_of(v) == "CANCELLED")

        async def flagged() -> bool:  # both queue items (tickets 1 and 2 of this fresh post), claimed or not
            return all([(await post.officers[0].ticket(t))["withdrawn"] is not None for t in (1, 2)])

        await until(flagged)
        shown = await post.officers[0].ticket(taken["ticket"])
        assert shown["withdrawn"]["kind"] == "cancelled" and "wrong truck" in shown["withdrawn"]["reason"]
        with pytest.raises(Conflict, match="wrong truck"):
            await post.officers[0].decide({"ticket": taken["ticket"], "status": "ACCEPTED"})
        assert await post.officers[1].next_document() is None  # the unclaimed one left the queue too

        amended, body = await post.submit("BG-AMEND")
        first = await post.pull(1)
        await post.officers[1].decide({"ticket": first["ticket"], "status": "ACCEPTED"})
        await wait_for(post.hub, post.trader, amended, status_is(AGENCY, "ACCEPTED"))
        seals = body["transport"]["seals"]
        body["transport"]["seals"] = [{**seal, "number": "CN650021999"} for seal in seals]
        await post.hub.hub.intake.amend(post.trader, amended, body)
        second = await post.pull(1, version=2)
        assert second["replaces"]["version"] == 1 and "/transport/seals/0/number" in second["replaces"]["changes"]
        old = await post.officers[1].ticket(first["ticket"])
        assert old["withdrawn"]["kind"] == "replaced" and old["withdrawn"]["supersededBy"] == 2
        await post.officers[1].decide({"ticket": second["ticket"], "status": "ACCEPTED"})
        view = await wait_for(
            post.hub, post.trader, amended, lambda v: v.version == 2 and status_of(v) == "CLEARED", within=60
        )
        assert recipient(view, AGENCY)[1]["submissionVersion"] == 2


async def test_query_answered_then_decided_and_an_exhausted_error_replayed(adapter_vhost: Any, tmp_path: Path) -> None:
    async with border_post(adapter_vhost, tmp_path) as post:
        asked, _ = await post.submit("BG-QUERY")
        pulled = await post.pull(0)
        query = {"question": "Which seal number is on the trailer?"}
        await post.officers[0].decide({"ticket": pulled["ticket"], "status": "QUERY", "query": query})
        await wait_for(post.hub, post.trader, asked, status_is(AGENCY, "QUERY"))
        await post.hub.hub.intake.respond_to_query(post.trader, asked, AGENCY, "Seal CN650021874")
        again = await post.pull(1)
        assert again["ticket"] == pulled["ticket"] and again["answers"][0]["answer"] == "Seal CN650021874"
        await post.officers[1].decide({"ticket": again["ticket"], "status": "ACCEPTED"})
        view = await wait_for(post.hub, post.trader, asked, lambda v: status_of(v) == "CLEARED", within=60)
        assert recipient(view, AGENCY)[1]["decisionSequence"] == 2

        post.served.switch.broken = True  # the queue answers what is not JSON: the adapter raises on it
        poisoned, _ = await post.submit("BG-POISON")
        reason = await dead_lettered_then_replayed(adapter_vhost, post.database, AGENCY, poisoned)
        assert reason.startswith("OfficerQueueError: the officer queue"), reason
        await wait_for(post.hub, post.trader, poisoned, status_is(AGENCY, "DELIVERY_FAILED"))
        post.served.switch.broken = False
        await replay(adapter_vhost, post.database, AGENCY)
        replayed = await post.pull(0)
        assert replayed["submissionId"] == poisoned
        await post.officers[0].decide({"ticket": replayed["ticket"], "status": "ACCEPTED"})
        await wait_for(post.hub, post.trader, poisoned, lambda v: status_of(v) == "CLEARED", within=60)
