"""Issue 12 follow-up: the customs adapter gives a cancelled or replaced declaration's permit write-offs back.

Embedded hub, the customs system as a separate process, the permits register on a port. Laptops cite a
conformity certificate of 2,400 units: version 1 writes all of it off; an amendment to 2,000 units must leave
exactly 2,000 written off (before the fix version 2 found nothing left and was QUERIED), and cancelling
it (held for inspection) must give everything back. A redelivered notice gives nothing back twice."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters.customs import CustomsConfig, CustomsEdifactAdapter
from singlewindow.adapters.customs.cusdec import declaration_reference
from singlewindow.adapters.customs.permit_checks import reverse_write_offs
from singlewindow.adapters.customs.permits_client import PermitItem, PermitsClient
from singlewindow.platform.api.agency_client import AgencyHubClient, NotFound
from singlewindow.platform.permits import EntryKind, PermitDraft, PermitKind
from singlewindow.platform.testing import EmbeddedHub, adapter_harness, consignment_example

CONFORMITY = "EAEU KZ.7500525.22.01.00317"


async def test_an_amendment_leaves_only_the_new_quantity_and_a_cancellation_gives_it_all_back(
    fast_hub: EmbeddedHub, customs_system: Any, permits_api: Any, tmp_path: Path
) -> None:
    await permits_api.service.issue(
        permits_api.operator,
        PermitDraft(
            CONFORMITY, PermitKind.CONFORMITY_CERTIFICATE, "120240017788", ("8471",), "Laptop computers",
            Decimal("2400"), "H87", date(2026, 1, 1), date(2027, 12, 31),
        ),
    )  # fmt: skip
    config = CustomsConfig.model_validate(
        {"exchange_dir": customs_system.folder, "poll_seconds": 0.05, "heartbeat_timeout_seconds": 2,
         "hub_url": permits_api.url, "hub_token": permits_api.customs_token}
    )  # fmt: skip
    store = f"sqlite+aiosqlite:///{tmp_path / 'customs-adapter.db'}"
    adapter = CustomsEdifactAdapter()

    async def remaining() -> Decimal:
        return (await permits_api.service.get(permits_api.operator, CONFORMITY)).remaining

    async def ledger() -> list[tuple[EntryKind, int, Decimal]]:
        entries = await permits_api.service.ledger(permits_api.operator, CONFORMITY)
        return [(e.kind, e.key.submission_version, e.quantity) for e in entries]

    async with adapter_harness(fast_hub, adapter, store_url=store, config=config) as h:
        body = copy.deepcopy(consignment_example("laptops"))
        body["traderReference"] = "REVERSALS-1"
        view, _ = await fast_hub.hub.intake.submit(h.trader, "consignment", body)
        laptops = view.submission_id
        await h.wait_recipient(laptops, "ACCEPTED", within=20)
        assert await remaining() == Decimal("0.000")

        body["goodsItems"][0]["quantity"]["value"] = "2000.000"
        customs_system.script(inspection_seconds=3600)  # version 2 stays held, so it can be cancelled
        await h.amend(laptops, body)
        await h.wait_for(
            laptops,
            lambda v: (
                v.version == 2
                and any(r.recipient == "customs" and r.effective_status == "INSPECTION_REQUIRED" for r in v.recipients)
            ),
            within=20,
        )
        assert await remaining() == Decimal("400.000")
        assert await ledger() == [
            (EntryKind.WRITE_OFF, 1, Decimal("2400.000")),
            (EntryKind.REVERSAL, 1, Decimal("2400.000")),
            (EntryKind.WRITE_OFF, 2, Decimal("2000.000")),
        ]

        # The replacement redelivered: the first version's write-offs are not given back twice.
        client = PermitsClient(permits_api.url, permits_api.customs_token)
        try:
            written = await adapter.write_offs.of(declaration_reference(laptops, 1))
            assert written == [(CONFORMITY, 1)]
            assert await reverse_write_offs(client, written, laptops, 1, "again") == 0
        finally:
            await client.close()
        assert await remaining() == Decimal("400.000")

        await fast_hub.hub.intake.cancel(h.trader, laptops, "cancelled by the declarant: wrong truck")

        async def given_back() -> bool:
            return await remaining() == Decimal("2400.000")

        await h.until(given_back, within=20)
        assert [entry[:2] for entry in await ledger()] == [
            (EntryKind.WRITE_OFF, 1), (EntryKind.REVERSAL, 1), (EntryKind.WRITE_OFF, 2), (EntryKind.REVERSAL, 2)
        ]  # fmt: skip


async def test_the_agency_client_reverses_and_reads_the_ledger(permits_api: Any) -> None:
    await permits_api.service.issue(
        permits_api.operator,
        PermitDraft(
            CONFORMITY, PermitKind.CONFORMITY_CERTIFICATE, "120240017788", ("8471",), "Laptop computers",
            Decimal("2400"), "H87", date(2026, 1, 1), date(2027, 12, 31),
        ),
    )  # fmt: skip
    item = PermitItem(CONFORMITY, "CONFORMITY_CERTIFICATE", "120240017788", "8471300000", Decimal("100"), "H87",
                      date(2026, 6, 1))  # fmt: skip
    async with PermitsClient(permits_api.url, permits_api.customs_token) as permits:
        assert await permits.write_off(item, "s_1", 1, 1) is True
    async with AgencyHubClient(permits_api.url, permits_api.customs_token) as hub:
        first = await hub.reverse_write_off(CONFORMITY, "s_1", 1, 1, "cancelled")
        again = await hub.reverse_write_off(CONFORMITY, "s_1", 1, 1, "cancelled")
        assert (first["created"], again["created"], again["remaining"]["value"]) == (True, False, "2400.000")
        with pytest.raises(NotFound):
            await hub.reverse_write_off(CONFORMITY, "s_1", 1, 2)
        assert [e["kind"] for e in await hub.permit_ledger(CONFORMITY)] == ["WRITE_OFF", "REVERSAL"]
