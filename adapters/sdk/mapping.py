"""The documents the runtime publishes for an adapter: delivery reports and agency decisions.

Ids are derived from what the message means (submission, version, agency, attempt or sequence), so a
message re-sent after a crash carries the same ``message_id`` and the hub applies it once.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from singlewindow.adapters.sdk.decisions import DecisionDraft, decided_at_or
from singlewindow.adapters.sdk.store import HandoverRecord
from singlewindow.platform.state.common import rfc3339_millis

_MAX_DOCUMENT_ID = 64  # documentId maxLength in the specs


def document_id(readable: str) -> str:
    """``readable`` when it fits the specs' 64 characters, otherwise a stable hash of it."""
    if len(readable) <= _MAX_DOCUMENT_ID:
        return readable
    return readable.split("-", 1)[0] + "-" + hashlib.sha256(readable.encode()).hexdigest()[:40]


def _submission_reference(submission_id: str) -> dict[str, str]:
    return {"type": "SUBMISSION", "id": submission_id}


def delivery_report(record: HandoverRecord) -> tuple[str, dict[str, Any]]:
    """(message id, document) of the report that the hand-over in ``record`` is durable; same every time."""
    at = rfc3339_millis(record.handed_over_at)
    return f"{record.message_id}.delivered", {
        "documentId": document_id(f"dr-{record.submission_id}-v{record.version}-{record.agency}-a{record.attempt}"),
        "ucr": record.ucr,
        "issuedAt": at,
        "references": [_submission_reference(record.submission_id)],
        "submissionId": record.submission_id,
        "submissionVersion": record.version,
        "recipient": record.agency,
        "attempt": record.attempt,
        "deliveredAt": at,
    }


def decision_message_id(agency: str, submission_id: str, version: int, sequence: int) -> str:
    return f"{submission_id}.v{version}.{agency}.decision.{sequence}"


def decision_document(
    agency: str, submission_id: str, version: int, ucr: str, sequence: int, draft: DecisionDraft, now: datetime
) -> dict[str, Any]:
    """The agency-decision document (message_specs/documents/agency-decision) of one draft."""
    officer: dict[str, Any] = {"id": draft.officer.id}
    if draft.officer.name is not None:
        officer["name"] = draft.officer.name
    document: dict[str, Any] = {
        "documentId": document_id(f"dec-{agency}-{submission_id}-v{version}-{sequence}"),
        "ucr": ucr,
        "issuedAt": rfc3339_millis(now),
        "references": [{k: v for k, v in r.model_dump().items() if v is not None} for r in draft.references]
        + [_submission_reference(submission_id)],
        "submissionId": submission_id,
        "submissionVersion": version,
        "agency": agency,
        "decisionSequence": sequence,
        "status": draft.status.value,
        "conditions": [c.model_dump() for c in draft.conditions],
        "reasons": [r.model_dump() for r in draft.reasons],
        "officer": officer,
        "decidedAt": rfc3339_millis(decided_at_or(draft, now)),
    }
    if draft.channel is not None:
        document["channel"] = draft.channel.value
    if draft.query is not None:
        query: dict[str, Any] = {"question": draft.query.question}
        if draft.query.respond_by is not None:
            query["respondBy"] = rfc3339_millis(draft.query.respond_by)
        if draft.query.fields:
            query["fields"] = list(draft.query.fields)
        document["query"] = query
    return document
