"""Two hubs, KZ and CN, linked by their gateways on the in-memory broker: a document submitted in KZ reaches
CN signed, is receipted, decided by GACC, and CN's answer becomes the partner's decision in KZ."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from singlewindow.platform.specs import Catalog
from singlewindow.platform.testing.crossborder import TwoCountries, two_countries


def example(document_type: str, stem: str) -> dict[str, Any]:
    for path in Catalog().get(document_type).valid_examples:
        if stem in path.name:
            loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return loaded
    raise LookupError(stem)


async def until(condition: Callable[[], Awaitable[bool]], within: float = 15.0, what: str = "") -> None:
    async with asyncio.timeout(within):
        while True:
            if await condition():
                return
            await asyncio.sleep(0.05)


@pytest.fixture
async def pair(tmp_path: Path) -> Any:
    async with two_countries(tmp_path) as countries:
        yield countries


async def test_a_control_result_reaches_cn_receipted_and_cn_answers(pair: TwoCountries) -> None:
    document = example("control-result", "wheat")
    submission = await pair.kz.submit("control-result", document, "CR-WHEAT-1")

    async def answered() -> bool:
        view = await pair.kz.hub.intake.get(pair.kz.trader, submission)
        return any(r.recipient == "partner-cn" and r.decision is not None for r in view.recipients)

    await until(answered, what="CN's answer")
    view = await pair.kz.hub.intake.get(pair.kz.trader, submission)
    partner = next(r for r in view.recipients if r.recipient == "partner-cn")
    assert partner.effective_status == "ACCEPTED", partner
    counts = await pair.kz.gateway.store.counts("cn")
    assert counts.sent == 1 and counts.unreceipted == 0
    cn_counts = await pair.cn.gateway.store.counts("kz")
    assert cn_counts.received == 1 and cn_counts.quarantined == 0
