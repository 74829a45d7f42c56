"""The portal's ASGI app: its pages, its static files, the session and security-header middleware.

The officer console and the time-release dashboard (``console``) are page sets like the trader's; others join
through ``extra_routes``, built from the same ``Portal``: one sign-in, one layout, one set of catalogues.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from singlewindow.platform.web.console.dashboard import dashboard_routes
from singlewindow.platform.web.console.joint import joint_routes
from singlewindow.platform.web.console.pages import console_routes
from singlewindow.platform.web.middleware import PortalMiddleware
from singlewindow.platform.web.pages.auth import auth_routes
from singlewindow.platform.web.pages.compose import compose_routes
from singlewindow.platform.web.pages.lookup import lookup_routes
from singlewindow.platform.web.pages.submissions import submission_routes
from singlewindow.platform.web.portal import Portal, PortalConfig

STATIC = Path(__file__).parent / "static"
RouteSet = Callable[[Portal], Sequence[BaseRoute]]


async def _healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


def build_portal_app(config: PortalConfig, extra_routes: Sequence[RouteSet] = ()) -> Starlette:
    portal = Portal(config)
    routes: list[BaseRoute] = [
        *auth_routes(portal),
        *submission_routes(portal),
        *compose_routes(portal),
        *lookup_routes(portal),
        *console_routes(portal),
        *joint_routes(portal),
        *dashboard_routes(portal),
        *(route for route_set in extra_routes for route in route_set(portal)),
        Route("/healthz", _healthz, methods=["GET"]),
        # follow_symlink: a strict editable install links the files; the folder itself is the portal's own
        Mount("/static", StaticFiles(directory=STATIC, follow_symlink=True), name="static"),
    ]
    middleware = [Middleware(PortalMiddleware, sealer=config.sealer, secure_cookies=config.secure_cookies)]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.portal = portal
    return app
