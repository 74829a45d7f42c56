"""The border guard adapter end to end on RabbitMQ: ``nsw adapter run border-guard-officers`` under the
border guard's broker user queues documents in the hub's officer queue over HTTP; officers pull and decide;
the decision reaches the hub under the border guard's user. That user can neither read another agency's
inbox nor decide in another agency's name."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from singlewindow.platform.api.agency_client import AgencyHubClient
from singlewindow.platform.errors import AccessDenied
from singlewindow.platform.identity import Role
from singlewindow.platform.settings import AttachmentSettings
from singlewindow.platform.testing.agency_http import served_agency_services
from singlewindow.platform.testing.embedded import embedded_hub
from singlewindow.platform.testing.harness import consignment_example
from singlewindow.platform.topology import names
from singlewindow.platform.transport import Delivery, OutgoingMessage

from .agency_run import adapter_process, other_deciders, recipient, status_is, wait_for

pytestmark = pytest.mark.integration


def forged_decision(submission_id: str, ucr: str) -> dict[str, Any]:
    return {
        "documentId": "forged-vet-1", "ucr": ucr, "issuedAt": "2026-11-28T05:00:00.000Z", "references": [],
        "submissionId": submission_id, "submissionVersion": 1, "agency": "veterinary", "decisionSequence": 7,
        "status": "REJECTED", "conditions": [], "reasons": [{"code": "FORGED", "text": "in another agency's name"}],
        "officer": {"id": "bg-officer"}, "decidedAt": "2026-11-28T05:00:00.000Z",
    }  # fmt: skip


async def test_border_guard_adapter_on_rabbitmq(adapter_vhost: Any, tmp_path: Path) -> None:
    settings = adapter_vhost.hub_settings().model_copy(
        update={"attachments": AttachmentSettings(folder=tmp_path / "blobs")}
    )
    async with (
        embedded_hub(tmp_path / "hub.db", settings) as hub,
        served_agency_services(hub, settings) as served,
        other_deciders(hub, adapter_vhost, "border-guard"),
    ):
        _, agency_token = await served.principal(hub, "bg-adapter", Role.AGENCY, "border-guard")
        _, officer_token = await served.principal(hub, "bg-officer-7", Role.OFFICER, "border-guard")
        trader = (await hub.hub.principals.add("kz-importer", Role.TRADER)).principal
        adapter = {"hub_url": served.url, "hub_token": agency_token, "poll_seconds": 0.2}
        async with (
            adapter_process("border-guard-officers", "border-guard", adapter_vhost, tmp_path, adapter),
            AgencyHubClient(served.url, officer_token) as officer,
        ):
            submission, _ = await hub.hub.intake.submit(trader, "consignment", consignment_example("beef"))
            await wait_for(hub, trader, submission.submission_id, status_is("border-guard", "DELIVERED"))
            pulled = await officer.next_document()
            assert pulled is not None and "goodsItems" not in pulled["document"]
            await officer.decide({"ticket": pulled["ticket"], "status": "ACCEPTED", "officerName": "A. Seitkali"})
            view = await wait_for(hub, trader, submission.submission_id, status_is("border-guard", "ACCEPTED"))
            assert recipient(view, "border-guard")[1]["officer"]["id"] == "bg-officer-7"
            await wait_for(hub, trader, submission.submission_id, lambda v: v.terminal)

            user = adapter_vhost.catalogue.get("border-guard").broker_user
            transport = await hub.agency_transport("border-guard", adapter_vhost.password("border-guard"))
            try:

                async def ignore(delivery: Delivery) -> None:
                    await delivery.ack()

                with pytest.raises(AccessDenied):
                    await transport.consume(names.inbox_queue("veterinary"), ignore, prefetch=1)
            finally:
                await transport.close()

            beef, _ = await hub.hub.intake.submit(
                trader, "consignment", {**consignment_example("beef"), "traderReference": "BEEF-2"}
            )
            await wait_for(hub, trader, beef.submission_id, status_is("veterinary", "ACCEPTED"))
            transport = await hub.agency_transport("border-guard", adapter_vhost.password("border-guard"))
            try:
                document = forged_decision(beef.submission_id, beef.ucr)
                await transport.publish(
                    OutgoingMessage(
                        exchange=names.DECISIONS_EXCHANGE,
                        routing_key=names.DECISION_KEY,
                        body=hub.hub.codec.encode("agency-decision", document),
                        message_id="forged-vet-1",
                        correlation_id=beef.submission_id,
                        type="agency-decision",
                        content_type=hub.hub.codec.content_type,
                        user_id=user,
                    )
                )
            finally:
                await transport.close()
            await asyncio.sleep(1.0)
            view = await hub.hub.intake.get(trader, beef.submission_id)
            assert recipient(view, "veterinary")[0] == "ACCEPTED"  # the forged REJECTED (sequence 7) was refused
