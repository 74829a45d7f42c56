"""The portal in front of an embedded hub's whole HTTP app, both in process (ASGI), for the web tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from singlewindow.platform.api.agency_services import build_agency_services
from singlewindow.platform.api.operations import SubmissionApi
from singlewindow.platform.api.serve import hub_http_app
from singlewindow.platform.hub.runtime import Hub
from singlewindow.platform.settings import Settings
from singlewindow.platform.specs import Catalog, DocumentValidator
from singlewindow.platform.web.app import build_portal_app
from singlewindow.platform.web.portal import PortalConfig
from singlewindow.platform.web.sessions import SessionSealer


@asynccontextmanager
async def portal_over(hub: Hub, settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """(the portal's client, the hub's client), the portal calling the hub through the same ASGI transport."""
    services = build_agency_services(hub, settings, DocumentValidator(Catalog()))
    app = hub_http_app(hub, SubmissionApi(hub, settings.limits.max_document_bytes), services, asyncio.Event())
    transport = httpx.ASGITransport(app=app)
    config = PortalConfig("http://hub", SessionSealer(None, 3600), ("consignment",), 1024, hub_transport=transport)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://hub") as hub_http,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=build_portal_app(config)), base_url="http://portal") as web,
    ):
        yield web, hub_http
