"""Withdrawals: a document we sent the partner is cancelled here (the declarant cancelled, or an amendment
no longer routes it to the partner), so the partner's cross-border submission is cancelled there too.

The withdrawal travels as its own signed envelope carrying a ``cancellation-notice`` that names, in its
references, the document it withdraws (the partner knows it by that documentId). The receiving gateway
cancels the cross-border submission it made for that document, as the partner's principal, through its
intake; a submission already decided there cannot be cancelled and the receipt says so (``REJECTED``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from singlewindow.adapters.gateway.answers import REFERENCE_TYPES
from singlewindow.adapters.gateway.intake import IntakePort
from singlewindow.adapters.gateway.store import APPLIED, GatewayStore, ReceivedEnvelope, SentEnvelope
from singlewindow.platform.errors import InvalidInput, Problem
from singlewindow.platform.state.common import rfc3339_millis

WITHDRAWAL_TYPE = "cancellation-notice"
WITHDRAWAL_MARK = "-W-"
"""Between the sending hub's id and the withdrawn envelope's id in a withdrawal's documentId."""
KINDS = {"cancelled": "CANCELLED", "superseded": "SUPERSEDED"}
"""The hub's notices that withdraw a version from the partner (``decision-not-applied`` withdraws nothing)."""


def withdrawal_for(
    sent: SentEnvelope,
    kind: str,
    reason: str,
    superseded_by: int | None,
    recipient: str,
    home: Mapping[str, str],
    now: datetime,
) -> dict[str, Any]:
    """The cancellation-notice withdrawing what ``sent`` carried (our submission, the partner recipient);
    ``kind`` is the hub's notice kind (``cancelled`` or ``superseded``)."""
    document: dict[str, Any] = {
        "documentId": f"{home['hubId']}{WITHDRAWAL_MARK}{sent.envelope_id}"[:64],
        "ucr": sent.envelope["ucr"],
        "issuedAt": rfc3339_millis(now),
        "references": [
            {
                "type": REFERENCE_TYPES.get(sent.document_type, "OTHER"),
                "id": sent.document_id,
                "issuer": home["country"],
            }
        ],
        "submissionId": sent.submission_id,
        "submissionVersion": sent.version,
        "recipient": recipient,
        "kind": KINDS[kind],
        "reason": reason[:1000],
    }
    if superseded_by is not None:
        document["supersededBy"] = superseded_by
    return document


def withdrawn_envelope(document: Mapping[str, Any]) -> str | None:
    """The envelope a withdrawal made by this gateway withdraws: its documentId ends with it. An amendment
    keeps the documentId, so the replacement and the replaced envelope carry the same one; only the envelope
    id says which of them is withdrawn."""
    _, mark, envelope_id = str(document.get("documentId", "")).rpartition(WITHDRAWAL_MARK)
    return envelope_id if mark and envelope_id else None


def withdrawn_ids(document: Mapping[str, Any]) -> list[str]:
    """The documentIds a withdrawal names (what must be known before it can be applied)."""
    return [str(r["id"]) for r in document.get("references", ()) if isinstance(r, Mapping) and "id" in r]


async def apply_withdrawal(
    store: GatewayStore, partner: str, document: Mapping[str, Any], intake: IntakePort
) -> list[str]:
    """Cancel our cross-border submissions made for the documents the partner withdraws; their ids."""
    cancelled = []
    ids = withdrawn_ids(document)
    envelope_id = withdrawn_envelope(document)
    exact = await store.received(partner, envelope_id) if envelope_id else None
    targets: list[ReceivedEnvelope | None]
    if exact is not None and exact.state == APPLIED and exact.document_id in ids:
        targets = [exact]  # the very envelope withdrawn, not a later one carrying the same documentId
    else:  # another implementation's withdrawal: the latest envelope that carried each named document
        targets = [await store.received_document(partner, document_id) for document_id in ids]
    for received in targets:
        if received is None or received.submission_id is None:
            continue
        reason = f"withdrawn by the partner: {document.get('reason', '')}"[:1000]
        await intake.cancel(received.submission_id, reason)
        cancelled.append(received.submission_id)
    if not cancelled:
        raise InvalidInput(
            "the withdrawal names no document of the partner's that we took",
            [Problem("/references", "unknown", "none of the referenced ids is a document we submitted")],
        )
    return cancelled
