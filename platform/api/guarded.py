"""Small HTTP helpers the hub's agency-service routes share: the submission API's error bodies (the one
table), bearer auth, bounded JSON bodies parsed under the hub's input rules."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from singlewindow.platform.api.auth import authenticate
from singlewindow.platform.api.http_errors import error_response
from singlewindow.platform.api.http_inputs import read_json
from singlewindow.platform.identity import Principal, PrincipalStore

Endpoint = Callable[[Request], Awaitable[Response]]


def guarded(endpoint: Endpoint) -> Endpoint:
    async def run(request: Request) -> Response:
        try:
            return await endpoint(request)
        except Exception as error:
            return error_response(error)

    return run


async def caller(principals: PrincipalStore, request: Request) -> Principal:
    return await authenticate(principals, request.headers.get("authorization"))


async def json_body(request: Request, limit: int) -> dict[str, Any]:
    """A JSON object body of at most ``limit`` bytes, refused as it streams past the limit."""
    return await read_json(request, limit)
