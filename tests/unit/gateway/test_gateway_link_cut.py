"""A cut link loses nothing and duplicates nothing: with KZ's Shovel to CN deleted, twenty documents routed
to CN are sealed and wait in KZ's ``crossborder.out.cn``; once the link is back each arrives in CN once, is
submitted there once, and is receipted once, with nothing set aside on either side."""

from __future__ import annotations

from singlewindow.platform.testing.crossborder import TwoCountries
from singlewindow.platform.topology import names

from .conftest import Partner, cut, restore

DOCUMENTS = 20


async def test_documents_wait_for_a_cut_link_and_arrive_once(pair: TwoCountries) -> None:
    cn = Partner(pair)
    await cut(pair, pair.kz)
    ucrs = [f"6KZ990440003321-CUT{number:03d}" for number in range(DOCUMENTS)]
    for number, ucr in enumerate(ucrs):
        document = cn.example("control-result", "wheat", documentId=f"KZ-PQ-CR-CUT-{number:03d}", ucr=ucr)
        await pair.kz.submit("control-result", document, f"CUT-{number:03d}")

    def waiting_on_link() -> int:
        return cn.broker.queue_state(pair.kz.vhost, names.crossborder_out_queue("cn")).message_count

    async def all_waiting() -> bool:
        return waiting_on_link() == DOCUMENTS

    await cn.until(all_waiting, f"{DOCUMENTS} envelopes in crossborder.out.cn")
    held = await pair.kz.gateway.store.counts("cn")
    assert held.sent == DOCUMENTS and held.unreceipted == DOCUMENTS and held.last_sequence_sent == DOCUMENTS
    assert (await pair.cn.gateway.store.counts("kz")).received == 0

    await restore(pair, pair.kz)

    async def all_receipted() -> bool:
        return (await pair.kz.gateway.store.counts("cn")).unreceipted == 0

    await cn.until(all_receipted, "every envelope receipted", within=20)
    assert waiting_on_link() == 0
    sent = await pair.kz.gateway.store.counts("cn")
    assert sent.sent == DOCUMENTS and sent.last_receipt_at is not None
    receipts = pair.kz.gateway.metrics.registry.get_sample_value(
        "nsw_gateway_receipts_received_total", {"partner": "cn", "outcome": "ACCEPTED"}
    )
    assert receipts == DOCUMENTS  # one receipt per envelope, none twice

    received = await pair.cn.gateway.store.counts("kz")
    assert received.received == DOCUMENTS and received.redeliveries == 0
    assert received.highest_sequence_received == DOCUMENTS
    assert received.waiting == received.rejected == received.quarantined == 0
    partner_kz = await pair.cn.hub.principals.get("partner-kz")
    in_cn = await pair.cn.hub.intake.list_submissions(partner_kz)
    assert sorted(view.ucr for view in in_cn) == sorted(ucrs)  # each applied in CN exactly once
    assert len({view.trader_reference for view in in_cn}) == DOCUMENTS

    assert await pair.kz.gateway.store.quarantined() == []
    assert await pair.cn.gateway.store.quarantined() == []
