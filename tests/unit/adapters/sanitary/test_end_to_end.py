"""The sanitary adapter end to end on the embedded hub, the legacy system a separate process sharing a table."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from singlewindow.adapters import InboundDocument
from singlewindow.adapters.sanitary import SanitaryConfig, SanitaryTableAdapter
from singlewindow.adapters.sanitary.database import agency_engine
from singlewindow.adapters.sanitary.table import requests
from singlewindow.adapters.sdk.options import RuntimeOptions
from singlewindow.platform.testing import EmbeddedHub, adapter_harness, consignment_example

PERMIT = "KZ.16.01.98.003.E.000123.01.26"


def config(url: str, **more: Any) -> SanitaryConfig:
    return SanitaryConfig.model_validate(
        {"database_url": url, "poll_seconds": 0.05, "lock_timeout_seconds": 0.5, **more}
    )


def infant_food(permit: str | None = None) -> dict[str, Any]:
    document = copy.deepcopy(consignment_example("apples"))
    item = document["goodsItems"][0]
    item["commodityCode"] = {"hsCode": "190110", "nationalCode": "1901100000", "nationalCodeList": "KZ-TNVED"}
    item["description"] = "Infant formula, powdered"
    item.pop("scientificName", None)
    item["supportingDocuments"] = (
        [{"type": "SANITARY_PERMIT", "number": permit, "issuerCountry": "KZ"}] if permit else []
    )
    return document


def distinct(decisions: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """(sequence, status) of each distinct decision (publishing is at least once, under one documentId)."""
    return sorted((d["decisionSequence"], d["status"]) for d in {d["documentId"]: d for d in decisions}.values())


async def rows(url: str) -> int:
    engine = agency_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(requests))).scalar_one())
    finally:
        await engine.dispose()


async def test_decisions_from_the_shared_table(fast_hub: EmbeddedHub, sanitary_system: Any, tmp_path: Path) -> None:
    store = f"sqlite+aiosqlite:///{tmp_path / 'sanitary-adapter.db'}"
    adapter = SanitaryTableAdapter()
    async with adapter_harness(fast_hub, adapter, store_url=store, config=config(sanitary_system.url)) as h:
        apples, beef = await h.submit("apples"), await h.submit("beef")
        unregistered, registered = await h.submit(infant_food()), await h.submit(infant_food(PERMIT))
        expected = {
            apples: "ACCEPTED", beef: "ACCEPTED_WITH_CONDITIONS", unregistered: "REJECTED", registered: "ACCEPTED",
        }  # fmt: skip
        for submission, status in expected.items():
            await h.wait_recipient(submission, status, within=20)
            assert distinct(await h.decisions(submission)) == [(1, status)]
        (sampled,) = {d["documentId"]: d for d in await h.decisions(beef)}.values()
        assert sampled["conditions"][0]["code"] == "LAB-SAMPLING"
        (refused,) = {d["documentId"]: d for d in await h.decisions(unregistered)}.values()
        assert "state registration" in refused["reasons"][0]["text"]
        # The hub's message for the apples delivered again (same message id) adds no row.
        body = {"submissionId": apples}
        again = InboundDocument(f"{apples}.v1.sanitary.a1", "sanitary", "view-sanitary", apples, 1, "U", 1, body)
        assert (await adapter.deliver(again)).reference == (await adapter.deliver(again)).reference
        assert await rows(sanitary_system.url) == 4


async def test_system_down_for_a_while_and_back_loses_and_duplicates_nothing(
    fast_hub: EmbeddedHub, sanitary_system: Any, tmp_path: Path
) -> None:
    sanitary_system.script(down=True)
    await asyncio.sleep(0.3)
    options = RuntimeOptions(prefetch=1, failure_threshold=1, probe_interval_seconds=0.2)
    store = f"sqlite+aiosqlite:///{tmp_path / 'sanitary-adapter.db'}"
    cfg = config(sanitary_system.url)
    async with adapter_harness(fast_hub, SanitaryTableAdapter(), store_url=store, config=cfg, options=options) as h:
        submissions = [await h.submit("apples") for _ in range(3)]
        await asyncio.sleep(1.5)
        assert all([await h.recipient_status(s) != "ACCEPTED" for s in submissions])
        sanitary_system.script(down=False)
        for submission in submissions:
            await h.wait_recipient(submission, "ACCEPTED", within=30)
        assert all([distinct(await h.decisions(s)) == [(1, "ACCEPTED")] for s in submissions])
        assert await rows(sanitary_system.url) == 3


async def test_slow_erroring_garbled_and_duplicated_decisions_end_in_one_decision(
    fast_hub: EmbeddedHub, sanitary_system: Any, tmp_path: Path
) -> None:
    sanitary_system.script(slow_seconds=0.2, errors=1, malformed=1, duplicate=True)
    store = f"sqlite+aiosqlite:///{tmp_path / 'sanitary-adapter.db'}"
    async with adapter_harness(
        fast_hub, SanitaryTableAdapter(), store_url=store, config=config(sanitary_system.url)
    ) as h:
        beef = await h.submit("beef")
        await h.wait_recipient(beef, "ACCEPTED_WITH_CONDITIONS", within=30)
        await asyncio.sleep(0.5)  # the duplicate write is read too
        assert distinct(await h.decisions(beef)) == [(1, "ACCEPTED_WITH_CONDITIONS")]
    engine = agency_engine(sanitary_system.url)
    try:
        async with engine.connect() as conn:
            (row,) = list(await conn.execute(select(requests)))
    finally:
        await engine.dispose()
    # Asked again after the garbled answer and the error (and after a duplicate of either, written back
    # after the adapter had cleared the row: the duplicate races the clearing).
    assert row.status == "ACCEPTED_WITH_CONDITIONS" and 2 <= row.adapter_retries <= 4
