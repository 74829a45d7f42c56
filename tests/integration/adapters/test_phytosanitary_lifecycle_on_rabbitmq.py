"""Issue 12 for the phytosanitary adapter on RabbitMQ (``nsw adapter run phytosanitary-ephyto`` under the
phytosanitary broker user, the plant-protection stand-in a separate process holding the import check
register): cancel before delivery (no check is ever decided) and after (the check is abandoned), amend after
a decision (the check is redone; the new version is decided), query answered then decided (CLEARED), and a
system error exhausted to the dead letters, shown by ``nsw dlq show`` and replayed to a decision."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from singlewindow.adapters.phytosanitary.ephyto import schema_folder
from singlewindow.adapters.standins import StandinProcess
from singlewindow.platform.api.agency_client import AgencyHubClient
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.settings import AttachmentSettings
from singlewindow.platform.testing.embedded import EmbeddedHub, embedded_hub
from singlewindow.platform.testing.harness import consignment_example

from .agency_run import (
    adapter_process,
    dead_lettered_then_replayed,
    other_deciders,
    recipient,
    replay,
    status_is,
    status_of,
    switchable_agency_services,
    until,
    wait_for,
    withdrawn_by_adapter,
)

pytestmark = pytest.mark.integration
NAME = "phytosanitary-ephyto"
AGENCY = "phytosanitary"
STEADY = {"failure_threshold": 20}
"""The breaker stays closed while the system is down, so a notice arriving late (a loaded machine) is still
taken then instead of given back to the inbox behind its document."""
SAMPLE = schema_folder().parent / "samples" / "valid-apples-cn-to-kz.xml"


@dataclass
class Phyto:
    hub: EmbeddedHub
    trader: Principal
    uploader: AgencyHubClient
    standin: StandinProcess
    database: Path

    async def submit(self, reference: str) -> tuple[str, dict[str, Any]]:
        content = SAMPLE.read_bytes()
        stored = await self.uploader.put_attachment(content, "application/xml", SAMPLE.name)
        assert stored["sha256"] == hashlib.sha256(content).hexdigest()
        body = {**copy.deepcopy(consignment_example("apples")), "traderReference": reference}
        entry = {"sha256": stored["sha256"], "mediaType": "application/xml", "fileName": SAMPLE.name,
                 "sizeBytes": len(content), "kind": "CERTIFICATE"}  # fmt: skip
        body["attachments"] = [*body["attachments"], entry]
        view, _ = await self.hub.hub.intake.submit(self.trader, "consignment", body)
        return view.submission_id, body

    async def checks(self, submission_id: str) -> list[dict[str, Any]]:
        """The register's import checks of any version of the submission, oldest first."""
        ucr = consignment_example("apples")["ucr"]
        async with httpx.AsyncClient(base_url=self.standin.url) as http:
            listed = (await http.get("/import-checks", params={"customsReferenceNumber": ucr})).json()["checks"]
        return [c for c in listed if c["localReference"].startswith(f"{submission_id}.")]


@asynccontextmanager
async def phytosanitary(vhost: Any, tmp_path: Path) -> AsyncIterator[Phyto]:
    settings = vhost.hub_settings().model_copy(update={"attachments": AttachmentSettings(folder=tmp_path / "blobs")})
    standin = await StandinProcess.start("singlewindow.adapters.phytosanitary.standin", tmp_path / "ppp.db")
    database = tmp_path / "hub.db"
    try:
        async with (
            embedded_hub(database, settings) as hub,
            switchable_agency_services(hub, settings) as served,
            other_deciders(hub, vhost, AGENCY),
        ):
            token = await served.token(hub, "phyto-adapter", Role.AGENCY, AGENCY)
            issued = await hub.hub.principals.add("kz-importer", Role.TRADER)
            adapter = {"hub_url": served.url, "hub_token": token, "plant_protection_url": standin.url,
                       "request_timeout_seconds": 1.0}  # fmt: skip
            async with (
                adapter_process(NAME, AGENCY, vhost, tmp_path, adapter, STEADY),
                AgencyHubClient(served.url, issued.token) as uploader,
            ):
                yield Phyto(hub, issued.principal, uploader, standin, database)
    finally:
        await standin.stop()


async def test_cancel_before_and_after_delivery_and_amend_after_a_decision(adapter_vhost: Any, tmp_path: Path) -> None:
    async with phytosanitary(adapter_vhost, tmp_path) as phyto:
        await phyto.standin.stop()  # the plant-protection system is down: the document waits in the tiers
        early, _ = await phyto.submit("PHY-EARLY")
        await wait_for(phyto.hub, phyto.trader, early, lambda v: status_of(v) != "RECEIVED")  # routed: sent to it
        await phyto.hub.hub.intake.cancel(phyto.trader, early, "cancelled by the declarant: wrong truck")
        await wait_for(phyto.hub, phyto.trader, early, lambda v: status_of(v) == "CANCELLED")
        phyto.standin.script = {"query_first": True}  # checks filed from now on wait for the trader
        await phyto.standin.restart()

        async def early_passed_on() -> bool:
            return "cancelled" in await withdrawn_by_adapter(tmp_path, NAME, early)

        await until(early_passed_on)

        late, _ = await phyto.submit("PHY-LATE")
        await wait_for(phyto.hub, phyto.trader, late, status_is(AGENCY, "QUERY"))
        await phyto.hub.hub.intake.cancel(phyto.trader, late, "cancelled by the declarant: goods not loaded")
        await wait_for(phyto.hub, phyto.trader, late, lambda v: status_of(v) == "CANCELLED")

        async def late_abandoned() -> bool:
            return [c["status"] for c in await phyto.checks(late)] == ["ABANDONED"]

        await until(late_abandoned)

        await phyto.standin.set_script()
        amended, body = await phyto.submit("PHY-AMEND")
        await wait_for(phyto.hub, phyto.trader, amended, status_is(AGENCY, "ACCEPTED"))
        body["goodsItems"][0]["description"] = "Fresh apples, second grade"
        await phyto.hub.hub.intake.amend(phyto.trader, amended, body)
        view = await wait_for(
            phyto.hub, phyto.trader, amended, lambda v: v.version == 2 and recipient(v, AGENCY)[0] == "ACCEPTED"
        )
        assert recipient(view, AGENCY)[1]["submissionVersion"] == 2
        assert [c["status"] for c in await phyto.checks(amended)] == ["REPLACED", "DECIDED"]

        # The runtime withdrew the version as it took the notice, before cancelled() (retried while the
        # system was down), so the document back from its tier was dropped: never filed.
        assert await phyto.checks(early) == []
        assert recipient(await phyto.hub.hub.intake.get(phyto.trader, early), AGENCY)[1] == {}


async def test_query_answered_then_decided_and_an_exhausted_error_replayed(adapter_vhost: Any, tmp_path: Path) -> None:
    async with phytosanitary(adapter_vhost, tmp_path) as phyto:
        await phyto.standin.set_script(query_first=True)
        asked, _ = await phyto.submit("PHY-QUERY")
        view = await wait_for(phyto.hub, phyto.trader, asked, status_is(AGENCY, "QUERY"))
        assert "/goodsItems/0/netMassKg" in recipient(view, AGENCY)[1]["query"]["fields"]
        await phyto.hub.hub.intake.respond_to_query(phyto.trader, asked, AGENCY, "Malus domestica, 19 800 kg")
        view = await wait_for(phyto.hub, phyto.trader, asked, lambda v: status_of(v) == "CLEARED")
        assert recipient(view, AGENCY)[1]["decisionSequence"] == 2

        await phyto.standin.set_script(mode="error")  # every business call is a 500
        poisoned, _ = await phyto.submit("PHY-POISON")
        reason = await dead_lettered_then_replayed(adapter_vhost, phyto.database, AGENCY, poisoned)
        assert "HTTP 500" in reason, reason
        await wait_for(phyto.hub, phyto.trader, poisoned, status_is(AGENCY, "DELIVERY_FAILED"))
        await phyto.standin.set_script()
        await replay(adapter_vhost, phyto.database, AGENCY)
        view = await wait_for(phyto.hub, phyto.trader, poisoned, lambda v: status_of(v) == "CLEARED", within=60)
        assert recipient(view, AGENCY)[0] == "ACCEPTED"
