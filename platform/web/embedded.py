"""The portal on embedded defaults (``nsw portal serve`` without a hub URL, ``nsw demo --web``, the browser
tests): an embedded hub with its HTTP API on a loopback port, rule-based deciders for every agency (as
``nsw demo --auto-deciders`` runs them) but the border guard, and a few principals to sign in with.

The border guard decides as it does in production: its real adapter hands each document to the hub's
officer queue and publishes what an officer decides there, so a submission routed to it reaches its
consolidated decision only once the border guard's officer (signed in to the console) has decided.

The portal still reaches this hub only through its HTTP API, exactly as it would reach a production hub.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from singlewindow.platform.api.agency_services import build_agency_services
from singlewindow.platform.api.client import HubClient
from singlewindow.platform.api.http_server import HttpListener
from singlewindow.platform.api.operations import SubmissionApi
from singlewindow.platform.api.serve import hub_http_app
from singlewindow.platform.demo.agencies import auto_deciders, officer_desk
from singlewindow.platform.identity import GrantScope, Role
from singlewindow.platform.settings import AttachmentSettings, Settings
from singlewindow.platform.specs import Catalog, DocumentValidator
from singlewindow.platform.testing.embedded import EmbeddedHub, embedded_hub

# Who can sign in: two traders (each sees only its own submissions), a customs broker acting for the first
# under a submit grant, an operator and the border guard's officer. Tokens are made fresh each run and
# printed by the command. The border guard's adapter has a principal too, not printed (nobody signs in as it).
TRADER = "kz-almaty-fresh-fruit"
OTHER_TRADER = "kg-bishkek-meat"
BROKER = "kaztransbroker"
OPERATOR = "operator"
OFFICER = "bg-officer"
OFFICER_AGENCY = "border-guard"
OFFICER_ADAPTER = "border-guard-adapter"


@dataclass(frozen=True)
class EmbeddedPortalHub:
    hub_url: str
    tokens: dict[str, str]  # principal name -> bearer token
    embedded: EmbeddedHub


async def _principals(embedded: EmbeddedHub) -> dict[str, str]:
    store = embedded.hub.principals
    tokens = {}
    for name, role, agency in ((TRADER, Role.TRADER, None), (OTHER_TRADER, Role.TRADER, None),
                               (BROKER, Role.BROKER, None), (OPERATOR, Role.OPERATOR, None),
                               (OFFICER, Role.OFFICER, OFFICER_AGENCY)):  # fmt: skip
        tokens[name] = (await store.add(name, role, agency)).token
    await store.grant(BROKER, TRADER, GrantScope.SUBMIT)
    return tokens


async def _seed(hub_url: str, token: str) -> None:
    """The shipped consignment examples, submitted once each by the first trader through the API, so the
    lists and the figures have something to show."""
    async with HubClient(hub_url, token) as client:
        for path in Catalog().get("consignment").valid_examples:
            await client.submit(json.loads(path.read_text(encoding="utf-8")))


@asynccontextmanager
async def embedded_portal_hub(
    settings: Settings, folder: Path, *, seed: bool = False
) -> AsyncIterator[EmbeddedPortalHub]:
    """A started hub in ``folder`` (database, attachments, status-proof keys), its API listening on 127.0.0.1
    (any port); ``seed`` submits the shipped consignment examples first."""
    hub_settings = settings.hub.model_copy(update={"status_keys_dir": folder / "status-keys"})
    attachments = AttachmentSettings(folder=folder / "attachments")
    risk = settings.risk.model_copy(update={"demo_profiles": True})  # signed demo profiles (docs/risk.md)
    settings = settings.model_copy(update={"attachments": attachments, "hub": hub_settings, "risk": risk})
    async with embedded_hub(folder / "hub.db", settings) as embedded:
        hub = embedded.hub
        api = SubmissionApi(hub, settings.limits.max_document_bytes)
        services = build_agency_services(hub, settings, DocumentValidator(Catalog()))
        closing = asyncio.Event()
        listener = HttpListener(hub_http_app(hub, api, services, closing), "127.0.0.1", 0, grace_seconds=1)
        await listener.start()
        try:
            tokens = await _principals(embedded)
            adapter_token = (await hub.principals.add(OFFICER_ADAPTER, Role.AGENCY, OFFICER_AGENCY)).token
            url = f"http://127.0.0.1:{listener.port}"
            async with (
                auto_deciders(embedded, {}, skip={OFFICER_AGENCY}),
                officer_desk(embedded, url, adapter_token, folder, {}),
            ):
                if seed:
                    await _seed(url, tokens[TRADER])
                yield EmbeddedPortalHub(url, tokens, embedded)
        finally:
            closing.set()
            await listener.stop()
