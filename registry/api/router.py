"""Routing on the raw request path, so ``%2F`` inside a subject name stays part of that one segment.

Starlette decodes ``%2F`` before its own routing (Karapace had to route on ``raw_path`` for the same
reason), so this router splits ``scope["raw_path"]`` on ``/`` first and percent-decodes each segment
afterwards. A trailing slash is ignored (``GET /config/`` is the global config). Every RegistryError
becomes Confluent's body ``{"error_code", "message"}``; anything unexpected a 500 in the same shape.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from singlewindow.registry.errors import MethodNotAllowed, RegistryError, RouteNotFound

log = structlog.get_logger(__name__)

MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"


class RegistryJSON(JSONResponse):
    media_type = MEDIA_TYPE


def error_response(error: RegistryError) -> Response:
    return RegistryJSON({"error_code": error.error_code, "message": error.message}, status_code=error.http_status)


@dataclass(frozen=True, slots=True)
class Call:
    """One request as a handler sees it: the Starlette request and the decoded path parameters."""

    request: Request
    params: dict[str, str]


Handler = Callable[[Call], Awaitable[Any]]


def path_segments(scope: Scope) -> list[str]:
    raw: bytes = scope.get("raw_path") or scope["path"].encode()
    raw = raw.split(b"?", 1)[0]
    return [unquote(part.decode("utf-8", "replace")) for part in raw.split(b"/") if part]


class RawPathRouter:
    def __init__(self) -> None:
        self._routes: list[tuple[str, tuple[str, ...], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, tuple(part for part in pattern.split("/") if part), handler))

    def _match(self, segments: list[str]) -> list[tuple[str, dict[str, str], Handler]]:
        found = []
        for method, pattern, handler in self._routes:
            if len(pattern) != len(segments):
                continue
            params: dict[str, str] = {}
            for expected, actual in zip(pattern, segments, strict=True):
                if expected.startswith("{"):
                    params[expected.strip("{}")] = actual
                elif expected != actual:
                    break
            else:
                found.append((method, params, handler))
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self._dispatch(request, path_segments(scope))
        await response(scope, receive, send)

    async def _dispatch(self, request: Request, segments: list[str]) -> Response:
        candidates = self._match(segments)
        method = "GET" if request.method == "HEAD" else request.method
        chosen = next(((params, handler) for m, params, handler in candidates if m == method), None)
        try:
            if chosen is None:
                if candidates:
                    raise MethodNotAllowed(f"HTTP 405 Method {request.method} not allowed")
                raise RouteNotFound("HTTP 404 Not Found")
            params, handler = chosen
            result = await handler(Call(request, params))
        except RegistryError as exc:
            if exc.http_status >= 500:
                log.error("registry.request_failed", path=request.url.path, error=exc.message)
            return error_response(exc)
        except Exception:
            log.exception("registry.request_crashed", path=request.url.path)
            return RegistryJSON({"error_code": 50001, "message": "Internal error in the schema registry"}, 500)
        return result if isinstance(result, Response) else RegistryJSON(result)
