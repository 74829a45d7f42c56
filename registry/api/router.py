"""Routing on the raw request path, so ``%2F`` inside a subject name stays part of that one segment.

Starlette decodes ``%2F`` before its own routing (Karapace had to route on ``raw_path`` for the same
reason), so this router splits ``scope["raw_path"]`` on ``/`` first and percent-decodes each segment
afterwards. A trailing slash is ignored (``GET /config/`` is the global config). Every RegistryError
becomes Confluent's body ``{"error_code", "message"}``; anything unexpected a 500 in the same shape.

Segments and the query must be UTF-8 once percent-decoded (400 otherwise): decoding with errors="replace", as
Starlette does, would turn ``%ED%A0%80`` (a lone surrogate) into a subject of three U+FFFD. ``OPTIONS`` on a
known path answers 204 with ``Allow``; a method the path does not serve answers 405 with ``Allow``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from singlewindow.registry.errors import BadRequest, MethodNotAllowed, RegistryError, RouteNotFound

log = structlog.get_logger(__name__)

MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"


class RegistryJSON(JSONResponse):
    media_type = MEDIA_TYPE


def error_response(error: RegistryError, headers: dict[str, str] | None = None) -> Response:
    body = {"error_code": error.error_code, "message": error.message}
    return RegistryJSON(body, status_code=error.http_status, headers=headers)


@dataclass(frozen=True, slots=True)
class Call:
    """One request as a handler sees it: the Starlette request and the decoded path parameters."""

    request: Request
    params: dict[str, str]


Handler = Callable[[Call], Awaitable[Any]]


def _decoded(raw: bytes, what: str) -> str:
    try:
        return unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(f"The {what} is not UTF-8 once percent-decoded") from None


def path_segments(scope: Scope) -> list[str]:
    """The path's segments, percent-decoded one by one; BadRequest when one is not UTF-8."""
    raw: bytes = scope.get("raw_path") or scope["path"].encode()
    raw = raw.split(b"?", 1)[0]  # httpx's ASGI transport keeps the query in raw_path
    return [_decoded(part, "URL path") for part in raw.split(b"/") if part]


def check_query(scope: Scope) -> None:
    """BadRequest when a query parameter's name or value is not UTF-8 once percent-decoded."""
    for part in (scope.get("query_string") or b"").split(b"&"):
        _decoded(part.replace(b"+", b" "), "query string")


def allow_header(methods: set[str]) -> str:
    """The methods a path answers: its routes', HEAD with GET (served as GET), and OPTIONS."""
    return ", ".join(sorted({*methods, *(("HEAD",) if "GET" in methods else ()), "OPTIONS"}))


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
        response = await self._dispatch(request)
        await response(scope, receive, send)

    async def _dispatch(self, request: Request) -> Response:
        try:
            check_query(request.scope)
            candidates = self._match(path_segments(request.scope))
        except RegistryError as exc:
            return error_response(exc)
        method = "GET" if request.method == "HEAD" else request.method
        chosen = next(((params, handler) for m, params, handler in candidates if m == method), None)
        if chosen is None and candidates:
            allow = allow_header({m for m, _, _ in candidates})
            if request.method == "OPTIONS":
                return Response(status_code=204, headers={"Allow": allow})
            refused = MethodNotAllowed(f"HTTP 405 Method {request.method} not allowed; allowed: {allow}")
            return error_response(refused, {"Allow": allow})
        try:
            if chosen is None:
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
