"""A recipient mapped to "document" gets the document as submitted, unprojected, and the adapter runtime
still knows which submission version it is (from the message, since the document does not say)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters import Adapter, DecisionDraft, DecisionStatus, Handover, InboundDocument, Officer
from singlewindow.platform.settings import HubSettings, Settings
from singlewindow.platform.testing.embedded import embedded_hub
from singlewindow.platform.testing.harness import AdapterHarness, adapter_harness, consignment_example
from singlewindow.platform.testing.routing_copy import short_retry_routing


class WholeDocumentBorderGuard(Adapter[Any]):
    """Records what it receives and accepts at once."""

    agency = "border-guard"

    def __init__(self) -> None:
        self.received: list[InboundDocument] = []

    async def deliver(self, document: InboundDocument) -> Handover:
        self.received.append(document)
        decision = DecisionDraft(status=DecisionStatus.ACCEPTED, officer=Officer(id="BG-1"))
        return Handover(reference=f"bg-{len(self.received)}", decision=decision)


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[tuple[AdapterHarness, WholeDocumentBorderGuard]]:
    routing = short_retry_routing(tmp_path / "routing")
    catalogue = json.loads((routing / "recipients.json").read_text(encoding="utf-8"))
    for entry in catalogue["recipients"]:
        if entry["id"] == "border-guard":
            entry["documentViews"] = {"consignment": "document"}
    (routing / "recipients.json").write_text(json.dumps(catalogue), encoding="utf-8")
    adapter = WholeDocumentBorderGuard()
    settings = Settings(hub=HubSettings(routing_dir=routing))
    async with (
        embedded_hub(tmp_path / "hub.db", settings) as embedded,
        adapter_harness(embedded, adapter, store_url=f"sqlite+aiosqlite:///{tmp_path / 'bg.db'}") as harness,
    ):
        yield harness, adapter


async def test_the_document_arrives_whole_and_the_decision_lands_on_its_version(
    env: tuple[AdapterHarness, WholeDocumentBorderGuard],
) -> None:
    harness, adapter = env
    submission_id = await harness.submit("apples")
    await harness.wait_recipient(submission_id, "ACCEPTED")
    (received,) = adapter.received
    assert (received.view, received.submission_id, received.version) == ("consignment", submission_id, 1)
    sent = consignment_example("apples")
    assert "submissionId" not in received.body and "recipient" not in received.body
    assert received.body["goodsItems"] == sent["goodsItems"]  # every item, not a projection's selection
    assert received.body["exporter"] == sent["exporter"]  # a field the border guard's view leaves out
    view = await harness.status(submission_id)
    assert view.status == "CLEARED"
