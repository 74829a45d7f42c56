"""Issue 18: when two or more agencies decide that they must inspect the goods physically (INSPECTION_REQUIRED
on the RED channel, or with no channel from an agency that has none), the hub proposes one joint inspection,
whether or not any risk profile is active; a YELLOW (documents) check does not count, one agency alone gets
none, and a version that already has an inspection gets no second one."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from singlewindow.platform.aggregation import Consolidated
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.officers import JointInspections
from singlewindow.platform.specs import Catalog
from singlewindow.platform.testing import AutoDecider, EmbeddedHub, embedded_hub

APPLES = json.loads(next(p for p in Catalog().get("consignment").valid_examples if "apples" in p.name).read_text())
Policy = Callable[[str, Mapping[str, Any]], tuple[str, dict[str, Any]]]


def inspecting(*agencies: str, customs_channel: str = "RED") -> Policy:
    def decide(agency: str, view: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        if agency not in agencies:
            return "ACCEPTED", ({"channel": "GREEN"} if agency == "customs" else {})
        return "INSPECTION_REQUIRED", ({"channel": customs_channel} if agency == "customs" else {})

    return decide


@dataclass
class Env:
    embedded: EmbeddedHub
    trader: Principal
    deciders: list[AutoDecider]

    async def start(self, policy: Policy) -> None:
        for decider in self.deciders:
            await decider.stop()
            decider.policy = policy
            await decider.start()

    async def submit(self, reference: str) -> str:
        document = {**APPLES, "traderReference": reference, "ucr": f"KZ-JNT-{reference}"}
        view, _ = await self.embedded.hub.intake.submit(self.trader, "consignment", document)
        for _ in range(500):
            got = await self.embedded.hub.intake.get(self.trader, view.submission_id)
            if got.status is Consolidated.HELD and all(r.decision is not None for r in got.recipients):
                return view.submission_id
            await asyncio.sleep(0.02)
        raise AssertionError("the agencies did not all decide")

    async def proposals(self, submission_id: str, agency: str) -> list[dict[str, Any]]:
        officer = Principal(f"p-{agency}", f"{agency}-o", Role.OFFICER, agency, datetime(2026, 1, 1, tzinfo=UTC))
        return await JointInspections(self.embedded.hub.engine, self.embedded.hub.recipients).of_agency(
            officer, submission_id
        )


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    async with embedded_hub(tmp_path / "hub.db") as embedded:
        deciders = []
        for agency in embedded.catalogue.agencies():
            transport = await embedded.agency_transport(agency.id)
            deciders.append(AutoDecider(agency.id, agency.broker_user, transport, embedded.hub.codec))
        trader = (await embedded.hub.principals.add("kz-importer", Role.TRADER)).principal
        try:
            yield Env(embedded, trader, deciders)
        finally:
            for decider in deciders:
                await decider.stop()
                await decider.transport.close()


async def test_two_physical_inspections_make_one_hub_proposal_for_both(env: Env) -> None:
    await env.start(inspecting("customs", "phytosanitary"))
    submission_id = await env.submit("J-1")
    (proposal,) = await env.proposals(submission_id, "customs")
    assert proposal["proposingAgency"] == "hub" and proposal["status"] == "PROPOSED"
    assert [(p["agency"], p["response"]) for p in proposal["parties"]] == [
        ("customs", "PENDING"),
        ("phytosanitary", "PENDING"),
    ]
    assert await env.proposals(submission_id, "sanitary") == []  # not a party: it accepted


async def test_a_document_check_and_a_lone_inspection_propose_nothing(env: Env) -> None:
    await env.start(inspecting("customs", "phytosanitary", customs_channel="YELLOW"))
    yellow = await env.submit("J-2")
    assert await env.proposals(yellow, "phytosanitary") == []
    await env.start(inspecting("sanitary"))
    alone = await env.submit("J-3")
    assert await env.proposals(alone, "sanitary") == []
