"""The OpenAPI paths of the permits register (docs/permits.md). Permit numbers travel in bodies and query
strings, never in the path (issuers print numbers with slashes)."""

from __future__ import annotations

from typing import Any

from singlewindow.platform.api.openapi_common import BOOLEAN, INTEGER, TEXT, ok, operation, query, ref
from singlewindow.platform.permits.models import EntryKind, PermitKind, PermitStatus, ProblemCode

_NUMBER = {"type": "string", "minLength": 1, "maxLength": 70}
_HS = {"type": "string", "pattern": "^[0-9]{2,10}$"}
_DAY = {"type": "string", "format": "date"}
_INT32 = {"type": "integer", "minimum": 1, "maximum": 2_147_483_647}
_REFUSED = "A write-off the register refuses; `problems` carry the register's codes"


def permit_schemas() -> dict[str, Any]:
    check = {
        "number": _NUMBER,
        "holderId": {"type": "string", "minLength": 1, "maxLength": 64},
        "hsCode": _HS,
        "quantity": ref("Quantity"),
        "at": _DAY,
        "kind": {"enum": [k.value for k in PermitKind]},
    }
    return {
        "Quantity": {
            "type": "object",
            "required": ["value", "unit"],
            "properties": {
                "value": {"type": "string", "description": "A decimal, at most 3 places"},
                "unit": {"type": "string", "pattern": "^[0-9A-Z]{2,3}$"},
            },
        },
        "PermitDraft": {
            "type": "object",
            "required": ["number", "kind", "holderId", "hsCodes", "description", "quantity", "validFrom", "validUntil"],
            "properties": {
                "number": _NUMBER,
                "kind": {"enum": [k.value for k in PermitKind]},
                "holderId": {"type": "string", "minLength": 1, "maxLength": 64},
                "hsCodes": {"type": "array", "minItems": 1, "items": _HS},
                "description": {"type": "string", "minLength": 1, "maxLength": 512},
                "quantity": ref("Quantity"),
                "validFrom": _DAY,
                "validUntil": _DAY,
            },
        },
        "Permit": {
            "type": "object",
            "properties": {
                "id": INTEGER,
                "number": TEXT,
                "kind": {"enum": [k.value for k in PermitKind]},
                "issuingAgency": TEXT,
                "holderId": TEXT,
                "hsCodes": {"type": "array", "items": TEXT},
                "description": TEXT,
                "quantity": ref("Quantity"),
                "remaining": ref("Quantity"),
                "validFrom": _DAY,
                "validUntil": _DAY,
                "status": {"enum": [s.value for s in PermitStatus]},
                "issuedBy": TEXT,
                "issuedAt": TEXT,
            },
        },
        "PermitStatusChange": {
            "type": "object",
            "required": ["number", "status"],
            "properties": {"number": _NUMBER, "status": {"enum": [s.value for s in PermitStatus]}},
        },
        "PermitCheck": {
            "type": "object",
            "required": ["number", "holderId", "hsCode", "quantity", "at"],
            "properties": check,
        },
        "PermitCheckResult": {
            "type": "object",
            "properties": {
                "number": TEXT,
                "ok": BOOLEAN,
                "permit": {"anyOf": [ref("Permit"), {"type": "null"}]},
                "problems": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"code": {"enum": [c.value for c in ProblemCode]}, "message": TEXT},
                    },
                },
            },
        },
        "WriteOffRequest": {
            "type": "object",
            "required": [
                "number",
                "holderId",
                "hsCode",
                "quantity",
                "at",
                "submissionId",
                "submissionVersion",
                "goodsItem",
            ],
            "properties": {
                **check,
                "submissionId": {"type": "string", "minLength": 1, "maxLength": 64},
                "submissionVersion": _INT32,
                "goodsItem": _INT32,
            },
        },
        "ReversalRequest": {
            "type": "object",
            "required": ["number", "submissionId", "submissionVersion", "goodsItem"],
            "properties": {
                "number": _NUMBER,
                "submissionId": {"type": "string", "minLength": 1, "maxLength": 64},
                "submissionVersion": _INT32,
                "goodsItem": _INT32,
                "reason": {"type": "string", "minLength": 1, "maxLength": 200},
            },
        },
        "ReversalResult": {
            "type": "object",
            "properties": {"entry": ref("LedgerEntry"), "remaining": ref("Quantity"), "created": BOOLEAN},
        },
        "LedgerEntry": {
            "type": "object",
            "properties": {
                "kind": {"enum": [k.value for k in EntryKind]},
                "reason": TEXT,
                "reversedBy": TEXT,
                "reversedAt": TEXT,
                "permitNumber": TEXT,
                "submissionId": TEXT,
                "submissionVersion": INTEGER,
                "goodsItem": INTEGER,
                "quantity": ref("Quantity"),
                "writtenOffBy": TEXT,
                "writtenOffAt": TEXT,
            },
        },
        "WriteOffResult": {
            "type": "object",
            "properties": {"entry": ref("LedgerEntry"), "remaining": ref("Quantity"), "created": BOOLEAN},
        },
        "Ledger": {"type": "object", "properties": {"entries": {"type": "array", "items": ref("LedgerEntry")}}},
    }


def permit_paths() -> dict[str, Any]:
    number = [query("number", _NUMBER, "The permit number", required=True)]
    return {
        "/v1/permits": {
            "post": operation("Issue a permit", "issuePermit", ok("Issued", ref("Permit"), "201"), ref("PermitDraft")),
            "get": operation("One permit", "getPermit", ok("The permit", ref("Permit")), parameters=number),
        },
        "/v1/permits/status": {
            "post": operation(
                "Suspend, revoke or reinstate a permit",
                "setPermitStatus",
                ok("The permit", ref("Permit")),
                ref("PermitStatusChange"),
            )
        },
        "/v1/permits/check": {
            "post": operation(
                "Can this permit cover a goods item? (200 even when not)",
                "checkPermit",
                ok("The answer", ref("PermitCheckResult")),
                ref("PermitCheck"),
            )
        },
        "/v1/permits/write-offs": {
            "post": operation(
                "Write a goods item's quantity off a permit (once per permit, submission version and item)",
                "writeOff",
                {**ok("Written off", ref("WriteOffResult"), "201"), **ok("Written off before", ref("WriteOffResult"))},
                ref("WriteOffRequest"),
                conflicts=_REFUSED,
            ),
            "get": operation(
                "A permit's write-offs and reversals", "ledger", ok("Entries", ref("Ledger")), parameters=number
            ),
        },
        "/v1/permits/reversals": {
            "post": operation(
                "Give a write-off back (its declaration was cancelled or replaced), once; only the principal that "
                "wrote it off may (404 for anyone else, as for an unknown write-off)",
                "reverseWriteOff",
                {**ok("Reversed", ref("ReversalResult"), "201"), **ok("Reversed before", ref("ReversalResult"))},
                ref("ReversalRequest"),
            ),
        },
    }
