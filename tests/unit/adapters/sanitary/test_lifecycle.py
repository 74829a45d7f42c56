"""Issue 12 for the shared table: the query loop through the hub, withdrawn rows skipped by the legacy system
and never read back, a replacement withdrawing the row it replaces, and an intake refusal that is not the
system being down."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import structlog
from sqlalchemy import select, update

from singlewindow.adapters import (
    AdapterContext,
    Cancellation,
    DecisionDraft,
    InboundDocument,
    Query,
    QueryResponse,
    Replacement,
)
from singlewindow.adapters.sanitary import SanitaryConfig, SanitaryTableAdapter
from singlewindow.adapters.sanitary.adapter import IntakeRefused
from singlewindow.adapters.sanitary.database import agency_engine
from singlewindow.adapters.sanitary.standin import SanitarySystem, Script
from singlewindow.adapters.sanitary.table import requests
from singlewindow.platform.specs import Catalog
from singlewindow.platform.testing import EmbeddedHub, adapter_harness


def config(url: str) -> SanitaryConfig:
    return SanitaryConfig.model_validate({"database_url": url, "poll_seconds": 0.05, "lock_timeout_seconds": 0.5})


def distinct(decisions: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return sorted((d["decisionSequence"], d["status"]) for d in {d["documentId"]: d for d in decisions}.values())


async def table(url: str) -> list[Any]:
    engine = agency_engine(url)
    try:
        async with engine.connect() as conn:
            return list(await conn.execute(select(requests).order_by(requests.c.request_no)))
    finally:
        await engine.dispose()


class Recorder:
    """The runtime behind the context, for driving the hooks directly (no poller, no broker)."""

    def __init__(self) -> None:
        self.decided: list[tuple[str, int, DecisionDraft]] = []

    async def decide(self, submission_id: str, version: int, draft: DecisionDraft) -> int:
        self.decided.append((submission_id, version, draft))
        return len(self.decided)

    async def pending(self) -> list[Any]:
        return []


@dataclass
class Direct:
    """The adapter driven through its hooks, and the legacy system stepped in process: no timing involved."""

    adapter: SanitaryTableAdapter
    recorder: Recorder
    system: SanitarySystem
    url: str


@pytest.fixture
async def direct(tmp_path: Path) -> AsyncIterator[Direct]:
    url = f"sqlite:///{tmp_path / 'agency.db'}"
    system = SanitarySystem(agency_engine(url), {}, Script)
    await system.prepare()
    adapter, recorder = SanitaryTableAdapter(), Recorder()
    context = AdapterContext("sanitary", "sanitary-table", config(url), structlog.get_logger(), recorder)
    adapter.bind(context)
    await adapter.setup(context)
    try:
        yield Direct(adapter, recorder, system, url)
    finally:
        await adapter.engine.dispose()
        await system.engine.dispose()


def document(version: int, message_id: str | None = None) -> InboundDocument:
    path = next(p for p in Catalog().get("view-sanitary").valid_examples)
    body = json.loads(path.read_text())
    mid = message_id or f"s_1.v{version}.sanitary.a1"
    return InboundDocument(mid, "sanitary", "view-sanitary", "s_1", version, body["ucr"], 1, body)


async def test_the_legacy_system_queries_first_and_decides_on_the_answer(
    fast_hub: EmbeddedHub, sanitary_system: Any, tmp_path: Path
) -> None:
    sanitary_system.script(query_first=True, query_question="Shelf life?", query_fields=("/goodsItems/0",))
    store = f"sqlite+aiosqlite:///{tmp_path / 'sanitary-adapter.db'}"
    adapter = SanitaryTableAdapter()
    async with adapter_harness(fast_hub, adapter, store_url=store, config=config(sanitary_system.url)) as h:
        beef = await h.submit("beef")
        await h.wait_recipient(beef, "QUERY", within=20)
        (query,) = {d["documentId"]: d for d in await h.decisions(beef)}.values()
        assert query["query"] == {"question": "Shelf life?", "fields": ["/goodsItems/0"]}
        await h.respond(beef, "Twelve months at minus 18 C")
        await h.wait_recipient(beef, "ACCEPTED_WITH_CONDITIONS", within=20)
        assert distinct(await h.decisions(beef)) == [(1, "QUERY"), (2, "ACCEPTED_WITH_CONDITIONS")]
        (row,) = await table(sanitary_system.url)
        assert row.answer == "Twelve months at minus 18 C"


async def test_a_version_cancelled_before_it_was_handed_over_is_never_inserted(direct: Direct) -> None:
    adapter = direct.adapter
    never = Cancellation("n-0", "sanitary", "s_1", 1, "U", "wrong truck", "cancelled", None, None)
    await adapter.cancelled(never)
    await adapter.cancelled(never)  # the same notice again adds nothing
    late = await adapter.deliver(document(1))  # the document was already on its way
    (row,) = await table(direct.url)
    assert late.reference == f"row-{row.request_no}"
    assert (row.withdrawn_reason, row.status, row.document) == ("wrong truck", None, "{}")
    assert await direct.system.step(Script()) == 0


async def test_a_withdrawn_row_is_skipped_and_its_decision_never_read(direct: Direct) -> None:
    adapter, system = direct.adapter, direct.system
    handover = await adapter.deliver(document(1))
    notice = Cancellation("n-1", "sanitary", "s_1", 1, "U", "wrong truck", "cancelled", None, handover.reference)
    await adapter.cancelled(notice)
    assert await system.step(Script()) == 0  # the legacy system skips it
    (row,) = await table(direct.url)
    assert (row.withdrawn_reason, row.status) == ("wrong truck", None) and row.withdrawn_at is not None
    # A decision the legacy system wrote there anyway (it read the row just before) is not read back.
    async with system.engine.begin() as conn:
        await conn.execute(update(requests).values(status="ACCEPTED", decided_at=datetime.now(UTC)))
    assert await adapter.poll_once() == 0
    assert direct.recorder.decided == []


async def test_a_row_whose_decision_cannot_be_published_does_not_hold_up_the_others(direct: Direct) -> None:
    adapter, system = direct.adapter, direct.system
    await adapter.deliver(document(1, "m-refused"))
    await adapter.deliver(document(2, "m-fine"))
    await system.step(Script())
    refusing = direct.recorder.decide

    async def decide(submission_id: str, version: int, draft: DecisionDraft) -> int:
        if version == 1:
            raise RuntimeError("no decision on version 1: the hub withdrew it")
        return await refusing(submission_id, version, draft)

    direct.recorder.decide = decide  # type: ignore[method-assign]
    assert await adapter.poll_once() == 2
    assert [(v, d.status.value) for _, v, d in direct.recorder.decided] == [(2, "ACCEPTED")]


async def test_an_answer_reaches_only_an_open_query_and_the_system_then_decides(direct: Direct) -> None:
    adapter, system = direct.adapter, direct.system
    await adapter.deliver(document(1))
    query_first = Script(query_first=True, query_question="Shelf life?", query_fields=("/goodsItems/0",))
    assert await system.step(query_first) == 1
    assert await adapter.poll_once() == 1
    ((_, _, asked),) = direct.recorder.decided
    assert asked.query == Query(question="Shelf life?", fields=("/goodsItems/0",))
    assert await system.step(query_first) == 0  # waiting for the answer
    await adapter.answered(QueryResponse("q-1", "sanitary", "s_1", 1, "U", 1, "Twelve months"))
    assert await system.step(query_first) == 1
    assert await adapter.poll_once() == 1
    assert [d.status.value for _, _, d in direct.recorder.decided] == ["QUERY", "ACCEPTED"]
    (row,) = await table(direct.url)
    assert (row.answer, row.status) == ("Twelve months", "ACCEPTED")
    await adapter.answered(QueryResponse("q-2", "sanitary", "s_1", 1, "U", 1, "again"))  # no open query: logged
    assert (await table(direct.url))[0].answer == "Twelve months"


async def test_a_replacement_withdraws_the_row_it_replaces(direct: Direct) -> None:
    adapter = direct.adapter
    first = await adapter.deliver(document(1))
    second = await adapter.replaced(document(2), Replacement(1, first.reference, ("/goodsItems/0/netMassKg",)))
    old, new = await table(direct.url)
    assert (first.reference, second.reference) == (f"row-{old.request_no}", f"row-{new.request_no}")
    assert old.withdrawn_at is not None and old.withdrawn_reason == f"replaced by version 2 (row {new.request_no})"
    assert (new.replaces, new.withdrawn_at, new.submission_version) == (old.request_no, None, 2)
    assert await direct.system.step(Script()) == 1  # only the new version is decided


async def test_an_intake_refusal_is_not_the_system_being_down(direct: Direct) -> None:
    adapter, system = direct.adapter, direct.system
    await system.step(Script(intake_error="SES intake: reference tables reloading"))
    with pytest.raises(IntakeRefused, match="reference tables reloading"):
        await adapter.deliver(document(1))
    assert await adapter.health()  # not down: the breaker must not open for this
    await system.step(Script())
    assert (await adapter.deliver(document(1))).reference.startswith("row-")
    assert len(await table(direct.url)) == 1


async def test_a_cancellation_before_or_after_its_document_leaves_the_version_withdrawn(direct: Direct) -> None:
    """The runtime passes one submission's messages on one at a time, in either order (tests/unit/adapters/
    test_runtime_turns.py); the adapter keeps no locks of its own."""
    adapter = direct.adapter
    for version in range(1, 5):
        notice = Cancellation(f"n-{version}", "sanitary", "s_1", version, "U", "wrong truck", "cancelled", None, None)
        if version % 2:
            await adapter.cancelled(notice)
            await adapter.deliver(document(version))
        else:
            await adapter.deliver(document(version))
            await adapter.cancelled(notice)
    assert all(row.withdrawn_at is not None for row in await table(direct.url))
    assert await direct.system.step(Script()) == 0
