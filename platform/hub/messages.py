"""Every message the hub sends or reads: exchanges, routing keys, headers and message ids in one place.

Message ids are derived from what the message means (submission, version, recipient, attempt, status
sequence), so a message re-sent after a crash carries the same id and consumers deduplicate it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from singlewindow.platform.state import OutboxMessage, StatusChange
from singlewindow.platform.state.common import rfc3339_millis
from singlewindow.platform.topology import names

HEADER_VERSION = "x-nsw-version"
HEADER_RECIPIENT = "x-nsw-recipient"
HEADER_ATTEMPT = "x-nsw-attempt"
HEADER_DECLARANT = "x-nsw-declarant"
HEADER_REPLACES_VERSION = "x-nsw-replaces-version"
"""On a view delivery: the earlier version of the submission this agency was sent, which this one replaces."""
HEADER_CHANGES = "x-nsw-changes"
"""With ``x-nsw-replaces-version``: a JSON list of the pointers of the agency's view that changed."""

DELIVERY_REPORT = "delivery-report"
AGENCY_DECISION = "agency-decision"
CLEARANCE_STATUS = "clearance-status"
QUERY_RESPONSE = "query-response"
CANCELLATION_NOTICE = "cancellation-notice"

NOTICE_CANCELLED = "CANCELLED"
NOTICE_SUPERSEDED = "SUPERSEDED"
NOTICE_DECISION_NOT_APPLIED = "DECISION_NOT_APPLIED"
_MAX_REASON = 4000  # the cancellation-notice spec's reason maxLength
_MAX_DOCUMENT_ID = 64


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


def delivery_id(submission_id: str, version: int, recipient: str, attempt: int) -> str:
    return f"{submission_id}.v{version}.{recipient}.a{attempt}"


def delivery_message(
    submission_id: str,
    version: int,
    recipient: str,
    attempt: int,
    view: str,
    body: bytes,
    content_type: str,
    replaces: tuple[int, Sequence[str]] | None = None,
) -> OutboxMessage:
    """One view delivery; ``replaces`` (previous version, changed pointers) when the agency had an earlier one."""
    headers: dict[str, Any] = {HEADER_VERSION: version, HEADER_RECIPIENT: recipient, HEADER_ATTEMPT: attempt}
    if replaces is not None:
        headers[HEADER_REPLACES_VERSION] = replaces[0]
        headers[HEADER_CHANGES] = json.dumps(list(replaces[1]), separators=(",", ":"))
    return OutboxMessage(
        message_id=delivery_id(submission_id, version, recipient, attempt),
        exchange=names.AGENCY_EXCHANGE,
        routing_key=recipient,
        type=view,
        body=body,
        content_type=content_type,
        correlation_id=submission_id,
        headers=headers,
    )


def replaces_of(headers: Mapping[str, Any]) -> tuple[int, tuple[str, ...]] | None:
    """The replacement facts of a delivery's headers, or None when it replaces nothing (or they are unreadable)."""
    previous = header_int(headers, HEADER_REPLACES_VERSION)
    raw = headers.get(HEADER_CHANGES)
    if previous is None or not isinstance(raw, str | bytes):
        return None
    try:
        changes = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(changes, list) or not all(isinstance(c, str) for c in changes):
        return None
    return previous, tuple(changes)


def notice_document(
    *,
    submission_id: str,
    version: int,
    ucr: str,
    recipient: str,
    kind: str,
    reason: str,
    issued_at: datetime,
    superseded_by: int | None = None,
    decision_sequence: int | None = None,
    tag: str = "",
) -> tuple[str, dict[str, Any]]:
    """(message id, document) of a cancellation-notice; the same facts give the same id (sent once).

    ``tag`` tells apart several notices of one kind for one version (a decision-not-applied per decision).
    """
    suffix = f"{kind.lower().replace('_', '-')}{'.' + tag if tag else ''}"
    message_id = f"{submission_id}.v{version}.{recipient}.{suffix}"
    readable = f"notice-{submission_id}-v{version}-{recipient}-{suffix}"
    document: dict[str, Any] = {
        "documentId": readable
        if len(readable) <= _MAX_DOCUMENT_ID
        else "notice-" + hashlib.sha256(readable.encode()).hexdigest()[:40],
        "ucr": ucr,
        "issuedAt": rfc3339_millis(issued_at),
        "references": [{"type": "SUBMISSION", "id": submission_id}],
        "submissionId": submission_id,
        "submissionVersion": version,
        "recipient": recipient,
        "kind": kind,
        "reason": reason[:_MAX_REASON] or kind.lower(),
    }
    if superseded_by is not None:
        document["supersededBy"] = superseded_by
    if decision_sequence is not None:
        document["decisionSequence"] = decision_sequence
    return message_id, document


def notice_message(message_id: str, document: Mapping[str, Any], body: bytes, content_type: str) -> OutboxMessage:
    """A cancellation-notice to the agency's inbox, on the agency exchange like its deliveries."""
    recipient = str(document["recipient"])
    return OutboxMessage(
        message_id=message_id,
        exchange=names.AGENCY_EXCHANGE,
        routing_key=recipient,
        type=CANCELLATION_NOTICE,
        body=body,
        content_type=content_type,
        correlation_id=str(document["submissionId"]),
        headers={HEADER_VERSION: int(document["submissionVersion"]), HEADER_RECIPIENT: recipient},
    )


def decision_tag(decision_message_id: str) -> str:
    """A short stable tag of a decision's message id (notice ids must fit the outbox's 80 characters)."""
    return hashlib.sha256(decision_message_id.encode()).hexdigest()[:12]


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
