"""The phytosanitary adapter on the embedded hub, whose agency services are served over HTTP, with the
plant-protection stand-in as a separate process."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters.phytosanitary import PhytosanitaryAdapter
from singlewindow.adapters.sdk.options import RuntimeOptions
from singlewindow.adapters.standins import StandinProcess
from singlewindow.platform.api.agency_client import AgencyHubClient
from singlewindow.platform.identity import Role
from singlewindow.platform.settings import AttachmentSettings, HubSettings, Settings
from singlewindow.platform.testing.agency_http import ServedAgencyServices, served_agency_services
from singlewindow.platform.testing.embedded import embedded_hub
from singlewindow.platform.testing.harness import AdapterHarness, adapter_harness, consignment_example
from singlewindow.platform.testing.routing_copy import short_retry_routing

STANDIN = "singlewindow.adapters.phytosanitary.standin"


@dataclass
class PhytoEnv:
    harness: AdapterHarness
    served: ServedAgencyServices
    trader_hub: AgencyHubClient
    standin: StandinProcess


def export_consignment() -> dict[str, Any]:
    """The apples consignment turned round: KZ exports to CN through Nur Zholy/Khorgos."""
    apples = consignment_example("apples")
    document = copy.deepcopy(apples)
    document["procedure"] = {"direction": "EK", "procedureCode": "10", "previousProcedureCode": "00"}
    document["exporter"], document["importer"] = apples["importer"], apples["exporter"]
    for key in ("consignor", "consignee", "customsOfficeOfEntry", "customsOfficeOfDestination"):
        document.pop(key, None)
    document["customsOfficeOfExit"] = "KZNZH001"
    document["exportCountry"], document["destinationCountry"] = "KZ", "CN"
    for item in document["goodsItems"]:
        item["originCountry"], item["supportingDocuments"] = "KZ", []
    route = document["transport"]["route"]
    route["itineraryCountries"], route["placeOfLoading"], route["placeOfUnloading"] = ["KZ", "CN"], "KZALA", "CNURC"
    route["borderCrossings"] = [
        {"borderCrossingPoint": "KZNZH", "direction": "EXIT"},
        {"borderCrossingPoint": "CNHRG", "direction": "ENTRY"},
    ]
    document["attachments"] = []
    return document


@pytest.fixture
async def phyto(tmp_path: Path) -> AsyncIterator[PhytoEnv]:
    settings = Settings(
        hub=HubSettings(routing_dir=short_retry_routing(tmp_path / "routing", (1, 2, 3, 4))),
        attachments=AttachmentSettings(folder=tmp_path / "blobs"),
    )
    standin = await StandinProcess.start(STANDIN, tmp_path / "ppp.db")
    try:
        async with (
            embedded_hub(tmp_path / "hub.db", settings) as embedded,
            served_agency_services(embedded, settings) as served,
        ):
            _, agency_token = await served.principal(embedded, "phyto-adapter", Role.AGENCY, "phytosanitary")
            _, trader_token = await served.principal(embedded, "uploader", Role.TRADER)
            config = {
                "hub_url": served.url,
                "hub_token": agency_token,
                "plant_protection_url": standin.url,
                "request_timeout_seconds": 1.0,
            }
            options = RuntimeOptions(probe_interval_seconds=0.3, failure_threshold=2)
            async with (
                adapter_harness(
                    embedded,
                    PhytosanitaryAdapter(),
                    store_url=f"sqlite+aiosqlite:///{tmp_path / 'adapter.db'}",
                    config=config,
                    options=options,
                ) as harness,
                AgencyHubClient(served.url, trader_token) as trader_hub,
            ):
                yield PhytoEnv(harness, served, trader_hub, standin)
    finally:
        await standin.stop()
