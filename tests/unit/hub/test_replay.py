"""A document an agency could not take is dead-lettered, marked DELIVERY_FAILED, and replayed by an operator
through the hub: a new delivery attempt, back to PENDING, decided, and CLEARED."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from singlewindow.platform.aggregation import Consolidated
from singlewindow.platform.dlq import replay
from singlewindow.platform.hub.replay import hub_republisher
from singlewindow.platform.identity import Role
from singlewindow.platform.specs import Catalog
from singlewindow.platform.testing import AutoDecider, accept_all, embedded_hub
from singlewindow.platform.topology import names
from singlewindow.platform.transport import Delivery


async def test_dead_lettered_document_is_failed_then_replayed_to_a_decision(tmp_path: Path) -> None:
    laptops = next(p for p in Catalog().get("consignment").valid_examples if "laptops" in p.name)
    async with embedded_hub(tmp_path / "hub.db") as embedded:
        hub = embedded.hub
        trader = (await hub.principals.add("kz-electronics", Role.TRADER)).principal
        border_guard = AutoDecider(
            "border-guard",
            "nsw-agency-border-guard",
            await embedded.agency_transport("border-guard"),
            hub.codec,
            accept_all,
        )
        await border_guard.start()
        customs = await embedded.agency_transport("customs")

        async def refuse(delivery: Delivery) -> None:  # a poison document: the agency system refuses it
            await delivery.reject(requeue=False)

        refusing = await customs.consume(names.inbox_queue("customs"), refuse, prefetch=1)
        view, _ = await hub.intake.submit(trader, "consignment", json.loads(laptops.read_text()))
        sid = view.submission_id

        async def status_of(recipient: str) -> str:
            current = await hub.intake.get(trader, sid)
            return next(r.effective_status for r in current.recipients if r.recipient == recipient)

        for _ in range(200):
            if await status_of("customs") == "DELIVERY_FAILED":
                break
            await asyncio.sleep(0.02)
        assert await status_of("customs") == "DELIVERY_FAILED"
        assert (await hub.intake.get(trader, sid)).status is Consolidated.HELD

        await refusing.cancel()
        deciding = AutoDecider("customs", "nsw-agency-customs", customs, hub.codec, accept_all)
        await deciding.start()
        report = await replay(
            hub.transport,
            names.dlq("customs"),
            idle_seconds=2,
            republish=hub_republisher(hub, actor="operator"),
        )
        assert [message_id for message_id, *_ in report.replayed] == [f"{sid}.v1.customs.a1"]
        for _ in range(200):
            if (await hub.intake.get(trader, sid)).terminal:
                break
            await asyncio.sleep(0.02)
        final = await hub.intake.get(trader, sid)
        assert final.status is Consolidated.CLEARED
        assert next(r.attempt for r in final.recipients if r.recipient == "customs") == 2
        await deciding.stop()
        await border_guard.stop()
        await customs.close()
