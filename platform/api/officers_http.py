"""HTTP for the officer queue and border events.

Officers: ``POST /v1/officer/next`` (204 when nothing waits), ``POST /v1/officer/decisions``.
The agency's adapter: ``POST /v1/officer/queue``, ``GET /v1/officer/decisions?published=false``,
``POST /v1/officer/decisions/{id}/published``.
Border events: ``POST /v1/border-events``, ``GET /v1/border-events?ucr=``.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from singlewindow.platform.api.guarded import caller, guarded, json_body
from singlewindow.platform.errors import InvalidInput, Problem
from singlewindow.platform.identity import PrincipalStore
from singlewindow.platform.inputs import INT32_MAX, parse_count, require_clean
from singlewindow.platform.officers import BorderEventService, OfficerDecisionInput, OfficerService


def decision_input(body: dict[str, Any]) -> OfficerDecisionInput:
    """The HTTP body or the gRPC request as JSON, under the hub's input rules, then the decision's own."""
    require_clean(body)
    try:
        return OfficerDecisionInput.model_validate(body)
    except ValidationError as exc:
        problems = [
            Problem("/" + "/".join(str(p) for p in error["loc"]), error["type"], error["msg"]) for error in exc.errors()
        ]
        raise InvalidInput("the decision is not valid", problems) from exc


def _positive(raw: str | None, name: str, default: int) -> int:
    """ASCII digits within int64 (``"²".isdigit()`` is True, and ids are BIGINT)."""
    value = parse_count(raw, f"/{name}", minimum=1)
    return default if value is None else value


def officer_routes(
    officers: OfficerService, events: BorderEventService, principals: PrincipalStore, body_limit: int
) -> list[Route]:
    async def next_document(request: Request) -> Response:
        principal = await caller(principals, request)
        queued = await officers.next(principal)
        return Response(status_code=204) if queued is None else JSONResponse(queued.as_dict())

    async def decide(request: Request) -> Response:
        principal = await caller(principals, request)
        decision = await officers.decide(principal, decision_input(await json_body(request, body_limit)))
        return JSONResponse(decision.as_dict(), status_code=201)

    async def enqueue(request: Request) -> Response:
        principal = await caller(principals, request)
        body = await json_body(request, body_limit)
        document = body.get("document")
        if not isinstance(document, dict):
            raise InvalidInput("document must be an object", [Problem("/document", "type", "an object")])
        attempt = body.get("attempt", 1)
        if not isinstance(attempt, int) or isinstance(attempt, bool) or not 0 <= attempt <= INT32_MAX:
            raise InvalidInput(
                "attempt must be an integer", [Problem("/attempt", "type", f"an integer 0..{INT32_MAX}")]
            )
        queued, created = await officers.enqueue(principal, document, attempt)
        return JSONResponse(queued.as_dict(), status_code=201 if created else 200)

    async def unpublished(request: Request) -> Response:
        principal = await caller(principals, request)
        if request.query_params.get("published", "false") != "false":
            raise InvalidInput("only published=false is served", [Problem("/published", "enum", "false")])
        limit = _positive(request.query_params.get("limit"), "limit", 100)
        decisions = await officers.unpublished(principal, min(limit, 1000))
        return JSONResponse({"decisions": [d.as_dict() for d in decisions]})

    async def published(request: Request) -> Response:
        principal = await caller(principals, request)
        decision_id = _positive(request.path_params["id"], "id", 0)
        return JSONResponse((await officers.mark_published(principal, decision_id)).as_dict())

    async def ticket(request: Request) -> Response:
        principal = await caller(principals, request)
        return JSONResponse(
            (await officers.ticket(principal, _positive(request.path_params["ticket"], "ticket", 0))).as_dict()
        )

    async def record_event(request: Request) -> Response:
        principal = await caller(principals, request)
        stored, created = await events.record(principal, await json_body(request, body_limit))
        return JSONResponse(stored, status_code=201 if created else 200)

    async def list_events(request: Request) -> Response:
        principal = await caller(principals, request)
        ucr = request.query_params.get("ucr")
        if not ucr:
            raise InvalidInput("ucr is required", [Problem("/ucr", "required", "must be given")])
        return JSONResponse({"events": await events.of_consignment(principal, ucr)})

    return [
        Route("/v1/officer/next", guarded(next_document), methods=["POST"]),
        Route("/v1/officer/decisions", guarded(decide), methods=["POST"]),
        Route("/v1/officer/decisions", guarded(unpublished), methods=["GET"]),
        Route("/v1/officer/decisions/{id}/published", guarded(published), methods=["POST"]),
        Route("/v1/officer/queue", guarded(enqueue), methods=["POST"]),
        Route("/v1/officer/queue/{ticket}", guarded(ticket), methods=["GET"]),
        Route("/v1/border-events", guarded(record_event), methods=["POST"]),
        Route("/v1/border-events", guarded(list_events), methods=["GET"]),
    ]
