"""HTTP routes of the permits register (``/v1/permits...``), mounted into the hub's HTTP app.

Permit numbers travel in bodies and query strings, never in the path: issuers print numbers with slashes.
A refused write-off is 409 with the register's problem codes in ``problems``. A reversal of a write-off the
caller did not make is 404, as for one that does not exist.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from singlewindow.platform.api.http_errors import error_body
from singlewindow.platform.api.http_errors import error_response as hub_error_response
from singlewindow.platform.api.http_inputs import read_json
from singlewindow.platform.api.status_codes import status_of
from singlewindow.platform.errors import InvalidInput, Problem
from singlewindow.platform.identity import Principal
from singlewindow.platform.permits import PermitRefused, PermitService
from singlewindow.platform.permits.wire import (
    check_from_json,
    draft_from_json,
    reversal_from_json,
    status_from_json,
    write_off_from_json,
)

Authenticate = Callable[[str | None], Awaitable[Principal]]
Endpoint = Callable[[Request, Principal], Awaitable[Response]]
MAX_BODY = 64 * 1024


def error_response(error: BaseException) -> Response:
    """The hub's error body (``{error, message, problems}``) with the status of the one table."""
    if isinstance(error, PermitRefused):
        problems = [p.as_dict() for p in error.problems]
        return error_body(error.code, error.message, problems, status_of(error).http)
    return hub_error_response(error)


def _guarded(authenticate: Authenticate, endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        try:
            return await endpoint(request, await authenticate(request.headers.get("authorization")))
        except PermitRefused as refused:
            return error_body(refused.code, refused.message, [p.as_dict() for p in refused.problems], 409)
        except Exception as error:
            return error_response(error)

    return run


async def _json(request: Request) -> dict[str, Any]:
    return await read_json(request, MAX_BODY)


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

    async def reverse(request: Request, principal: Principal) -> Response:
        number, key, reason = reversal_from_json(await _json(request))
        result = await service.reverse(principal, number, key, reason)
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
        route("/v1/permits/reversals", reverse, "POST"),
    ]
