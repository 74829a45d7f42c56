"""One route per path with every method it serves, and the request's text checked before any endpoint.

Starlette answers a wrong method with the ``Allow`` of the first route whose path matched, which lists only
that route's methods when one path has a route per method (``GET`` and ``POST /v1/submissions``), and it
answers ``OPTIONS`` with 405. Here ``OPTIONS`` answers 204 with ``Allow``, and any other method the path does
not serve answers 405 with ``Allow`` and the hub's error body, on every route set mounted on the listener.
The path, query and data headers are checked here too (``check_request``), once for every route.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from singlewindow.platform.api.http_errors import error_body, error_response
from singlewindow.platform.api.http_inputs import check_request
from singlewindow.platform.errors import InvalidInput

Endpoint = Callable[[Request], Awaitable[Response]]


class _Dispatcher:
    """An ASGI endpoint (so Starlette leaves the method check to it) for one path's methods."""

    def __init__(self, handlers: dict[str, Endpoint]) -> None:
        self.handlers = handlers
        self.allow = ", ".join(sorted({*handlers, "OPTIONS"}))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        response = await self.respond(request)
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": self.allow})
        handler = self.handlers.get(request.method)
        if handler is None:
            message = f"{request.method} is not served here; allowed: {self.allow}"
            return error_body("method_not_allowed", message, [], 405, Allow=self.allow)
        try:
            check_request(request)
        except InvalidInput as error:
            return error_response(error)
        return await handler(request)


def by_path(routes: Sequence[BaseRoute]) -> list[BaseRoute]:
    """``routes`` with the plain ``Route``s of one path merged into one (in first-seen order); others kept."""
    groups: dict[str, dict[str, Endpoint]] = {}
    order: list[BaseRoute | str] = []
    for route in routes:
        if not isinstance(route, Route) or route.methods is None:
            order.append(route)
            continue
        if route.path not in groups:
            groups[route.path] = {}
            order.append(route.path)
        for method in sorted(route.methods):
            groups[route.path].setdefault(method, route.endpoint)
    return [Route(item, _Dispatcher(groups[item]), methods=None) if isinstance(item, str) else item for item in order]
