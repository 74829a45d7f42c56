"""Order comes from business references, not from the link: CN's termination notice of a TIR operation that
arrives before the transit declaration it terminates waits, verified and stored but not submitted, and is
applied as soon as the declaration is known.

Both envelopes are sealed by CN's own gateway (CN's key, CN's sequence numbers, stored in CN's store) while
CN's link is cut, then delivered to KZ's ``crossborder.in.cn`` in reverse sequence order, as a requeue or
a restarted link may deliver them.
"""

from __future__ import annotations

import json

from singlewindow.adapters.gateway.store import APPLIED, WAITING, SentEnvelope
from singlewindow.platform.testing.crossborder import TwoCountries

from .conftest import Partner, cut

DECLARATION_ID = "ETIR-CN-2026-0077001"


def _declaration(cn: Partner) -> dict[str, object]:
    """CN's TIR transit declaration: departure Urumqi, exit Horgos, through KZ to Tashkent."""
    return cn.example("tir-transit-declaration", "01-cn-kz-uz", documentId=DECLARATION_ID)


def _termination(cn: Partner) -> dict[str, object]:
    """CN's exit office (Horgos) terminating its part of that TIR operation."""
    notice = cn.example("transit-termination-notice", "01-kz-exit")
    return notice | {
        "documentId": "SAFETIR-CN-HRG-2026-00312",
        "transitDeclarationId": DECLARATION_ID,
        "references": [
            {"type": "TIR_CARNET", "id": notice["tirCarnetNumber"], "issuer": "UZ"},
            {"type": "TRANSIT_DECLARATION", "id": DECLARATION_ID, "issuer": "CN"},
        ],
        "customsOffice": "CNHRG001",
        "officeRole": "EXIT",
        "terminationType": "PARTIAL",
        "voucherNumber": 2,
    }


async def _sent_by_cn(cn: Partner, document_type: str, document: dict[str, object]) -> SentEnvelope:
    outbound = cn.pair.cn.gateway.outbound
    assert outbound is not None
    return await outbound.send(document_type, document, source_key=f"test-{document['documentId']}", kind="document")


async def test_a_termination_waits_for_its_transit_declaration(pair: TwoCountries) -> None:
    cn = Partner(pair)
    await cut(pair, pair.cn)
    declaration = await _sent_by_cn(cn, "tir-transit-declaration", _declaration(cn))
    termination = await _sent_by_cn(cn, "transit-termination-notice", _termination(cn))
    assert termination.sequence == declaration.sequence + 1

    cn.inject(termination.body)

    async def waiting() -> bool:
        taken = await pair.kz.gateway.store.received("cn", termination.envelope_id)
        return taken is not None

    await cn.until(waiting, "the termination stored")
    held = await pair.kz.gateway.store.received("cn", termination.envelope_id)
    assert held is not None and held.state == WAITING
    assert held.reason_code == "WAITING" and held.submission_id is None and held.receipt is None
    assert await cn.submissions_in_kz() == []
    assert (await pair.kz.gateway.store.counts("cn")).waiting == 1

    cn.inject(declaration.body)

    async def both_applied() -> bool:
        taken = [await pair.kz.gateway.store.received("cn", sent.envelope_id) for sent in (declaration, termination)]
        return all(t is not None and t.state == APPLIED for t in taken)

    await cn.until(both_applied, "the declaration, then the termination, applied")
    submissions = {view.document_type: view for view in await cn.submissions_in_kz()}
    assert sorted(submissions) == ["tir-transit-declaration", "transit-termination-notice"]
    assert submissions["tir-transit-declaration"].created_at <= submissions["transit-termination-notice"].created_at
    applied = await pair.kz.gateway.store.received("cn", termination.envelope_id)
    assert applied is not None and applied.submission_id == submissions["transit-termination-notice"].submission_id
    submitted = await pair.kz.hub.intake.get(
        await pair.kz.hub.principals.get("partner-cn"), submissions["transit-termination-notice"].submission_id
    )
    assert submitted.trader_reference == f"XB-cn-{termination.envelope_id}"
    assert json.loads(termination.envelope["payload"])["transitDeclarationId"] == DECLARATION_ID

    async def receipted() -> bool:
        found = [await pair.cn.gateway.store.sent(sent.envelope_id) for sent in (declaration, termination)]
        return all(f is not None and f.receipt_outcome is not None for f in found)

    await cn.until(receipted, "KZ's receipts recorded by CN")
    for sent in (declaration, termination):
        settled = await pair.cn.gateway.store.sent(sent.envelope_id)
        assert settled is not None and settled.receipt_outcome == "ACCEPTED", sent.document_type
    counts = await pair.kz.gateway.store.counts("cn")
    assert counts.waiting == 0 and counts.quarantined == 0 and counts.rejected == 0
