"""Issue 12 for the customs adapter on RabbitMQ (setup in customs_sanitary_run.py): cancel before and after
delivery (the customs system never decides it / withdraws it), amend after a decision (a replacement CUSDEC;
the new version is decided), query answered then decided, and an exception exhausted to the dead letters
(the permits register answering what is not JSON) shown by ``nsw dlq show`` and replayed to a decision."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters.customs.cusdec import declaration_reference
from singlewindow.adapters.customs.standin import CustomsStore
from singlewindow.adapters.customs.standin.store import REPLACED, WITHDRAWN
from singlewindow.platform.topology import names

from .customs_sanitary_run import Stage, customs_stage

pytestmark = pytest.mark.integration


async def filed(tmp_path: Path, reference: str) -> Any:
    store = await CustomsStore.open(tmp_path / "customs.db")
    try:
        return await store.find(reference)
    finally:
        await store.close()


def answers(tmp_path: Path, reference: str) -> list[str]:
    """CUSRES files the customs system wrote for a declaration (read by the adapter or not)."""
    folder = tmp_path / "exchange"
    return sorted(
        p.name for p in [*folder.glob("outbox/*.edi"), *folder.glob("archive/outbox/*.edi")] if reference in p.name
    )


async def state_is(stage: Stage, tmp_path: Path, reference: str, state: str) -> None:
    async def reached() -> bool:
        found = await filed(tmp_path, reference)
        return found is not None and found.state == state

    await stage.until(reached)


async def test_cancel_before_and_after_delivery_and_amend_after_a_decision(adapter_vhost: Any, tmp_path: Path) -> None:
    async with customs_stage(adapter_vhost, tmp_path) as stage:
        # Cancelled while the customs system is down: the declaration is never assessed.
        stage.script(down=True)
        await asyncio.sleep(1.5)  # the heartbeat goes stale
        early = await stage.submit("apples")
        await stage.wait(early, lambda v: v.status.value != "RECEIVED")  # routed: sent to customs
        await stage.hub.hub.intake.cancel(stage.trader, early, "cancelled by the declarant: wrong truck")
        assert (await stage.wait(early, lambda v: v.status.value == "CANCELLED")).status.value == "CANCELLED"
        stage.script()
        probe = await stage.submit("apples")
        await stage.wait_status(probe, "ACCEPTED")
        reference = declaration_reference(early, 1)
        await state_is(stage, tmp_path, reference, WITHDRAWN)
        assert answers(tmp_path, reference) == []
        assert stage.mine(await stage.hub.hub.intake.get(stage.trader, early))[1] == {}

        # Cancelled after delivery, during the inspection: no inspection result comes afterwards.
        stage.script(inspection_seconds=4)
        laptops = await stage.submit("laptops")
        await stage.wait_status(laptops, "INSPECTION_REQUIRED")
        await stage.hub.hub.intake.cancel(stage.trader, laptops, "cancelled by the declarant")
        await stage.wait(laptops, lambda v: v.status.value == "CANCELLED")
        reference = declaration_reference(laptops, 1)
        await state_is(stage, tmp_path, reference, WITHDRAWN)
        due = datetime.now(UTC).timestamp() + 5
        later = await stage.submit("apples")  # the system keeps working past the inspection's due time
        await stage.wait_status(later, "ACCEPTED")

        async def past_due() -> bool:
            return datetime.now(UTC).timestamp() > due

        await stage.until(past_due)
        assert [name for name in answers(tmp_path, reference) if f"{reference}-2" in name] == []
        assert len(answers(tmp_path, reference)) == 1  # only the YELLOW channel answer
        assert (await stage.hub.hub.intake.get(stage.trader, laptops)).status.value == "CANCELLED"

        # Amended after the decision: the new version replaces the declaration and is decided.
        stage.script()
        amended = await stage.submit("apples")
        await stage.wait(amended, lambda v: v.status.value == "CLEARED")

        def heavier(body: dict[str, Any]) -> None:
            body["goodsItems"][0]["description"] += " (second grade)"

        await stage.amend(amended, heavier)
        view = await stage.wait(amended, lambda v: v.version == 2 and v.terminal)
        assert (view.status.value, stage.mine(view)[0]) == ("CLEARED", "ACCEPTED")
        await state_is(stage, tmp_path, declaration_reference(amended, 1), REPLACED)
        second = await filed(tmp_path, declaration_reference(amended, 2))
        assert second is not None and second.state == "ACTIVE"


async def test_query_answered_then_decided_and_an_exhausted_error_replayed(adapter_vhost: Any, tmp_path: Path) -> None:
    async with customs_stage(adapter_vhost, tmp_path) as stage:
        stage.script(query_first=True, query_question="Who is the end user?", query_fields=["/importer"])
        asked = await stage.submit("apples")
        view = await stage.wait_status(asked, "QUERY")
        assert stage.mine(view)[1]["query"] == {"question": "Who is the end user?", "fields": ["/importer"]}
        stage.script()
        await stage.hub.hub.intake.respond_to_query(stage.trader, asked, "customs", "The importer itself")
        view = await stage.wait(asked, lambda v: v.terminal)
        assert (view.status.value, stage.mine(view)[0], stage.mine(view)[1]["decisionSequence"]) == (
            "CLEARED", "ACCEPTED", 2,
        )  # fmt: skip

        # The permits register answers garbage: deliver raises, the tiers run out, the DLQ holds it.
        assert stage.permits is not None
        stage.permits.broken = True
        poisoned = await stage.submit("laptops")
        await stage.wait_status(poisoned, "DELIVERY_FAILED")

        async def shown() -> bool:
            return any(poisoned in str(m["message_id"]) for m in await stage.dead_letters())

        await stage.until(shown)
        (letter,) = [m for m in await stage.dead_letters() if poisoned in str(m["message_id"])]
        assert str(letter["reason"]).startswith("PermitsApiError: permits check answered 200"), letter
        stage.permits.broken = False
        replayed = await asyncio.to_thread(stage.nsw, "dlq", "replay", "--queue", names.dlq(stage.agency))
        assert replayed.returncode == 0, replayed.stdout + replayed.stderr
        view = await stage.wait(poisoned, lambda v: v.terminal)
        assert (view.status.value, stage.mine(view)[0]) == ("CLEARED", "ACCEPTED")
