"""The portal in process in front of an embedded hub's HTTP API (agency services and reports included), with
officers (border guard, phytosanitary) and an operator to sign in, and a consignment queued for the border
guard's officers."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from singlewindow.platform.api.agency_services import build_agency_services
from singlewindow.platform.api.operations import SubmissionApi
from singlewindow.platform.api.serve import hub_http_app
from singlewindow.platform.hub.runtime import Hub
from singlewindow.platform.identity import Role
from singlewindow.platform.routing import decide, project
from singlewindow.platform.settings import AttachmentSettings, HubSettings, Settings
from singlewindow.platform.specs import Catalog, DocumentValidator
from singlewindow.platform.testing import embedded_hub
from singlewindow.platform.web.app import build_portal_app
from singlewindow.platform.web.portal import PortalConfig
from singlewindow.platform.web.sessions import SessionSealer

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Console:
    portal: httpx.AsyncClient
    hub: httpx.AsyncClient
    tokens: dict[str, str]
    ticket: int
    ucr: str
    submission_id: str
    core: Hub

    async def sign_in(self, who: str) -> str:
        """Signed in as ``who``; the session's CSRF token for the forms."""
        page = await self.portal.get("/signin")
        answer = await self.portal.post("/signin", data={"csrf": csrf_of(page.text), "token": self.tokens[who]})
        assert answer.status_code == 303, answer.text
        return csrf_of((await self.portal.get("/console" if who.endswith("officer") else "/dashboard")).text)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, html[:500]
    return found.group(1)


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    settings = Settings(
        attachments=AttachmentSettings(folder=tmp_path / "blobs"), hub=HubSettings(status_keys_dir=tmp_path / "keys")
    )
    async with embedded_hub(tmp_path / "hub.db", settings) as embedded:
        hub = embedded.hub
        services = build_agency_services(hub, settings, DocumentValidator(Catalog()))
        app = hub_http_app(hub, SubmissionApi(hub, settings.limits.max_document_bytes), services, asyncio.Event())
        tokens = {}
        for name, role, agency in (("trader", Role.TRADER, None), ("operator", Role.OPERATOR, None),
                                   ("bg-adapter", Role.AGENCY, "border-guard"),
                                   ("bg-officer", Role.OFFICER, "border-guard"),
                                   ("phyto-officer", Role.OFFICER, "phytosanitary")):  # fmt: skip
            tokens[name] = (await hub.principals.add(name, role, agency)).token
        document: dict[str, Any] = json.loads(
            next(p for p in Catalog().get("consignment").valid_examples if "apples" in p.name).read_text()
        )
        view, _ = await hub.intake.submit(await hub.principals.authenticate(tokens["trader"]), "consignment", document)
        for _ in range(300):
            if await hub.recipients.states(view.submission_id, 1):
                break
            await asyncio.sleep(0.01)
        tables = hub.tables()
        route = next(r for r in decide(tables, "consignment", document).recipients if r.recipient == "border-guard")
        bg_view = project(tables.views.get(route.view), document, route.items, view.submission_id, 1, "border-guard")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as hub_http:
            queued = await hub_http.post(
                "/v1/officer/queue",
                json={"document": dict(bg_view)},
                headers={"authorization": f"Bearer {tokens['bg-adapter']}"},
            )
            config = PortalConfig(
                "http://hub", SessionSealer(None, 3600), ("consignment",), 1024, hub_transport=transport
            )
            portal_transport = httpx.ASGITransport(app=build_portal_app(config))
            async with httpx.AsyncClient(transport=portal_transport, base_url="http://portal") as portal:
                yield Console(
                    portal, hub_http, tokens, queued.json()["ticket"], document["ucr"], view.submission_id, hub
                )
