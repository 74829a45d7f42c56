"""The embedded hub's agency services (attachments, officer queue, border events, permits register) served
over real HTTP on a free port, for testing adapters that call the hub's API as they would in production."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from starlette.applications import Starlette

from singlewindow.platform.api.agency_services import AgencyServices, build_agency_services
from singlewindow.platform.api.auth import authenticate
from singlewindow.platform.api.http_server import HttpListener
from singlewindow.platform.api.permits_http import permit_routes
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.permits import PermitService, PermitStore
from singlewindow.platform.settings import Settings
from singlewindow.platform.specs import Catalog, DocumentValidator
from singlewindow.platform.testing.embedded import EmbeddedHub


@dataclass(frozen=True)
class ServedAgencyServices:
    url: str
    services: AgencyServices
    permits: PermitService

    async def principal(
        self, embedded: EmbeddedHub, name: str, role: Role, agency: str | None = None
    ) -> tuple[Principal, str]:
        """A new principal and its bearer token."""
        issued = await embedded.hub.principals.add(name, role, agency)
        return issued.principal, issued.token


@asynccontextmanager
async def served_agency_services(embedded: EmbeddedHub, settings: Settings) -> AsyncIterator[ServedAgencyServices]:
    services = build_agency_services(embedded.hub, settings, DocumentValidator(Catalog()))
    permits = PermitService(PermitStore(embedded.hub.engine))

    async def who(authorization: str | None) -> Principal:
        return await authenticate(embedded.hub.principals, authorization)

    app = Starlette(routes=[*services.routes(), *permit_routes(permits, who)])
    listener = HttpListener(app, "127.0.0.1", 0, grace_seconds=1)
    await listener.start()
    try:
        yield ServedAgencyServices(f"http://127.0.0.1:{listener.port}", services, permits)
    finally:
        await listener.stop()
