"""Lifecycle notices through the adapter runtime (issue 12): cancelled, replaced and answered, end to end on
the embedded hub; a decision on a withdrawn version; the hub's decision-not-applied notice."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters import (
    Adapter,
    AgencyUnavailable,
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
from singlewindow.adapters.sdk.mapping import decision_document
from singlewindow.adapters.sdk.options import RuntimeOptions
from singlewindow.adapters.sdk.store import AdapterStore
from singlewindow.platform.aggregation import Consolidated
from singlewindow.platform.errors import Conflict
from singlewindow.platform.hub.messages import AGENCY_DECISION, CANCELLATION_NOTICE
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.testing import consignment_example
from singlewindow.platform.topology import names
from singlewindow.platform.transport import OutgoingMessage

OFFICER = Officer(id="SES-1", name="Duty officer")


class Lifecycle(Adapter[NoConfig]):
    """Records every hook; ``immediate`` decides at once, ``down`` makes the first deliveries unavailable."""

    agency = "sanitary"

    def __init__(self, immediate: DecisionDraft | None = None, down: int = 0) -> None:
        self.immediate = immediate
        self.down = down
        self.delivered: list[InboundDocument] = []
        self.replacements: list[tuple[InboundDocument, Replacement]] = []
        self.notices: list[Cancellation] = []
        self.answers: list[QueryResponse] = []

    async def deliver(self, document: InboundDocument) -> Handover:
        if self.down:
            self.down -= 1
            raise AgencyUnavailable("intake of the sanitary register is down")
        self.delivered.append(document)
        return Handover(reference=f"SES-{len(self.delivered)}", decision=self.immediate)

    async def replaced(self, document: InboundDocument, replacement: Replacement) -> Handover:
        self.replacements.append((document, replacement))
        return Handover(reference=f"SES-R{len(self.replacements)}")

    async def cancelled(self, notice: Cancellation) -> None:
        self.notices.append(notice)

    async def answered(self, response: QueryResponse) -> None:
        self.answers.append(response)
        accepted = DecisionDraft(status=DecisionStatus.ACCEPTED, officer=OFFICER, idempotency_key=response.query_id)
        await self.context.decide(response.submission_id, response.version, accepted)


def laptops_instead(document: dict[str, Any]) -> dict[str, Any]:
    """The same consignment declaring laptops: nothing for the sanitary service any more."""
    amended = copy.deepcopy(document)
    laptops = consignment_example("laptops")["goodsItems"][0]
    amended["goodsItems"][0]["commodityCode"] = laptops["commodityCode"]
    amended["goodsItems"][0]["description"] = laptops["description"]
    return amended


async def cancel(harness: Any, submission: str, reason: str) -> None:
    await harness.embedded.hub.intake.cancel(harness.trader, submission, reason)


async def publish_decision(harness: Any, submission: str, version: int, sequence: int) -> None:
    """What a misbehaving or late agency system does: publish a decision without asking the runtime."""
    ucr = (await harness.status(submission)).ucr
    draft = DecisionDraft(status=DecisionStatus.ACCEPTED, officer=OFFICER)
    document = decision_document("sanitary", submission, version, ucr, sequence, draft, utcnow())
    await harness.capture.publish(
        OutgoingMessage(
            names.DECISIONS_EXCHANGE,
            names.DECISION_KEY,
            harness.embedded.hub.codec.encode(AGENCY_DECISION, document),
            message_id=f"{submission}.v{version}.sanitary.decision.{sequence}",
            correlation_id=submission,
            type=AGENCY_DECISION,
            content_type=harness.embedded.hub.codec.content_type,
            user_id=harness.runtime.recipient.broker_user,
        )
    )


async def test_cancel_after_hand_over_reaches_cancelled_and_closes_the_version(adapter_harness: Any) -> None:
    adapter = Lifecycle()
    harness = await adapter_harness(adapter, others=None)
    submission = await harness.submit("apples")
    await harness.wait_recipient(submission, "DELIVERED")
    await cancel(harness, submission, "wrong truck")

    async def told() -> bool:
        return bool(adapter.notices) and await adapter.context.pending() == []

    await harness.until(told)
    (notice,) = adapter.notices
    assert (notice.submission_id, notice.version, notice.kind, notice.reference) == (
        submission,
        1,
        "cancelled",
        "SES-1",
    )
    assert notice.reason == "cancelled by the declarant: wrong truck" and notice.superseded_by is None
    with pytest.raises(Conflict, match="withdrew"):  # refused locally: nothing is published
        await adapter.context.decide(submission, 1, DecisionDraft(status=DecisionStatus.ACCEPTED, officer=OFFICER))
    assert await harness.decisions(submission) == []
    assert (await harness.status(submission)).status is Consolidated.CANCELLED


async def test_cancel_before_hand_over_is_passed_on_and_the_document_never_handed_over(
    fast_hub: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from singlewindow.platform.testing import adapter_harness

    dropped: list[tuple[str, int]] = []
    withdrawn = AdapterStore.withdrawn

    async def spied(self: AdapterStore, submission_id: str, version: int) -> str | None:
        reason = await withdrawn(self, submission_id, version)
        if reason is not None:
            dropped.append((submission_id, version))
        return reason

    monkeypatch.setattr(AdapterStore, "withdrawn", spied)
    adapter = Lifecycle(down=1)  # the first delivery waits in a retry tier
    options = RuntimeOptions(failure_threshold=10)
    store = f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"
    async with adapter_harness(fast_hub, adapter, store_url=store, options=options, others=None) as harness:
        submission = await harness.submit("apples")

        async def waiting_in_a_tier() -> bool:
            return harness.runtime.breaker.failures == 1

        await harness.until(waiting_in_a_tier)
        await cancel(harness, submission, "consignment sold on the way")

        async def document_back_and_dropped() -> bool:
            return bool(adapter.notices) and dropped == [(submission, 1)]

        await harness.until(document_back_and_dropped)
        (notice,) = adapter.notices
        assert (notice.kind, notice.reference, notice.version) == ("cancelled", None, 1)
        assert adapter.delivered == []  # the document came back from its tier and was not handed over
        assert await harness.reports(submission) == []


async def test_amend_after_a_decision_reaches_replaced_with_the_changes(adapter_harness: Any) -> None:
    adapter = Lifecycle(immediate=DecisionDraft(status=DecisionStatus.ACCEPTED, officer=OFFICER))
    harness = await adapter_harness(adapter)
    document = consignment_example("apples")
    submission = await harness.submit(document)
    first = await harness.wait_for(submission, lambda view: view.terminal)
    assert first.status is Consolidated.CLEARED
    amended = copy.deepcopy(document)
    amended["traderReference"] = first.trader_reference
    amended["goodsItems"][0]["description"] = "Fresh apples, Gala variety, class I, in cartons of 12.5 kg"
    await harness.amend(submission, amended)

    async def replaced() -> bool:
        return bool(adapter.replacements)

    await harness.until(replaced)
    (document_v2, replacement) = adapter.replacements[0]
    assert document_v2.version == 2 and len(adapter.delivered) == 1
    assert replacement == Replacement(1, "SES-1", ("/goodsItems/0/description",))
    await harness.wait_recipient(submission, "DELIVERED")
    assert [p.version for p in await adapter.context.pending()] == [2]  # version 1 is no longer awaited


async def test_an_amendment_that_no_longer_routes_here_supersedes_the_version(adapter_harness: Any) -> None:
    adapter = Lifecycle()
    harness = await adapter_harness(adapter, others=None)
    document = consignment_example("apples")
    submission = await harness.submit(document)
    view = await harness.wait_recipient(submission, "DELIVERED")
    amended = laptops_instead(document)
    amended["traderReference"] = view.trader_reference
    await harness.amend(submission, amended)

    async def told() -> bool:
        return bool(adapter.notices)

    await harness.until(told)
    (notice,) = adapter.notices
    assert (notice.kind, notice.version, notice.superseded_by, notice.reference) == ("superseded", 1, 2, "SES-1")
    assert notice.reason == "amended: version 2 is no longer routed to sanitary"
    assert await adapter.context.pending() == [] and adapter.replacements == []


async def test_a_decision_on_a_cancelled_version_is_kept_not_applied_and_the_agency_told(adapter_harness: Any) -> None:
    adapter = Lifecycle()
    harness = await adapter_harness(adapter, others=None)
    submission = await harness.submit("apples")
    await harness.wait_recipient(submission, "DELIVERED")
    await cancel(harness, submission, "wrong truck")
    await publish_decision(harness, submission, 1, 1)
    await publish_decision(harness, submission, 1, 1)  # a duplicate is told once

    async def told_twice() -> bool:
        return len(adapter.notices) == 2

    await harness.until(told_twice)
    kinds = [n.kind for n in adapter.notices]
    assert kinds == ["cancelled", "decision-not-applied"]
    not_applied = adapter.notices[1]
    assert not_applied.reason == "decision 1 on version 1 not applied: the submission was cancelled"
    assert not_applied.reference == "SES-1"
    view = await harness.status(submission)
    assert view.status is Consolidated.CANCELLED
    assert await harness.recipient_status(submission) == "DELIVERED"
    history = await harness.embedded.hub.events.of(submission)
    (decision,) = [e for e in history if e.kind == "DECISION"]
    assert decision.detail["not_applied"] == not_applied.reason


async def test_a_decision_on_a_superseded_version_is_not_applied(adapter_harness: Any) -> None:
    adapter = Lifecycle()
    harness = await adapter_harness(adapter, others=None)
    document = consignment_example("apples")
    submission = await harness.submit(document)
    view = await harness.wait_recipient(submission, "DELIVERED")
    amended = copy.deepcopy(document)
    amended["traderReference"] = view.trader_reference
    amended["goodsItems"][0]["description"] = "Fresh apples, Gala variety"
    await harness.amend(submission, amended)

    async def replaced() -> bool:
        return bool(adapter.replacements)

    await harness.until(replaced)
    await publish_decision(harness, submission, 1, 1)

    async def told() -> bool:
        return bool(adapter.notices)

    await harness.until(told)
    (notice,) = adapter.notices
    assert (notice.kind, notice.version, notice.superseded_by) == ("decision-not-applied", 1, 2)
    assert notice.reason == "decision 1 on version 1 not applied: version 1 was superseded by version 2"
    first = await harness.embedded.hub.submissions.version(submission, 1)
    assert first.status is not Consolidated.CLEARED  # the decision did not fold into version 1


async def test_the_answer_to_a_query_reaches_answered_with_its_query_id_and_a_decision_follows(
    adapter_harness: Any,
) -> None:
    question = DecisionDraft(status=DecisionStatus.QUERY, query=Query(question="Cold chain log?"), officer=OFFICER)
    adapter = Lifecycle(immediate=question)
    harness = await adapter_harness(adapter)
    submission = await harness.submit("apples")
    await harness.wait_recipient(submission, "QUERY")
    await harness.respond(submission, "Logger file attached to the CMR")
    final = await harness.wait_for(submission, lambda view: view.terminal)
    assert final.status is Consolidated.CLEARED
    (answer,) = adapter.answers
    assert answer.query_id == f"{submission}.v1.sanitary.q1" and answer.answer == "Logger file attached to the CMR"
    assert CANCELLATION_NOTICE not in {m.type for m in harness.capture.published}
