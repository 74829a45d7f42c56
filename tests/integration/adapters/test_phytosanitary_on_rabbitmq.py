"""The phytosanitary adapter end to end on RabbitMQ: ``nsw adapter run phytosanitary-ephyto`` under the
phytosanitary broker user, calling the hub's HTTP API for attachments and the permits register, the
plant-protection stand-in a separate process. Import: the ePhyto attachment is checked (valid, invalid);
export: issued while the system is down for a while and back, nothing lost, nothing duplicated."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters.phytosanitary.ephyto import schema_folder
from singlewindow.adapters.phytosanitary.standin import CertificateStore
from singlewindow.adapters.standins import StandinProcess
from singlewindow.platform.api.agency_client import AgencyHubClient
from singlewindow.platform.identity import Role
from singlewindow.platform.settings import AttachmentSettings
from singlewindow.platform.testing.agency_http import served_agency_services
from singlewindow.platform.testing.embedded import embedded_hub
from singlewindow.platform.testing.harness import consignment_example

from .agency_run import adapter_process, other_deciders, recipient, status_is, wait_for

pytestmark = pytest.mark.integration
SAMPLES = schema_folder().parent / "samples"


async def apples_with(uploader: AgencyHubClient, sample: str, reference: str) -> dict[str, Any]:
    content = (SAMPLES / sample).read_bytes()
    stored = await uploader.put_attachment(content, "application/xml", sample)
    assert stored["sha256"] == hashlib.sha256(content).hexdigest()
    document = {**consignment_example("apples"), "traderReference": reference}
    entry = {"sha256": stored["sha256"], "mediaType": "application/xml", "fileName": sample,
             "sizeBytes": len(content), "kind": "CERTIFICATE"}  # fmt: skip
    document["attachments"] = [*document["attachments"], entry]
    return document


def export(reference: str) -> dict[str, Any]:
    apples = consignment_example("apples")
    document = {**apples, "traderReference": reference, "exporter": apples["importer"], "importer": apples["exporter"]}
    document["procedure"] = {"direction": "EK", "procedureCode": "10", "previousProcedureCode": "00"}
    for key in ("consignor", "consignee", "customsOfficeOfEntry", "customsOfficeOfDestination"):
        document.pop(key, None)
    document["customsOfficeOfExit"] = "KZNZH001"
    document["exportCountry"], document["destinationCountry"] = "KZ", "CN"
    document["goodsItems"] = [
        {**item, "originCountry": "KZ", "supportingDocuments": []} for item in apples["goodsItems"]
    ]
    crossings = [
        {"borderCrossingPoint": "KZNZH", "direction": "EXIT"},
        {"borderCrossingPoint": "CNHRG", "direction": "ENTRY"},
    ]
    route = {
        **apples["transport"]["route"],
        "itineraryCountries": ["KZ", "CN"],
        "placeOfLoading": "KZALA",
        "placeOfUnloading": "CNURC",
        "borderCrossings": crossings,
    }
    document["transport"] = {**apples["transport"], "route": route}
    document["attachments"] = []
    return document


async def test_phytosanitary_adapter_on_rabbitmq(adapter_vhost: Any, tmp_path: Path) -> None:
    settings = adapter_vhost.hub_settings().model_copy(
        update={"attachments": AttachmentSettings(folder=tmp_path / "blobs")}
    )
    standin = await StandinProcess.start("singlewindow.adapters.phytosanitary.standin", tmp_path / "ppp.db")
    try:
        async with (
            embedded_hub(tmp_path / "hub.db", settings) as hub,
            served_agency_services(hub, settings) as served,
            other_deciders(hub, adapter_vhost, "phytosanitary"),
        ):
            _, agency_token = await served.principal(hub, "phyto-adapter", Role.AGENCY, "phytosanitary")
            trader, trader_token = await served.principal(hub, "kz-importer", Role.TRADER)
            adapter = {"hub_url": served.url, "hub_token": agency_token, "plant_protection_url": standin.url,
                       "request_timeout_seconds": 1.0}  # fmt: skip
            async with (
                adapter_process("phytosanitary-ephyto", "phytosanitary", adapter_vhost, tmp_path, adapter),
                AgencyHubClient(served.url, trader_token) as uploader,
            ):
                valid = await apples_with(uploader, "valid-apples-cn-to-kz.xml", "PHY-1")
                accepted, _ = await hub.hub.intake.submit(trader, "consignment", valid)
                invalid = await apples_with(uploader, "national-weight-without-unit.xml", "PHY-2")
                rejected, _ = await hub.hub.intake.submit(trader, "consignment", invalid)
                await wait_for(hub, trader, accepted.submission_id, status_is("phytosanitary", "ACCEPTED"))
                view = await wait_for(hub, trader, rejected.submission_id, status_is("phytosanitary", "REJECTED"))
                assert recipient(view, "phytosanitary")[1]["reasons"][0]["code"] == "PHY-NATIONAL"

                await standin.stop()
                exports = [
                    (await hub.hub.intake.submit(trader, "consignment", export(f"EXP-{i}")))[0] for i in range(2)
                ]
                await asyncio.sleep(2)
                await standin.restart()
                numbers = set()
                for submission in exports:
                    view = await wait_for(hub, trader, submission.submission_id, status_is("phytosanitary", "ACCEPTED"))
                    decision = recipient(view, "phytosanitary")[1]
                    assert decision["decisionSequence"] == 1
                    numbers |= {r["id"] for r in decision["references"] if r["type"] == "PHYTO_CERTIFICATE"}
                store = await CertificateStore.open(str(standin.db))
                try:
                    assert await store.count() == 2 and len(numbers) == 2
                finally:
                    await store.close()
                operator = (await hub.hub.principals.add("operator", Role.OPERATOR)).principal
                for number in numbers:
                    assert (await served.permits.get(operator, number)).issuing_agency == "phytosanitary"
    finally:
        await standin.stop()
