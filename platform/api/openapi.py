"""The OpenAPI 3.1 document of the hub's HTTP listener, written by hand so it says what callers need to know:
the submission API here, the agency services, reports and permits register in ``openapi_agency``/``_reports``/
``_permits``.
A test walks the routes ``nsw hub run`` serves and holds this document to exactly those operations.

It is the contract: the server answers 422 for what it refuses (``limit=0``, a cancel without a body), and
every path answers ``OPTIONS`` with 204 and ``Allow``, any method it does not list with 405 and ``Allow``.
Text everywhere follows the text rule of docs/specs-conventions.md.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from starlette.routing import BaseRoute, Route

from singlewindow.platform.aggregation import Consolidated
from singlewindow.platform.api.openapi_agency import agency_paths, agency_schemas
from singlewindow.platform.api.openapi_common import json_content, ok, ref
from singlewindow.platform.api.openapi_common import operation as common_operation
from singlewindow.platform.api.openapi_console import console_paths, console_schemas
from singlewindow.platform.api.openapi_joint import joint_paths, joint_schemas
from singlewindow.platform.api.openapi_payments import payment_paths, payment_schemas
from singlewindow.platform.api.openapi_permits import permit_paths, permit_schemas
from singlewindow.platform.api.openapi_proofs import proof_paths, proof_schemas
from singlewindow.platform.api.openapi_reports import report_paths, report_schemas
from singlewindow.platform.api.openapi_risk import risk_paths, risk_schemas

_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}, "description": "Submission id"}
_CONFLICTS = (
    "Conflict (same trader reference with another document; no open query; a query already answered "
    "with another answer)"
)


def _operation(
    summary: str, op_id: str, responses: dict[str, Any], body: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A submission operation: the common error responses, with what a 409 means here."""
    return common_operation(
        summary, op_id, responses, ref(body) if body is not None else None, conflicts=_CONFLICTS, **extra
    )


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
            "properties": {"error": text, "message": text, "problems": {"type": "array", "items": ref("Problem")}},
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
                "recipients": {"type": "array", "items": ref("Recipient")},
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
            "properties": {"submission": ref("Submission"), "created": boolean},
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
            "properties": {"submissions": {"type": "array", "items": ref("Submission")}},
        },
        "Caller": {
            "type": "object",
            "required": ["id", "name", "role", "agency", "actingFor"],
            "properties": {
                "id": text,
                "name": text,
                "role": text,
                "agency": {"type": ["string", "null"]},
                "actingFor": {
                    "type": "array",
                    "description": "For a customs broker: the traders whose grants are valid now",
                    "items": {
                        "type": "object",
                        "properties": {"traderId": text, "traderName": text, "scope": {"enum": ["read", "submit"]}},
                    },
                },
            },
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


def _submission_paths() -> dict[str, Any]:
    one = {"200": {"description": "The submission now", **json_content(ref("Submission"))}}
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
        "/v1/submissions": {
            "post": _operation(
                "Submit a document",
                "submit",
                {
                    "201": {"description": "Received", **json_content(ref("SubmitResponse"))},
                    "200": {
                        "description": "Already received (same reference, same document)",
                        **json_content(ref("SubmitResponse")),
                    },
                },
                "SubmitRequest",
            ),
            "get": _operation(
                "The caller's submissions, newest first",
                "list",
                {"200": {"description": "Submissions", **json_content(ref("SubmissionList"))}},
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
        "/v1/submissions/{id}/cancel": {"post": _operation("Cancel", "cancel", one, "CancelRequest", parameters=[_ID])},
        "/v1/submissions/{id}/answers": {
            "post": _operation("Answer an agency's query", "respondToQuery", one, "AnswerRequest", parameters=[_ID])
        },
        "/v1/me": {
            "get": _operation(
                "Who the token belongs to (and a broker's traders)",
                "whoami",
                {"200": {"description": "The caller", **json_content(ref("Caller"))}},
            )
        },
    }


def _open_paths() -> dict[str, Any]:
    """What anyone may read, without a token."""
    return {
        "/openapi.json": {
            "get": {
                "summary": "This document (only the operations this listener serves)",
                "operationId": "openapi",
                "responses": ok("The OpenAPI document", {"type": "object"}),
            }
        },
        "/healthz": {
            "get": {
                "summary": "Liveness",
                "operationId": "healthz",
                "responses": {"200": {"description": "The process serves requests"}},
            }
        },
    }


def served_operations(routes: Sequence[BaseRoute]) -> set[tuple[str, str]]:
    """(path, lower-case method) of the plain routes given to ``build_http_app``; ``HEAD`` and ``OPTIONS``
    are left out: Starlette adds ``HEAD`` to every ``GET``, and every path answers ``OPTIONS``."""
    return {
        (route.path, method.lower())
        for route in routes
        if isinstance(route, Route) and route.methods
        for method in route.methods
        if method not in ("HEAD", "OPTIONS")
    }


def openapi_document(served: Collection[tuple[str, str]] | None = None) -> dict[str, Any]:
    """The document of everything ``nsw hub run`` serves on its HTTP listener; with ``served`` (from
    ``served_operations``), only those operations, so a listener with fewer route sets documents no more
    than it answers."""
    paths = {
        **_submission_paths(),
        **agency_paths(),
        **console_paths(),
        **joint_paths(),
        **risk_paths(),
        **report_paths(),
        **payment_paths(),
        **permit_paths(),
        **proof_paths(),
        **_open_paths(),
    }
    if served is not None:
        wanted = set(served)
        paths = {
            path: kept
            for path, methods in paths.items()
            if (kept := {method: op for method, op in methods.items() if (path, method) in wanted})
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Single Window hub",
            "version": "1.0.0",
            "description": "Submit once; every border agency decides; one consolidated status. See docs/api.md; "
            "the agency services (attachments, officer queue, border events, joint inspections) "
            "docs/agency-services.md; agencies' risk profiles and assessments docs/risk.md; the time-release and "
            "trade figures docs/reports.md; the permits register docs/permits.md; invoices and payments "
            "docs/payments.md.",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                **_schemas(),
                **agency_schemas(),
                **console_schemas(),
                **joint_schemas(),
                **risk_schemas(),
                **report_schemas(),
                **payment_schemas(),
                **permit_schemas(),
                **proof_schemas(),
            },
        },
        "paths": paths,
    }
