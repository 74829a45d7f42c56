"""Small HTTP helpers the hub's agency-service routes share: the submission API's error bodies (the one
table), bearer auth, bounded JSON bodies."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from singlewindow.platform.api.auth import authenticate
from singlewindow.platform.api.http_app import error_response
from singlewindow.platform.errors import InvalidInput, PayloadTooLarge, Problem
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
