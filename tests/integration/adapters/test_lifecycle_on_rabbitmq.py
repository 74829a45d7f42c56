"""Lifecycle notices on RabbitMQ (issue 12), the adapter runtime in process under the sanitary broker user:
a bug in ``deliver`` ends in the DLQ with its reason after the tiers and replays; a cancel reaches
``cancelled`` with the hand-over's reference; a decision on the cancelled version is not applied and the
agency is told; an amendment reaches ``replaced`` with the changed pointers."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
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
    Replacement,
)
from singlewindow.adapters.sdk.mapping import decision_document
from singlewindow.adapters.sdk.runtime import AdapterRuntime
from singlewindow.adapters.sdk.store import AdapterStore
from singlewindow.platform.aggregation import Consolidated
from singlewindow.platform.dlq import replay
from singlewindow.platform.hub.messages import AGENCY_DECISION
from singlewindow.platform.hub.replay import hub_republisher
from singlewindow.platform.identity import Role
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.testing import EmbeddedHub, consignment_example, embedded_hub
from singlewindow.platform.topology import names
from singlewindow.platform.transport import OutgoingMessage

pytestmark = pytest.mark.integration
OFFICER = Officer(id="SES-7")


class Recording(Adapter[NoConfig]):
    agency = "sanitary"

    def __init__(self) -> None:
        self.failing = True
        self.delivered: list[InboundDocument] = []
        self.notices: list[Cancellation] = []
        self.replacements: list[Replacement] = []

    async def deliver(self, document: InboundDocument) -> Handover:
        if self.failing:
            raise RuntimeError("sanitary register rejected the row")
        self.delivered.append(document)
        return Handover(reference=f"SES-{len(self.delivered)}")

    async def replaced(self, document: InboundDocument, replacement: Replacement) -> Handover:
        self.replacements.append(replacement)
        return Handover(reference=f"SES-R{len(self.replacements)}")

    async def cancelled(self, notice: Cancellation) -> None:
        self.notices.append(notice)


async def until(check: Callable[[], Awaitable[bool]], within: float = 30.0) -> None:
    async with asyncio.timeout(within):
        while True:
            if await check():
                return
            await asyncio.sleep(0.1)


@asynccontextmanager
async def running(hub: EmbeddedHub, vhost: Any, adapter: Adapter[Any], tmp_path: Path) -> AsyncIterator[AdapterRuntime]:
    transport = await hub.agency_transport("sanitary", vhost.password("sanitary"))
    store = await AdapterStore.open(f"sqlite+aiosqlite:///{tmp_path / 'sanitary.db'}", "sanitary")
    runtime = AdapterRuntime(
        "recording", adapter, hub.catalogue.get("sanitary"), NoConfig(), transport, hub.hub.codec, store
    )
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()
        await store.close()
        await transport.close()


async def test_failure_replay_cancel_and_a_decision_on_the_cancelled_version(
    adapter_vhost: Any, tmp_path: Path
) -> None:
    adapter = Recording()
    async with embedded_hub(tmp_path / "hub.db", adapter_vhost.hub_settings()) as hub:
        trader = (await hub.hub.principals.add("kz-importer", Role.TRADER)).principal

        async def sanitary_is(status: str) -> bool:
            view = await hub.hub.intake.get(trader, submission)
            return any(r.recipient == "sanitary" and r.effective_status == status for r in view.recipients)

        async with running(hub, adapter_vhost, adapter, tmp_path) as runtime:
            view, _ = await hub.hub.intake.submit(trader, "consignment", consignment_example("apples"))
            submission = view.submission_id
            await until(lambda: sanitary_is("DELIVERY_FAILED"))
            failed = [e for e in await hub.hub.events.of(submission) if e.status == "DELIVERY_FAILED"]
            assert failed[-1].detail["reason"] == "RuntimeError: sanitary register rejected the row"

            adapter.failing = False
            report = await replay(
                hub.hub.transport, names.dlq("sanitary"), idle_seconds=2, republish=hub_republisher(hub.hub, "operator")
            )
            assert len(report.replayed) == 1, report
            await until(lambda: sanitary_is("DELIVERED"))

            await hub.hub.intake.cancel(trader, submission, "wrong truck")

            async def told(count: int) -> bool:
                return len(adapter.notices) == count

            await until(lambda: told(1))
            assert (adapter.notices[0].kind, adapter.notices[0].reference) == ("cancelled", "SES-1")
            assert await runtime.pending() == []

            draft = DecisionDraft(status=DecisionStatus.ACCEPTED, officer=OFFICER)
            document = decision_document("sanitary", submission, 1, view.ucr, 1, draft, utcnow())
            sanitary = await hub.agency_transport("sanitary", adapter_vhost.password("sanitary"))
            try:
                await sanitary.publish(
                    OutgoingMessage(
                        names.DECISIONS_EXCHANGE,
                        names.DECISION_KEY,
                        hub.hub.codec.encode(AGENCY_DECISION, document),
                        message_id=f"{submission}.v1.sanitary.decision.1",
                        correlation_id=submission,
                        type=AGENCY_DECISION,
                        content_type=hub.hub.codec.content_type,
                        user_id=adapter_vhost.catalogue.get("sanitary").broker_user,
                    )
                )
            finally:
                await sanitary.close()
            await until(lambda: told(2))
            late = adapter.notices[1]
            assert late.kind == "decision-not-applied"
            assert late.reason == "decision 1 on version 1 not applied: the submission was cancelled"
            final = await hub.hub.intake.get(trader, submission)
            assert final.status is Consolidated.CANCELLED and await sanitary_is("DELIVERED")


async def test_an_amendment_reaches_replaced_with_the_changes(adapter_vhost: Any, tmp_path: Path) -> None:
    adapter = Recording()
    adapter.failing = False
    async with embedded_hub(tmp_path / "hub.db", adapter_vhost.hub_settings()) as hub:
        trader = (await hub.hub.principals.add("kz-importer", Role.TRADER)).principal
        async with running(hub, adapter_vhost, adapter, tmp_path):
            document = consignment_example("apples")
            view, _ = await hub.hub.intake.submit(trader, "consignment", document)
            amended = copy.deepcopy(document)
            amended["goodsItems"][0]["description"] = "Fresh apples, Gala variety"

            async def delivered() -> bool:
                return bool(adapter.delivered)

            await until(delivered)
            await hub.hub.intake.amend(trader, view.submission_id, amended)

            async def replaced() -> bool:
                return bool(adapter.replacements)

            await until(replaced)
            assert adapter.replacements == [Replacement(1, "SES-1", ("/goodsItems/0/description",))]
