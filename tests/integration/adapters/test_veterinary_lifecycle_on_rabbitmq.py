"""Issue 12 for the veterinary adapter on RabbitMQ (``nsw adapter run veterinary-ched`` under the veterinary
broker user, the CHED stand-in a separate process): cancel before delivery (no CHED is ever made) and after
(the CHED is withdrawn and never decided), amend after a decision (the CHED is replaced; the new version is
decided), query answered then decided (CLEARED), and a system error exhausted to the dead letters, shown by
``nsw dlq show`` and replayed to a decision."""

from __future__ import annotations

import copy
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters.standins import StandinProcess
from singlewindow.adapters.veterinary.standin import ChedStore
from singlewindow.adapters.veterinary.standin.store import Notification
from singlewindow.platform.identity import Principal, Role
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
    until,
    wait_for,
    withdrawn_by_adapter,
)

pytestmark = pytest.mark.integration
NAME = "veterinary-ched"
STEADY = {"failure_threshold": 20}
"""The breaker stays closed while the system is down, so a notice arriving late (a loaded machine) is still
taken then instead of given back to the inbox behind its document."""


@dataclass
class Vet:
    hub: EmbeddedHub
    trader: Principal
    standin: StandinProcess
    database: Path
    tmp_path: Path

    async def submit(self, reference: str) -> tuple[str, dict[str, Any]]:
        body = {**copy.deepcopy(consignment_example("beef")), "traderReference": reference}
        view, _ = await self.hub.hub.intake.submit(self.trader, "consignment", body)
        return view.submission_id, body

    async def cheds(self, submission_id: str) -> list[Notification]:
        """The CHEDs the stand-in holds for any version of the submission (by our local reference)."""
        store = await ChedStore.open(str(self.standin.db))
        try:
            ucr = consignment_example("beef")["ucr"]
            return [n for n in await store.of_consignment(ucr) if n.local_reference.startswith(f"{submission_id}.")]
        finally:
            await store.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def veterinary(vhost: Any, tmp_path: Path) -> AsyncIterator[Vet]:
    standin = await StandinProcess.start(
        "singlewindow.adapters.veterinary.standin", tmp_path / "ched.db", script={"decide_after_seconds": 0.3}
    )
    adapter = {"ched_url": standin.url, "webhook_port": free_port(), "request_timeout_seconds": 1.0}
    database = tmp_path / "hub.db"
    try:
        async with (
            embedded_hub(database, vhost.hub_settings()) as hub,
            other_deciders(hub, vhost, "veterinary"),
            adapter_process(NAME, "veterinary", vhost, tmp_path, adapter, STEADY),
        ):
            trader = (await hub.hub.principals.add("kg-exporter", Role.TRADER)).principal
            yield Vet(hub, trader, standin, database, tmp_path)
    finally:
        await standin.stop()


async def test_cancel_before_and_after_delivery_and_amend_after_a_decision(adapter_vhost: Any, tmp_path: Path) -> None:
    async with veterinary(adapter_vhost, tmp_path) as vet:
        await vet.standin.stop()  # the CHED system is down: the document waits in the retry tiers
        early, _ = await vet.submit("VET-EARLY")
        await wait_for(vet.hub, vet.trader, early, lambda v: status_of(v) != "RECEIVED")  # routed: sent to it
        await vet.hub.hub.intake.cancel(vet.trader, early, "cancelled by the declarant: wrong truck")
        await wait_for(vet.hub, vet.trader, early, lambda v: status_of(v) == "CANCELLED")
        vet.standin.script = {"decide_after_seconds": 4}
        await vet.standin.restart()

        async def early_withdrawn() -> bool:
            return "cancelled" in await withdrawn_by_adapter(tmp_path, NAME, early)

        await until(early_withdrawn)

        late, _ = await vet.submit("VET-LATE")
        await wait_for(vet.hub, vet.trader, late, status_is("veterinary", "DELIVERED"))
        await vet.hub.hub.intake.cancel(vet.trader, late, "cancelled by the declarant: goods not loaded")
        await wait_for(vet.hub, vet.trader, late, lambda v: status_of(v) == "CANCELLED")

        async def late_withdrawn() -> bool:
            return [c.status for c in await vet.cheds(late)] == ["WITHDRAWN"]

        await until(late_withdrawn)

        await vet.standin.set_script(decide_after_seconds=0.3)
        amended, body = await vet.submit("VET-AMEND")
        first = await wait_for(vet.hub, vet.trader, amended, status_is("veterinary", "ACCEPTED"))
        first_ched = recipient(first, "veterinary")[1]["references"][0]["id"]
        body["goodsItems"][0]["description"] = "Frozen boneless beef, forequarter cuts, cartons of 20 kg"
        await vet.hub.hub.intake.amend(vet.trader, amended, body)
        second = await wait_for(
            vet.hub, vet.trader, amended, lambda v: v.version == 2 and recipient(v, "veterinary")[0] == "ACCEPTED"
        )
        second_ched = recipient(second, "veterinary")[1]["references"][0]["id"]
        assert second_ched != first_ched
        by_reference = {c.ched_reference: c for c in await vet.cheds(amended)}
        assert by_reference[first_ched].status == "REPLACED" and by_reference[first_ched].replaced_by == second_ched
        assert by_reference[second_ched].request["replacesChedReference"] == first_ched

        # The runtime withdrew the version as it took the notice, before cancelled() (which failed while the
        # system was down and was retried), so the document back from its tier was dropped: never filed.
        assert await vet.cheds(early) == []
        assert recipient(await vet.hub.hub.intake.get(vet.trader, early), "veterinary")[1] == {}
        [withdrawn] = await vet.cheds(late)
        assert withdrawn.decision is None and not withdrawn.notified
        assert recipient(await vet.hub.hub.intake.get(vet.trader, late), "veterinary")[1] == {}


async def test_query_answered_then_decided_and_an_exhausted_error_replayed(adapter_vhost: Any, tmp_path: Path) -> None:
    async with veterinary(adapter_vhost, tmp_path) as vet:
        await vet.standin.set_script(decide_after_seconds=0.3, query_first=True)
        asked, _ = await vet.submit("VET-QUERY")
        view = await wait_for(vet.hub, vet.trader, asked, status_is("veterinary", "QUERY"))
        assert "/goodsItems/0/netMassKg" in recipient(view, "veterinary")[1]["query"]["fields"]
        await vet.hub.hub.intake.respond_to_query(vet.trader, asked, "veterinary", "18000 kg; KG-VET-F2-2026-004517")
        view = await wait_for(vet.hub, vet.trader, asked, lambda v: status_of(v) == "CLEARED")
        assert recipient(view, "veterinary")[1]["decisionSequence"] == 2
        [ched] = await vet.cheds(asked)
        assert ched.answers[0]["answer"].startswith("18000 kg")

        await vet.standin.set_script(decide_after_seconds=0.3, mode="error")  # every business call is a 500
        poisoned, _ = await vet.submit("VET-POISON")
        reason = await dead_lettered_then_replayed(adapter_vhost, vet.database, "veterinary", poisoned)
        assert "HTTP 500" in reason, reason
        await wait_for(vet.hub, vet.trader, poisoned, status_is("veterinary", "DELIVERY_FAILED"))
        await vet.standin.set_script(decide_after_seconds=0.3)
        await replay(adapter_vhost, vet.database, "veterinary")
        view = await wait_for(vet.hub, vet.trader, poisoned, lambda v: status_of(v) == "CLEARED", within=60)
        assert recipient(view, "veterinary")[0] == "ACCEPTED"
