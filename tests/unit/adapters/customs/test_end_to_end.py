"""The customs adapter end to end on the embedded hub, with the customs system as a separate process.

Trader records seed the channels (see conftest): apples GREEN, laptops YELLOW, a repeat offender RED; the
inspection result revises INSPECTION_REQUIRED to ACCEPTED (or REJECTED). Cited permits are checked and
written off through the hub's HTTP API before the declaration reaches customs.
"""

from __future__ import annotations

import asyncio
import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters import DocumentRefused, InboundDocument
from singlewindow.adapters.customs import CustomsConfig, CustomsEdifactAdapter
from singlewindow.adapters.customs.permit_checks import check_and_write_off
from singlewindow.adapters.customs.permits_client import PermitsClient
from singlewindow.adapters.sdk.options import RuntimeOptions
from singlewindow.platform.permits import PermitDraft, PermitKind
from singlewindow.platform.specs import Catalog
from singlewindow.platform.testing import EmbeddedHub, adapter_harness, consignment_example

CONFORMITY = "EAEU KZ.7500525.22.01.00317"


def config(folder: Path, api: Any = None, **more: Any) -> CustomsConfig:
    permits = {"hub_url": api.url, "hub_token": api.customs_token} if api is not None else {}
    return CustomsConfig.model_validate(
        {"exchange_dir": folder, "poll_seconds": 0.05, "heartbeat_timeout_seconds": 2, **permits, **more}
    )


def offender_apples() -> dict[str, Any]:
    document = copy.deepcopy(consignment_example("apples"))
    for party in ("declarant", "importer"):
        document[party]["identificationNumber"] = "990000000066"
    return document


def statuses(decisions: list[dict[str, Any]]) -> list[tuple[int, str, str | None]]:
    """Distinct decisions (publishing is at least once: a stored decision may go out twice under one
    documentId, which the hub takes once), each (sequence, status, channel)."""
    distinct = {d["documentId"]: d for d in decisions}.values()
    assert len({d["decisionSequence"] for d in distinct}) == len(distinct), "two decisions with one sequence"
    return sorted((d["decisionSequence"], d["status"], d.get("channel")) for d in distinct)


async def issue_conformity(api: Any, quantity: str) -> None:
    draft = PermitDraft(
        CONFORMITY, PermitKind.CONFORMITY_CERTIFICATE, "120240017788", ("8471",), "Laptop computers",
        Decimal(quantity), "H87", date(2026, 1, 1), date(2027, 12, 31),
    )  # fmt: skip
    await api.service.issue(api.operator, draft)


async def test_green_yellow_and_red_channels_end_to_end(
    fast_hub: EmbeddedHub, customs_system: Any, permits_api: Any, tmp_path: Path
) -> None:
    await issue_conformity(permits_api, "2400")
    store = f"sqlite+aiosqlite:///{tmp_path / 'customs-adapter.db'}"
    adapter = CustomsEdifactAdapter()
    async with adapter_harness(
        fast_hub, adapter, store_url=store, config=config(customs_system.folder, permits_api)
    ) as h:
        green, yellow, red = await h.submit("apples"), await h.submit("laptops"), await h.submit(offender_apples())
        for submission in (green, yellow, red):
            await h.wait_recipient(submission, "ACCEPTED", within=20)
        assert statuses(await h.decisions(green)) == [(1, "ACCEPTED", "GREEN")]
        assert statuses(await h.decisions(yellow)) == [(1, "INSPECTION_REQUIRED", "YELLOW"), (2, "ACCEPTED", None)]
        assert statuses(await h.decisions(red)) == [(1, "INSPECTION_REQUIRED", "RED"), (2, "ACCEPTED", None)]
        red_first = min(await h.decisions(red), key=lambda d: d["decisionSequence"])
        assert {r["code"] for r in red_first["reasons"]} == {"TRADER-RECORD"}
        assert (await h.status(green)).status == "CLEARED"


async def test_cited_permits_are_written_off_once_and_an_exhausted_or_forged_one_stops_the_declaration(
    fast_hub: EmbeddedHub, customs_system: Any, permits_api: Any, tmp_path: Path
) -> None:
    await issue_conformity(permits_api, "2400")
    store = f"sqlite+aiosqlite:///{tmp_path / 'customs-adapter.db'}"
    async with adapter_harness(
        fast_hub, CustomsEdifactAdapter(), store_url=store, config=config(customs_system.folder, permits_api)
    ) as h:
        first = await h.submit("laptops")
        await h.wait_recipient(first, "ACCEPTED", within=20)
        second = await h.submit("laptops")
        await h.wait_recipient(second, "QUERY", within=20)
        forged_document = copy.deepcopy(consignment_example("laptops"))
        forged_document["goodsItems"][0]["supportingDocuments"][0]["number"] = "EAEU KZ.0000000.00.00.00000"
        forged = await h.submit(forged_document)
        await h.wait_recipient(forged, "REJECTED", within=20)
        await h.wait_for(second, lambda view: view.status == "HELD")
        (asked,) = {d["documentId"]: d for d in await h.decisions(second)}.values()
        assert [r["code"] for r in asked["reasons"]] == ["PERMIT-QUANTITY_EXCEE"[:20]]
        assert "0.000 H87 left" in asked["query"]["question"]
        (rejected,) = {d["documentId"]: d for d in await h.decisions(forged)}.values()
        assert [r["code"] for r in rejected["reasons"]] == ["PERMIT-UNKNOWN"]
        ledger = await permits_api.service.ledger(permits_api.operator, CONFORMITY)
        assert [(e.key.submission_id, e.quantity) for e in ledger] == [(first, Decimal("2400.000"))]
        # Only the declaration whose permits held reached the customs system.
        assert len(list((customs_system.folder / "sent").glob("*.json"))) == 1

    # The same document delivered again (same submission version): nothing more is written off.
    view = json.loads(next(p for p in Catalog().get("view-customs").valid_examples if "laptops" in p.name).read_text())
    client = PermitsClient(permits_api.url, permits_api.customs_token)
    try:
        assert await check_and_write_off(client, view, "KZ", first, 1) is None
    finally:
        await client.close()
    assert len(await permits_api.service.ledger(permits_api.operator, CONFORMITY)) == 1


async def test_customs_system_down_for_a_while_and_back_loses_and_duplicates_nothing(
    fast_hub: EmbeddedHub, customs_system: Any, tmp_path: Path
) -> None:
    customs_system.script(down=True)
    await asyncio.sleep(0.3)
    options = RuntimeOptions(prefetch=1, failure_threshold=1, probe_interval_seconds=0.2)
    store = f"sqlite+aiosqlite:///{tmp_path / 'customs-adapter.db'}"
    cfg = config(customs_system.folder, heartbeat_timeout_seconds=0.5)
    async with adapter_harness(fast_hub, CustomsEdifactAdapter(), store_url=store, config=cfg, options=options) as h:
        await asyncio.sleep(0.6)  # the heartbeat is stale now
        submissions = [await h.submit("apples") for _ in range(3)]
        await asyncio.sleep(1.5)
        assert all([await h.recipient_status(s) != "ACCEPTED" for s in submissions])
        customs_system.script(down=False)
        for submission in submissions:
            await h.wait_recipient(submission, "ACCEPTED", within=30)
        assert all([statuses(await h.decisions(s)) == [(1, "ACCEPTED", "GREEN")] for s in submissions])
        assert len(list((customs_system.folder / "sent").glob("*.json"))) == 3


async def test_slow_erroring_garbled_and_duplicated_answers_end_in_one_decision(
    fast_hub: EmbeddedHub, customs_system: Any, tmp_path: Path
) -> None:
    customs_system.script(slow_seconds=0.2, errors=1, malformed=1, duplicate=True, inspection_result="REFUSE")
    store = f"sqlite+aiosqlite:///{tmp_path / 'customs-adapter.db'}"
    async with adapter_harness(
        fast_hub, CustomsEdifactAdapter(), store_url=store, config=config(customs_system.folder)
    ) as h:
        green, offender = await h.submit("apples"), await h.submit(offender_apples())
        await h.wait_recipient(green, "ACCEPTED", within=30)
        await h.wait_recipient(offender, "REJECTED", within=30)
        await asyncio.sleep(0.5)  # the duplicate files are read too
        assert statuses(await h.decisions(green)) == [(1, "ACCEPTED", "GREEN")]
        assert statuses(await h.decisions(offender)) == [(1, "INSPECTION_REQUIRED", "RED"), (2, "REJECTED", None)]
        records = [json.loads(p.read_text()) for p in (customs_system.folder / "sent").glob("*.json")]
        # Sent again after the garbage and after each copy of the (duplicated) error answer.
        assert sorted(r["resends"] for r in records) == [3, 3]


async def test_a_view_that_cannot_be_written_as_cusdec_is_refused(
    fast_hub: EmbeddedHub, customs_system: Any, tmp_path: Path
) -> None:
    store = f"sqlite+aiosqlite:///{tmp_path / 'customs-adapter.db'}"
    adapter = CustomsEdifactAdapter()
    async with adapter_harness(fast_hub, adapter, store_url=store, config=config(customs_system.folder)):
        view = json.loads(
            next(p for p in Catalog().get("view-customs").valid_examples if "apples" in p.name).read_text()
        )
        del view["transport"]["transportMeans"]
        document = InboundDocument("m-1", "customs", "view-customs", "s_x", 1, view["ucr"], 1, view)
        with pytest.raises(DocumentRefused, match="transportMeans"):
            await adapter.deliver(document)
        assert not list((customs_system.folder / "inbox").glob("*.edi"))
