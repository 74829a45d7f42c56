"""The OpenAPI paths of joint (one-stop) inspections (``joint_http``): proposed, answered and attended by
officers and agencies' adapters alike; each agency reads only its own findings."""

from __future__ import annotations

from typing import Any

from singlewindow.platform.api.openapi_common import (
    INTEGER,
    STAMP,
    TEXT,
    model_schemas,
    ok,
    operation,
    path_param,
    query,
    ref,
)
from singlewindow.platform.officers import JointAttendanceInput, JointProposalInput, JointResponseInput

_ID = path_param("id", {"type": "integer", "minimum": 1, "maximum": 9_223_372_036_854_775_807}, "Inspection id")
_NULLABLE_TEXT = {"type": ["string", "null"]}


def joint_schemas() -> dict[str, Any]:
    party = {
        "type": "object",
        "properties": {
            "agency": TEXT,
            "response": {"enum": ["PENDING", "ACCEPTED", "DECLINED"]},
            "declineReason": _NULLABLE_TEXT,
            "attended": {"type": ["boolean", "null"]},
        },
    }
    return {
        **model_schemas(JointProposalInput, JointResponseInput, JointAttendanceInput),
        "JointInspection": {
            "type": "object",
            "description": "As the caller's agency reads it: every party's answer and attendance, its own findings",
            "properties": {
                "id": INTEGER,
                "submissionId": TEXT,
                "version": INTEGER,
                "ucr": TEXT,
                "slotAt": STAMP,
                "place": TEXT,
                "status": {"enum": ["PROPOSED", "SCHEDULED", "DECLINED", "COMPLETED"]},
                "proposingAgency": TEXT,
                "proposedAt": STAMP,
                "parties": {"type": "array", "items": party},
                "agency": {"type": "string", "description": "The caller's agency"},
                "findings": {**_NULLABLE_TEXT, "description": "The caller's agency's own findings"},
                "compliant": {"type": ["boolean", "null"], "description": "The caller's agency's verdict"},
            },
        },
        "JointInspectionList": {
            "type": "object",
            "properties": {"inspections": {"type": "array", "items": ref("JointInspection")}},
        },
    }


def joint_paths() -> dict[str, Any]:
    one = ok("The inspection", ref("JointInspection"))
    return {
        "/v1/joint-inspections": {
            "post": operation(
                "Propose one slot to every agency requiring a RED-channel inspection of the current version",
                "jointInspectionPropose",
                ok("Proposed", ref("JointInspection"), "201"),
                ref("JointProposalInput"),
                conflicts="Fewer than two agencies require a RED-channel inspection, the caller's agency is not "
                "one of them, or an open inspection of the version exists",
            ),
            "get": operation(
                "The caller's agency's open inspections, or all of one submission",
                "jointInspectionList",
                ok("Inspections", ref("JointInspectionList")),
                parameters=[query("submissionId", TEXT, "All inspections of this submission (any status)")],
            ),
        },
        "/v1/joint-inspections/{id}": {
            "get": operation(
                "One inspection the caller's agency takes part in", "jointInspectionGet", one, parameters=[_ID]
            ),
        },
        "/v1/joint-inspections/{id}/response": {
            "post": operation(
                "Accept or decline the slot for the caller's agency",
                "jointInspectionRespond",
                one,
                ref("JointResponseInput"),
                conflicts="Answers are closed (not PROPOSED) or the agency already answered",
                parameters=[_ID],
            ),
        },
        "/v1/joint-inspections/{id}/attendance": {
            "post": operation(
                "Record whether the caller's agency attended, and its findings",
                "jointInspectionAttend",
                one,
                ref("JointAttendanceInput"),
                conflicts="The inspection is not SCHEDULED, or the agency already recorded its attendance",
                parameters=[_ID],
            ),
        },
    }
