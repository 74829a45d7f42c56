"""Issue 12 on the embedded hub with the customs system as a separate process: the query loop through the
hub, and a cancellation that reaches the customs system (a CUSRES still in flight is not applied)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog

from singlewindow.adapters import AdapterContext, Cancellation, DecisionDraft
from singlewindow.adapters.customs import CustomsConfig, CustomsEdifactAdapter, edifact
from singlewindow.adapters.customs.cusdec import declaration_reference
from singlewindow.adapters.customs.cusres import CustomsResponse, Finding, Outcome, build_cusres
from singlewindow.adapters.customs.exchange import OUTBOX, unique_name
from singlewindow.adapters.customs.standin import CustomsStore
from singlewindow.adapters.customs.standin.store import WITHDRAWN
from singlewindow.platform.testing import EmbeddedHub, adapter_harness


def config(folder: Path) -> CustomsConfig:
    return CustomsConfig.model_validate({"exchange_dir": folder, "poll_seconds": 0.05, "heartbeat_timeout_seconds": 2})


def distinct(decisions: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return sorted((d["decisionSequence"], d["status"]) for d in {d["documentId"]: d for d in decisions}.values())


async def test_the_customs_system_queries_first_and_decides_on_the_answer(
    fast_hub: EmbeddedHub, customs_system: Any, tmp_path: Path
) -> None:
    customs_system.script(query_first=True, query_question="Who is the end user?", query_fields=("/importer",))
    store = f"sqlite+aiosqlite:///{tmp_path / 'customs-adapter.db'}"
    async with adapter_harness(
        fast_hub, CustomsEdifactAdapter(), store_url=store, config=config(customs_system.folder)
    ) as h:
        apples = await h.submit("apples")
        asked = await h.wait_recipient(apples, "QUERY", within=20)
        assert asked.status == "HELD"
        (query,) = {d["documentId"]: d for d in await h.decisions(apples)}.values()
        assert query["query"] == {"question": "Who is the end user?", "fields": ["/importer"]}
        await h.respond(apples, "The importer itself; contract 2026/44")
        await h.wait_recipient(apples, "ACCEPTED", within=20)
        assert distinct(await h.decisions(apples)) == [(1, "QUERY"), (2, "ACCEPTED")]
        assert (await h.status(apples)).status == "CLEARED"


async def test_a_cancellation_reaches_the_customs_system_and_a_late_answer_is_not_applied(
    fast_hub: EmbeddedHub, customs_system: Any, tmp_path: Path
) -> None:
    customs_system.script(inspection_seconds=3600)
    store = f"sqlite+aiosqlite:///{tmp_path / 'customs-adapter.db'}"
    adapter = CustomsEdifactAdapter()
    async with adapter_harness(fast_hub, adapter, store_url=store, config=config(customs_system.folder)) as h:
        laptops = await h.submit("laptops")
        await h.wait_recipient(laptops, "INSPECTION_REQUIRED", within=20)
        reference = declaration_reference(laptops, 1)
        notice = Cancellation(
            "n-1", "customs", laptops, 1, "U", "cancelled by the declarant: wrong truck", "cancelled", None, reference
        )
        await adapter.cancelled(notice)
        system = await CustomsStore.open(tmp_path / "customs.db")
        try:

            async def withdrawn() -> bool:
                filed = await system.find(reference)
                return filed is not None and filed.state == WITHDRAWN

            await h.until(withdrawn, within=20)
        finally:
            await system.close()
        # An inspection result the customs system wrote just before it read the cancellation: not applied.
        late = CustomsResponse(f"{reference}-2", reference, Outcome.RELEASED, "KZ-INSP-0042", datetime.now(UTC),
                               (Finding("INSP-OK", "as declared"),))  # fmt: skip
        text = edifact.write("KZCUSTOMS", "KZNSW", "LATE", datetime.now(UTC), "CUSRES", build_cusres(late))
        await adapter.folder.put(OUTBOX, unique_name("CUSRES", reference), text)
        await h.until(lambda: _empty(adapter), within=20)
        assert distinct(await h.decisions(laptops)) == [(1, "INSPECTION_REQUIRED")]
        sent = await adapter.sent.find(reference)
        assert sent is not None and sent.withdrawn == "cancelled"


async def _empty(adapter: CustomsEdifactAdapter) -> bool:
    return not await adapter.folder.ready(OUTBOX)


async def test_a_cusres_whose_decision_cannot_be_published_does_not_hold_up_the_others(tmp_path: Path) -> None:
    decided: list[tuple[str, int]] = []

    class Backend:
        async def decide(self, submission_id: str, version: int, draft: DecisionDraft) -> int:
            if submission_id == "s_withdrawn":
                raise RuntimeError("no decision on version 1: the hub withdrew it")
            decided.append((submission_id, version))
            return 1

        async def pending(self) -> list[Any]:
            return []

    adapter = CustomsEdifactAdapter()
    context = AdapterContext("customs", "customs-edifact", config(tmp_path), structlog.get_logger(), Backend())
    adapter.bind(context)
    await adapter.setup(context)
    adapter.folder.prepare()
    for submission in ("s_withdrawn", "s_fine"):
        reference = declaration_reference(submission, 1)
        await adapter.sent.remember(reference, submission, 1, "CUSDEC")
        green = CustomsResponse(f"{reference}-1", reference, Outcome.GREEN, "RISK-ENGINE", datetime.now(UTC))
        text = edifact.write("KZCUSTOMS", "KZNSW", "G", datetime.now(UTC), "CUSRES", build_cusres(green))
        await adapter.folder.put(OUTBOX, unique_name("CUSRES", reference), text)
    assert await adapter.poll_once() == 1
    assert decided == [("s_fine", 1)]
    assert len(await adapter.folder.ready(OUTBOX)) == 1  # kept, to be read again
