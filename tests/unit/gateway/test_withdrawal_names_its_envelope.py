"""A withdrawal cancels the very envelope it withdraws, not a later one carrying the same documentId (an
amendment keeps the documentId: the replacement must stay, the replaced one is cancelled)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from singlewindow.adapters.gateway.store import APPLIED, GatewayStore
from singlewindow.adapters.gateway.withdrawals import WITHDRAWAL_MARK, apply_withdrawal


class _Intake:
    def __init__(self) -> None:
        self.cancelled: list[str] = []

    async def submit(self, document_type: str, document: Mapping[str, Any], reference: str) -> str:
        raise AssertionError("not submitted here")

    async def status(self, submission_id: str) -> Mapping[str, Any]:
        raise AssertionError("not read here")

    async def cancel(self, submission_id: str, reason: str) -> None:
        self.cancelled.append(submission_id)


def _envelope(envelope_id: str, sequence: int) -> dict[str, Any]:
    return {
        "envelopeId": envelope_id,
        "partnerSequence": sequence,
        "documentType": "transit-termination-notice",
        "documentId": "TTN-7",
        "ucr": "KZ26TIR0007",
    }


def _withdrawal(document_id: str) -> dict[str, Any]:
    return {"documentId": document_id, "references": [{"type": "OTHER", "id": "TTN-7", "issuer": "CN"}]}


async def test_the_named_envelope_is_cancelled_and_the_replacement_kept(tmp_path: Path) -> None:
    store = await GatewayStore.open(f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    try:
        old = "11111111-1111-4111-8111-111111111111"
        new = "22222222-2222-4222-8222-222222222222"
        await store.record_inbound("cn", _envelope(old, 1), "a" * 64, APPLIED, submission_id="s_old")
        await store.record_inbound("cn", _envelope(new, 2), "b" * 64, APPLIED, submission_id="s_new")
        intake = _Intake()
        assert await apply_withdrawal(store, "cn", _withdrawal(f"cn-nsw{WITHDRAWAL_MARK}{old}"), intake) == ["s_old"]
        # Another implementation's withdrawal names only the document: the latest envelope that carried it.
        assert await apply_withdrawal(store, "cn", _withdrawal("CN-CANCEL-1"), intake) == ["s_new"]
        assert intake.cancelled == ["s_old", "s_new"]
    finally:
        await store.close()
