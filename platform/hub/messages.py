"""Every message the hub sends or reads: exchanges, routing keys, headers and message ids in one place.

Message ids are derived from what the message means (submission, version, recipient, attempt, status
sequence), so a message re-sent after a crash carries the same id and consumers deduplicate it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from singlewindow.platform.state import OutboxMessage, StatusChange
from singlewindow.platform.topology import names

HEADER_VERSION = "x-nsw-version"
HEADER_RECIPIENT = "x-nsw-recipient"
HEADER_ATTEMPT = "x-nsw-attempt"
HEADER_DECLARANT = "x-nsw-declarant"

DELIVERY_REPORT = "delivery-report"
AGENCY_DECISION = "agency-decision"
CLEARANCE_STATUS = "clearance-status"
QUERY_RESPONSE = "query-response"


def intake_message(
    submission_id: str, version: int, declarant_id: str, document_type: str, body: bytes, content_type: str
) -> OutboxMessage:
    return OutboxMessage(
        message_id=f"{submission_id}.v{version}.intake",
        exchange=names.INTAKE_EXCHANGE,
        routing_key=names.SUBMISSION_KEY,
        type=document_type,
        body=body,
        content_type=content_type,
        correlation_id=submission_id,
        headers={HEADER_VERSION: version, HEADER_DECLARANT: declarant_id},
    )


def delivery_message(
    submission_id: str, version: int, recipient: str, attempt: int, view: str, body: bytes, content_type: str
) -> OutboxMessage:
    return OutboxMessage(
        message_id=f"{submission_id}.v{version}.{recipient}.a{attempt}",
        exchange=names.AGENCY_EXCHANGE,
        routing_key=recipient,
        type=view,
        body=body,
        content_type=content_type,
        correlation_id=submission_id,
        headers={HEADER_VERSION: version, HEADER_RECIPIENT: recipient, HEADER_ATTEMPT: attempt},
    )


def query_response_message(
    submission_id: str, version: int, recipient: str, sequence: int, body: bytes, content_type: str
) -> OutboxMessage:
    return OutboxMessage(
        message_id=f"{submission_id}.v{version}.{recipient}.answer.{sequence}",
        exchange=names.AGENCY_EXCHANGE,
        routing_key=recipient,
        type=QUERY_RESPONSE,
        body=body,
        content_type=content_type,
        correlation_id=submission_id,
        headers={HEADER_VERSION: version, HEADER_RECIPIENT: recipient},
    )


def rfc3339_millis(at: datetime) -> str:
    """The one timestamp format of the specs: UTC, milliseconds, ``Z``."""
    at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def status_document(change: StatusChange) -> dict[str, Any]:
    """The clearance-status document of a status change (message_specs/documents/clearance-status)."""
    recipients: list[dict[str, Any]] = []
    for state in change.recipients:
        kind, updated_at = change.recipient_details.get(state.recipient, ("AGENCY", change.changed_at))
        entry: dict[str, Any] = {
            "recipient": state.recipient,
            "kind": kind,
            "effectiveStatus": state.effective.value,
            "conditions": [],
            "updatedAt": rfc3339_millis(updated_at),
        }
        if state.decision is not None:
            entry["decisionSequence"] = state.decision.sequence
            entry["conditions"] = [{"code": code, "text": text} for code, text in state.decision.conditions]
            if state.decision.channel:
                entry["channel"] = state.decision.channel
        recipients.append(entry)
    return {
        "documentId": f"status-{change.submission_id}-v{change.version}-{change.status_sequence}",
        "ucr": change.ucr,
        "issuedAt": rfc3339_millis(change.changed_at),
        "references": [{"type": "SUBMISSION", "id": change.submission_id}],
        "submissionId": change.submission_id,
        "version": change.version,
        "status": change.status.value,
        "terminal": change.terminal,
        "recipients": recipients,
        "conditions": [{"recipient": r, "code": c, "text": t} for r, c, t in change.conditions],
        "statusSequence": change.status_sequence,
        "changedAt": rfc3339_millis(change.changed_at),
    }


def status_message(change: StatusChange, body: bytes, content_type: str) -> OutboxMessage:
    return OutboxMessage(
        message_id=change.message_id,
        exchange=names.STATUS_EXCHANGE,
        routing_key=f"status.{change.submission_id}",
        type=CLEARANCE_STATUS,
        body=body,
        content_type=content_type,
        correlation_id=change.submission_id,
        headers={HEADER_VERSION: change.version},
    )


def header_int(headers: Mapping[str, Any], name: str) -> int | None:
    value = headers.get(name)
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None
