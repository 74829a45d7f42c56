"""The OpenAPI 3.1 document of the HTTP API, written by hand so it says what callers need to know.

It is the contract: the server answers 422 for what it refuses (``limit=0``, a cancel without a body), and
every path answers ``OPTIONS`` with 204 and ``Allow``, any method it does not list with 405 and ``Allow``.
Text everywhere follows the text rule of docs/specs-conventions.md.
"""

from __future__ import annotations

from typing import Any

from singlewindow.platform.aggregation import Consolidated

_BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}, "description": "Submission id"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


_ERRORS = {
    code: {"description": text, **_json(_ref("Error"))}
    for code, text in {
        "401": "No or bad bearer token",
        "403": "Not allowed for this caller (not its submission, no grant)",
        "404": "No such submission",
        "409": "Conflict (same trader reference with another document; no open query; a query already answered "
        "with another answer)",
        "413": "Body or document over the size limit",
        "422": "Invalid input (also a refused character, JSON nested over 64 levels, a number out of range, a "
        "missing body); `problems` point into the document",
        "503": "Broker or database unavailable: retry later",
    }.items()
}


def _operation(summary: str, op_id: str, ok: dict[str, Any], body: str | None = None, **extra: Any) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "operationId": op_id, "security": _BEARER, "responses": ok}
    operation["responses"].update(_ERRORS)
    if body is not None:
        operation["requestBody"] = {"required": True, **_json(_ref(body))}
    operation.update(extra)
    return operation


def _schemas() -> dict[str, Any]:
    text, integer, boolean = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
    stamp = {"type": "string", "format": "date-time"}
    return {
        "Problem": {
            "type": "object",
            "required": ["path", "code", "message", "severity"],
            "properties": {
                "path": {"type": "string", "description": "JSON pointer into the request document"},
                "code": text,
                "message": text,
                "severity": {"enum": ["error", "warning"]},
            },
        },
        "Error": {
            "type": "object",
            "required": ["error", "message", "problems"],
            "properties": {"error": text, "message": text, "problems": {"type": "array", "items": _ref("Problem")}},
        },
        "Recipient": {
            "type": "object",
            "properties": {
                "recipient": text,
                "kind": text,
                "view": text,
                "effectiveStatus": text,
                "transport": text,
                "attempt": integer,
                "matchedRules": {"type": "array", "items": text},
                "deadlineAt": stamp,
                "decision": {"type": ["object", "null"], "description": "The agency's decision document"},
            },
        },
        "Submission": {
            "type": "object",
            "properties": {
                "submissionId": text,
                "declarantId": text,
                "traderReference": text,
                "documentType": text,
                "ucr": text,
                "version": integer,
                "status": {"enum": [s.value for s in Consolidated]},
                "statusSequence": integer,
                "terminal": boolean,
                "cancelled": boolean,
                "createdAt": stamp,
                "recipients": {"type": "array", "items": _ref("Recipient")},
            },
        },
        "SubmitRequest": {
            "type": "object",
            "required": ["documentType", "document"],
            "properties": {
                "documentType": {"type": "string", "examples": ["consignment"]},
                "traderReference": {
                    "type": "string",
                    "pattern": "^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$",
                    "description": "Defaults to the document's traderReference; if both are given they must agree",
                },
                "declarant": {"type": "string", "description": "A broker names the trader it acts for"},
                "document": {"type": "object", "description": "The document, valid against its registered spec"},
            },
        },
        "SubmitResponse": {
            "type": "object",
            "properties": {"submission": _ref("Submission"), "created": boolean},
        },
        "AmendRequest": {"type": "object", "required": ["document"], "properties": {"document": {"type": "object"}}},
        "CancelRequest": {
            "type": "object",
            "description": "A JSON object is required (`{}` is enough); without a reason the history records "
            "'cancelled by the declarant'",
            "properties": {"reason": text},
        },
        "AnswerRequest": {
            "type": "object",
            "required": ["recipient", "answer"],
            "properties": {"recipient": text, "answer": text},
        },
        "SubmissionList": {
            "type": "object",
            "properties": {"submissions": {"type": "array", "items": _ref("Submission")}},
        },
        "WatchEvent": {
            "type": "object",
            "description": "The `data:` of one server-sent event; its `id:` is the same resume token",
            "properties": {
                "resumeToken": text,
                "kind": text,
                "submissionId": text,
                "version": integer,
                "status": {"type": ["string", "null"]},
                "recipient": {"type": ["string", "null"]},
                "actor": {"type": ["string", "null"]},
                "at": stamp,
            },
        },
    }


def openapi_document() -> dict[str, Any]:
    one = {"200": {"description": "The submission now", **_json(_ref("Submission"))}}
    sse = {
        "200": {
            "description": "Server-sent events; each `id:` is a resume token (send it back as `Last-Event-ID`)",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }
    }
    token = {"type": "string", "pattern": "^[0-9]{1,18}$", "description": "A resume token this API returned"}
    resume = [
        {"name": "Last-Event-ID", "in": "header", "schema": token},
        {"name": "resumeToken", "in": "query", "schema": token},
    ]
    status_param = {"name": "status", "in": "query", "schema": {"enum": [s.value for s in Consolidated]}}
    limit_param = {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Single Window hub: submissions",
            "version": "1.0.0",
            "description": "Submit once; every border agency decides; one consolidated status. See docs/api.md.",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": _schemas(),
        },
        "paths": {
            "/v1/submissions": {
                "post": _operation(
                    "Submit a document",
                    "submit",
                    {
                        "201": {"description": "Received", **_json(_ref("SubmitResponse"))},
                        "200": {
                            "description": "Already received (same reference, same document)",
                            **_json(_ref("SubmitResponse")),
                        },
                    },
                    "SubmitRequest",
                ),
                "get": _operation(
                    "The caller's submissions, newest first",
                    "list",
                    {"200": {"description": "Submissions", **_json(_ref("SubmissionList"))}},
                    parameters=[status_param, limit_param],
                ),
            },
            "/v1/submissions/watch": {
                "get": _operation("Status changes of every readable submission", "watchAll", sse, parameters=resume)
            },
            "/v1/submissions/{id}": {"get": _operation("One submission", "get", one, parameters=[_ID])},
            "/v1/submissions/{id}/watch": {
                "get": _operation("Status changes of one submission", "watch", sse, parameters=[_ID, *resume])
            },
            "/v1/submissions/{id}/amend": {
                "post": _operation("A new version of the document", "amend", one, "AmendRequest", parameters=[_ID])
            },
            "/v1/submissions/{id}/cancel": {
                "post": _operation("Cancel", "cancel", one, "CancelRequest", parameters=[_ID])
            },
            "/v1/submissions/{id}/answers": {
                "post": _operation("Answer an agency's query", "respondToQuery", one, "AnswerRequest", parameters=[_ID])
            },
            "/healthz": {
                "get": {
                    "summary": "Liveness",
                    "operationId": "healthz",
                    "responses": {"200": {"description": "The process serves requests"}},
                }
            },
        },
    }
