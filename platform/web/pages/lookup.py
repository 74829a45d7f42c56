"""HS lookup by code or words: a page of its own (works without script) and the same matches as JSON for
the form's inline lookup."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from singlewindow.platform.web.portal import Portal


def lookup_routes(portal: Portal) -> list[Route]:
    async def hs(request: Request) -> Response:
        query = request.query_params.get("q", "")
        language = portal.pages.language_of(request)
        found = portal.config.codelists.hs_lookup(query, language)
        if request.query_params.get("format") == "json":
            return JSONResponse({"matches": [{"code": code, "name": name} for code, name in found]})
        return portal.pages.render(request, "hs.html", query=query[:100], matches=found)

    return [Route("/hs", portal.guarded(hs), methods=["GET"])]
