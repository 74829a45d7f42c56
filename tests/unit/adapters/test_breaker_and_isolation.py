"""Agency down: the breaker stops consuming, documents wait, the probe resumes, each is handed over once.
And one failing adapter in a process leaves the others (and the hub) running."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from singlewindow.adapters import (
    Adapter,
    AdapterContext,
    AgencyUnavailable,
    Handover,
    InboundDocument,
    NoConfig,
)
from singlewindow.adapters.examples.echo_file import EchoFileAdapter
from singlewindow.adapters.sdk.breaker import BreakerState
from singlewindow.adapters.sdk.options import RuntimeOptions
from singlewindow.adapters.sdk.runner import run_isolated
from singlewindow.adapters.sdk.runtime import AdapterRuntime
from singlewindow.adapters.sdk.store import AdapterStore
from singlewindow.platform.testing import EmbeddedHub, adapter_harness


class FlakyAgency(Adapter[NoConfig]):
    """An agency system that is down while ``down`` is set; ``health`` says so truthfully."""

    agency = "sanitary"

    def __init__(self) -> None:
        self.down = False
        self.handed_over: Counter[str] = Counter()
        self.probes = 0

    async def deliver(self, document: InboundDocument) -> Handover:
        if self.down:
            raise AgencyUnavailable("connection refused")
        self.handed_over[document.submission_id] += 1
        return Handover(reference=f"F-{document.submission_id}")

    async def health(self) -> bool:
        self.probes += 1
        return not self.down


async def test_an_unavailable_agency_trips_the_breaker_and_nothing_is_lost(
    fast_hub: EmbeddedHub, tmp_path: Path
) -> None:
    adapter = FlakyAgency()
    adapter.down = True
    options = RuntimeOptions(prefetch=1, failure_threshold=2, probe_interval_seconds=0.2)
    store = f"sqlite+aiosqlite:///{tmp_path / 'flaky.db'}"
    async with adapter_harness(fast_hub, adapter, store_url=store, options=options) as harness:
        submissions = [await harness.submit("apples") for _ in range(4)]

        async def paused_with_documents_waiting() -> bool:
            # Two failed into the 1 s retry tier; the others stay ready in the inbox, unconsumed.
            return not harness.runtime.consuming and harness.inbox_ready() >= 2

        await harness.until(paused_with_documents_waiting)
        assert harness.runtime.breaker.state is BreakerState.OPEN
        assert sum(adapter.handed_over.values()) == 0

        async def retried_documents_back_in_the_inbox() -> bool:
            return harness.inbox_ready() == 4

        await harness.until(retried_documents_back_in_the_inbox)
        assert not harness.runtime.consuming and adapter.probes >= 1

        adapter.down = False
        for submission in submissions:
            await harness.wait_recipient(submission, "DELIVERED")
        assert adapter.handed_over == Counter(submissions)  # every document exactly once
        assert harness.runtime.breaker.state is BreakerState.CLOSED
        assert harness.runtime.breaker.trips == 1 and harness.runtime.consuming
        assert harness.inbox_ready() == 0
        # Documents that waited in a retry tier still report the hub's delivery attempt (1), not their retries.
        assert {r["attempt"] for r in await harness.reports()} == {1}


class CrashesInSetup(Adapter[NoConfig]):
    agency = "customs"

    def __init__(self) -> None:
        self.stopped = False

    async def setup(self, context: AdapterContext[NoConfig]) -> None:
        raise RuntimeError("customs system address missing")

    async def deliver(self, document: InboundDocument) -> Handover:
        raise AssertionError("never reached")

    async def stop(self) -> None:
        self.stopped = True


class BuggyDeliver(Adapter[NoConfig]):
    agency = "phytosanitary"

    def __init__(self) -> None:
        self.attempts = 0

    async def deliver(self, document: InboundDocument) -> Handover:
        self.attempts += 1
        raise KeyError("a bug in the phytosanitary adapter")


async def test_one_failing_adapter_does_not_stop_another(embedded_hub: EmbeddedHub, tmp_path: Path) -> None:
    import asyncio

    opened: list[Any] = []

    async def runtime_for(adapter: Adapter[Any], name: str) -> AdapterRuntime:
        recipient = embedded_hub.catalogue.get(type(adapter).agency)
        transport = await embedded_hub.agency_transport(recipient.id)
        store = await AdapterStore.open(f"sqlite+aiosqlite:///{tmp_path / name}.db", recipient.id)
        opened.extend([store, transport])
        return AdapterRuntime(name, adapter, recipient, NoConfig(), transport, embedded_hub.hub.codec, store)

    crashing, buggy = CrashesInSetup(), BuggyDeliver()
    stop = asyncio.Event()
    crashing_runtime = await runtime_for(crashing, "crashing")
    buggy_runtime = await runtime_for(buggy, "buggy")
    assert await run_isolated(crashing_runtime, stop) is False  # logged, stopped, the caller goes on
    assert crashing.stopped
    buggy_task = asyncio.create_task(run_isolated(buggy_runtime, stop))

    (tmp_path / "outbox").mkdir()
    config = {"outbox_dir": tmp_path / "outbox", "decisions_dir": tmp_path / "decisions", "poll_seconds": 0.05}
    store = f"sqlite+aiosqlite:///{tmp_path / 'echo.db'}"
    async with adapter_harness(embedded_hub, EchoFileAdapter(), store_url=store, config=config, others=None) as harness:
        submission = await harness.submit("apples")
        await harness.wait_recipient(submission, "DELIVERED")

        async def buggy_adapter_tried() -> bool:
            return buggy.attempts >= 1

        await harness.until(buggy_adapter_tried)
        view = await harness.status(submission)
        states = {r.recipient: r.effective_status for r in view.recipients}
        assert states["sanitary"] == "DELIVERED"
        assert states["phytosanitary"] == "PENDING" and states["customs"] == "PENDING"
        assert buggy_runtime.consuming  # its failure went to the retry tier; it keeps consuming

    stop.set()
    assert await buggy_task is True
    for resource in opened:
        await resource.close()
