"""An embedded hub with the agency services app in front of it, and principals of every kind."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from singlewindow.platform.api.agency_services import AgencyServices, agency_services_app, build_agency_services
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.settings import AttachmentSettings, LimitSettings, OfficerSettings, Settings
from singlewindow.platform.specs import Catalog, DocumentValidator
from singlewindow.platform.testing import EmbeddedHub, embedded_hub

MAX_ATTACHMENT = 4096


@dataclass
class Env:
    embedded: EmbeddedHub
    services: AgencyServices
    http: httpx.AsyncClient
    tokens: dict[str, str]
    principals: dict[str, Principal]

    def auth(self, who: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[who]}"}

    async def submit(self, document: dict[str, Any], who: str = "trader") -> tuple[str, list[str]]:
        """Submit and wait until routed: (submission id, recipients)."""
        view, _ = await self.embedded.hub.intake.submit(self.principals[who], "consignment", document)
        for _ in range(300):
            states = await self.embedded.hub.recipients.states(view.submission_id, 1)
            if states:
                return view.submission_id, sorted(state.recipient for state, _ in states)
            await asyncio.sleep(0.01)
        raise AssertionError("the submission was not routed")


def consignment(stem: str) -> dict[str, Any]:
    path = next(p for p in Catalog().get("consignment").valid_examples if stem in p.name)
    document: dict[str, Any] = json.loads(path.read_text())
    return document


@pytest.fixture
def example() -> Callable[[str], dict[str, Any]]:
    return consignment


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    settings = Settings(
        limits=LimitSettings(max_attachment_bytes=MAX_ATTACHMENT),
        attachments=AttachmentSettings(folder=tmp_path / "blobs"),
        officers=OfficerSettings(claim_seconds=0.5),
    )
    async with embedded_hub(tmp_path / "hub.db", settings) as embedded:
        services = build_agency_services(embedded.hub, settings, DocumentValidator(Catalog()))
        tokens: dict[str, str] = {}
        principals: dict[str, Principal] = {}
        for name, role, agency in (
            ("trader", Role.TRADER, None),
            ("other-trader", Role.TRADER, None),
            ("operator", Role.OPERATOR, None),
            ("phyto-adapter", Role.AGENCY, "phytosanitary"),
            ("vet-adapter", Role.AGENCY, "veterinary"),
            ("bg-adapter", Role.AGENCY, "border-guard"),
            ("bg-officer-1", Role.OFFICER, "border-guard"),
            ("bg-officer-2", Role.OFFICER, "border-guard"),
            ("vet-officer", Role.OFFICER, "veterinary"),
        ):
            issued = await embedded.hub.principals.add(name, role, agency)
            tokens[name], principals[name] = issued.token, issued.principal
        transport = httpx.ASGITransport(app=agency_services_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            yield Env(embedded, services, http, tokens, principals)
