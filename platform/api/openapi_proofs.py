"""The OpenAPI paths of the signed status proofs (``status_proofs_http``) and of the current document (to
amend from); the payload format is in docs/api.md, "Status proofs"."""

from __future__ import annotations

from typing import Any

from singlewindow.platform.api.openapi_common import (
    ANY_OBJECT,
    BOOLEAN,
    INTEGER,
    STAMP,
    TEXT,
    ok,
    operation,
    path_param,
    ref,
)

_ID = path_param("id", TEXT, "Submission id")
_VERDICTS = ["current", "outdated", "bad-signature", "unknown-key", "unknown-submission"]


def proof_schemas() -> dict[str, Any]:
    statement = {
        "type": "object",
        "properties": {
            "submissionId": TEXT,
            "version": INTEGER,
            "ucr": TEXT,
            "status": TEXT,
            "statusSequence": INTEGER,
            "issuedAt": STAMP,
            "keyId": TEXT,
        },
    }
    latest = {
        "type": ["object", "null"],
        "description": "The submission now (only when the hub signed the payload)",
        "properties": {"version": INTEGER, "status": TEXT, "statusSequence": INTEGER},
    }
    return {
        "StatusStatement": statement,
        "StatusProof": {
            "type": "object",
            "properties": {
                "payload": {"type": "string", "description": "NSW1.<statement>.<signature>, the QR text"},
                "statement": ref("StatusStatement"),
            },
        },
        "VerifyRequest": {"type": "object", "required": ["payload"], "properties": {"payload": TEXT}},
        "Verification": {
            "type": "object",
            "properties": {
                "verdict": {"enum": _VERDICTS},
                "signed": BOOLEAN,
                "current": BOOLEAN,
                "message": TEXT,
                "statement": ref("StatusStatement"),
                "latest": latest,
            },
        },
        "PublicKey": {
            "type": "object",
            "properties": {"keyId": TEXT, "publicKey": TEXT, "validFrom": STAMP, "validTo": STAMP},
        },
        "CurrentDocument": {
            "type": "object",
            "properties": {"submissionId": TEXT, "version": INTEGER, "document": ANY_OBJECT},
        },
    }


def proof_paths() -> dict[str, Any]:
    keys = {"type": "object", "properties": {"keys": {"type": "array", "items": ref("PublicKey")}}}
    return {
        "/v1/submissions/{id}/document": {
            "get": operation(
                "The current version's document, to amend from (the grants of reading the submission)",
                "getDocument",
                ok("The document", ref("CurrentDocument")),
                parameters=[_ID],
            )
        },
        "/v1/submissions/{id}/status-proof": {
            "get": operation(
                "The hub's signed statement of the submission's status now (the decision's QR code)",
                "getStatusProof",
                ok("The payload and what it states", ref("StatusProof")),
                parameters=[_ID],
            )
        },
        "/v1/status-proofs/verify": {
            "post": operation(
                "Verify a scanned payload: signed by this hub, and still the latest status?",
                "verifyStatusProof",
                ok(
                    "The verdict (a forged payload is a verdict too; 422 only when it is not of the form)",
                    ref("Verification"),
                ),
                ref("VerifyRequest"),
            )
        },
        "/v1/status-proofs/keys": {
            "get": operation(
                "The hub's status-proof public keys, for offline checks",
                "getStatusProofKeys",
                ok("Keys not yet expired", keys),
            )
        },
    }
