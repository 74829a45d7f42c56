"""The OpenAPI paths the officer console needs besides ``next`` and ``decisions``: claim and release one
document by hand and read the agency's part of its submission's history (``officers_http``)."""

from __future__ import annotations

from typing import Any

from singlewindow.platform.api.openapi_common import ANY_OBJECT, INTEGER, STAMP, ok, operation, path_param, ref

_TICKET = path_param("ticket", {"type": "integer", "minimum": 1, "maximum": 9_223_372_036_854_775_807}, "Queue id")


def console_schemas() -> dict[str, Any]:
    return {
        "HistoryEntry": {
            "type": "object",
            "properties": {
                "sequence": INTEGER,
                "version": INTEGER,
                "kind": {"type": "string", "description": "DECISION, TRANSPORT, OFFICER_CLAIMED, OFFICER_RELEASED, "
                         "OFFICER_DECIDED, BORDER_EVENT, JOINT_INSPECTION_PROPOSED, JOINT_INSPECTION_ATTENDED, ..."},
                "actor": {"type": ["string", "null"], "description": "Principal id of who acted"},
                "agency": {"type": ["string", "null"]},
                "status": {"type": ["string", "null"]},
                "detail": ANY_OBJECT,
                "at": STAMP,
            },
        },
    }  # fmt: skip


def console_paths() -> dict[str, Any]:
    queued = ok("The document", ref("QueuedDocument"))
    return {
        "/v1/officer/queue/{ticket}/claim": {
            "post": operation(
                "Claim this document (or renew the caller's own claim)",
                "officerClaim",
                queued,
                conflicts="Claimed by another officer, already decided, or withdrawn (the reason in the message)",
                parameters=[_TICKET],
            )
        },
        "/v1/officer/queue/{ticket}/release": {
            "post": operation(
                "Give the caller's claim back to the queue",
                "officerRelease",
                queued,
                conflicts="Not claimed by the caller, or withdrawn",
                parameters=[_TICKET],
            )
        },
        "/v1/officer/queue/{ticket}/history": {
            "get": operation(
                "The agency's part of the history of the document's submission, with who acted",
                "officerHistory",
                ok(
                    "Events",
                    {"type": "object", "properties": {"events": {"type": "array", "items": ref("HistoryEntry")}}},
                ),
                parameters=[_TICKET],
            )
        },
    }
