"""An exception in any adapter hook goes through the retry tiers to the agency's DLQ with ``"<type>: <message>"``
as its reason, and an operator's replay brings it back to the hook (issue 12)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters import (
    Adapter,
    Cancellation,
    DecisionDraft,
    DecisionStatus,
    Handover,
    InboundDocument,
    NoConfig,
    Officer,
    Query,
    QueryResponse,
    Replacement,
)
from singlewindow.platform.dlq import replay
from singlewindow.platform.hub.replay import hub_republisher
from singlewindow.platform.testing import EmbeddedHub, adapter_harness, consignment_example
from singlewindow.platform.topology import names

OFFICER = Officer(id="SES-1")
QUESTION = DecisionDraft(status=DecisionStatus.QUERY, query=Query(question="Cold chain log?"), officer=OFFICER)


class Failing(Adapter[NoConfig]):
    """Raises a plain bug in ``hook`` while ``failing`` is set; records the calls that went through."""

    agency = "sanitary"

    def __init__(self, hook: str) -> None:
        self.hook = hook
        self.failing = True
        self.calls: list[str] = []

    def _maybe_fail(self, hook: str) -> None:
        if self.failing and hook == self.hook:
            raise RuntimeError(f"bug in {hook}")
        self.calls.append(hook)

    async def deliver(self, document: InboundDocument) -> Handover:
        self._maybe_fail("deliver")
        return Handover(reference=f"SES-{document.version}", decision=QUESTION if self.hook == "answered" else None)

    async def replaced(self, document: InboundDocument, replacement: Replacement) -> Handover:
        self._maybe_fail("replaced")
        return Handover(reference=f"SES-{document.version}")

    async def cancelled(self, notice: Cancellation) -> None:
        self._maybe_fail("cancelled")

    async def answered(self, response: QueryResponse) -> None:
        self._maybe_fail("answered")
        draft = DecisionDraft(status=DecisionStatus.ACCEPTED, officer=OFFICER, idempotency_key=response.query_id)
        await self.context.decide(response.submission_id, response.version, draft)


async def _dead(hub: EmbeddedHub) -> list[Any]:
    assert hub.broker is not None
    return hub.broker.queue_messages(hub.broker_settings.vhost, names.dlq("sanitary"))


@pytest.mark.parametrize("hook", ["deliver", "replaced", "cancelled", "answered"])
async def test_an_exception_in_a_hook_ends_in_the_dlq_with_its_reason_and_replays(
    hook: str, fast_hub: EmbeddedHub, tmp_path: Path
) -> None:
    adapter = Failing(hook)
    store = f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"
    async with adapter_harness(fast_hub, adapter, store_url=store, others=None) as harness:
        document = consignment_example("apples")
        submission = await harness.submit(document)
        if hook != "deliver":
            await harness.wait_recipient(submission, "QUERY" if hook == "answered" else "DELIVERED")
        if hook == "replaced":
            amended = copy.deepcopy(document)
            amended["traderReference"] = (await harness.status(submission)).trader_reference
            amended["goodsItems"][0]["description"] = "Fresh apples, Gala variety"
            await harness.amend(submission, amended)
        elif hook == "cancelled":
            await harness.embedded.hub.intake.cancel(harness.trader, submission, "wrong truck")
        elif hook == "answered":
            await harness.respond(submission, "Logger file attached to the CMR")

        async def dead_lettered() -> bool:
            return len(await _dead(fast_hub)) == 1

        await harness.until(dead_lettered)
        (dead,) = await _dead(fast_hub)
        assert dead.headers["x-nsw-reason"] == f"RuntimeError: bug in {hook}"
        assert dead.headers["x-nsw-retries"] == 3  # the first try and both tiers (1 s, 2 s)
        assert hook not in adapter.calls

        adapter.failing = False
        report = await replay(
            fast_hub.hub.transport,
            names.dlq("sanitary"),
            idle_seconds=1,
            republish=hub_republisher(fast_hub.hub, actor="operator"),
        )
        assert len(report.replayed) == 1, report

        async def passed_on() -> bool:
            return hook in adapter.calls

        await harness.until(passed_on)
        if hook == "answered":
            await harness.wait_recipient(submission, "ACCEPTED")
        elif hook in ("deliver", "replaced"):
            await harness.wait_recipient(submission, "DELIVERED")
        assert await _dead(fast_hub) == []
