"""Small HTTP helpers the hub's agency-service routes share: errors as the one table says, bearer auth,
bounded JSON bodies. Kept apart from the submission API's app so each set of routes mounts on its own."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from singlewindow.platform.api.auth import authenticate
from singlewindow.platform.api.status_codes import error_code, error_message, problems_of, status_of
from singlewindow.platform.errors import InvalidInput, NswError, PayloadTooLarge, Problem
from singlewindow.platform.identity import Principal, PrincipalStore

log = structlog.get_logger(__name__)
Endpoint = Callable[[Request], Awaitable[Response]]


def error_json(error: BaseException) -> JSONResponse:
    """``{"error", "message", "problems"}`` with the HTTP status of the one table."""
    if not isinstance(error, NswError):
        log.exception("http call failed", exc_info=error)
    body = {
        "error": error_code(error),
        "message": error_message(error),
        "problems": [p.as_dict() for p in problems_of(error)],
    }
    return JSONResponse(body, status_code=status_of(error).http)


def guarded(endpoint: Endpoint) -> Endpoint:
    async def run(request: Request) -> Response:
        try:
            return await endpoint(request)
        except Exception as error:
            return error_json(error)

    return run


async def caller(principals: PrincipalStore, request: Request) -> Principal:
    return await authenticate(principals, request.headers.get("authorization"))


async def json_body(request: Request, limit: int) -> dict[str, Any]:
    """A JSON object body of at most ``limit`` bytes, refused as it streams past the limit."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"request body exceeds {limit} bytes", [Problem("", "maxBytes", f"at most {limit}")])
        chunks.append(chunk)
    try:
        value = json.loads(b"".join(chunks) or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput("the request body is not JSON", [Problem("", "json", str(exc))]) from exc
    if not isinstance(value, dict):
        raise InvalidInput("the request body must be a JSON object", [Problem("", "type", "an object")])
    return value
