"""What a partner's gateway brings is never routed back to that partner: a CN-bound control result
submitted in KZ by a trader goes to partner-cn; the same document brought by CN's gateway (the partner-cn
principal) is routed to nobody of the rules' CN recipients (otherwise it would ping-pong between the hubs)."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path

from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.specs import Catalog
from singlewindow.platform.testing.embedded import EmbeddedHub, embedded_hub


def control_result() -> dict[str, object]:
    path = next(p for p in Catalog().get("control-result").valid_examples if "wheat" in p.name)
    document: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    assert document["destinationCountry"] == "CN"
    return document


async def routed_to(embedded: EmbeddedHub, who: Principal, document: dict[str, object], reference: str) -> set[str]:
    view, _ = await embedded.hub.intake.submit(who, "control-result", copy.deepcopy(document), reference)
    async with asyncio.timeout(10):
        while True:
            view = await embedded.hub.intake.get(who, view.submission_id)
            if view.status.value != "RECEIVED":
                return {r.recipient for r in view.recipients}
            await asyncio.sleep(0.02)


async def test_a_partners_own_document_is_not_sent_back_to_it(tmp_path: Path) -> None:
    async with embedded_hub(tmp_path / "hub.db") as embedded:
        trader = (await embedded.hub.principals.add("kz-carrier", Role.TRADER)).principal
        partner = (await embedded.hub.principals.add("partner-cn", Role.PARTNER)).principal
        assert await routed_to(embedded, trader, control_result(), "CR-FROM-TRADER") == {"partner-cn"}
        assert await routed_to(embedded, partner, control_result(), "XB-cn-1") == set()
