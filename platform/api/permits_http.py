"""HTTP routes of the permits register (``/v1/permits...``), mounted into the hub's HTTP app.

Permit numbers travel in bodies and query strings, never in the path: issuers print numbers with slashes.
A refused write-off is 409 with the register's problem codes in ``problems``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from singlewindow.platform.api.status_codes import error_code, error_message, problems_of, status_of
from singlewindow.platform.errors import InvalidInput, NswError, Problem
from singlewindow.platform.identity import Principal
from singlewindow.platform.permits import PermitRefused, PermitService
from singlewindow.platform.permits.wire import check_from_json, draft_from_json, status_from_json, write_off_from_json

Authenticate = Callable[[str | None], Awaitable[Principal]]
Endpoint = Callable[[Request, Principal], Awaitable[Response]]
MAX_BODY = 64 * 1024
log = structlog.get_logger(__name__)


def error_response(error: BaseException) -> JSONResponse:
    """The hub's error body (``{error, message, problems}``) with the status of the one table."""
    if isinstance(error, PermitRefused):
        problems = [p.as_dict() for p in error.problems]
    else:
        if not isinstance(error, NswError):
            log.exception("permits call failed", exc_info=error)
        problems = [p.as_dict() for p in problems_of(error)]
    body = {"error": error_code(error), "message": error_message(error), "problems": problems}
    return JSONResponse(body, status_code=status_of(error).http)


def _guarded(authenticate: Authenticate, endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        try:
            return await endpoint(request, await authenticate(request.headers.get("authorization")))
        except PermitRefused as refused:
            body = {
                "error": refused.code,
                "message": refused.message,
                "problems": [p.as_dict() for p in refused.problems],
            }
            return JSONResponse(body, status_code=409)
        except Exception as error:
            return error_response(error)

    return run


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise InvalidInput("request body too large", [Problem("", "maxBytes", f"at most {MAX_BODY}")])
    try:
        value = json.loads(raw or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput("the request body is not JSON", [Problem("", "json", str(exc))]) from exc
    if not isinstance(value, dict):
        raise InvalidInput("the request body must be a JSON object", [Problem("", "type", "an object")])
    return value


def _number(request: Request) -> str:
    number = request.query_params.get("number", "")
    if not number:
        raise InvalidInput("which permit?", [Problem("/number", "required", "give ?number=")])
    return number


def permit_routes(service: PermitService, authenticate: Authenticate) -> list[Route]:
    async def issue(request: Request, principal: Principal) -> Response:
        permit = await service.issue(principal, draft_from_json(await _json(request)))
        return JSONResponse(permit.as_dict(), status_code=201)

    async def get(request: Request, principal: Principal) -> Response:
        return JSONResponse((await service.get(principal, _number(request))).as_dict())

    async def set_status(request: Request, principal: Principal) -> Response:
        number, status = status_from_json(await _json(request))
        return JSONResponse((await service.set_status(principal, number, status)).as_dict())

    async def check(request: Request, principal: Principal) -> Response:
        return JSONResponse((await service.check(principal, check_from_json(await _json(request)))).as_dict())

    async def write_off(request: Request, principal: Principal) -> Response:
        ask, key = write_off_from_json(await _json(request))
        result = await service.write_off(principal, ask, key)
        return JSONResponse(result.as_dict(), status_code=201 if result.created else 200)

    async def ledger(request: Request, principal: Principal) -> Response:
        entries = await service.ledger(principal, _number(request))
        return JSONResponse({"entries": [e.as_dict() for e in entries]})

    def route(path: str, endpoint: Endpoint, method: str) -> Route:
        return Route(path, _guarded(authenticate, endpoint), methods=[method])

    return [
        route("/v1/permits", issue, "POST"),
        route("/v1/permits", get, "GET"),
        route("/v1/permits/status", set_status, "POST"),
        route("/v1/permits/check", check, "POST"),
        route("/v1/permits/write-offs", write_off, "POST"),
        route("/v1/permits/write-offs", ledger, "GET"),
    ]
