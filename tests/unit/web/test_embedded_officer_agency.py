"""The portal's embedded hub: every agency decides by rule but the border guard, whose real adapter queues
each document for its officers; a consignment reaches its consolidated decision only once the seeded
officer has decided (as the console does it, over the officer API)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from singlewindow.platform.api.agency_client import AgencyHubClient
from singlewindow.platform.api.client import HubClient
from singlewindow.platform.settings import Settings
from singlewindow.platform.specs import Catalog
from singlewindow.platform.web.embedded import OFFICER, OFFICER_ADAPTER, TRADER, embedded_portal_hub


async def test_the_border_guard_decides_through_its_officer(tmp_path: Path) -> None:
    apples = next(p for p in Catalog().get("consignment").valid_examples if "apples" in p.name)
    async with embedded_portal_hub(Settings(), tmp_path) as portal:
        assert OFFICER in portal.tokens and OFFICER_ADAPTER not in portal.tokens  # printed: who signs in
        async with HubClient(portal.hub_url, portal.tokens[TRADER]) as trader:
            submitted = await trader.submit(json.loads(apples.read_text(encoding="utf-8")))
            submission_id = submitted["submission"]["submissionId"]
            async with AgencyHubClient(portal.hub_url, portal.tokens[OFFICER]) as officer:
                queued = []
                for _ in range(200):
                    queued = await officer.officer_queue()
                    if queued:
                        break
                    await asyncio.sleep(0.05)
                assert [item["submissionId"] for item in queued] == [submission_id]
                waiting = await trader.get(submission_id)
                assert waiting["status"] != "CLEARED"
                agencies = {r["recipient"]: r["effectiveStatus"] for r in waiting["recipients"]}
                assert agencies["border-guard"] == "DELIVERED"  # to the officer queue, nobody decided yet
                await officer.claim(queued[0]["ticket"])
                await officer.decide({"ticket": queued[0]["ticket"], "status": "ACCEPTED", "officerName": "A. Officer"})
            for _ in range(200):
                if (await trader.get(submission_id))["status"] == "CLEARED":
                    break
                await asyncio.sleep(0.05)
            assert (await trader.get(submission_id))["status"] == "CLEARED"
