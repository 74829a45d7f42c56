"""The HTTP/JSON API (Starlette): the same operations as gRPC through ``SubmissionApi``; Watch as SSE.

Errors are ``{"error": code, "message": ..., "problems": [...]}`` with the HTTP status of the one table.
Request bodies are capped before they are read in full (the document limit plus room for the envelope) and
parsed under the hub's input rules (``singlewindow.platform.inputs``); every route answers ``OPTIONS``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from singlewindow.platform.api.http_errors import error_response
from singlewindow.platform.api.http_inputs import read_json
from singlewindow.platform.api.methods import by_path
from singlewindow.platform.api.openapi import openapi_document, served_operations
from singlewindow.platform.api.operations import MAX_LIST_LIMIT, SubmissionApi, event_dict, require_object
from singlewindow.platform.hub.watch import WatchItem
from singlewindow.platform.inputs import parse_count

__all__ = ["ENVELOPE_ALLOWANCE", "build_http_app", "error_response"]
log = structlog.get_logger(__name__)
ENVELOPE_ALLOWANCE = 64 * 1024  # the request fields around the document
Endpoint = Callable[[Request], Awaitable[Response]]


def _guarded(endpoint: Endpoint) -> Endpoint:
    async def run(request: Request) -> Response:
        try:
            return await endpoint(request)
        except Exception as error:
            return error_response(error)

    return run


def _limit(request: Request) -> int | None:
    """The OpenAPI document says 1..1000 and the default when absent; 0 is refused, not the default."""
    return parse_count(request.query_params.get("limit"), "/limit", minimum=1, maximum=MAX_LIST_LIMIT)


def _sse(items: AsyncIterator[WatchItem], closing: asyncio.Event, heartbeat_seconds: float) -> AsyncIterator[str]:
    """Frames until the client leaves or the server closes (the client then resumes elsewhere with
    ``Last-Event-ID``); a comment line every ``heartbeat_seconds`` keeps idle proxies from cutting it."""

    async def frames() -> AsyncIterator[str]:
        yield ": watching\n\n"  # sent at once, so clients and proxies see the stream open
        iterator = aiter(items)
        closed = asyncio.create_task(closing.wait())
        try:
            while True:
                following = asyncio.ensure_future(anext(iterator))
                while not following.done():
                    await asyncio.wait({following, closed}, timeout=heartbeat_seconds, return_when="FIRST_COMPLETED")
                    if closed.done():
                        following.cancel()
                        return
                    if not following.done():
                        yield ": keep-alive\n\n"
                item = following.result()
                data = json.dumps(event_dict(item), separators=(",", ":"))
                yield f"id: {item.resume_token}\nevent: {item.event.kind}\ndata: {data}\n\n"
        finally:
            closed.cancel()

    return frames()


def build_http_app(
    api: SubmissionApi,
    closing: asyncio.Event | None = None,
    heartbeat_seconds: float = 15.0,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """``closing`` set ends every open watch stream (graceful shutdown); ``extra_routes`` mount other
    route sets (attachments, agency services) on the same listener."""
    closing = closing or asyncio.Event()
    body_limit = api.max_document_bytes + ENVELOPE_ALLOWANCE

    async def submit(request: Request) -> Response:
        principal = await api.principal(request.headers.get("authorization"))
        body = await read_json(request, body_limit, inner="document")
        view, created = await api.submit(
            principal,
            body.get("documentType", ""),
            require_object(body.get("document"), "/document"),
            body.get("traderReference"),
            body.get("declarant"),
        )
        return JSONResponse({"submission": view.as_dict(), "created": created}, status_code=201 if created else 200)

    async def amend(request: Request) -> Response:
        principal = await api.principal(request.headers.get("authorization"))
        body = await read_json(request, body_limit, inner="document")
        document = require_object(body.get("document"), "/document")
        return JSONResponse((await api.amend(principal, request.path_params["id"], document)).as_dict())

    async def cancel(request: Request) -> Response:
        principal = await api.principal(request.headers.get("authorization"))
        body = await read_json(request, body_limit)
        return JSONResponse((await api.cancel(principal, request.path_params["id"], body.get("reason"))).as_dict())

    async def answer(request: Request) -> Response:
        principal = await api.principal(request.headers.get("authorization"))
        body = await read_json(request, body_limit)
        view = await api.respond_to_query(
            principal, request.path_params["id"], body.get("recipient", ""), body.get("answer", "")
        )
        return JSONResponse(view.as_dict())

    async def get(request: Request) -> Response:
        principal = await api.principal(request.headers.get("authorization"))
        return JSONResponse((await api.get(principal, request.path_params["id"])).as_dict())

    async def document_(request: Request) -> Response:
        principal = await api.principal(request.headers.get("authorization"))
        return JSONResponse(await api.document(principal, request.path_params["id"]))

    async def list_(request: Request) -> Response:
        principal = await api.principal(request.headers.get("authorization"))
        views = await api.list(principal, request.query_params.get("status"), _limit(request))
        return JSONResponse({"submissions": [v.as_dict() for v in views]})

    async def watch(request: Request) -> Response:
        principal = await api.principal(request.headers.get("authorization"))
        token = request.headers.get("last-event-id") or request.query_params.get("resumeToken")
        items = await api.watch(principal, token, request.path_params.get("id"))
        headers = {"cache-control": "no-cache", "x-accel-buffering": "no"}
        return StreamingResponse(
            _sse(items, closing, heartbeat_seconds), media_type="text/event-stream", headers=headers
        )

    async def me(request: Request) -> Response:
        principal = await api.principal(request.headers.get("authorization"))
        return JSONResponse(await api.whoami(principal))

    async def openapi(request: Request) -> Response:
        return JSONResponse(document)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    routes = [
        Route("/v1/submissions", _guarded(submit), methods=["POST"]),
        Route("/v1/submissions", _guarded(list_), methods=["GET"]),
        Route("/v1/submissions/watch", _guarded(watch), methods=["GET"]),
        Route("/v1/submissions/{id}", _guarded(get), methods=["GET"]),
        Route("/v1/submissions/{id}/document", _guarded(document_), methods=["GET"]),
        Route("/v1/submissions/{id}/watch", _guarded(watch), methods=["GET"]),
        Route("/v1/submissions/{id}/amend", _guarded(amend), methods=["POST"]),
        Route("/v1/submissions/{id}/cancel", _guarded(cancel), methods=["POST"]),
        Route("/v1/submissions/{id}/answers", _guarded(answer), methods=["POST"]),
        Route("/v1/me", _guarded(me), methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        *extra_routes,
    ]
    document = openapi_document(served_operations(routes))  # what this listener answers, no more
    return Starlette(routes=by_path(routes))
