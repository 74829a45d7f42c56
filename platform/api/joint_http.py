"""HTTP for joint (one-stop) inspections, for officers (the console) and agencies' adapters alike:
``POST /v1/joint-inspections`` (propose a slot), ``GET /v1/joint-inspections[?submissionId=]`` (the caller's
agency's open ones, or all of one submission), ``GET /v1/joint-inspections/{id}``,
``POST /v1/joint-inspections/{id}/response`` (accept or decline) and ``.../attendance`` (attended, findings).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from singlewindow.platform.api.guarded import caller, guarded, json_body
from singlewindow.platform.api.officers_http import checked, positive
from singlewindow.platform.identity import PrincipalStore
from singlewindow.platform.inputs import require_clean
from singlewindow.platform.officers import (
    JointAttendanceInput,
    JointInspections,
    JointProposalInput,
    JointResponseInput,
)

BODY_LIMIT = 16 * 1024


def joint_inspection_routes(joint: JointInspections, principals: PrincipalStore) -> list[Route]:
    def inspection_id(request: Request) -> int:
        return positive(request.path_params["id"], "id", 0)

    async def propose(request: Request) -> Response:
        principal = await caller(principals, request)
        proposal = checked(JointProposalInput, await json_body(request, BODY_LIMIT), "proposal")
        return JSONResponse(await joint.propose(principal, proposal), status_code=201)

    async def listing(request: Request) -> Response:
        principal = await caller(principals, request)
        submission_id = request.query_params.get("submissionId") or None
        require_clean(submission_id, "/submissionId")
        listed = await joint.of_agency(principal, submission_id)
        return JSONResponse({"inspections": listed})

    async def one(request: Request) -> Response:
        principal = await caller(principals, request)
        return JSONResponse(await joint.get(principal, inspection_id(request)))

    async def respond(request: Request) -> Response:
        principal = await caller(principals, request)
        answer = checked(JointResponseInput, await json_body(request, BODY_LIMIT), "response")
        return JSONResponse(await joint.respond(principal, inspection_id(request), answer))

    async def attend(request: Request) -> Response:
        principal = await caller(principals, request)
        attendance = checked(JointAttendanceInput, await json_body(request, BODY_LIMIT), "attendance")
        return JSONResponse(await joint.attend(principal, inspection_id(request), attendance))

    return [
        Route("/v1/joint-inspections", guarded(propose), methods=["POST"]),
        Route("/v1/joint-inspections", guarded(listing), methods=["GET"]),
        Route("/v1/joint-inspections/{id}", guarded(one), methods=["GET"]),
        Route("/v1/joint-inspections/{id}/response", guarded(respond), methods=["POST"]),
        Route("/v1/joint-inspections/{id}/attendance", guarded(attend), methods=["POST"]),
    ]
