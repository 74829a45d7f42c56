"""The whole hub in one process on the in-memory broker: submit once, every agency decides, one answer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from singlewindow.platform.aggregation import Consolidated
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.specs import Catalog
from singlewindow.platform.testing import AutoDecider, EmbeddedHub, accept_all, embedded_hub

EXAMPLES = Catalog().get("consignment").valid_examples


def example(stem: str) -> dict[str, Any]:
    path = next(p for p in EXAMPLES if stem in p.name)
    return json.loads(path.read_text())


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[tuple[EmbeddedHub, list[AutoDecider], Principal]]:
    async with embedded_hub(tmp_path / "hub.db") as embedded:
        deciders = []
        for agency in embedded.catalogue.agencies():
            decider = AutoDecider(
                agency.id,
                agency.broker_user,
                await embedded.agency_transport(agency.id),
                embedded.hub.codec,
                accept_all,
            )
            await decider.start()
            deciders.append(decider)
        trader = (await embedded.hub.principals.add("kz-importer", Role.TRADER)).principal
        yield embedded, deciders, trader
        for decider in deciders:
            await decider.stop()
            await decider.transport.close()


async def wait_terminal(embedded: EmbeddedHub, trader: Principal, submission_id: str) -> Any:
    for _ in range(200):
        view = await embedded.hub.intake.get(trader, submission_id)
        if view.terminal:
            return view
        await asyncio.sleep(0.02)
    raise AssertionError(f"no terminal status: {view.as_dict()}")


async def test_apples_are_cleared_by_customs_phyto_sanitary_and_border_guard(
    env: tuple[EmbeddedHub, list[AutoDecider], Principal],
) -> None:
    embedded, deciders, trader = env
    view, created = await embedded.hub.intake.submit(trader, "consignment", example("apples"))
    assert created
    assert view.status is Consolidated.RECEIVED
    final = await wait_terminal(embedded, trader, view.submission_id)
    assert final.status is Consolidated.CLEARED
    assert sorted(r.recipient for r in final.recipients) == ["border-guard", "customs", "phytosanitary", "sanitary"]
    assert {r.effective_status for r in final.recipients} == {"ACCEPTED"}
    seen = {d.agency: d.seen for d in deciders}
    assert seen["veterinary"] == []
    assert "goodsItems" not in seen["border-guard"][0]
