"""The gateway store: one envelope per source, gapless sequences, receipts, inbound states, quarantine."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters.gateway.store import APPLIED, WAITING, GatewayStore
from singlewindow.platform.errors import NotFound


@pytest.fixture
async def store(tmp_path: Path) -> Any:
    opened = await GatewayStore.open(f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    yield opened
    await opened.close()


def facts(document_id: str) -> dict[str, Any]:
    return {
        "submission_id": "s_1",
        "version": 1,
        "document_type": "cargo-manifest",
        "document_id": document_id,
        "ucr": "U1",
    }


def sealer(calls: list[int]) -> Any:
    def seal(sequence: int) -> tuple[str, dict[str, Any]]:
        calls.append(sequence)
        envelope_id = str(uuid.uuid4())
        return envelope_id, {"envelopeId": envelope_id, "partnerSequence": sequence}

    return seal


async def test_sealing_is_once_per_source_and_sequences_have_no_gaps(store: GatewayStore) -> None:
    calls: list[int] = []
    first = await store.seal_once("cn", "s_1.v1.partner-cn.a1", "document", facts("M-1"), sealer(calls))
    again = await store.seal_once("cn", "s_1.v1.partner-cn.a1", "document", facts("M-1"), sealer(calls))
    assert again == first and calls == [1]
    many = await asyncio.gather(
        *(store.seal_once("cn", f"src-{n}", "document", facts(f"M-{n}"), sealer(calls)) for n in range(2, 12))
    )
    assert sorted(s.sequence for s in many) == list(range(2, 12))
    other = await store.seal_once("kg", "src-x", "document", facts("M-X"), sealer([]))
    assert other.sequence == 1, "each partner has its own sequence"
    assert (await store.sent_document("cn", "M-5")) is not None


async def test_receipts_count_and_unreceipted_ones_are_listed(store: GatewayStore) -> None:
    sent = await store.seal_once("cn", "src", "document", facts("M-1"), sealer([]))
    assert [s.envelope_id for s in await store.unreceipted("cn", sent.created_at.replace(year=2100))] == [
        sent.envelope_id
    ]
    assert await store.record_receipt(sent.envelope_id, "ACCEPTED", None)
    assert await store.record_receipt(sent.envelope_id, "ACCEPTED", None)
    assert not await store.record_receipt("00000000-0000-4000-8000-999999999999", "ACCEPTED", None)
    counts = await store.counts("cn")
    assert (counts.sent, counts.unreceipted, counts.last_sequence_sent) == (1, 0, 1)
    assert counts.last_receipt_at is not None


async def test_inbound_moves_from_waiting_to_applied_and_knows_its_documents(store: GatewayStore) -> None:
    envelope = {
        "envelopeId": "00000000-0000-4000-8000-000000000001",
        "partnerSequence": 2,
        "documentType": "transit-termination-notice",
        "documentId": "TTN-1",
        "ucr": "U1",
    }
    waiting = await store.record_inbound(
        "cn", envelope, "a" * 64, WAITING, reason=("WAITING", "transit declaration TD-1")
    )
    assert [w.envelope_id for w in await store.waiting("cn")] == [waiting.envelope_id]
    assert not await store.knows_document("cn", "TTN-1"), "a waiting document is not known yet"
    applied = await store.record_inbound(
        "cn", envelope, "a" * 64, APPLIED, receipt={"receiptId": "r"}, submission_id="s_9"
    )
    assert applied.state == APPLIED and applied.receipt == {"receiptId": "r"} and applied.submission_id == "s_9"
    assert await store.knows_document("cn", "TTN-1")
    await store.count_redelivery("cn", waiting.envelope_id)
    assert (await store.counts("cn")).redeliveries == 1
    assert [r.envelope_id for r in await store.applied_unanswered("cn", frozenset({"CLEARED"}))] == [
        waiting.envelope_id
    ]
    await store.record_answered("cn", waiting.envelope_id, "CLEARED")
    assert await store.applied_unanswered("cn", frozenset({"CLEARED"})) == []


async def test_quarantine_keeps_one_row_per_bytes_and_releases_once(store: GatewayStore) -> None:
    entry, created = await store.quarantine(
        "cn", b"{bad", "b" * 64, None, "crossborder-envelope", ("OTHER", "malformed")
    )
    again, created_again = await store.quarantine("cn", b"{bad", "b" * 64, None, "crossborder-envelope", ("OTHER", "x"))
    assert created and not created_again and again.id == entry.id
    assert [q.id for q in await store.quarantined("cn")] == [entry.id]
    released = await store.release(entry.id, "operator-1", "partner confirmed")
    assert released.released_by == "operator-1"
    assert await store.quarantined("cn") == []
    with pytest.raises(NotFound):
        await store.release(entry.id, "operator-1", "twice")
