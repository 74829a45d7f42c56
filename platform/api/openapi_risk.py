"""The OpenAPI paths of the risk service (``risk_http``): an agency publishes and lists its own signed
profiles and reads its own assessments; nothing of another agency is ever answered."""

from __future__ import annotations

from typing import Any

from singlewindow.platform.api.openapi_common import INTEGER, STAMP, TEXT, ok, operation, path_param, ref

_OBJECT = {"type": "object"}


def risk_schemas() -> dict[str, Any]:
    return {
        "RiskPublication": {
            "type": "object",
            "required": ["profile", "signature"],
            "properties": {
                "profile": {**_OBJECT, "description": "The profile (message_specs/risk/profile.schema.json)"},
                "signature": {"type": "string", "description": "Ed25519 over the profile's RFC 8785 JSON, base64"},
            },
        },
        "RiskPublished": {
            "type": "object",
            "properties": {"agency": TEXT, "id": TEXT, "version": INTEGER, "keyId": TEXT},
        },
        "RiskProfileList": {
            "type": "object",
            "properties": {"profiles": {"type": "array", "items": _OBJECT}},
        },
        "RiskAssessments": {
            "type": "object",
            "description": "The caller's agency's own assessments of one submission, one per routed version",
            "properties": {
                "submissionId": TEXT,
                "agency": TEXT,
                "assessments": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "version": INTEGER,
                            "score": INTEGER,
                            "level": {"enum": ["NONE", "DOCUMENT_CHECK", "PHYSICAL_INSPECTION"]},
                            "hits": {"type": "array", "items": _OBJECT},
                            "profiles": {"type": "array", "items": _OBJECT},
                            "traderId": TEXT,
                            "traderHistory": {"type": "array", "items": _OBJECT},
                            "aeo": {"type": "boolean"},
                            "assessedAt": STAMP,
                        },
                    },
                },
            },
        },
    }


def risk_paths() -> dict[str, Any]:
    return {
        "/v1/risk/profiles": {
            "post": operation(
                "Publish a signed risk profile of the caller's agency (agency role)",
                "riskProfilePublish",
                ok("Published", ref("RiskPublished"), "201"),
                ref("RiskPublication"),
                conflicts="The version is not newer than the stored version of the profile",
            ),
            "get": operation(
                "The caller's agency's own risk profiles, every version",
                "riskProfileList",
                ok("Profiles", ref("RiskProfileList")),
            ),
        },
        "/v1/risk/assessments/{submission}": {
            "get": operation(
                "The caller's agency's own risk assessments of a submission",
                "riskAssessmentGet",
                ok("Assessments", ref("RiskAssessments")),
                parameters=[path_param("submission", TEXT, "Submission id")],
            ),
        },
    }
