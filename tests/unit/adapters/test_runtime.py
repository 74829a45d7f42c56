"""The adapter runtime on the embedded hub: lifecycle, hand-over once, decisions now and later, refusals."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters import (
    Adapter,
    AdapterContext,
    DecisionDraft,
    DecisionStatus,
    DocumentRefused,
    Handover,
    InboundDocument,
    NoConfig,
    Officer,
    Query,
    QueryResponse,
    Reason,
)
from singlewindow.adapters.sdk.options import RuntimeOptions
from singlewindow.platform.aggregation import Consolidated
from singlewindow.platform.errors import BrokerUnavailable, NotFound
from singlewindow.platform.hub.messages import HEADER_ATTEMPT, HEADER_RECIPIENT, HEADER_VERSION
from singlewindow.platform.topology import names
from singlewindow.platform.transport import OutgoingMessage

OFFICER = Officer(id="SES-1", name="Duty officer")


class Recorder(Adapter[NoConfig]):
    """Records every call; decides at once when ``immediate`` is set, refuses when ``refuse`` is."""

    agency = "sanitary"

    def __init__(self, immediate: DecisionDraft | None = None, refuse: str | None = None) -> None:
        self.calls: list[str] = []
        self.delivered: list[InboundDocument] = []
        self.immediate = immediate
        self.refuse = refuse

    async def setup(self, context: AdapterContext[NoConfig]) -> None:
        assert context.agency == "sanitary" and context is self.context
        self.calls.append("setup")

    async def start(self) -> None:
        self.calls.append("start")

    async def stop(self) -> None:
        self.calls.append("stop")

    async def deliver(self, document: InboundDocument) -> Handover:
        self.calls.append("deliver")
        if self.refuse:
            raise DocumentRefused(self.refuse)
        self.delivered.append(document)
        return Handover(reference=f"SES-{len(self.delivered)}", decision=self.immediate)


async def test_lifecycle_runs_setup_start_deliver_stop_in_order(embedded_hub: Any, tmp_path: Path) -> None:
    from singlewindow.platform.testing import adapter_harness

    adapter = Recorder()
    async with adapter_harness(embedded_hub, adapter, store_url=f"sqlite+aiosqlite:///{tmp_path / 'a.db'}") as harness:
        assert adapter.calls == ["setup", "start"] and harness.runtime.consuming
        submission = await harness.submit("apples")
        await harness.wait_recipient(submission, "DELIVERED")
    assert adapter.calls == ["setup", "start", "deliver", "stop"]
    assert not harness.runtime.consuming


async def test_an_immediate_decision_reaches_the_consolidated_status(adapter_harness: Any) -> None:
    harness = await adapter_harness(Recorder(immediate=DecisionDraft(status=DecisionStatus.ACCEPTED, officer=OFFICER)))
    submission = await harness.submit("apples")
    final = await harness.wait_for(submission, lambda view: view.terminal)
    assert final.status is Consolidated.CLEARED
    (report,) = await harness.reports(submission)
    (decision,) = await harness.decisions(submission)
    assert (report["recipient"], report["attempt"]) == ("sanitary", 1)
    assert (decision["decisionSequence"], decision["status"]) == (1, "ACCEPTED")
    assert decision["officer"] == OFFICER.model_dump()
    assert await harness.runtime.pending() == []


async def test_a_late_decision_and_its_revision_get_rising_sequences(adapter_harness: Any) -> None:
    adapter = Recorder()
    harness = await adapter_harness(adapter)
    submission = await harness.submit("apples")
    await harness.wait_recipient(submission, "DELIVERED")
    (pending,) = await adapter.context.pending()
    assert (pending.submission_id, pending.version, pending.reference) == (submission, 1, "SES-1")

    inspect = DecisionDraft(
        status=DecisionStatus.INSPECTION_REQUIRED,
        reasons=(Reason(code="LAB", text="Samples for the laboratory"),),
        officer=OFFICER,
        idempotency_key="ses-event-1",
    )
    assert await adapter.context.decide(submission, 1, inspect) == 1
    held = await harness.wait_for(submission, lambda view: view.status is Consolidated.HELD)
    assert next(r for r in held.recipients if r.recipient == "sanitary").effective_status == "INSPECTION_REQUIRED"
    assert await adapter.context.pending() == []

    accept = DecisionDraft(status=DecisionStatus.ACCEPTED, officer=OFFICER, idempotency_key="ses-event-2")
    assert await adapter.context.decide(submission, 1, accept) == 2
    final = await harness.wait_for(submission, lambda view: view.terminal)
    assert final.status is Consolidated.CLEARED
    assert [d["decisionSequence"] for d in await harness.decisions(submission)] == [1, 2]


async def test_a_duplicate_decision_changes_nothing(adapter_harness: Any) -> None:
    adapter = Recorder()
    harness = await adapter_harness(adapter, others=None)
    submission = await harness.submit("apples")
    await harness.wait_recipient(submission, "DELIVERED")
    webhook = DecisionDraft(status=DecisionStatus.ACCEPTED, officer=OFFICER, idempotency_key="webhook-42")
    assert await adapter.context.decide(submission, 1, webhook) == 1
    await harness.wait_recipient(submission, "ACCEPTED")
    before = await harness.status(submission)
    # The same webhook again, and the same content without a key twice: one decision each, no more.
    assert await adapter.context.decide(submission, 1, webhook) == 1
    unkeyed = DecisionDraft(status=DecisionStatus.ACCEPTED, officer=Officer(id="SES-2"))
    assert await adapter.context.decide(submission, 1, unkeyed) == 2
    assert await adapter.context.decide(submission, 1, unkeyed) == 2
    assert [d["decisionSequence"] for d in await harness.decisions(submission)] == [1, 2]
    after = await harness.wait_for(submission, lambda view: view.status_sequence >= before.status_sequence)
    assert after.status == before.status


async def test_deciding_on_a_document_never_handed_over_is_refused(adapter_harness: Any) -> None:
    adapter = Recorder()
    await adapter_harness(adapter)
    with pytest.raises(NotFound):
        await adapter.context.decide("s_unknown", 1, DecisionDraft(status=DecisionStatus.ACCEPTED, officer=OFFICER))


async def test_a_redelivered_document_is_not_handed_over_twice(adapter_harness: Any, embedded_hub: Any) -> None:
    adapter = Recorder()
    harness = await adapter_harness(adapter, others=None)
    submission = await harness.submit("apples")
    await harness.wait_recipient(submission, "DELIVERED")
    (first,) = adapter.delivered
    # What the broker does after a lost ack: the same message, same id, once more.
    await embedded_hub.hub.transport.publish(
        OutgoingMessage(
            names.AGENCY_EXCHANGE,
            names.agency_routing_key("sanitary"),
            embedded_hub.hub.codec.encode(first.view, first.body),
            message_id=first.message_id,
            correlation_id=submission,
            type=first.view,
            content_type=embedded_hub.hub.codec.content_type,
            headers={HEADER_VERSION: 1, HEADER_RECIPIENT: "sanitary", HEADER_ATTEMPT: first.attempt},
        )
    )

    async def settled() -> bool:
        return len(await harness.reports(submission)) == 2 and harness.inbox_ready() == 0

    await harness.until(settled)
    reports = await harness.reports(submission)
    assert len(reports) == 2 and reports[0] == reports[1]  # the same report, re-sent
    assert adapter.calls.count("deliver") == 1
    assert harness.inbox_ready() == 0


async def test_a_refused_document_is_dead_lettered_and_ends_delivery_failed(
    adapter_harness: Any, embedded_hub: Any
) -> None:
    harness = await adapter_harness(Recorder(refuse="HS code 080810 unknown to the sanitary register"))
    submission = await harness.submit("apples")
    await harness.wait_recipient(submission, "DELIVERY_FAILED")
    held = await harness.status(submission)
    assert held.status is Consolidated.HELD
    (dead,) = embedded_hub.broker.queue_messages(embedded_hub.broker_settings.vhost, names.dlq("sanitary"))
    assert dead.headers["x-nsw-reason"] == "document-refused"
    assert dead.headers["x-nsw-last-error"] == "HS code 080810 unknown to the sanitary register"
    assert dead.message_id is not None and dead.message_id.startswith(submission)
    assert await harness.reports(submission) == []


class Hangs(Recorder):
    async def deliver(self, document: InboundDocument) -> Handover:
        self.calls.append("deliver")
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def test_a_deliver_slower_than_the_timeout_counts_as_an_unavailable_agency(adapter_harness: Any) -> None:
    adapter = Hangs()
    options = RuntimeOptions(deliver_timeout_seconds=0.1, failure_threshold=10)
    harness = await adapter_harness(adapter, options=options, others=None)
    submission = await harness.submit("apples")

    async def counted() -> bool:
        return harness.runtime.breaker.failures == 1

    await harness.until(counted)
    assert await harness.recipient_status(submission) == "PENDING" and harness.runtime.consuming


async def test_a_decision_whose_publish_failed_is_re_sent_by_the_sweep(adapter_harness: Any) -> None:
    adapter = Recorder()
    harness = await adapter_harness(adapter, options=RuntimeOptions(republish_seconds=0.1), others=None)
    submission = await harness.submit("apples")
    await harness.wait_recipient(submission, "DELIVERED")
    real_publish = harness.capture.publish
    failures = 0

    async def broker_down_once(message: OutgoingMessage) -> None:
        nonlocal failures
        if message.type == "agency-decision" and failures == 0:
            failures += 1
            raise BrokerUnavailable("connection lost")
        await real_publish(message)

    harness.capture.publish = broker_down_once  # type: ignore[method-assign]
    draft = DecisionDraft(status=DecisionStatus.ACCEPTED, officer=OFFICER, idempotency_key="evt-9")
    with pytest.raises(BrokerUnavailable):
        await adapter.context.decide(submission, 1, draft)  # stored, not confirmed
    await harness.wait_recipient(submission, "ACCEPTED")  # the sweep sent it
    (decision,) = await harness.decisions(submission)
    assert decision["decisionSequence"] == 1
    assert await adapter.context.decide(submission, 1, draft) == 1  # now a plain duplicate
    assert len(await harness.decisions(submission)) == 1


def test_a_handover_reference_must_fit_the_store() -> None:
    with pytest.raises(ValueError, match="1 to 255"):
        Handover(reference="")
    with pytest.raises(ValueError, match="1 to 255"):
        Handover(reference="x" * 256)


class Asks(Recorder):
    """Asks the trader a question at once and accepts once the answer arrives."""

    def __init__(self) -> None:
        question = DecisionDraft(status=DecisionStatus.QUERY, query=Query(question="Cold chain log?"), officer=OFFICER)
        super().__init__(immediate=question)
        self.answers: list[QueryResponse] = []

    async def answered(self, response: QueryResponse) -> None:
        self.answers.append(response)
        accepted = DecisionDraft(status=DecisionStatus.ACCEPTED, officer=OFFICER, idempotency_key=response.message_id)
        await self.context.decide(response.submission_id, response.version, accepted)


async def test_the_traders_answer_to_a_query_reaches_the_adapter(adapter_harness: Any) -> None:
    adapter = Asks()
    harness = await adapter_harness(adapter)
    submission = await harness.submit("apples")
    await harness.wait_recipient(submission, "QUERY")
    await harness.respond(submission, "Logger file attached to the CMR")
    final = await harness.wait_for(submission, lambda view: view.terminal)
    assert final.status is Consolidated.CLEARED
    (answer,) = adapter.answers
    assert (answer.submission_id, answer.query_sequence, answer.answer) == (
        submission,
        1,
        "Logger file attached to the CMR",
    )
    assert [d["status"] for d in await harness.decisions(submission)] == ["QUERY", "ACCEPTED"]
