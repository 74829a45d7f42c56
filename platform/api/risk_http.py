"""HTTP for the risk service, agencies only: ``POST /v1/risk/profiles`` (publish the caller's agency's
signed profile), ``GET /v1/risk/profiles`` (its own profiles) and ``GET /v1/risk/assessments/{submission}``
(its own assessments of a submission; another agency's is a 404 like an unknown submission)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from singlewindow.platform.api.guarded import caller, guarded, json_body
from singlewindow.platform.identity import PrincipalStore
from singlewindow.platform.inputs import require_clean
from singlewindow.platform.risk.service import RiskService

BODY_LIMIT = 512 * 1024


def risk_routes(risk: RiskService, principals: PrincipalStore) -> list[Route]:
    async def publish(request: Request) -> Response:
        principal = await caller(principals, request)
        body = await json_body(request, BODY_LIMIT)
        require_clean(body, "")
        return JSONResponse(await risk.publish(principal, body), status_code=201)

    async def profiles(request: Request) -> Response:
        principal = await caller(principals, request)
        return JSONResponse({"profiles": await risk.profiles(principal)})

    async def assessments(request: Request) -> Response:
        principal = await caller(principals, request)
        submission_id = request.path_params["submission"]
        require_clean(submission_id, "/submission")
        return JSONResponse(await risk.assessments(principal, submission_id))

    return [
        Route("/v1/risk/profiles", guarded(publish), methods=["POST"]),
        Route("/v1/risk/profiles", guarded(profiles), methods=["GET"]),
        Route("/v1/risk/assessments/{submission}", guarded(assessments), methods=["GET"]),
    ]
