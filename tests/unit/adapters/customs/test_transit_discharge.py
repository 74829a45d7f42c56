"""KZ customs discharges a TIR transit when CN's termination notice reaches it (routing rule
customs-transit-discharge sends the notice whole): the customs adapter records the discharge once and
decides at once, without writing anything for the customs system."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from singlewindow.adapters.customs import CustomsConfig, CustomsEdifactAdapter
from singlewindow.adapters.customs.discharges import DISCHARGES
from singlewindow.adapters.customs.exchange import INBOX
from singlewindow.platform.testing import EmbeddedHub, adapter_harness
from singlewindow.platform.testing.harness import AdapterHarness

NOTICE = Path(__file__).resolve().parents[4] / "platform/demo/data/crossborder/05-transit-termination-notice-cn.json"
DISCHARGED = (
    "TIR carnet XK34567812: transit declaration ETIR-KZ-2026-0038815 discharged at the office of departure; "
    "terminated at CNURC001 on 2026-12-08"
)


def notice(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(json.loads(NOTICE.read_text())), **changes}


async def submit(h: AdapterHarness, document: dict[str, Any], reference: str) -> str:
    """As the trader (the carrier's representative passing the partner's notice on)."""
    view, _ = await h.embedded.hub.intake.submit(h.trader, "transit-termination-notice", document, reference)
    return view.submission_id


async def decided(h: AdapterHarness, submission: str, status: str) -> dict[str, Any]:
    await h.wait_recipient(submission, status, within=10)
    (decision,) = {d["documentId"]: d for d in await h.decisions(submission)}.values()
    return decision


async def test_the_termination_notice_discharges_the_transit_once(fast_hub: EmbeddedHub, tmp_path: Path) -> None:
    exchange = tmp_path / "exchange"
    config = CustomsConfig(exchange_dir=exchange, poll_seconds=0.05)
    store = f"sqlite+aiosqlite:///{tmp_path / 'customs-adapter.db'}"
    async with adapter_harness(fast_hub, CustomsEdifactAdapter(), store_url=store, config=config) as h:
        first = await submit(h, notice(), "TIR-TERM-1")
        decision = await decided(h, first, "ACCEPTED")
        assert [r["text"] for r in decision["reasons"]] == [DISCHARGED]
        assert {(r["type"], r["id"]) for r in decision["references"]} >= {
            ("TIR_CARNET", "XK34567812"),
            ("TRANSIT_DECLARATION", "ETIR-KZ-2026-0038815"),
        }
        assert (await h.status(first)).status == "CLEARED"
        [record] = (exchange / DISCHARGES).iterdir()
        discharged = json.loads(record.read_text())
        assert (discharged["notice"], discharged["submission_id"]) == ("CN-URC-TIR-2026-0007731", first)

        again = await submit(h, notice(), "TIR-TERM-2")  # the same notice passed on twice
        assert [r["text"] for r in (await decided(h, again, "ACCEPTED"))["reasons"]] == [DISCHARGED]
        other = await submit(h, notice(documentId="CN-URC-TIR-2026-0009999"), "TIR-TERM-3")
        [text] = [r["text"] for r in (await decided(h, other, "ACCEPTED"))["reasons"]]
        assert text == f"{DISCHARGED} (already, by termination notice CN-URC-TIR-2026-0007731)"
        assert [p.name for p in (exchange / DISCHARGES).iterdir()] == [record.name]
        assert json.loads(record.read_text()) == discharged  # the first discharge stands, unchanged
        assert not list((exchange / INBOX).glob("*.edi"))  # nothing for the customs system: not a declaration


async def test_a_termination_with_a_reservation_is_accepted_with_conditions(
    fast_hub: EmbeddedHub, tmp_path: Path
) -> None:
    config = CustomsConfig(exchange_dir=tmp_path / "exchange", poll_seconds=0.05)
    store = f"sqlite+aiosqlite:///{tmp_path / 'customs-adapter.db'}"
    reserved = notice(withReservation=True, reservationText="2 packages short of 22", packageCount=20)
    async with adapter_harness(fast_hub, CustomsEdifactAdapter(), store_url=store, config=config) as h:
        submission = await submit(h, reserved, "TIR-TERM-R")
        decision = await decided(h, submission, "ACCEPTED_WITH_CONDITIONS")
        assert [r["text"] for r in decision["reasons"]] == [DISCHARGED]
        [condition] = decision["conditions"]
        assert condition["code"] == "TIR-RESERVATION"
        assert "reservation at CNURC001: 2 packages short of 22" in condition["text"]
