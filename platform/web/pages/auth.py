"""Sign in with the principal's bearer token (the hub's API says whose it is), sign out, switch language."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from singlewindow.platform.errors import Unauthenticated
from singlewindow.platform.web.i18n import LANGUAGES
from singlewindow.platform.web.middleware import session_of
from singlewindow.platform.web.portal import Portal, choose_language, sign_in
from singlewindow.platform.web.sessions import Session

MAX_TOKEN_CHARS = 200


def local_path(value: object, default: str = "/") -> str:
    """Only a path on this site (``/submissions``), never ``//host`` or ``https://...``: no open redirect."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value[:2000]
    return default


def auth_routes(portal: Portal) -> list[Route]:
    async def signin_page(request: Request) -> Response:
        if session_of(request).signed_in:
            return RedirectResponse("/submissions", status_code=303)
        return portal.pages.render(request, "signin.html", failed=False)

    async def signin(request: Request) -> Response:
        form = await portal.posted(request)
        token = str(form.get("token", "")).strip()[:MAX_TOKEN_CHARS]
        try:
            async with portal.hub(token) as hub:
                caller = await hub.me()
        except Unauthenticated:
            return portal.pages.render(request, "signin.html", 401, failed=True)
        sign_in(request, token, caller)
        return RedirectResponse("/submissions", status_code=303)

    async def signout(request: Request) -> Response:
        await portal.posted(request)
        request.state.session = Session.anonymous(session_of(request).language)
        return RedirectResponse("/signin", status_code=303)

    async def language(request: Request) -> Response:
        form = await portal.posted(request)
        chosen = str(form.get("language", ""))
        if chosen in LANGUAGES:
            choose_language(request, chosen)
        return RedirectResponse(local_path(form.get("back")), status_code=303)

    return [
        Route("/signin", portal.guarded(signin_page, signed_in=False), methods=["GET"]),
        Route("/signin", portal.guarded(signin, signed_in=False), methods=["POST"]),
        Route("/signout", portal.guarded(signout, signed_in=False), methods=["POST"]),
        Route("/language", portal.guarded(language, signed_in=False), methods=["POST"]),
    ]
