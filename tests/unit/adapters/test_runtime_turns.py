"""One submission's messages one at a time, in arrival order (issue 12 follow-up): a document and its
cancellation notice handed to the runtime together never overlap, and a notice withdraws its version
before ``cancelled`` runs, so a cancelled version is never handed over to the agency system."""

from __future__ import annotations

import asyncio
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
    VersionWithdrawn,
)
from singlewindow.adapters.sdk.options import RuntimeOptions
from singlewindow.adapters.sdk.store import AdapterStore
from singlewindow.adapters.sdk.turns import SubmissionTurns
from singlewindow.platform.aggregation import Consolidated

OFFICER = Officer(id="SES-1")


class Gated(Adapter[NoConfig]):
    """``deliver`` waits for ``release`` (an agency system slow to take a document); ``cancelled`` records
    whether a deliver was still running when it was called and raises for the first ``failing_notices``."""

    agency = "sanitary"

    def __init__(self, *, gated: bool = True, down: int = 0, failing_notices: int = 0) -> None:
        self.delivering = asyncio.Event()
        self.release = asyncio.Event()
        if not gated:
            self.release.set()
        self.down = down
        self.failing_notices = failing_notices
        self.in_deliver = False
        self.delivered: list[InboundDocument] = []
        self.notices: list[tuple[Cancellation, bool]] = []

    async def deliver(self, document: InboundDocument) -> Handover:
        if self.down:
            self.down -= 1
            raise AgencyUnavailable("intake is down")
        self.in_deliver = True
        self.delivering.set()
        try:
            await self.release.wait()
        finally:
            self.in_deliver = False
        self.delivered.append(document)
        return Handover(reference=f"GATE-{len(self.delivered)}")

    async def cancelled(self, notice: Cancellation) -> None:
        self.notices.append((notice, self.in_deliver))
        if self.failing_notices:
            self.failing_notices -= 1
            raise AgencyUnavailable("intake is down")


async def cancel(harness: Any, submission: str, reason: str) -> None:
    await harness.embedded.hub.intake.cancel(harness.trader, submission, reason)


async def test_a_notice_arriving_while_its_document_is_delivered_waits_and_cancels_what_was_handed_over(
    adapter_harness: Any,
) -> None:
    adapter = Gated()
    harness = await adapter_harness(adapter, others=None)
    submission = await harness.submit("apples")
    await adapter.delivering.wait()  # the document is with the agency system, which has not answered yet
    await cancel(harness, submission, "wrong truck")

    async def notice_taken() -> bool:
        turns = getattr(harness.runtime, "turns", None)  # before the fix the notice ran at once
        return bool(adapter.notices) or (turns is not None and turns.waiting(submission) == 1)

    await harness.until(notice_taken)
    adapter.release.set()

    async def told() -> bool:
        return bool(adapter.notices) and await adapter.context.pending() == []

    await harness.until(told)
    ((notice, during_deliver),) = adapter.notices
    assert not during_deliver, "cancelled() ran while the document's deliver() was still running"
    assert (notice.kind, notice.reference) == ("cancelled", "GATE-1")  # the system is told what it got
    assert [d.submission_id for d in adapter.delivered] == [submission]
    with pytest.raises(VersionWithdrawn):
        await adapter.context.decide(submission, 1, DecisionDraft(status=DecisionStatus.ACCEPTED, officer=OFFICER))
    await harness.until(lambda: _cancelled(harness, submission))
    assert len(harness.runtime.turns) == 0  # nothing kept once the submission's messages are done


async def _cancelled(harness: Any, submission: str) -> bool:
    return (await harness.status(submission)).status is Consolidated.CANCELLED


async def test_a_notice_whose_hook_fails_withdraws_first_so_the_document_back_from_its_tier_is_dropped(
    fast_hub: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The agency system was down: the document waits in a retry tier, the notice's ``cancelled`` fails and
    it follows; the document comes back first and must not be handed over, and the notice is retried."""
    from singlewindow.platform.testing import adapter_harness

    dropped: list[tuple[str, int]] = []
    withdrawn = AdapterStore.withdrawn

    async def spied(self: AdapterStore, submission_id: str, version: int) -> str | None:
        reason = await withdrawn(self, submission_id, version)
        if reason is not None:
            dropped.append((submission_id, version))
        return reason

    monkeypatch.setattr(AdapterStore, "withdrawn", spied)
    adapter = Gated(gated=False, down=1, failing_notices=1)
    options = RuntimeOptions(failure_threshold=10)
    store = f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"
    async with adapter_harness(fast_hub, adapter, store_url=store, options=options, others=None) as harness:
        submission = await harness.submit("apples")

        async def waiting_in_a_tier() -> bool:
            return harness.runtime.breaker.failures == 1

        await harness.until(waiting_in_a_tier)
        await cancel(harness, submission, "consignment sold on the way")

        async def notice_retried_and_document_settled() -> bool:
            return len(adapter.notices) == 2 and (bool(dropped) or bool(adapter.delivered))

        await harness.until(notice_retried_and_document_settled)
        assert adapter.delivered == [], "a document of a cancelled version was handed over"
        assert dropped[0] == (submission, 1)
        assert [(n.kind, n.reference) for n, _ in adapter.notices] == [("cancelled", None)] * 2  # called again
        assert await harness.reports(submission) == []
        await harness.until(lambda: _cancelled(harness, submission))


async def test_turns_keep_arrival_order_per_key_run_keys_concurrently_and_forget_finished_keys() -> None:
    turns = SubmissionTurns()
    order: list[str] = []
    first_in = asyncio.Event()
    release_first = asyncio.Event()

    async def run(key: str, name: str, gate: asyncio.Event | None = None) -> None:
        async with turns.turn(key):
            order.append(f"{name} in")
            if gate is not None:
                first_in.set()
                await gate.wait()
            order.append(f"{name} out")

    tasks = [asyncio.create_task(run("s1", "a", release_first))]
    await first_in.wait()
    tasks += [asyncio.create_task(run("s1", name)) for name in ("b", "c")]
    tasks.append(asyncio.create_task(run("s2", "other")))
    other = tasks[-1]
    await other  # another submission is not held up by s1's running message
    assert turns.waiting("s1") == 2 and turns.waiting("s2") == 0 and len(turns) == 1
    release_first.set()
    await asyncio.gather(*tasks)
    assert [step for step in order if not step.startswith("other")] == [
        "a in", "a out", "b in", "b out", "c in", "c out",
    ]  # fmt: skip
    assert len(turns) == 0


async def test_a_failing_or_cancelled_message_gives_its_turn_up() -> None:
    turns = SubmissionTurns()
    with pytest.raises(RuntimeError):
        async with turns.turn("s1"):
            raise RuntimeError("hook failed")
    assert len(turns) == 0
    holder_in = asyncio.Event()
    hold = asyncio.Event()

    async def holder() -> None:
        async with turns.turn("s1"):
            holder_in.set()
            await hold.wait()

    async def waiter() -> None:
        async with turns.turn("s1"):
            pass

    running = asyncio.create_task(holder())
    await holder_in.wait()
    waiting = asyncio.create_task(waiter())
    await asyncio.sleep(0)  # the waiter takes its place in the queue
    assert turns.waiting("s1") == 1
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    hold.set()
    await running
    assert len(turns) == 0
    async with turns.turn(None):  # a message without a submission id runs at once
        assert len(turns) == 0


async def test_notices_passed_on_before_the_upgrade_stay_passed_on(tmp_path: Path) -> None:
    """Until store step 3 a withdrawal was recorded only after ``cancelled`` returned: those notices are
    carried over as passed on, so a redelivery after the upgrade does not call the hook again."""
    from sqlalchemy import insert

    from singlewindow.adapters.sdk import tables
    from singlewindow.platform.state.common import utcnow
    from singlewindow.platform.storage import open_engine

    url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    engine = open_engine(url)
    try:

        def before_step_3(conn: Any) -> None:
            tables.schema_version.create(conn)
            for step in tables.STEPS[:2]:
                step(conn)
            conn.execute(tables.schema_version.insert().values(version=2))
            row = {"agency": "sanitary", "submission_id": "s_1", "version": 1, "kind": "cancelled", "reason": "r"}
            conn.execute(insert(tables.withdrawals).values(message_id="n-1", withdrawn_at=utcnow(), **row))

        async with engine.begin() as conn:
            await conn.run_sync(before_step_3)
    finally:
        await engine.dispose()
    store = await AdapterStore.open(url, "sanitary")
    try:
        assert await store.notice_seen("n-1") and not await store.notice_seen("n-2")
        await store.record_withdrawal("n-2", "s_1", 2, "cancelled", "r")  # taken, hook not returned yet
        assert not await store.notice_seen("n-2") and await store.withdrawn("s_1", 2) == "r"
        await store.record_notice_passed_on("n-2")
        await store.record_notice_passed_on("n-2")  # a repeat is a no-op
        assert await store.notice_seen("n-2")
    finally:
        await store.close()
