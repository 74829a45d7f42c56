"""A partner hub is a routing recipient with an agency's inbox machinery: when its gateway cannot take a
document, the broker dead-letters it from ``agency.partner-cn.inbox`` exactly as from an agency's inbox, so
the partner recipient must become DELIVERY_FAILED and an operator's replay of ``agency.partner-cn.dlq`` must
send the hub's document again as a new attempt."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

from singlewindow.platform.dlq import replay
from singlewindow.platform.hub.replay import hub_republisher
from singlewindow.platform.identity import Role
from singlewindow.platform.testing import embedded_hub
from singlewindow.platform.topology import names
from singlewindow.platform.transport import Delivery

DEMO = Path(__file__).resolve().parents[3] / "platform" / "demo" / "data" / "crossborder"
PARTNER = "partner-cn"


async def _until(condition: Callable[[], Awaitable[bool]], seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if await condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not true within {seconds} s")


async def test_a_partner_dead_letter_fails_the_partner_and_a_replay_resends_it(tmp_path: Path) -> None:
    manifest = json.loads((DEMO / "01-cargo-manifest-kz-cn.json").read_text())
    async with embedded_hub(tmp_path / "hub.db") as embedded:
        assert embedded.broker is not None
        hub = embedded.hub
        vhost = embedded.broker_settings.vhost
        trader = (await hub.principals.add("kz-carrier", Role.TRADER)).principal
        gateway = await embedded.agency_transport(PARTNER)

        async def refuse(delivery: Delivery) -> None:  # the gateway cannot seal it: a poison document
            await delivery.reject(requeue=False)

        refusing = await gateway.consume(names.inbox_queue(PARTNER), refuse, prefetch=1)
        view, _ = await hub.intake.submit(trader, "cargo-manifest", manifest, "MANIFEST-1")
        sid = view.submission_id

        async def partner() -> tuple[str, int]:
            current = await hub.intake.get(trader, sid)
            found = next(r for r in current.recipients if r.recipient == PARTNER)
            return found.effective_status, found.attempt

        async def failed() -> bool:
            return (await partner())[0] == "DELIVERY_FAILED"

        await _until(failed)
        await refusing.cancel()
        assert [m.message_id for m in embedded.broker.queue_messages(vhost, names.HUB_DLQ)] == []

        report = await replay(
            hub.transport, names.dlq(PARTNER), idle_seconds=1, republish=hub_republisher(hub, actor="operator")
        )
        assert report.failed == []
        assert [message_id for message_id, *_ in report.replayed] == [f"{sid}.v1.{PARTNER}.a1"]
        assert await partner() == ("PENDING", 2)
        [again] = embedded.broker.queue_messages(vhost, names.inbox_queue(PARTNER))
        assert again.message_id == f"{sid}.v1.{PARTNER}.a2"
        await gateway.close()
