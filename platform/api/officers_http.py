"""HTTP for the officer queue and border events.

Officers: ``POST /v1/officer/next`` (204 when nothing waits), ``POST /v1/officer/decisions``; the console's
``GET /v1/officer/queue`` (open documents), ``POST /v1/officer/queue/{ticket}/claim|release`` and
``GET /v1/officer/queue/{ticket}/history`` (the agency's part of the submission's history).
The agency's adapter: ``POST /v1/officer/queue`` (optionally ``replaces``: the version it replaces and
what changed), ``GET /v1/officer/decisions?published=false``, ``POST /v1/officer/decisions/{id}/published``,
and the hub's lifecycle notices: ``POST /v1/officer/withdrawals`` (a version cancelled or superseded) and
``POST /v1/officer/answers`` (a trader's answer to a query: the item is back in the queue with it).
A decision on a withdrawn item is refused with 409 and the withdrawal's reason.
Border events: ``POST /v1/border-events``, ``GET /v1/border-events?ucr=``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from singlewindow.platform.api.guarded import caller, guarded, json_body
from singlewindow.platform.errors import InvalidInput, Problem
from singlewindow.platform.identity import PrincipalStore
from singlewindow.platform.inputs import INT32_MAX, parse_count, require_clean
from singlewindow.platform.officers import (
    AnswerInput,
    BorderEventService,
    OfficerDecisionInput,
    OfficerService,
    ReplacesInput,
    WithdrawalInput,
)

Model = TypeVar("Model", bound=BaseModel)


def checked(model: type[Model], body: Any, what: str, at: str = "") -> Model:
    """A JSON body under the hub's input rules, then the model's own; InvalidInput (400) with pointers."""
    require_clean(body, at)
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        problems = [
            Problem(at + "/" + "/".join(str(p) for p in error["loc"]), error["type"], error["msg"])
            for error in exc.errors()
        ]
        raise InvalidInput(f"the {what} is not valid", problems) from exc


def decision_input(body: dict[str, Any]) -> OfficerDecisionInput:
    """The HTTP body or the gRPC request as JSON, under the hub's input rules, then the decision's own."""
    return checked(OfficerDecisionInput, body, "decision")


def positive(raw: str | None, name: str, default: int) -> int:
    """ASCII digits within int64 (``"²".isdigit()`` is True, and ids are BIGINT)."""
    value = parse_count(raw, f"/{name}", minimum=1)
    return default if value is None else value


def _ticket(request: Request) -> int:
    return positive(request.path_params["ticket"], "ticket", 0)


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
        raw_replaces = body.get("replaces")
        replaces = None if raw_replaces is None else checked(ReplacesInput, raw_replaces, "replaces", "/replaces")
        queued, created = await officers.enqueue(principal, document, attempt, replaces)
        return JSONResponse(queued.as_dict(), status_code=201 if created else 200)

    async def withdraw(request: Request) -> Response:
        principal = await caller(principals, request)
        notice = checked(WithdrawalInput, await json_body(request, body_limit), "withdrawal")
        withdrawn = await officers.withdraw(principal, notice)
        return JSONResponse({"withdrawn": [item.as_dict() for item in withdrawn]})

    async def answer(request: Request) -> Response:
        principal = await caller(principals, request)
        answered = await officers.answer(
            principal, checked(AnswerInput, await json_body(request, body_limit), "answer")
        )
        return JSONResponse(answered.as_dict())

    async def unpublished(request: Request) -> Response:
        principal = await caller(principals, request)
        if request.query_params.get("published", "false") != "false":
            raise InvalidInput("only published=false is served", [Problem("/published", "enum", "false")])
        limit = positive(request.query_params.get("limit"), "limit", 100)
        decisions = await officers.unpublished(principal, min(limit, 1000))
        return JSONResponse({"decisions": [d.as_dict() for d in decisions]})

    async def published(request: Request) -> Response:
        principal = await caller(principals, request)
        decision_id = positive(request.path_params["id"], "id", 0)
        return JSONResponse((await officers.mark_published(principal, decision_id)).as_dict())

    async def ticket(request: Request) -> Response:
        principal = await caller(principals, request)
        return JSONResponse((await officers.ticket(principal, _ticket(request))).as_dict())

    async def open_items(request: Request) -> Response:
        principal = await caller(principals, request)
        return JSONResponse({"documents": [item.as_dict() for item in await officers.open_items(principal)]})

    async def claim(request: Request) -> Response:
        principal = await caller(principals, request)
        return JSONResponse((await officers.claim(principal, _ticket(request))).as_dict())

    async def release(request: Request) -> Response:
        principal = await caller(principals, request)
        return JSONResponse((await officers.release(principal, _ticket(request))).as_dict())

    async def history(request: Request) -> Response:
        principal = await caller(principals, request)
        return JSONResponse({"events": await officers.history(principal, _ticket(request))})

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
        Route("/v1/officer/queue", guarded(open_items), methods=["GET"]),
        Route("/v1/officer/queue/{ticket}", guarded(ticket), methods=["GET"]),
        Route("/v1/officer/queue/{ticket}/claim", guarded(claim), methods=["POST"]),
        Route("/v1/officer/queue/{ticket}/release", guarded(release), methods=["POST"]),
        Route("/v1/officer/queue/{ticket}/history", guarded(history), methods=["GET"]),
        Route("/v1/officer/withdrawals", guarded(withdraw), methods=["POST"]),
        Route("/v1/officer/answers", guarded(answer), methods=["POST"]),
        Route("/v1/border-events", guarded(record_event), methods=["POST"]),
        Route("/v1/border-events", guarded(list_events), methods=["GET"]),
    ]
