"""Business answers: the receiving country's decision on a cross-border document, sent back as its own
signed envelope (an ``agency-decision``), separate from the transport receipt.

On the receiving side, ``answer_for`` turns our hub's view of the cross-border submission into that
document once our agencies have decided (cleared, rejected, or held for inspection); on the sending side,
``apply_answer`` makes it the partner recipient's decision on the submission the document came from, so
the trader there sees the neighbour's decision in the one consolidated status.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from singlewindow.adapters import (
    Channel,
    Condition,
    DecisionDraft,
    DecisionStatus,
    Officer,
    Reason,
)
from singlewindow.adapters.gateway.store import GatewayStore, ReceivedEnvelope
from singlewindow.platform.errors import InvalidInput, Problem
from singlewindow.platform.state.common import rfc3339_millis

Decide = Callable[[str, int, DecisionDraft], Awaitable[int]]

FINAL = frozenset({"CLEARED", "REJECTED", "CANCELLED"})
"""Consolidated statuses after which a cross-border submission gets no further answer."""

REFERENCE_TYPES: Mapping[str, str] = {
    "cargo-manifest": "MANIFEST",
    "control-result": "CONTROL_RESULT",
    "phytosanitary-certificate": "PHYTO_CERTIFICATE",
    "tir-transit-declaration": "TRANSIT_DECLARATION",
    "transit-termination-notice": "OTHER",
    "passenger-currency-declaration": "DECLARATION",
}


def answer_for(
    received: ReceivedEnvelope, submission: Mapping[str, Any], home: Mapping[str, str], now: datetime
) -> dict[str, Any] | None:
    """The agency-decision to send back for ``submission`` as it stands, or None when nothing is decided.

    CLEARED is ACCEPTED (ACCEPTED_WITH_CONDITIONS with every agency's conditions), REJECTED is REJECTED
    with the rejecting agencies' reasons, HELD is INSPECTION_REQUIRED when an agency asked for one (the
    strictest channel); a HELD for any other cause (a query, an overdue agency) is not an answer yet.
    """
    status = str(submission.get("status"))
    decisions = [(str(r["recipient"]), r["decision"]) for r in submission.get("recipients", ()) if r.get("decision")]
    conditions = [
        {"code": c["code"], "text": f"{agency}: {c['text']}"[:1000]}
        for agency, d in decisions
        for c in d.get("conditions", ())
    ]
    channel = None
    if status == "CLEARED":
        answer = "ACCEPTED_WITH_CONDITIONS" if conditions else "ACCEPTED"
        chosen = decisions
    elif status == "REJECTED":
        answer, chosen, conditions = "REJECTED", [(a, d) for a, d in decisions if d["status"] == "REJECTED"], []
    elif status == "HELD":
        chosen = [(a, d) for a, d in decisions if d["status"] == "INSPECTION_REQUIRED"]
        if not chosen:
            return None
        answer, conditions = "INSPECTION_REQUIRED", []
        channels = [d.get("channel") for _, d in chosen]
        channel = "RED" if "RED" in channels or None in channels else "YELLOW"
    else:
        return None
    reasons = [
        {"code": r["code"], "text": f"{agency}: {r['text']}"[:1000]}
        for agency, d in chosen
        for r in d.get("reasons", ())
    ]
    sequence = received.answers + 1
    document: dict[str, Any] = {
        "documentId": f"{home['hubId']}-{submission['submissionId']}-{sequence}"[:64],
        "ucr": received.ucr,
        "issuedAt": rfc3339_millis(now),
        "references": [
            {
                "type": REFERENCE_TYPES.get(received.document_type, "OTHER"),
                "id": received.document_id,
                "issuer": received.envelope["sender"]["country"],
            },
            {"type": "SUBMISSION", "id": str(submission["submissionId"]), "issuer": home["country"]},
        ],
        "submissionId": str(submission["submissionId"]),
        "submissionVersion": int(submission.get("version", 1)),
        "agency": home["hubId"],
        "decisionSequence": sequence,
        "status": answer,
        "conditions": conditions,
        "reasons": reasons,
        "officer": {"id": home["hubId"], "name": f"{home['country']} single window"},
        "decidedAt": rfc3339_millis(now),
    }
    if channel is not None:
        document["channel"] = channel
    return document


async def apply_answer(store: GatewayStore, partner: str, answer: Mapping[str, Any], decide: Decide) -> int:
    """Publish the partner's answer as the partner recipient's decision on the submission we sent it for."""
    for reference in answer.get("references", ()):
        sent = await store.sent_document(partner, str(reference.get("id")))
        if sent is not None and sent.submission_id is not None and sent.version is not None:
            draft = DecisionDraft(
                status=DecisionStatus(answer["status"]),
                channel=Channel(answer["channel"]) if answer.get("channel") else None,
                conditions=tuple(Condition(**c) for c in answer.get("conditions", ())),
                reasons=tuple(Reason(**r) for r in answer.get("reasons", ())),
                officer=Officer(**answer["officer"]),
                decided_at=answer.get("decidedAt"),
                idempotency_key=str(answer["documentId"]),
            )
            return await decide(sent.submission_id, sent.version, draft)
    raise InvalidInput(
        "the answer refers to no document we sent",
        [Problem("/references", "unknown", "none of the referenced ids is a document we sent this partner")],
    )
