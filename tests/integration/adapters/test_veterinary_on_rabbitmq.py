"""The veterinary adapter end to end on RabbitMQ: ``nsw adapter run veterinary-ched`` under the veterinary
broker user, the CHED stand-in a separate process. Decisions come later by webhook; the system down for a
while and back loses and duplicates nothing; malformed answers and duplicate webhooks change nothing."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters.standins import StandinProcess
from singlewindow.adapters.veterinary.standin import ChedStore
from singlewindow.platform.identity import Role
from singlewindow.platform.testing.embedded import embedded_hub
from singlewindow.platform.testing.harness import consignment_example

from .agency_run import adapter_process, other_deciders, recipient, status_is, wait_for

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def notifications(db: Path) -> int:
    store = await ChedStore.open(str(db))
    try:
        return await store.count()
    finally:
        await store.close()


def beef(reference: str) -> dict[str, Any]:
    return {**consignment_example("beef"), "traderReference": reference}


async def test_veterinary_adapter_on_rabbitmq(adapter_vhost: Any, tmp_path: Path) -> None:
    standin = await StandinProcess.start(
        "singlewindow.adapters.veterinary.standin", tmp_path / "ched.db", script={"decide_after_seconds": 0.3}
    )
    adapter = {"ched_url": standin.url, "webhook_port": free_port(), "request_timeout_seconds": 1.0}
    try:
        async with (
            embedded_hub(tmp_path / "hub.db", adapter_vhost.hub_settings()) as hub,
            other_deciders(hub, adapter_vhost, "veterinary"),
            adapter_process("veterinary-ched", "veterinary", adapter_vhost, tmp_path, adapter),
        ):
            trader = (await hub.hub.principals.add("kg-exporter", Role.TRADER)).principal
            first, _ = await hub.hub.intake.submit(trader, "consignment", beef("VET-1"))
            view = await wait_for(hub, trader, first.submission_id, status_is("veterinary", "ACCEPTED"))
            assert recipient(view, "veterinary")[1]["decisionSequence"] == 1

            await standin.stop()  # connections refused for a while
            waiting = [(await hub.hub.intake.submit(trader, "consignment", beef(f"VET-DOWN-{i}")))[0] for i in range(3)]
            await asyncio.sleep(2)
            for submission in waiting:
                assert (
                    recipient(await hub.hub.intake.get(trader, submission.submission_id), "veterinary")[0] == "PENDING"
                )
            standin.script = {
                "decide_after_seconds": 0.3,
                "duplicate_webhooks": True,
                "mode": "malformed-json",
                "times": 1,
            }
            await standin.restart()
            for submission in waiting:
                view = await wait_for(hub, trader, submission.submission_id, status_is("veterinary", "ACCEPTED"))
                assert recipient(view, "veterinary")[1]["decisionSequence"] == 1  # duplicate webhooks changed nothing
            assert await notifications(standin.db) == 4

            sheep, _ = await hub.hub.intake.submit(trader, "consignment", consignment_example("sheep"))
            view = await wait_for(hub, trader, sheep.submission_id, status_is("veterinary", "REJECTED"))
            assert "No veterinary certificate" in recipient(view, "veterinary")[1]["reasons"][0]["text"]
    finally:
        await standin.stop()
