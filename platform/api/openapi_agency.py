"""The OpenAPI paths of the agency services (docs/agency-services.md): attachments, the officer queue and
border events, mounted on the hub's HTTP listener next to the submission API."""

from __future__ import annotations

from typing import Any

from singlewindow.platform.api.openapi_common import (
    ANY_OBJECT,
    BOOLEAN,
    INTEGER,
    STAMP,
    TEXT,
    errors,
    model_schemas,
    ok,
    operation,
    path_param,
    query,
    ref,
)
from singlewindow.platform.officers import AnswerInput, OfficerDecisionInput, ReplacesInput, WithdrawalInput

_SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_ID = {"type": "integer", "minimum": 1, "maximum": 9_223_372_036_854_775_807}
_NULLABLE_STAMP = {"type": ["string", "null"], "format": "date-time"}


def agency_schemas() -> dict[str, Any]:
    return {
        **model_schemas(OfficerDecisionInput, WithdrawalInput, AnswerInput, ReplacesInput),
        "Attachment": {
            "type": "object",
            "properties": {
                "sha256": _SHA256,
                "sizeBytes": INTEGER,
                "mediaType": TEXT,
                "fileName": TEXT,
                "uploadedAt": STAMP,
            },
        },
        "AttachmentList": {
            "type": "object",
            "description": "The `attachments[]` entries the submission version lists",
            "properties": {"attachments": {"type": "array", "items": ANY_OBJECT}},
        },
        "QueueRequest": {
            "type": "object",
            "required": ["document"],
            "properties": {
                "document": {"type": "object", "description": "The agency's own view of a routed version"},
                "attempt": {"type": "integer", "minimum": 0, "maximum": 2_147_483_647, "default": 1},
                "replaces": {"anyOf": [ref("ReplacesInput"), {"type": "null"}]},
            },
        },
        "QueuedDocument": {
            "type": "object",
            "properties": {
                "ticket": INTEGER,
                "agency": TEXT,
                "submissionId": TEXT,
                "version": INTEGER,
                "attempt": INTEGER,
                "ucr": TEXT,
                "view": TEXT,
                "document": ANY_OBJECT,
                "enqueuedAt": STAMP,
                "claimedBy": {"type": ["string", "null"], "description": "The claiming officer's principal id"},
                "claimExpiresAt": _NULLABLE_STAMP,
                "decided": BOOLEAN,
                "withdrawn": {"type": ["object", "null"], "description": "kind, reason, at, supersededBy"},
                "replaces": {"type": ["object", "null"], "description": "version, changes"},
                "answers": {"type": "array", "items": ANY_OBJECT},
            },
        },
        "Withdrawn": {
            "type": "object",
            "properties": {"withdrawn": {"type": "array", "items": ref("QueuedDocument")}},
        },
        "RecordedDecision": {
            "type": "object",
            "properties": {
                "id": INTEGER,
                "ticket": INTEGER,
                "agency": TEXT,
                "submissionId": TEXT,
                "version": INTEGER,
                "ucr": TEXT,
                "officerId": TEXT,
                "decision": ANY_OBJECT,
                "decidedAt": STAMP,
                "published": BOOLEAN,
            },
        },
        "RecordedDecisionList": {
            "type": "object",
            "properties": {"decisions": {"type": "array", "items": ref("RecordedDecision")}},
        },
        "BorderEvent": {
            "type": "object",
            "properties": {
                "documentId": TEXT,
                "ucr": TEXT,
                "eventType": TEXT,
                "borderCrossingPoint": TEXT,
                "occurredAt": STAMP,
                "recordingAgency": TEXT,
                "submissionId": {"type": ["string", "null"]},
                "payloadSha256": TEXT,
                "document": ANY_OBJECT,
            },
        },
        "BorderEventList": {
            "type": "object",
            "properties": {"events": {"type": "array", "items": ref("BorderEvent")}},
        },
    }


def _attachment_paths() -> dict[str, Any]:
    upload = {
        "required": True,
        "description": "The file itself, streamed; `Content-Type` is its media type",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
    upload_params = [
        query("fileName", {"type": "string", "maxLength": 255}, "The file name (or header X-File-Name)"),
        query("sha256", _SHA256, "The expected SHA-256, checked before the file becomes visible"),
    ]
    file = {
        "200": {
            "description": "The file (`X-Content-SHA256`, `ETag`)",
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
    return {
        "/v1/attachments": {
            "post": operation(
                "Store a file once, under its SHA-256",
                "putAttachment",
                {
                    **ok("New for this uploader", ref("Attachment"), "201"),
                    **ok("This uploader sent these bytes before", ref("Attachment")),
                },
                requestBody=upload,
                parameters=upload_params,
            ),
            "get": operation(
                "The attachments a submission version routed to the caller's agency lists",
                "listAttachments",
                ok("Attachments", ref("AttachmentList")),
                parameters=[
                    query("submissionId", TEXT, "The submission", required=True),
                    query("version", {"type": "integer", "minimum": 1}, "Its version", required=True),
                ],
            ),
        },
        "/v1/attachments/{sha256}": {
            "get": {
                **operation(
                    "One file", "getAttachment", {}, parameters=[path_param("sha256", _SHA256, "The file's hash")]
                ),
                "responses": {**file, **errors()},
            }
        },
    }


def _officer_paths() -> dict[str, Any]:
    queued = ok("The queued document", ref("QueuedDocument"))
    recorded = ok("The recorded decision", ref("RecordedDecision"))
    withdrawn = "The item was withdrawn (its reason in the message); a claim held by another officer"
    return {
        "/v1/officer/next": {
            "post": operation(
                "Claim the oldest free document of the officer's agency",
                "officerNext",
                {**queued, "204": {"description": "Nothing waits"}},
            )
        },
        "/v1/officer/decisions": {
            "post": operation(
                "An officer's decision on a claimed document",
                "officerDecide",
                ok("Recorded", ref("RecordedDecision"), "201"),
                ref("OfficerDecisionInput"),
                conflicts=withdrawn,
            ),
            "get": operation(
                "Decisions the agency's adapter has not published yet",
                "unpublishedDecisions",
                ok("Decisions", ref("RecordedDecisionList")),
                parameters=[
                    query("published", {"enum": ["false"]}, "Only unpublished decisions are served"),
                    query("limit", {"type": "integer", "minimum": 1}, "At most this many (capped at 1000)"),
                ],
            ),
        },
        "/v1/officer/decisions/{id}/published": {
            "post": operation(
                "Mark a decision published", "markPublished", recorded, parameters=[path_param("id", _ID, "Decision")]
            )
        },
        "/v1/officer/queue": {
            "post": operation(
                "Queue the agency's view of a routed version for its officers (idempotent per hand-over)",
                "enqueue",
                {**ok("Queued", ref("QueuedDocument"), "201"), **ok("Queued before", ref("QueuedDocument"))},
                ref("QueueRequest"),
            ),
            "get": operation(
                "The officer's agency queue: documents not decided and not withdrawn, oldest first (200 at most)",
                "officerQueue",
                ok(
                    "Documents",
                    {"type": "object", "properties": {"documents": {"type": "array", "items": ref("QueuedDocument")}}},
                ),
            ),
        },
        "/v1/officer/queue/{ticket}": {
            "get": operation(
                "One document of the caller's agency queue",
                "queuedDocument",
                queued,
                parameters=[path_param("ticket", _ID, "The queue id")],
            )
        },
        "/v1/officer/withdrawals": {
            "post": operation(
                "A version cancelled or superseded: its items leave the queue",
                "withdraw",
                ok("The items withdrawn", ref("Withdrawn")),
                ref("WithdrawalInput"),
            )
        },
        "/v1/officer/answers": {
            "post": operation(
                "A trader's answer to an officer's query: the item is back in the queue with it",
                "answerQueued",
                queued,
                ref("AnswerInput"),
            )
        },
    }


def _border_event_paths() -> dict[str, Any]:
    return {
        "/v1/border-events": {
            "post": operation(
                "Record a border-event document (idempotent on documentId)",
                "recordBorderEvent",
                {**ok("Recorded", ref("BorderEvent"), "201"), **ok("Recorded before", ref("BorderEvent"))},
                {"type": "object", "description": "A border-event document, valid against its spec"},
                conflicts="The same documentId with different content",
            ),
            "get": operation(
                "A consignment's border events in the order they happened",
                "listBorderEvents",
                ok("Events", ref("BorderEventList")),
                parameters=[query("ucr", TEXT, "The consignment reference", required=True)],
            ),
        }
    }


def agency_paths() -> dict[str, Any]:
    return {**_attachment_paths(), **_officer_paths(), **_border_event_paths()}
