"""HTTP for the hub's signed status statements (platform/proofs): issue one for a submission the caller may
read, verify a scanned payload, and publish the public keys so a phone can verify offline."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from singlewindow.platform.api.guarded import caller, guarded, json_body
from singlewindow.platform.api.operations import SubmissionApi
from singlewindow.platform.proofs import StatusProofs

MAX_BODY = 4 * 1024  # a payload is ~300 characters


def status_proof_routes(api: SubmissionApi, proofs: StatusProofs) -> list[Route]:
    principals = api.hub.principals

    async def issue(request: Request) -> Response:
        principal = await caller(principals, request)
        view = await api.get(principal, request.path_params["id"])  # same grants and 404s as reading it
        return JSONResponse(proofs.issue(view))

    async def verify(request: Request) -> Response:
        await caller(principals, request)  # any signed-in principal: officers, agencies, traders
        body = await json_body(request, MAX_BODY)
        return JSONResponse((await proofs.verify(body.get("payload"))).as_dict())

    async def keys(request: Request) -> Response:
        await caller(principals, request)
        return JSONResponse({"keys": proofs.public_keys()})

    return [
        Route("/v1/submissions/{id}/status-proof", guarded(issue), methods=["GET"]),
        Route("/v1/status-proofs/verify", guarded(verify), methods=["POST"]),
        Route("/v1/status-proofs/keys", guarded(keys), methods=["GET"]),
    ]
