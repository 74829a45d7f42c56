"""GACC on an embedded CN hub routed by the CN demo data: mutual recognition of KZ control results."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters.gacc import GaccAdapter
from singlewindow.platform.settings import HubSettings, Settings
from singlewindow.platform.specs import Catalog
from singlewindow.platform.testing.embedded import embedded_hub
from singlewindow.platform.testing.harness import AdapterHarness, adapter_harness

CN_ROUTING = Path(__file__).parents[4] / "platform" / "demo" / "data" / "cn" / "routing"


def example(document_type: str, stem: str) -> dict[str, Any]:
    path = next(p for p in Catalog().get(document_type).valid_examples if stem in p.name)
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def control_result(document_id: str = "KZ-KGD-CR-1", seal: str = "KZNZH004821") -> dict[str, Any]:
    document = copy.deepcopy(example("control-result", "apples"))
    document.update(documentId=document_id, ucr="KZ-TRIP-1", destinationCountry="CN", result="SATISFACTORY")
    document["sealsApplied"][0]["number"] = seal
    return document


def manifest(ucr: str = "KZ-TRIP-1", seal: str = "KZNZH004821") -> dict[str, Any]:
    document = copy.deepcopy(example("cargo-manifest", "khorgos-groupage"))
    document.update(ucr=ucr, exitCountry="KZ", entryCountry="CN")
    document["seals"][0]["number"] = seal
    return document


@pytest.fixture
async def gacc(tmp_path: Path) -> AsyncIterator[AdapterHarness]:
    routing = tmp_path / "routing"
    shutil.copytree(CN_ROUTING, routing)
    types = ("cargo-manifest", "control-result", "phytosanitary-certificate", "tir-transit-declaration")
    hub = HubSettings(routing_dir=routing, submittable_types=(*types, "passenger-currency-declaration"))
    settings = Settings(hub=hub)
    config = {
        "state_file": str(tmp_path / "gacc.db"),
        "risk_rules": [{"id": "TOMATO", "hs_prefixes": ["2002"]}, {"id": "WATCHED", "consignee_ids": ["X-1"]}],
    }
    async with (
        embedded_hub(tmp_path / "hub.db", settings) as embedded,
        adapter_harness(
            embedded, GaccAdapter(), store_url=f"sqlite+aiosqlite:///{tmp_path / 'sdk.db'}", config=config
        ) as harness,
    ):
        yield harness


_references = iter(range(1, 10_000))


async def submit(harness: AdapterHarness, document_type: str, document: dict[str, Any]) -> str:
    reference = f"GACC-TEST-{next(_references)}"
    view, _ = await harness.embedded.hub.intake.submit(
        harness.trader, document_type, document, trader_reference=reference
    )
    return view.submission_id


async def final_decision(harness: AdapterHarness, submission_id: str, status: str) -> dict[str, Any]:
    await harness.wait_recipient(submission_id, status)
    return (await harness.decisions(submission_id))[-1]


def texts(decision: dict[str, Any]) -> str:
    return " | ".join(f"{r['code']}: {r['text']}" for r in decision.get("reasons", []))


def without_tomato_paste(document: dict[str, Any]) -> dict[str, Any]:
    for consignment in document["consignments"]:
        for goods in consignment["goods"]:
            goods["hsHeading"] = "0808" if goods["hsHeading"].startswith("2002") else goods["hsHeading"]
    return document


async def test_control_result_first_then_manifest_is_accepted_without_inspection(gacc: AdapterHarness) -> None:
    result_id = await submit(gacc, "control-result", control_result())
    recorded = await final_decision(gacc, result_id, "ACCEPTED")
    assert "recorded for mutual recognition" in texts(recorded)
    manifest_id = await submit(gacc, "cargo-manifest", without_tomato_paste(manifest()))
    decision = await final_decision(gacc, manifest_id, "ACCEPTED")
    assert decision["channel"] == "GREEN"
    assert "KZ control result KZ-KGD-CR-1" in texts(decision) and "KZNZH004821 match" in texts(decision)


async def test_a_late_control_result_revises_the_manifest(gacc: AdapterHarness) -> None:
    manifest_id = await submit(gacc, "cargo-manifest", without_tomato_paste(manifest()))
    first = await final_decision(gacc, manifest_id, "INSPECTION_REQUIRED")
    assert first["channel"] == "RED" and "NO-CONTROL-RESULT" in texts(first)
    await submit(gacc, "control-result", control_result())
    revised = await final_decision(gacc, manifest_id, "ACCEPTED")
    assert revised["decisionSequence"] > first["decisionSequence"]
    assert "MUTUAL-RECOGNITION" in texts(revised)


async def test_seals_that_differ_and_risk_hits_mean_inspection(gacc: AdapterHarness) -> None:
    await submit(gacc, "control-result", control_result(seal="KZNZH000001"))
    differ = await final_decision(
        gacc, await submit(gacc, "cargo-manifest", without_tomato_paste(manifest())), "INSPECTION_REQUIRED"
    )
    assert (
        "seals differ: KZ control result KZ-KGD-CR-1 applied KZNZH000001, the manifest declares KZNZH004821"
        in texts(differ)
    )
    risky = manifest(seal="KZNZH000001")  # seals match now, but tomato paste (2002) is on GACC's risk profile
    hit = await final_decision(gacc, await submit(gacc, "cargo-manifest", risky), "INSPECTION_REQUIRED")
    assert "RISK-TOMATO: GACC risk rule TOMATO hit: HS 2002" in texts(hit)
    assert "MUTUAL-RECOGNITION" not in texts(hit)


async def test_certificates_transits_and_currency_declarations(gacc: AdapterHarness) -> None:
    phyto = example("phytosanitary-certificate", "wheat")
    phyto["issueDate"] = "2020-01-02"
    expired = await final_decision(gacc, await submit(gacc, "phytosanitary-certificate", phyto), "REJECTED")
    assert "issued 2020-01-02 is older than 14 days" in texts(expired)
    phyto["issueDate"], phyto["documentId"] = datetime.now(UTC).date().isoformat(), "PHYTO-FRESH"
    fresh = await final_decision(gacc, await submit(gacc, "phytosanitary-certificate", phyto), "ACCEPTED")
    assert "PHYTO-ACCEPTED" in texts(fresh)
    tir = copy.deepcopy(example("tir-transit-declaration", "uz-kz-cn"))
    tir["customsOfficeOfDeparture"] = "KZNZH001"
    announced = await final_decision(gacc, await submit(gacc, "tir-transit-declaration", tir), "ACCEPTED")
    assert f"transit announced at office of destination {tir['customsOfficeOfDestination']}" in texts(announced)
    currency = example("passenger-currency-declaration", "nur-zholy")
    declared = await final_decision(gacc, await submit(gacc, "passenger-currency-declaration", currency), "ACCEPTED")
    assert "declared at exit in KZ; no second declaration needed at entry" in texts(declared)
